"""The search page and a saved filter in Debian's headless Chromium (as
tests/reports/test_browser.py, whose fixtures these are), with screenshots in
var/screenshots/ for a person to look at."""

from search.models import SavedFilter
from tests.reports.test_browser import (  # noqa: F401 (fixtures)
    _log_in,
    _new_page,
    _shot,
    browser,
    demo_site,
    pytestmark,
)

pytestmark = pytestmark  # noqa: PLW0127 (the browser marks, and the skip without Chromium)


def test_an_analyst_searches_everything_and_saves_a_filter(browser, demo_site):  # noqa: F811
    page = _new_page(browser)
    _log_in(page, demo_site)

    # The header's box, on any page.
    page.fill("header input[name=q]", "ｶﾞｰﾅ")  # half-width: finds ガーナ
    page.press("header input[name=q]", "Enter")
    page.wait_for_url(f"{demo_site}/reports/search/?q=*")
    assert page.locator("h1").inner_text() == "すべてを検索"
    groups = page.locator("section.search-group")
    assert groups.count() >= 2
    assert "件の記録が見つかりました" in page.locator(".search-summary").inner_text()
    _shot(page, "search")

    # A list's filters saved under a name, then reopened from the list.
    page.goto(f"{demo_site}/reports/projects/?country=GH")
    box = page.locator("[data-testid=saved-filters]")
    box.locator("input[name=name]").fill("ガーナの案件")
    box.locator("select[name=alert]").select_option("weekly")
    box.locator("button[type=submit]").click()
    page.wait_for_url(f"{demo_site}/reports/projects/?country=GH")
    assert "保存しました: ガーナの案件" in page.locator(".messages").inner_text()
    saved = SavedFilter.objects.get()
    assert (saved.filters, saved.alert) == ({"country": "GH"}, "weekly")
    _shot(page, "saved-filter")

    page.goto(f"{demo_site}/reports/projects/")
    page.click("[data-testid=saved-filters] a:text('ガーナの案件')")
    page.wait_for_url(f"{demo_site}/reports/projects/?country=GH")
    page.goto(f"{demo_site}/reports/saved-filters/")
    assert "ガーナの案件" in page.locator("table.saved-filter-table").inner_text()
    _shot(page, "saved-filters")
    assert page.errors == []
