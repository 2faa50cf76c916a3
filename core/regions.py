"""Regions (MLIT's grouping for statistics) and ASEAN membership by date.

The only place that knows which country belongs where: every filter, statistic
and import asks this module.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    SOUTHEAST_ASIA = "southeast_asia", _("Southeast Asia")
    SOUTH_ASIA = "south_asia", _("South Asia")
    EAST_ASIA = "east_asia", _("East Asia")
    RUSSIA_CENTRAL_ASIA = "russia_central_asia", _("Russia and Central Asia")
    MIDDLE_EAST = "middle_east", _("Middle East")
    AFRICA = "africa", _("Africa")
    EUROPE = "europe", _("Europe")
    NORTH_AMERICA = "north_america", _("North America")
    LATIN_AMERICA = "latin_america", _("Latin America")
    OCEANIA = "oceania", _("Oceania")


_COUNTRIES_BY_REGION = {
    Region.SOUTHEAST_ASIA: "BN KH ID LA MY MM PH SG TH VN TL",
    Region.SOUTH_ASIA: "AF BD BT IN IO LK MV NP PK",
    Region.EAST_ASIA: "CN HK JP KP KR MN MO TW",
    Region.RUSSIA_CENTRAL_ASIA: "RU KZ KG TJ TM UZ AM AZ GE",
    Region.MIDDLE_EAST: "AE BH IL IQ IR JO KW LB OM PS QA SA SY TR YE",
    Region.AFRICA: (
        "DZ AO BJ BW BF BI CV CM CF TD KM CD CG CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS"
        " LR LY MG MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG"
        " TN UG EH ZM ZW"
    ),
    Region.EUROPE: (
        "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS"
        " IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS SE SI SJ SK SM UA VA"
    ),
    Region.NORTH_AMERICA: "US CA BM GL PM UM",
    Region.LATIN_AMERICA: (
        "AG AI AR AW BB BL BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN"
        " HT JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI"
    ),
    Region.OCEANIA: (
        "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV VU WF WS CC CX"
        " AQ BV HM TF"
    ),
}

REGION_OF_COUNTRY: dict[str, Region] = {
    code: region for region, codes in _COUNTRIES_BY_REGION.items() for code in codes.split()
}

JAPAN = "JP"


def region_of(country_code: str) -> Region | None:
    return REGION_OF_COUNTRY.get(str(country_code).upper())


def region_expression(country_field: str) -> models.Case:
    """The region of a country column, computed by the database, so that a GROUP BY
    region groups by region (a dozen groups) rather than by country (hundreds)."""
    return models.Case(
        *(
            models.When(**{f"{country_field}__in": codes.split()}, then=models.Value(region.value))
            for region, codes in _COUNTRIES_BY_REGION.items()
        ),
        default=models.Value(None),
        output_field=models.CharField(),
    )


def countries_in(*regions: str) -> list[str]:
    """ISO codes of every country in the given regions, for `country__in` filters."""
    wanted = set(regions)
    return sorted(code for code, region in REGION_OF_COUNTRY.items() if region in wanted)


# ASEAN is a membership that changes with time, so it is kept as dated spans.
_ASEAN_SINCE = {
    **dict.fromkeys(
        ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"], datetime.date(1999, 4, 30)
    ),
    "TL": datetime.date(2025, 10, 26),
}


def asean_members_on(day: datetime.date) -> frozenset[str]:
    return frozenset(code for code, since in _ASEAN_SINCE.items() if since <= day)


def is_asean(country_code: str, day: datetime.date) -> bool:
    since = _ASEAN_SINCE.get(str(country_code).upper())
    return since is not None and since <= day


def asean_ever() -> list[str]:
    """Every country that is or was an ASEAN member: the superset to narrow by date."""
    return sorted(_ASEAN_SINCE)


def asean_q(country_field: str, date_field: str | None = None):
    """A database condition: the country was an ASEAN member on the record's date
    (today when the record has no date)."""
    condition = Q()
    today = datetime.date.today()
    for code, since in _ASEAN_SINCE.items():
        if date_field:
            condition |= Q(**{country_field: code, f"{date_field}__gte": since})
        elif since <= today:
            condition |= Q(**{country_field: code})
    return condition


def country_codes_named(term: str) -> list[str]:
    """The countries whose Japanese or English name is, or contains, `term` as names
    compare (core.folding: ｶﾞｰﾅ is ガーナ, GHANA is ghana); a term of two letters may be
    an ISO code. Empty when none: the term is then not a country's name."""
    from django.utils.translation import override
    from django_countries import countries

    from core.folding import fold

    folded = fold(term)
    if len(folded) < 2:
        return []
    found = []
    for language in ("ja", "en"):
        with override(language):
            for code, name in countries:
                name = fold(str(name))
                if folded.isascii():
                    # "ghana", "GH", "viet" (Viet Nam); not "an" inside Japan.
                    named = folded in (code.lower(), name) or (
                        len(folded) >= 4 and name.startswith(folded)
                    )
                else:
                    named = folded in name  # ガーナ; ベトナム in ベトナム社会主義共和国
                if named and code not in found:
                    found.append(code)
    return found
