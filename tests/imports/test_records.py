"""Order figures, agreements and watch-list editions with their entries and outcomes."""

import datetime

import pytest

from agreements.models import Agreement
from projects.models import OrderFigure, WatchList, WatchListEntry
from tests import factories
from tests.imports.helpers import csv_file, imported, xlsx_file

pytestmark = pytest.mark.django_db


def test_order_figures_in_cho_and_oku_yen(api):
    rows = [
        ["年", "種別", "金額（円）"],
        ["２０１０", "実績", "10兆円"],
        ["2017", "actual", "23兆円"],
        ["2020", "目標", "30,000,000,000,000"],
        ["2018", "実績", "24.5兆円"],
    ]
    job = imported(api, "order-figures", csv_file(rows, encoding="cp932"))
    assert job["status"] == "succeeded", job["errors"]
    assert sorted(OrderFigure.objects.values_list("year", "kind", "amount_jpy")) == [
        (2010, "actual", 10 * 10**12),
        (2017, "actual", 23 * 10**12),
        (2018, "actual", 24_500_000_000_000),
        (2020, "target", 30 * 10**12),
    ]
    again = imported(api, "order-figures", csv_file(rows, encoding="cp932"))
    assert again["totals"]["unchanged"] == 4


def test_an_amount_that_is_not_one_is_named(api):
    job = imported(
        api,
        "order-figures",
        csv_file([["year", "kind", "amount_jpy"], ["2017", "実績", "たくさん"]]),
    )
    assert [(e["row"], e["field"], e["value"]) for e in job["errors"]] == [
        (2, "amount_jpy", "たくさん")
    ]


def test_agreements_and_the_one_they_supersede(api):
    factories.OrganizationFactory(name="Ministry of Roads and Highways", country="GH")
    factories.JapaneseGovernmentFactory(name="MLIT", name_ja="国土交通省")
    rows = [
        [
            "japanese_signatory",
            "title",
            "kind",
            "status",
            "counterpart_country",
            "counterpart_organizations",
            "signed_on",
            "effective_on",
            "supersedes",
            "sectors",
        ],
        [
            "国土交通省",
            "MoC on roads (2014)",
            "協力覚書",
            "発効中",
            "Ghana",
            "Ministry of Roads and Highways",
            "2014/5/1",
            "2014/5/1",
            "",
            "道路",
        ],
        [
            "MLIT",
            "MoC on roads",
            "moc",
            "in_force",
            "GH",
            "Ministry of Roads and Highways",
            "令和元年8月28日",
            "2019-08-28",
            "MoC on roads (2014)",
            "road, port",
        ],
    ]
    job = imported(api, "agreements", xlsx_file(rows))
    assert job["status"] == "succeeded", job["errors"]
    new = Agreement.objects.get(title="MoC on roads")
    assert new.signed_on == datetime.date(2019, 8, 28)
    assert sorted(new.sectors.values_list("code", flat=True)) == ["port", "road"]
    assert Agreement.objects.get(title="MoC on roads (2014)").status == "superseded"


def test_watch_list_editions_with_entries_and_outcomes(api):
    won = factories.ProjectFactory(
        name="Metro Line 1",
        country="VN",
        status="won_japanese",
        awarded_on=datetime.date(2018, 9, 1),
        awarded_to=factories.JapaneseCompanyFactory(),
    )
    kept = factories.ProjectFactory(name="Port of Tema", country="GH")
    added = factories.ProjectFactory(name="Jakarta MRT", country="ID")
    rows = [
        [
            "name",
            "edition_year",
            "previous",
            "project",
            "region",
            "outcome_at_next_edition",
            "reason",
        ],
        ["Action Plan 2018", "2018", "", "Metro Line 1", "東南アジア", "日本企業受注", ""],
        ["Action Plan 2018", "2018", "", "Port of Tema", "africa", "", ""],
        ["Action Plan 2019", "2019", "Action Plan 2018", "Port of Tema", "africa", "", ""],
        ["Action Plan 2019", "2019", "Action Plan 2018", "Jakarta MRT", "southeast_asia", "", ""],
    ]
    job = imported(api, "watch-lists", csv_file(rows))
    assert job["status"] == "succeeded", job["errors"]
    assert job["totals"]["new"] == 4, job["totals"]
    edition_2018 = WatchList.objects.get(edition_year=2018)
    outcomes = dict(edition_2018.entries.values_list("project__name", "outcome_at_next_edition"))
    # "Continued" follows from the 2019 list (projects.services).
    assert outcomes == {"Metro Line 1": "won_japanese", "Port of Tema": "continued"}
    assert set(
        WatchList.objects.get(edition_year=2019).entries.values_list("project", flat=True)
    ) == {kept.pk, added.pk}
    assert won.pk in edition_2018.entries.values_list("project", flat=True)
    again = imported(api, "watch-lists", csv_file(rows))
    assert again["totals"]["unchanged"] == 4, again


def test_an_outcome_that_contradicts_the_next_edition_is_a_row_error(api):
    factories.ProjectFactory(name="Port of Tema", country="GH")
    rows = [
        [
            "name",
            "edition_year",
            "previous",
            "project",
            "region",
            "outcome_at_next_edition",
            "reason",
        ],
        ["Action Plan 2018", "2018", "", "Port of Tema", "africa", "削除", "cancelled"],
        ["Action Plan 2019", "2019", "Action Plan 2018", "Port of Tema", "africa", "", ""],
    ]
    job = imported(api, "watch-lists", csv_file(rows))
    assert job["status"] == "failed"
    assert [e["row"] for e in job["errors"]] == [2]
    assert not WatchListEntry.objects.exists()
