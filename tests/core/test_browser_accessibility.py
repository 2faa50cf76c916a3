"""Accessible as a government system must be (JIS X 8341-3, WCAG 2.1 AA; issue 17,
item 12): axe-core (bundled with axe-playwright-python, nothing downloaded at run time)
on every analysts' page, the login pages and the admin pages staff use, in Chromium;
any serious or critical violation fails. And a mission recorded by keyboard alone.

The browser and the skip when it is missing are those of tests/reports/test_browser.py."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import User
from accounts.roles import ANALYST, DATA_ENTRY
from agreements.models import Agreement
from missions.models import Mission
from tests import factories
from tests.core.test_browser_admin import admin_site, new_page, shot  # noqa: F401
from tests.reports.test_browser import (
    CHROMIUM,
    NO_BROWSER,
    PASSWORD,
    REQUIRE_BROWSER,
    SCREENSHOTS,
    _restore_migration_rows,
    browser,  # noqa: F401  (the fixture)
)

axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="pip install -e '.[dev]'"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None and not REQUIRE_BROWSER, reason=NO_BROWSER),
]

# WCAG 2.1 A and AA: what JIS X 8341-3:2016 (= ISO/IEC 40500) asks of a public body.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def site(live_server):
    _restore_migration_rows()
    call_command("load_demo", verbosity=0)
    staff = User.objects.create_user(
        username="staff", password=PASSWORD, first_name="花子", last_name="山田", is_staff=True
    )
    staff.groups.add(Group.objects.get(name=DATA_ENTRY))
    analyst = User.objects.create_user(username="analyst", password=PASSWORD)
    analyst.groups.add(Group.objects.get(name=ANALYST))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def serious_violations(page):
    results = axe_playwright.Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def _log_in(page, address, username):
    page.goto(address)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_the_pages_pass_axe(browser, site):  # noqa: F811
    found = {}
    page = new_page(browser, bypass_csp=True)  # axe is injected as a script of its own

    for address in ("/accounts/login/", "/admin/login/"):
        page.goto(f"{site}{address}")
        found[address] = serious_violations(page)

    _log_in(page, f"{site}/accounts/login/", "analyst")
    for address in (
        "/reports/",
        "/reports/missions/",
        "/reports/meetings/",
        "/reports/meetings/?year=2018",  # with the map of its top sales
        "/reports/agreements/",
        "/reports/projects/",
        "/reports/countries/",
        "/reports/countries/GH/",
        "/reports/watch-list/",
        "/reports/exports/",
    ):
        page.goto(f"{site}{address}")
        found[address] = serious_violations(page)

    page = new_page(browser, bypass_csp=True)
    _log_in(page, f"{site}/admin/login/?next=/admin/", "staff")
    mission = Mission.objects.filter(meetings__counterpart_country="GH").first()
    agreement = Agreement.objects.exclude(signed_at_meeting=None).first()
    for address in (
        "/admin/",
        "/admin/missions/mission/",
        "/admin/missions/mission/add/",
        f"/admin/missions/mission/{mission.pk}/change/",
        f"/admin/agreements/agreement/{agreement.pk}/change/",
        "/admin/followups/followup/",
    ):
        page.goto(f"{site}{address}")
        found[address] = serious_violations(page)

    assert {address: problems for address, problems in found.items() if problems} == {}


def test_a_mission_is_recorded_by_keyboard_alone(browser, admin_site):  # noqa: F811
    site = admin_site
    leader = factories.PersonFactory(name="Keyboard Leader", name_ja="鍵盤太郎")
    factories.PostFactory(person=leader, title="Minister", title_ja="国土交通大臣")
    page = new_page(browser)
    page.goto(f"{site}/admin/login/?next=/admin/missions/mission/add/")
    # The login page puts the focus on the user name (autofocus).
    page.keyboard.type("staff")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/admin/missions/mission/add/")

    def focused(selector):
        return page.evaluate("s => document.activeElement === document.querySelector(s)", selector)

    def tab_to(selector, limit=150):
        """Tab until the element `selector` has the focus; the mouse is never used."""
        for _ in range(limit):
            if focused(selector):
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"{selector} cannot be reached by Tab")

    # The add page puts the focus on its first field, the Japanese title.
    tab_to("input[name=title_ja]")
    page.keyboard.type("キーボードで記録したミッション")
    # The leader's autocomplete: Enter opens it, typing searches, Enter chooses.
    tab_to("#id_leader + .select2 .select2-selection")
    page.keyboard.press("Enter")
    page.keyboard.type("鍵盤")
    page.locator(".select2-results__option", has_text="鍵盤太郎").wait_for()
    page.keyboard.press("Enter")
    # The rank is left blank: the leader's post on the start date gives it.
    tab_to("select[name=kind]")
    page.keyboard.press("ArrowDown")
    tab_to("input[name=start_date]")
    page.keyboard.type("令和元年8月28日")
    tab_to("input[name=end_date]")
    page.keyboard.type("令和元年8月30日")
    tab_to("input[name=meetings-0-date]")
    page.keyboard.type("令和元年8月29日")
    tab_to("select[name=meetings-0-counterpart_country]")
    # A closed select box changes with the arrow keys: down to ガーナ.
    for _ in range(260):
        if page.input_value("select[name=meetings-0-counterpart_country]") == "GH":
            break
        page.keyboard.press("ArrowDown")
    shot(page, "keyboard-mission")
    tab_to("input[name=_save]", limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/missions/mission/")

    mission = Mission.objects.get(title_ja="キーボードで記録したミッション")
    assert mission.leader == leader
    assert mission.start_date == datetime.date(2019, 8, 28)
    meeting = mission.meetings.get()
    assert (meeting.date, meeting.counterpart_country.code) == (datetime.date(2019, 8, 29), "GH")
