"""The analysts' pages in a real browser: Debian's Chromium, driven by Playwright, against
pytest-django's live server with the demo data loaded.

Needs `chromium` (apt-get install chromium fonts-noto-cjk; .ci/run installs it). Never
`playwright install`: the browser is Debian's, not one Playwright downloads. Screenshots
of every page go to var/screenshots/ for a person to look at."""

import csv
import importlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from accounts.models import User
from accounts.roles import ANALYST, GROUP_LABELS, wanted_codenames
from core.models import Sector
from core.sectors import SectorCode
from missions.models import Mission

# CHROMIUM_PATH names another binary (a test names a missing one, to play a machine
# without Chromium).
_chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM = _chromium if Path(_chromium).exists() else None
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The browser's own widgets (date inputs) in Japanese, as a Japanese desktop shows them.
    "--lang=ja-JP",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "a long browser-test password"  # noqa: S105

NO_BROWSER = "needs Chromium: apt-get install chromium fonts-noto-cjk (CI installs it)"
# .ci/run sets REQUIRE_BROWSER=1: there a missing browser is a failure, never a skip.
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") not in ("", "0")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # the live server reads committed rows
    pytest.mark.skipif(CHROMIUM is None and not REQUIRE_BROWSER, reason=NO_BROWSER),
]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail(f"REQUIRE_BROWSER is set and Chromium is missing: {NO_BROWSER}")
    if REQUIRE_BROWSER:
        sync_api = importlib.import_module("playwright.sync_api")
    else:
        sync_api = pytest.importorskip(
            "playwright.sync_api", reason="needs Playwright: pip install -e '.[dev]'"
        )
    # Playwright's sync API runs an event loop in this thread, so Django would refuse
    # the ORM calls of these tests' fixtures; they are safe (pytest-django's advice).
    # Only while these tests run: a subprocess started by another test (manage.py
    # check --deploy) must not inherit it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


def _restore_migration_rows():
    """Put back the rows the migrations write that the pages need (content types and
    permissions, the sectors, the groups): a transactional test run before this one has
    flushed them. (serialized_rollback does not help here: once Playwright has started, the
    tests' database connection is not the one the restored contents were kept on.)"""
    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    Sector.objects.bulk_create(
        [Sector(code=code) for code in SectorCode.values], ignore_conflicts=True
    )
    permissions = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.select_related("content_type")
    }
    for name in GROUP_LABELS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([permissions[key] for key in wanted_codenames(name, permissions)])


@pytest.fixture
def demo_site(live_server):
    """The live server with the demo data and an analyst who logs in with a password."""
    _restore_migration_rows()
    call_command("load_demo", verbosity=0)
    user = User.objects.create_user(username="analyst", password=PASSWORD)
    user.groups.add(Group.objects.get(name=ANALYST))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def _new_page(browser, **options):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 1280, "height": 900}, accept_downloads=True, **options
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def _log_in(page, site):
    page.goto(f"{site}/")
    assert "/accounts/login/" in page.url  # the root leads to the dashboard, which asks to log in
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{site}/reports/")


def _shot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_an_analyst_works_through_the_pages(browser, demo_site):
    page = _new_page(browser)
    _log_in(page, demo_site)

    # Dashboard: the sentence, and four charts drawn by Chart.js from our static files.
    assert page.locator("h1").inner_text() == "ダッシュボード"
    # It opens on the latest year with records; 2018, the source's year, on request.
    years = page.eval_on_selector_all(
        "select[name=year] option", "options => options.map(o => Number(o.value))"
    )
    assert page.locator("select[name=year]").input_value() == str(max(years))
    page.select_option("select[name=year]", "2018")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_url("**/reports/?*year=2018*")
    sentence = page.locator("[data-testid=engagement-sentence]").inner_text()
    assert sentence == "2018年に31カ国，延べ69件（うちASEAN諸国が35件）"
    page.wait_for_function(
        "document.querySelectorAll('canvas[data-chart][data-drawn=true]').length === 4"
    )
    assert page.evaluate("typeof window.Chart") == "function"
    sizes = page.eval_on_selector_all(
        "canvas[data-chart]", "canvases => canvases.map(c => [c.width, c.height])"
    )
    assert len(sizes) == 4 and all(width > 100 and height > 100 for width, height in sizes)
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".every(c => window.Chart.getChart(c) !== undefined)"
    )
    assert drawn
    _shot(page, "dashboard")

    # The missions list, unfiltered: every mission of the demo data on one page.
    page.click("nav >> text=ミッション")
    page.wait_for_url("**/reports/missions/")
    assert page.locator("h1").inner_text() == "ミッション"
    # Every mission the analyst may read: the demo's need-to-know one is not among them.
    analyst = User.objects.get(username="analyst")
    assert page.locator("table.records tbody tr").count() == 35
    assert Mission.objects.visible_to(analyst).count() == 35 < Mission.objects.count()
    _shot(page, "missions")

    # A list: filter through the FilterSet's form, then download exactly what is shown.
    page.click("nav >> text=会談")
    page.wait_for_url("**/reports/meetings/")
    page.select_option("select[name=country]", "GH")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/reports/meetings/?*country=GH*")
    rows = page.locator("table.records tbody tr")
    assert rows.count() == 1
    assert "ガーナ" in rows.first.inner_text()
    assert "2019年8月29日" in rows.first.inner_text()
    _shot(page, "meetings-ghana")

    with page.expect_download() as download_info:
        page.click("[data-testid=download-csv]")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(table) == 2  # the header and the one meeting shown
    assert table[1][0] == "2019-08-29"
    assert "TICAD7" in ",".join(table[1])

    # The same list prepared in the background: followed on My exports, then downloaded.
    page.click("[data-testid=background-export] button[value=csv]")
    page.wait_for_url("**/reports/exports/")
    job = page.locator("table.exports tbody tr").first
    assert "100%" in job.inner_text()  # no broker here: built as soon as it was asked for
    assert "相手国: ガーナ" in job.inner_text()  # country=GH, as a person reads it
    _shot(page, "my-exports")
    with page.expect_download() as download_info:
        job.locator("[data-testid=export-download]").click()
    prepared = Path(download_info.value.path()).read_bytes()
    assert list(csv.reader(io.StringIO(prepared.decode("utf-8-sig")))) == table

    # Sorting by a header keeps the filter.
    page.goto(f"{demo_site}/reports/projects/?region=southeast_asia")
    page.click("table.records thead >> text=名称")
    page.wait_for_url("**ordering=name**")
    assert "region=southeast_asia" in page.url
    _shot(page, "projects")

    # The country brief: picked from the form, Ghana's TICAD7 meeting with the post held.
    page.click("nav >> text=国別ブリーフ")
    page.wait_for_url("**/reports/countries/")
    assert page.locator(".country-regions a[href$='/GH/']").count() == 1
    _shot(page, "country-picker")
    page.select_option("select[name=country]", "GH")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_url("**/reports/countries/GH/")
    meetings = page.locator("table.brief-meetings").inner_text()
    assert "TICAD7" in meetings
    assert "道路高速道大臣" in meetings
    assert "2019年8月29日" in meetings
    # The MoC signed at that meeting is on its row; the projects it promoted link to
    # their pages (issue 17, item 8).
    signed = page.locator("[data-testid=signed-at-meeting]")
    assert signed.count() == 1
    assert "ここで署名" in signed.inner_text() and "ガーナ道路高速道省" in signed.inner_text()
    assert page.locator("table.brief-meetings a[href*='/reports/projects/']").count() >= 1
    _shot(page, "country-brief-ghana")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    _shot(page, "country-brief-ghana-print")
    page.pdf(path=str(SCREENSHOTS / "country-brief-ghana.pdf"), format="A4")
    page.emulate_media(media="screen")

    # The watch-list transition.
    page.click("nav >> text=注視プロジェクトの推移")
    page.wait_for_url("**/reports/watch-list/")
    line = page.locator("[data-testid=transition-line]").inner_text()
    assert line == (
        "前年版 83 → 日本企業受注 10 / 外国企業受注 1 / 削除 7 / 継続 65 / 追加 18 → "
        "国土交通省インフラシステム海外展開行動計画2019 83"
    )
    # The region chart says which edition it shows.
    assert "海外展開行動計画2019" in page.locator("[data-testid=chart-edition]").inner_text()
    page.wait_for_selector("canvas[data-drawn=true]")
    _shot(page, "watch-list")

    # The language switch: the same page in English.
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Watch-list transition"
    page.goto(f"{demo_site}/reports/?year=2018")
    assert page.locator("[data-testid=engagement-sentence]").inner_text() == (
        "In 2018: 69 top-sales engagements in 31 countries (35 in ASEAN countries)"
    )
    _shot(page, "dashboard-en")

    # Logging out through the form.
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/")

    # No script was refused by the Content-Security-Policy, none failed.
    assert page.errors == []


def test_a_record_page_from_its_list_in_print_too(browser, demo_site):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    _log_in(page, demo_site)

    # The meetings with Ghana: the date opens the meeting's page, which leads to its mission.
    page.goto(f"{demo_site}/reports/meetings/?country=GH")
    page.locator("table.records tbody tr").first.locator("td a").first.click()
    page.wait_for_url("**/reports/meetings/*/")
    assert "ガーナ" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=history] tbody tr").count() >= 1
    page.locator("dl.facts a[href*='/reports/missions/']").first.click()
    page.wait_for_url("**/reports/missions/*/")
    heading = page.locator("h1").inner_text()
    assert heading.startswith("ミッション")
    assert page.locator("[data-testid=meetings] tbody tr").count() >= 1
    assert page.locator("h2", has_text="履歴").count() == 1
    _shot(page, "record-page")

    # Printed: no header, no links bar; the date it was printed.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".record-links").is_visible()
    assert page.locator("[data-testid=as-of]").is_visible()
    context.close()


def test_the_pages_work_without_javascript(browser, demo_site):
    page = _new_page(browser, java_script_enabled=False)
    _log_in(page, demo_site)

    # The charts stay blank, their numbers are in the tables. (The dashboard opens on the
    # latest year with records; the form, sent without JavaScript, chooses 2018.)
    page.goto(f"{demo_site}/reports/?year=2018")
    assert page.locator("canvas[data-drawn=true]").count() == 0
    assert page.locator("[data-testid=engagements]").inner_text() == "69"
    assert "2018年" in page.locator("#engagements-by-year ~ .table-scroll table").inner_text()

    page.goto(f"{demo_site}/reports/agreements/")
    page.check("input[name=status][value=signed]")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**status=signed**")
    statuses = page.locator("table.records tbody tr td:nth-child(5)").all_inner_texts()
    assert statuses and set(statuses) == {"署名済"}
    _shot(page, "agreements-no-javascript")


@pytest.mark.parametrize(
    ("required", "outcome", "says"),
    [
        ({}, 0, "apt-get install chromium fonts-noto-cjk"),
        ({"REQUIRE_BROWSER": "1"}, 1, "REQUIRE_BROWSER is set and Chromium is missing"),
    ],
)
def test_without_chromium_the_browser_tests_skip_saying_how_to_install_it_but_fail_in_ci(
    tmp_path, required, outcome, says
):
    environ = {name: value for name, value in os.environ.items() if name != "REQUIRE_BROWSER"}
    environ.update(CHROMIUM_PATH="/nonexistent/chromium", **required)
    # Its own test database: never the one this run uses (on PostgreSQL, the same name).
    environ["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            __file__,
            "-k",
            "works_through_the_pages",
            "-rsE",
            "-p",
            "no:cacheprovider",
        ],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == outcome, finished.stdout[-2000:]
    assert says in finished.stdout
