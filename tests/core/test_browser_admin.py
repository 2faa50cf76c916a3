"""The admin as a Japanese ministry office uses it (issue 17), in a real browser: Debian's
Chromium at 1,366 × 900, driven by Playwright, against pytest-django's live server.
Screenshots go to var/screenshots/admin-*.png for a person to look at.

The browser, its arguments and the skip when it is missing are those of the analysts'
pages' browser tests (tests/reports/test_browser.py)."""

import datetime

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import DATA_ENTRY
from missions.choices import LeaderRank
from missions.models import Mission
from tests import factories
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
    # Administration last: exports, imports and saved searches close the page.
    assert captions[-3:] == ["エクスポート", "取込み", "検索"]
    assert all(not caption.isascii() for caption in captions)
    shot(page, "index")

    # The menu beside a record, in the same order.
    page.goto(f"{admin_site}/admin/missions/mission/")
    menu = page.locator("#nav-sidebar .module caption").all_inner_texts()
    assert menu == captions
    assert page.errors == []


def choose(page, field_id, text):
    """Pick `text` in the admin's autocomplete (Select2) of the field `field_id`."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_the_mission_form_as_staff_fill_it(browser, admin_site):  # noqa: F811
    leader = factories.PersonFactory(name="Ishii Keiichi", name_ja="石井啓一")
    factories.PostFactory(
        person=leader,
        title="Minister of Land, Infrastructure, Transport and Tourism",
        title_ja="国土交通大臣",
        start_date=datetime.date(2017, 8, 3),
        end_date=datetime.date(2019, 9, 11),
    )
    minister = factories.PersonFactory(name="Kwasi Amoako-Atta")
    factories.PostFactory(
        person=minister,
        organization=factories.OrganizationFactory(
            name="Ministry of Roads and Highways", country="GH"
        ),
        title="Minister of Roads and Highways",
        title_ja="道路高速道大臣",
        start_date=datetime.date(2017, 1, 10),
    )
    page = new_page(browser)
    log_in(page, admin_site)
    page.goto(f"{admin_site}/admin/missions/mission/add/")

    # The Japanese title comes first, in a box as wide as a real title.
    boxes = page.locator("input[name=title_ja], input[name=title]")
    assert boxes.first.get_attribute("name") == "title_ja"
    assert page.locator("input[name=title_ja]").bounding_box()["width"] > 400
    assert "大臣、副大臣又は大臣政務官" in page.locator("fieldset .description").first.inner_text()

    page.fill("input[name=title_ja]", "TICAD7 第2回日-アフリカ官民インフラ会議")
    choose(page, "id_leader", "石井啓一")
    page.select_option("select[name=kind]", "conference")
    page.fill("input[name=start_date]", "令和元年8月28日")
    page.fill("input[name=end_date]", "令和元年8月30日")
    page.fill("input[name=meetings-0-date]", "令和元年8月29日")
    page.select_option("select[name=meetings-0-counterpart_country]", "GH")
    choose(page, "id_meetings-0-counterparts", "Kwasi Amoako-Atta")
    posts = page.locator("#meetings-0 .field-counterpart_posts .readonly")
    # Its post that day, in the page's language, before anything is saved.
    posts.filter(has_text="Kwasi Amoako-Atta — 道路高速道大臣").wait_for()
    shot(page, "mission-form")

    page.click("input[name=_continue]")
    page.wait_for_url("**/change/")
    mission = Mission.objects.get()
    assert mission.leader_rank == LeaderRank.MINISTER  # from the post held on 2019/8/28
    assert mission.title == ""
    # No empty meeting after saving.
    assert page.locator("#meetings-group .inline-related:not(.empty-form)").count() == 1
    shot(page, "mission-saved")
    assert page.errors == []


def test_the_agreement_form_fills_itself_from_the_signing_meeting(browser, admin_site):  # noqa: F811
    ishii = factories.PersonFactory(name="Ishii Keiichi", name_ja="石井啓一")
    mission = factories.MissionFactory(
        title_ja="TICAD7 第2回日-アフリカ官民インフラ会議",
        leader=ishii,
        start_date=datetime.date(2019, 8, 28),
    )
    factories.MeetingFactory(
        mission=mission,
        date=datetime.date(2019, 8, 29),
        counterpart_country="GH",
        principal=ishii,
        principal_rank=LeaderRank.MINISTER,
    )
    page = new_page(browser)
    log_in(page, admin_site)
    page.goto(f"{admin_site}/admin/agreements/agreement/add/")

    page.locator("#id_signed_at_meeting + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("令和元年8月29日")
    option = page.locator(".select2-results__option", has_text="ガーナ")
    assert option.first.inner_text() == (
        "2019年8月29日 ガーナ — TICAD7 第2回日-アフリカ官民インフラ会議 (石井啓一 大臣)"
    )
    option.first.click()
    assert page.input_value("select[name=counterpart_country]") == "GH"
    assert page.input_value("input[name=signed_on]") == "2019/08/29"

    # Target countries: typed, not scrolled for among 250 lines.
    page.locator("select[name=target_countries] + .select2 .select2-search__field").fill("ケニア")
    page.locator(".select2-results__option", has_text="ケニア").first.click()
    assert page.eval_on_selector(
        "select[name=target_countries]", "s => Array.from(s.selectedOptions, o => o.value)"
    ) == ["KE"]
    shot(page, "agreement-form")
    assert page.errors == []


def test_staff_record_a_two_country_mission_end_to_end(browser, admin_site):  # noqa: F811
    """As a new member of staff would: from the index, in Japanese, with Japanese dates."""
    minister = factories.PersonFactory(name="Ishii Keiichi", name_ja="石井啓一")
    factories.PostFactory(
        person=minister,
        title="Minister of Land, Infrastructure, Transport and Tourism",
        title_ja="国土交通大臣",
        start_date=datetime.date(2017, 8, 3),
        end_date=datetime.date(2019, 9, 11),
    )
    counterparts = {}
    for country, name, post in (
        ("VN", "Nguyen Van The", "交通運輸大臣"),
        ("KH", "Sun Chanthol", "公共事業運輸大臣"),
    ):
        person = factories.PersonFactory(name=name)
        factories.PostFactory(
            person=person,
            organization=factories.OrganizationFactory(country=country),
            title="Minister",
            title_ja=post,
            start_date=datetime.date(2016, 4, 1),
        )
        counterparts[country] = person

    page = new_page(browser)
    log_in(page, admin_site)
    page.locator("#content-main").get_by_role("link", name="ミッション").first.click()
    page.get_by_role("link", name="ミッション を追加").click()
    page.wait_for_url("**/admin/missions/mission/add/")

    page.fill("input[name=title_ja]", "石井大臣のベトナム・カンボジア訪問")
    choose(page, "id_leader", "石井啓一")
    page.select_option("select[name=kind]", "overseas_visit")
    page.select_option("select[name=status]", "completed")
    page.fill("input[name=start_date]", "令和元年7月1日")
    page.fill("input[name=end_date]", "2019年7月4日")
    page.check("input[name=sectors][value=railway]")
    page.check("input[name=sectors][value=port]")

    page.fill("input[name=meetings-0-date]", "2019/7/2")
    page.select_option("select[name=meetings-0-counterpart_country]", "VN")
    page.fill("input[name=meetings-0-venue_city]", "ハノイ")
    choose(page, "id_meetings-0-counterparts", "Nguyen Van The")
    page.locator(
        "#meetings-0 .field-counterpart_posts .readonly", has_text="交通運輸大臣"
    ).wait_for()

    page.locator("#meetings-group .add-row a").click()  # 会談 の追加
    page.fill("input[name=meetings-1-date]", "令和元年7月4日")
    page.select_option("select[name=meetings-1-counterpart_country]", "KH")
    page.fill("input[name=meetings-1-venue_city]", "プノンペン")
    choose(page, "id_meetings-1-counterparts", "Sun Chanthol")
    page.locator(
        "#meetings-1 .field-counterpart_posts .readonly", has_text="公共事業運輸大臣"
    ).wait_for()
    shot(page, "end-to-end-filled")

    page.click("input[name=_continue]")
    page.wait_for_url("**/change/")
    assert page.locator(".messagelist .success").count() == 1
    shot(page, "end-to-end-saved")

    mission = Mission.objects.get()
    assert mission.title_ja == "石井大臣のベトナム・カンボジア訪問"
    assert (mission.start_date, mission.end_date) == (
        datetime.date(2019, 7, 1),
        datetime.date(2019, 7, 4),
    )
    assert mission.leader_rank == LeaderRank.MINISTER
    assert sorted(mission.sectors.values_list("code", flat=True)) == ["port", "railway"]
    meetings = list(mission.meetings.order_by("date"))
    assert [(m.date, m.counterpart_country.code) for m in meetings] == [
        (datetime.date(2019, 7, 2), "VN"),
        (datetime.date(2019, 7, 4), "KH"),
    ]
    assert [list(m.counterparts.all()) for m in meetings] == [
        [counterparts["VN"]],
        [counterparts["KH"]],
    ]
    # Held by the leader at the leader's rank: two top-sales engagements.
    assert {m.principal for m in meetings} == {minister}

    # The page after saving: the meetings in itinerary order, dates the Japanese way,
    # the posts of the day, no empty meeting.
    assert page.input_value("input[name=meetings-0-date]") == "2019/07/02"
    assert page.input_value("input[name=meetings-1-date]") == "2019/07/04"
    assert page.locator("#meetings-group .inline-related:not(.empty-form)").count() == 2
    assert "交通運輸大臣" in page.locator("#meetings-0 .field-counterpart_posts").inner_text()
    assert page.errors == []
