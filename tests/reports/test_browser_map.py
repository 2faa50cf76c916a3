"""The map of top-sales engagements in a real browser (issue 16, item 6): drawn by the
vendored chartjs-chart-geo over the vendored boundaries, nothing fetched from elsewhere,
a click on a country opening its brief, and the brief's region map printed. Screenshots
at 1,366 px in Japanese go to var/screenshots/ (map-*.png).

The browser, the demo site and the skip when Chromium is missing are those of
tests/reports/test_browser.py."""

from urllib.parse import urlparse

from tests.reports.test_browser import (  # noqa: F401  (browser, demo_site: fixtures)
    SCREENSHOTS,
    _log_in,
    _new_page,
    _shot,
    browser,
    demo_site,
    pytestmark,
)

WIDE = {"width": 1366, "height": 900}


def _drawn_map(page, selector):
    page.wait_for_selector(f"{selector}[data-drawn=true]")
    return page.evaluate(
        """selector => {
            const chart = window.Chart.getChart(document.querySelector(selector));
            return {type: chart.config.type, shapes: chart.data.datasets[0].data.length};
        }""",
        selector,
    )


def _centre_of(page, selector, code):
    """Where the country is on the page: its shape's centroid, as Chart.js drew it."""
    return page.evaluate(
        """([selector, code]) => {
            const canvas = document.querySelector(selector);
            const chart = window.Chart.getChart(canvas);
            const index = chart.data.datasets[0].data.findIndex(row => row.country.code === code);
            const point = chart.getDatasetMeta(0).data[index].getCenterPoint();
            const box = canvas.getBoundingClientRect();
            return [box.left + point.x, box.top + point.y];
        }""",
        [selector, code],
    )


def test_the_map_of_top_sales_engagements(browser, demo_site):  # noqa: F811
    page = _new_page(browser)
    page.set_viewport_size(WIDE)
    _log_in(page, demo_site)

    # The dashboard: the world, 2018's engagements by country, the numbers beside it.
    page.goto(f"{demo_site}/reports/?year=2018")
    drawn = _drawn_map(page, "canvas[data-map=map-engagements]")
    assert drawn == {"type": "choropleth", "shapes": 174}
    table = page.locator("[data-testid=table-map-engagements]")
    assert table.is_visible()
    total = sum(int(cell) for cell in table.locator("tbody td.number").all_inner_texts())
    assert total == int(page.locator("[data-testid=engagements]").inner_text()) == 69
    assert page.locator("#engagement-map").inner_text() == "2018年の国別トップセールス件数（延べ）"
    page.locator("#engagement-map").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "map-dashboard.png"))
    _shot(page, "map-dashboard-full")

    # Everything it drew came from this site: no CDN, nothing from the internet.
    origins = page.evaluate("performance.getEntriesByType('resource').map(entry => entry.name)")
    assert any(url.endswith(".json") and "countries-110m" in url for url in origins)
    assert {urlparse(url).netloc for url in origins} == {urlparse(demo_site).netloc}

    # The fiscal year, as the form chooses it: the map follows.
    page.select_option("select[name=basis]", "fiscal")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_url("**basis=fiscal**")
    _drawn_map(page, "canvas[data-map=map-engagements]")
    assert "2018年度" in page.locator("#engagement-map").inner_text()

    # A click on a country opens its brief.
    x, y = _centre_of(page, "canvas[data-map=map-engagements]", "IN")
    page.mouse.click(x, y)
    page.wait_for_url("**/reports/countries/IN/")

    # The brief: its region's map, this country outlined, printed with the brief.
    page.goto(f"{demo_site}/reports/countries/VN/")
    drawn = _drawn_map(page, "canvas[data-map=map-region]")
    assert drawn == {"type": "choropleth", "shapes": 10}  # Singapore is too small to draw
    assert page.locator("#brief-region").inner_text() == "地域：東南アジア"
    _shot(page, "map-country-brief-vietnam")
    page.emulate_media(media="print")
    assert page.locator("canvas[data-map=map-region]").is_visible()
    assert page.locator("[data-testid=table-map-region]").is_visible()
    _shot(page, "map-country-brief-vietnam-print")
    page.pdf(path=str(SCREENSHOTS / "map-country-brief-vietnam.pdf"), format="A4")
    page.emulate_media(media="screen")

    # The meetings list: the map of the top sales among the meetings of the year listed.
    page.goto(f"{demo_site}/reports/meetings/?year=2018&region=southeast_asia")
    drawn = _drawn_map(page, "canvas[data-map=map-engagements]")
    assert drawn == {"type": "choropleth", "shapes": 174}
    # 35 in ASEAN countries, and Timor-Leste's 2 (South-East Asia, not yet a member).
    assert "延べ37件" in page.locator("#engagement-map").inner_text()
    _shot(page, "map-meetings-2018-southeast-asia")

    assert page.errors == []
