"""The admin as a Japanese ministry office uses it (issue 17), in a real browser: Debian's
Chromium at 1,366 × 900, driven by Playwright, against pytest-django's live server.
Screenshots go to var/screenshots/admin-*.png for a person to look at.

The browser, its arguments and the skip when it is missing are those of the analysts'
pages' browser tests (tests/reports/test_browser.py)."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import DATA_ENTRY
from tests.reports.test_browser import (
    CHROMIUM,
    NO_BROWSER,
    PASSWORD,
    REQUIRE_BROWSER,
    SCREENSHOTS,
    _restore_migration_rows,
    browser,  # noqa: F401  (the fixture)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None and not REQUIRE_BROWSER, reason=NO_BROWSER),
]

STAFF = "staff"
WIDTH, HEIGHT = 1366, 900  # the ministry's office laptops


@pytest.fixture
def admin_site(live_server):
    """The live server, with a Data entry user who logs in with a password."""
    _restore_migration_rows()
    user = User.objects.create_user(
        username=STAFF, password=PASSWORD, first_name="花子", last_name="山田", is_staff=True
    )
    user.groups.add(Group.objects.get(name=DATA_ENTRY))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def new_page(chromium, **options):
    context = chromium.new_context(
        locale="ja-JP", viewport={"width": WIDTH, "height": HEIGHT}, **options
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def log_in(page, site, username=STAFF):
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")


def shot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"admin-{name}.png"), full_page=True)


def test_dates_are_typed_and_picked_the_japanese_way(browser, admin_site):  # noqa: F811
    page = new_page(browser)
    log_in(page, admin_site)

    page.goto(f"{admin_site}/admin/missions/mission/add/")
    # The admin's calendar writes the day it is given year first: open it on a date
    # typed in the era form, and it shows that month.
    page.fill("input[name=start_date]", "令和元年8月29日")
    page.fill("input[name=end_date]", "2019/8/30")
    page.fill("input[name=meetings-0-date]", "2019年8月29日")
    page.locator("#calendarlink1").click()  # the end date's calendar
    calendar = page.locator("#calendarbox1")
    assert "2019" in calendar.locator("caption").inner_text()
    calendar.locator("a", has_text="31").first.click()
    assert page.input_value("input[name=end_date]") == "2019/08/31"
    shot(page, "dates-typed")

    # A US form is refused with a message saying which forms are read.
    page.fill("input[name=start_date]", "11/17/2026")
    page.fill("input[name=title_ja]", "日付の確認")
    page.fill("input[name=title]", "Checking dates")
    page.click("input[name=_save]")
    error = page.locator(".field-start_date .errorlist").inner_text()
    assert "令和元年8月29日" in error
    shot(page, "dates-refused")
    assert page.errors == []


def test_the_index_reads_in_japanese_business_first(browser, admin_site):  # noqa: F811
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    page = new_page(browser)
    log_in(page, admin_site, username="root")

    captions = page.locator("#content-main .module caption").all_inner_texts()
    assert captions[:5] == [
        "トップセールス",
        "協定・覚書",
        "案件",
        "関係者・機関",
        "フォローアップ",
    ]
    assert captions[-1] == "エクスポート"
    assert all(not caption.isascii() for caption in captions)
    shot(page, "index")

    # The menu beside a record, in the same order.
    page.goto(f"{admin_site}/admin/missions/mission/")
    menu = page.locator("#nav-sidebar .module caption").all_inner_texts()
    assert menu == captions
    assert page.errors == []
