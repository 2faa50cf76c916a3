"""The change lists of the large tables show what Django's admin shows, without
reading every row to show it: the country columns, the country filter's choices and
the date hierarchy's years (core.admin, core/templatetags/record_admin.py)."""

import datetime

import pytest
from django.contrib.admin import ModelAdmin
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement
from contacts.models import Organization
from core.admin import RecordAdmin, values_that_occur
from core.templatetags.record_admin import record_date_hierarchy
from missions.models import Meeting
from projects.models import Project
from tests import factories

COUNTRIES = ("VN", "GH", "TN", "ID", "IN")


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _rows(model):
    """Records of `model` in several countries and years."""
    for index, code in enumerate(COUNTRIES):
        day = datetime.date(2015 + 2 * index, 1 + index, 10)
        if model is Meeting:
            factories.MeetingFactory(counterpart_country=code, date=day)
        elif model is Project:
            factories.ProjectFactory(country=code, awarded_on=day)
        elif model is Agreement:
            factories.AgreementFactory(counterpart_country=code)
        else:
            factories.OrganizationFactory(country=code)


def _result_table(response):
    html = response.content.decode()
    start = html.index('<table id="result_list">')
    return html[start : html.index("</table>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("model", [Meeting, Project, Agreement, Organization])
def test_country_columns_print_what_the_admin_prints(
    admin_client, admin_user, monkeypatch, model, language
):
    admin_user.language = language
    admin_user.save()
    _rows(model)
    for params in ({}, {"o": "-2"}):
        ours = _result_table(admin_client.get(changelist(model), params))
        with monkeypatch.context() as patch:
            patch.setattr(RecordAdmin, "get_list_display", ModelAdmin.get_list_display)
            django = _result_table(admin_client.get(changelist(model), params))
        assert ours == django
    assert ("ガーナ" if language == "ja" else "Ghana") in ours


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Meeting, Project, Agreement, Organization])
def test_the_country_filter_lists_exactly_the_countries_that_occur(admin_client, model):
    field = {Meeting: "counterpart_country", Agreement: "counterpart_country"}.get(model, "country")
    _rows(model)
    expected = set(model.objects.values_list(field, flat=True).distinct())
    assert set(values_that_occur(model, field)) == expected == set(COUNTRIES)
    response = admin_client.get(changelist(model))
    (countries,) = [
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == field
    ]
    assert {code for code, _name in countries.lookup_choices} == expected


@pytest.mark.django_db
def test_values_that_occur_reads_the_index_not_every_row(db):
    _rows(Meeting)
    with CaptureQueriesContext(connection) as captured:
        codes = values_that_occur(Meeting, "counterpart_country")
    assert sorted(codes) == sorted(COUNTRIES)
    assert len(captured) == 1 and "DISTINCT" not in captured[0]["sql"]
    # Organisations have no index that starts with the country: a plain DISTINCT.
    _rows(Organization)
    with CaptureQueriesContext(connection) as captured:
        assert sorted(values_that_occur(Organization, "country")) == sorted(COUNTRIES)
    assert "DISTINCT" in captured[0]["sql"]


def _hierarchies(admin_client, model, params=None):
    response = admin_client.get(changelist(model), params or {})
    assert response.status_code == 200
    cl = response.context["cl"]
    return record_date_hierarchy(cl), date_hierarchy(cl)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Meeting, Project])
def test_the_date_hierarchy_is_djangos(admin_client, model):
    field = "date" if model is Meeting else "awarded_on"
    _rows(model)  # 2015, 2017, 2019, 2021, 2023: every other year
    ours, django = _hierarchies(admin_client, model)
    assert ours == django
    assert [choice["title"] for choice in ours["choices"]] == [
        "2015",
        "2017",
        "2019",
        "2021",
        "2023",
    ]
    for params in (
        {f"{field}__year": "2019"},  # months
        {f"{field}__year": "2019", f"{field}__month": "3"},  # days
        {f"{field}__gte": "2018-01-01", f"{field}__lt": "2020-12-31"},  # one year
        {f"{field}__gte": "2030-01-01"},  # no row
        {f"{field}__gte": "2016-01-01", f"{field}__lt": "2018-01-01"},  # one row in 2017
        {f"{field}__gte": "2017-01-01", f"{field}__lt": "2020-01-01"},  # 2017 and 2019
    ):
        ours, django = _hierarchies(admin_client, model, params)
        assert ours == django, params


@pytest.mark.django_db
def test_the_date_hierarchy_of_rows_without_dates(admin_client):
    factories.ProjectFactory.create_batch(2, awarded_on=None)
    ours, django = _hierarchies(admin_client, Project)
    assert ours == django
    assert ours["choices"] == []


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model,params,expected",
    [
        # session, user, countries that occur, count, page, first and last dates,
        # the years between; the read audit's one INSERT (core.audit); then the
        # session's save (SESSION_SAVE_EVERY_REQUEST); the tags of the tag filter and
        # the page's tags (core.admin.TaggedChangeList)
        (Meeting, "", 13),
        (Meeting, "?counterpart_country=GH", 13),
        (Project, "", 13),
        (Project, "?sector__exact=railway&status__exact=active", 13),
    ],
)
def test_change_lists_run_a_fixed_number_of_queries(admin_client, model, params, expected):
    _rows(model)
    sqls = _queries(admin_client, changelist(model) + params)
    assert len(sqls) == expected, "\n".join(sqls)
    if not params:
        # Nothing reads the whole table: neither the country filter nor the years.
        assert not [sql for sql in sqls if "DISTINCT" in sql]
