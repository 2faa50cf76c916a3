"""The change lists staff read most, at 1,366 px (issue 17, item 6): the missions,
meetings and follow-ups fit without scrolling sideways, country names are not wrapped
one character a line. Screenshots in var/screenshots/admin-list-*.png."""

import pytest
from django.core.management import call_command

from tests.core.test_browser_admin import WIDTH, admin_site, log_in, new_page, shot  # noqa: F401
from tests.reports.test_browser import (
    CHROMIUM,
    NO_BROWSER,
    REQUIRE_BROWSER,
    browser,  # noqa: F401  (the fixture)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None and not REQUIRE_BROWSER, reason=NO_BROWSER),
]


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("missions", "/admin/missions/mission/"),
        ("meetings", "/admin/missions/meeting/"),
        ("followups", "/admin/followups/followup/"),
    ],
)
def test_the_lists_fit_at_1366_px(browser, admin_site, name, address):  # noqa: F811
    call_command("load_demo", verbosity=0)
    page = new_page(browser)
    log_in(page, admin_site)
    page.goto(f"{admin_site}{address}")
    assert page.locator("#result_list tbody tr").count() > 0
    shot(page, f"list-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, name
    table = page.evaluate(
        "(() => { const t = document.querySelector('#result_list');"
        " return [t.scrollWidth, t.parentElement.clientWidth]; })()"
    )
    assert table[0] <= table[1], (name, table)
    # A country's name on one line: its text no taller than a line (the cell itself is
    # as tall as its row, where a long title wraps).
    heights = page.eval_on_selector_all(
        "#result_list td.field-counterpart_country",
        "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);"
        " return r.getBoundingClientRect().height; })",
    )
    assert all(height < 40 for height in heights), (name, max(heights, default=0))
