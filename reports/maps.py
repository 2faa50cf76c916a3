"""The world map of top-sales engagements by counterpart country (the dashboard, the
country brief): what static/reports/maps.js draws with chartjs-chart-geo over the
vendored Natural Earth boundaries (static/reports/vendor/countries-110m.json).

The figures are those of reports.selectors (a breakdown's `by_country`): this module
counts nothing, it only puts the rows on the map. The boundaries are keyed by ISO 3166
numeric code, the records by alpha-2 (django-countries knows both)."""

import datetime
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.urls import reverse
from django_countries import countries

from core.regions import Region, asean_members_on, countries_in

BOUNDARIES = Path(__file__).parent / "static" / "reports" / "vendor" / "countries-110m.json"


@cache
def drawn_countries() -> dict[str, str]:
    """Alpha-2 code -> numeric id of every country with a shape in the boundary file
    (read once per process). A shape of no ISO code (Kosovo, N. Cyprus) is left out."""
    topology = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    drawn = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        code = countries.alpha2(int(numeric)) if numeric else ""
        if code:
            drawn[code] = numeric
    return drawn


def engagement_map(
    by_country: Iterable[dict],
    *,
    asean_on: datetime.date,
    region: Region | str | None = None,
    highlight: str | None = None,
) -> dict:
    """The map's data, for json_script: every country of the map (the world, or one
    region) with its numeric id, name, count, whether it was an ASEAN member on
    `asean_on` and the link to its brief; and the rows with no shape at this scale
    (`not_drawn`, named under the map). `by_country` is a selector's breakdown:
    {country, name, engagements}."""
    counts = {str(row["country"]): row["engagements"] for row in by_country}
    drawn = drawn_countries()
    shown = set(countries_in(region)) if region else None
    members = asean_members_on(asean_on)
    areas = []
    for code, numeric in drawn.items():
        if shown is not None and code not in shown:
            continue
        areas.append(
            {
                "id": numeric,
                "code": code,
                "name": str(countries.name(code)),
                "count": counts.get(code, 0),
                "asean": code in members,
                "url": reverse("reports:country-brief", args=[code]),
                **({"highlight": True} if code == highlight else {}),
            }
        )
    areas.sort(key=lambda area: area["id"])
    return {
        "countries": areas,
        "max": max(counts.values(), default=0),
        "not_drawn": [
            {"code": code, "name": str(countries.name(code)), "count": count}
            for code, count in counts.items()
            if code not in drawn and (shown is None or code in shown)
        ],
    }
