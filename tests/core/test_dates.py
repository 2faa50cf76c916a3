"""Dates as Japanese staff write them (issue 17, item 1): one parser (core.dates) behind
every date field of the admin, the analysts' filters and the API's filters."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from core.dates import DateNotUnderstood, JapaneseDateField, parse_date
from missions.models import Mission
from tests import factories
from tests.admin_pages import mission_form

AUGUST_29 = datetime.date(2019, 8, 29)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2019-08-29", AUGUST_29),
        ("2019/8/29", AUGUST_29),
        ("2019/08/29", AUGUST_29),
        ("2019年8月29日", AUGUST_29),
        ("令和元年8月29日", AUGUST_29),
        ("令和1年8月29日", AUGUST_29),
        ("２０１９／８／２９", AUGUST_29),  # typed with the IME in full width
        ("令和元年８月２９日", AUGUST_29),
        (" 2019 年 8 月 29 日 ", AUGUST_29),
        ("2026/11/17", datetime.date(2026, 11, 17)),
        ("令和8年11月17日", datetime.date(2026, 11, 17)),
        ("平成31年4月30日", datetime.date(2019, 4, 30)),
        ("平成元年1月8日", datetime.date(1989, 1, 8)),
        ("昭和64年1月7日", datetime.date(1989, 1, 7)),
    ],
)
def test_the_forms_staff_write_are_read(text, day):
    assert parse_date(text) == day
    assert JapaneseDateField().clean(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "11/17/2026",  # American: month first
        "17/11/2026",  # European: day first
        "08/29/19",
        "2019/2/30",  # no such day
        "2019-08/29",  # mixed separators
        "令和元年4月30日",  # still 平成 that day
        "平成31年5月1日",  # already 令和
        "令和0年5月1日",
        "Aug 29 2019",
        "2019829",
        "",
    ],
)
def test_other_forms_are_refused(text):
    with pytest.raises(DateNotUnderstood):
        parse_date(text)


def test_the_error_says_which_forms_are_read():
    field = JapaneseDateField()
    with translation.override("ja"), pytest.raises(Exception) as refused:
        field.clean("11/17/2026")
    assert "令和元年8月29日" in refused.value.messages[0]
    assert "2019/8/29" in refused.value.messages[0]


@pytest.mark.django_db
def test_every_date_field_of_the_admin_uses_the_shared_field():
    """Every registered model's form and every inline's: a date field added later, or a
    new admin, gets the same field as long as it derives from core.admin's bases."""
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    checked = []
    for model_admin in admin.site._registry.values():
        form_classes = [model_admin.get_form(request)]
        for inline in model_admin.get_inline_instances(request):
            form_classes.append(inline.get_formset(request).form)
        for form_class in form_classes:
            model_fields = {
                field.name: field
                for field in form_class._meta.model._meta.get_fields()
                if isinstance(field, models.DateField)
                and not isinstance(field, models.DateTimeField)
            }
            for name, form_field in form_class.base_fields.items():
                if name in model_fields:
                    checked.append(f"{form_class._meta.model.__name__}.{name}")
                    assert isinstance(form_field, JapaneseDateField), checked[-1]
    # The records staff date most: missions, meetings, agreements, follow-ups, posts.
    assert {"Mission.start_date", "Meeting.date", "Agreement.signed_on", "FollowUp.due_on"} <= set(
        checked
    )


@pytest.mark.django_db
def test_a_mission_is_recorded_with_japanese_dates(data_entry_client):
    leader = factories.PersonFactory()
    meetings = [{"date": "令和元年8月29日", "counterpart_country": "GH"}]
    form = mission_form(leader, meetings, start_date="2019年8月28日", end_date="２０１９/８/３０")

    response = data_entry_client.post(reverse("admin:missions_mission_add"), form)

    assert response.status_code == 302, response.context and response.context["errors"]
    mission = Mission.objects.get()
    assert (mission.start_date, mission.end_date) == (
        datetime.date(2019, 8, 28),
        datetime.date(2019, 8, 30),
    )
    assert mission.meetings.get().date == AUGUST_29

    # Shown back year first, as Japanese forms show a date.
    page = data_entry_client.get(reverse("admin:missions_mission_change", args=[mission.pk]))
    assert 'value="2019/08/28"' in page.text
    assert 'value="2019/08/29"' in page.text


@pytest.mark.django_db
def test_the_american_form_is_refused_in_the_admin(data_entry_client):
    form = mission_form(factories.PersonFactory(), [], start_date="11/17/2026")

    response = data_entry_client.post(reverse("admin:missions_mission_add"), form)

    assert response.status_code == 200
    assert "令和元年8月29日" in str(response.context["adminform"].form.errors["start_date"])
    assert not Mission.objects.exists()


@pytest.mark.django_db
def test_the_analysts_filters_and_the_api_read_the_same_forms(analyst_client):
    leader = factories.PersonFactory()
    mission = factories.MissionFactory(
        leader=leader, start_date=datetime.date(2019, 8, 28), end_date=datetime.date(2019, 8, 30)
    )
    factories.MeetingFactory(mission=mission, date=AUGUST_29, counterpart_country="GH")
    factories.MeetingFactory(mission=mission, date=datetime.date(2019, 8, 28))

    for after in ("2019-08-29", "2019/8/29", "2019年8月29日", "令和元年8月29日"):
        page = analyst_client.get(reverse("reports:meeting-list"), {"date_after": after})
        assert page.status_code == 200
        assert page.context["page"].paginator.count == 1, after
        api = analyst_client.get("/api/v1/meetings/", {"date_after": after})
        assert api.status_code == 200
        assert api.json()["count"] == 1, after

    refused = analyst_client.get(reverse("reports:meeting-list"), {"date_after": "11/17/2026"})
    assert "令和元年8月29日" in refused.text
    assert analyst_client.get("/api/v1/meetings/", {"date_after": "11/17/2026"}).status_code == 400


@pytest.mark.django_db
def test_the_analysts_date_filters_are_text_boxes_labelled_in_words(analyst_client):
    page = analyst_client.get(reverse("reports:meeting-list"), {"date_after": "令和元年8月29日"})
    assert 'name="date_after"' in page.text
    assert 'type="date"' not in page.text  # the browser's picker takes no 令和
    assert 'value="令和元年8月29日"' in page.text
    assert "日付（から）" in page.text and "日付（まで）" in page.text
    assert "≥" not in page.text and "≤" not in page.text
