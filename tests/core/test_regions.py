import datetime

import pytest
from django_countries import countries

from core import regions
from core.regions import Region, asean_ever, asean_members_on, countries_in, is_asean, region_of

ALL_COUNTRIES = [country.code for country in countries]
ASEAN_TEN = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}


def test_every_country_has_exactly_one_region():
    # Read the table itself: the lookup dict built from it would hide a country
    # listed under two regions (the last one silently wins).
    listed = [code for codes in regions._COUNTRIES_BY_REGION.values() for code in codes.split()]
    for code in ALL_COUNTRIES:
        assert listed.count(code) == 1, code
        assert region_of(code) in Region.values, code


def test_the_region_table_names_only_real_countries():
    listed = {code for codes in regions._COUNTRIES_BY_REGION.values() for code in codes.split()}
    assert listed <= set(ALL_COUNTRIES), listed - set(ALL_COUNTRIES)


def test_every_region_has_countries():
    for region in Region:
        assert countries_in(region), region


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("JP", Region.EAST_ASIA),
        ("jp", Region.EAST_ASIA),
        ("VN", Region.SOUTHEAST_ASIA),
        ("TL", Region.SOUTHEAST_ASIA),
        ("IN", Region.SOUTH_ASIA),
        ("UZ", Region.RUSSIA_CENTRAL_ASIA),
        ("TR", Region.MIDDLE_EAST),
        ("KE", Region.AFRICA),
        ("GB", Region.EUROPE),
        ("US", Region.NORTH_AMERICA),
        ("BR", Region.LATIN_AMERICA),
        ("AU", Region.OCEANIA),
    ],
)
def test_region_of(code, region):
    assert region_of(code) == region


def test_region_of_an_unknown_code_is_none():
    assert region_of("ZZ") is None


def test_countries_in_one_region():
    east_asia = countries_in(Region.EAST_ASIA)
    assert east_asia == sorted(east_asia)
    assert {"JP", "CN", "KR", "MN"} <= set(east_asia)
    assert "VN" not in east_asia
    assert all(region_of(code) == Region.EAST_ASIA for code in east_asia)


def test_countries_in_several_regions_is_their_union():
    both = countries_in(Region.EAST_ASIA, Region.SOUTHEAST_ASIA)
    assert set(both) == set(countries_in(Region.EAST_ASIA)) | set(
        countries_in(Region.SOUTHEAST_ASIA)
    )
    assert countries_in() == []


def test_timor_leste_joins_asean_on_2025_10_26():
    assert not is_asean("TL", datetime.date(2025, 10, 25))
    assert is_asean("TL", datetime.date(2025, 10, 26))
    assert "TL" not in asean_members_on(datetime.date(2025, 10, 25))
    assert "TL" in asean_members_on(datetime.date(2025, 10, 26))


def test_viet_nam_is_asean_in_2018():
    assert is_asean("VN", datetime.date(2018, 6, 1))
    assert is_asean("vn", datetime.date(2018, 6, 1))


def test_asean_had_ten_members_in_2018_and_eleven_after_timor_leste():
    assert asean_members_on(datetime.date(2018, 6, 1)) == ASEAN_TEN
    assert asean_members_on(datetime.date(2026, 1, 1)) == ASEAN_TEN | {"TL"}
    assert asean_ever() == sorted(ASEAN_TEN | {"TL"})


def test_a_country_outside_asean_is_never_asean():
    assert not is_asean("JP", datetime.date(2026, 1, 1))
    assert not is_asean("IN", datetime.date(2026, 1, 1))
