"""Which characters a text may hold: one rule for every text field of every record of
ours, the same whichever way the text comes in (the API, the admin, an import through
full_clean()): no control character but tab, line feed and carriage return."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from core.validators import TextCharactersValidator
from missions.models import Meeting, Mission
from tests import factories
from tests.admin_pages import mission_form
from tests.api import new_mission
from tests.rules import record_models

# C0 control characters a text may not hold (a sample of each kind: NUL, the ones
# before tab, vertical tab and form feed, the ones after carriage return, ESC, the last).
REFUSED = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\ud800"]
# What a person types: tabs, line breaks as a textarea sends them (CR LF), Japanese
# spacing, emoji, DEL (not a C0 character; XML holds it).
ACCEPTED = ["a\tb", "two\nlines", "two\r\nlines", "東京\u3000駅", "🚄", "a\x7fb", "¥100"]


def _is_ours(app_config):
    return Path(app_config.path).resolve().parent == Path(settings.BASE_DIR).resolve()


def text_fields():
    return [
        (model, field)
        for app_config in apps.get_app_configs()
        if _is_ours(app_config)
        for model in app_config.get_models()
        for field in model._meta.fields
        if isinstance(field, models.CharField | models.TextField)
    ]


def test_every_text_field_of_every_record_of_ours_has_the_rule():
    fields = text_fields()
    assert {model for model, _ in fields} >= set(record_models())
    for model, field in fields:
        rules = [v for v in field.validators if isinstance(v, TextCharactersValidator)]
        assert len(rules) == 1, (model, field.name)
    # Only ours: Django's own models keep their validators as they come.
    username = apps.get_model("auth", "Group")._meta.get_field("name")
    assert not any(isinstance(v, TextCharactersValidator) for v in username.validators)


@pytest.mark.parametrize("character", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_the_rule_refuses_control_characters(character):
    with pytest.raises(ValidationError) as excinfo:
        TextCharactersValidator()(f"ab{character}c")
    assert len(excinfo.value.messages) == 1


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_rule_accepts_tabs_line_breaks_and_ordinary_characters(text):
    TextCharactersValidator()(text)


def test_the_message_says_which_character_where(settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as excinfo:
        TextCharactersValidator()("Ghana\x1b visit")
    assert excinfo.value.messages == [
        "Remove the invisible character U+001B at position 6: besides tabs and line "
        "breaks, a text may hold no control character."
    ]
    # NUL as Django's forms and the admin's parameter check say it.
    with pytest.raises(ValidationError) as excinfo:
        TextCharactersValidator()("a\x00")
    assert excinfo.value.messages == ["Null characters are not allowed."]


@pytest.mark.django_db
def test_full_clean_refuses_them_as_an_import_would_meet_them():
    mission = factories.MissionFactory.build(
        leader=factories.PersonFactory(), title="Visit\x07", summary="one\r\ntwo"
    )
    with pytest.raises(ValidationError) as excinfo:
        mission.full_clean()
    assert set(excinfo.value.message_dict) == {"title"}


# -- the API ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_refuses_them_with_one_message_naming_the_field(api):
    mission = factories.MissionFactory()
    url = f"/api/v1/missions/{mission.pk}/"
    response = api.patch(url, {"title": "Visit\x1b", "summary": "a\x0cb"}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"title", "summary"}
    assert response.json()["title"] == [
        "Remove the invisible character U+001B at position 6: besides tabs and line "
        "breaks, a text may hold no control character."
    ]
    # A NUL byte: the same single message as everywhere else, not DRF's and ours.
    response = api.patch(url, {"title": "Visit\x00"}, format="json")
    assert response.json() == {"title": ["Null characters are not allowed."]}
    mission.refresh_from_db()
    assert "\x1b" not in mission.title and "\x0c" not in mission.summary

    response = api.patch(url, {"summary": "line one\r\nline two\tend"}, format="json")
    assert response.status_code == 200, response.content
    mission.refresh_from_db()
    assert mission.summary == "line one\r\nline two\tend"


@pytest.mark.django_db
def test_the_api_refuses_them_inside_a_mission_created_with_its_meetings(api):
    leader = factories.PersonFactory()
    meeting = {"date": "2019-08-28", "counterpart_country": "GH", "topics": "\x02"}
    body = new_mission(leader, meetings=[meeting])
    response = api.post("/api/v1/missions/", body, format="json")
    assert response.status_code == 400, response.content
    assert "topics" in response.json()["meetings"]["0"]
    assert not Mission.objects.exists()


# -- the admin -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_refuses_them_on_the_field_and_keeps_crlf(data_entry_client):
    leader = factories.PersonFactory()
    meetings = [{"date": "2018-05-02", "counterpart_country": "VN", "topics": "rail\x02way"}]
    form = mission_form(leader, meetings, title="Minister's visit\x1b", purpose="first\r\nsecond")
    add_url = reverse("admin:missions_mission_add")

    response = data_entry_client.post(add_url, form)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["title"]
    assert list(response.context["inline_admin_formsets"][0].formset.errors[0]) == ["topics"]
    assert not Mission.objects.exists()

    form.update({"title": "Minister's visit", "meetings-0-topics": "railway"})
    assert data_entry_client.post(add_url, form).status_code == 302
    assert Mission.objects.get().purpose == "first\r\nsecond"
    assert Meeting.objects.count() == 1
