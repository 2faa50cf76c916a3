"""Japanese by default; each user may switch to English, and the choice follows them."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_admin_is_japanese_by_default_and_offers_english(data_entry_client):
    page = data_entry_client.get(reverse("admin:missions_mission_changelist")).content.decode()
    assert "ミッション" in page
    assert 'name="language" value="en"' in page


@pytest.mark.django_db
def test_switching_language_is_remembered_on_the_user(client, data_entry_user):
    client.force_login(data_entry_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    data_entry_user.refresh_from_db()
    assert data_entry_user.language == "en"

    # Another browser, no language cookie: still English for this user.
    other_browser = client.__class__()
    other_browser.force_login(data_entry_user)
    page = other_browser.get(reverse("admin:missions_mission_changelist")).content.decode()
    assert "Missions" in page or "missions" in page
    assert "ミッション" not in page


@pytest.mark.django_db
def test_the_api_follows_accept_language_not_the_user(client, data_entry_user):
    data_entry_user.language = "en"
    data_entry_user.save()
    client.force_login(data_entry_user)
    response = client.get("/api/v1/missions/", {"page_size": 1}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response["Content-Language"] == "ja"


def _english_labels_of_ours():
    """Every English string of ours that Japanese translates differently."""
    from pathlib import Path

    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale/ja/LC_MESSAGES/django.po"))
    # The language switch names each language in itself ("English"), on purpose.
    language_names = {"English", "Japanese"}
    return {
        entry.msgid
        for entry in catalogue.translated_entries()
        if not entry.msgid_plural
        and entry.msgstr != entry.msgid
        and len(entry.msgid) > 3
        and entry.msgid not in language_names
    }


def _visible_text(html):
    import re

    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _record_admin_change_lists():
    from django.contrib import admin

    from core.admin import RecordAdmin

    return sorted(
        (
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, RecordAdmin)
        )
    )


def _without_record_texts(text):
    """The page's text less what the records themselves say: a project named "Railway
    project 3" is data, not a label left in English."""
    from tests.rules import record_models

    texts = {
        value
        for model in record_models()
        for row in model._default_manager.values()
        for value in row.values()
        if isinstance(value, str) and len(value) > 3
    }
    for value in sorted(texts, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [*_record_admin_change_lists(), reverse("admin:missions_mission_add")]
)
def test_japanese_admin_shows_no_english_label_of_ours(data_entry_client, url):
    from tests.core.hostile import make_records

    make_records()  # a few linked records of every kind, so that every column renders
    response = data_entry_client.get(url)
    assert response.status_code == 200
    if "cl" in response.context:
        assert response.context["cl"].result_count > 0
    text = _without_record_texts(_visible_text(response.content.decode()))
    leaked = sorted(label for label in _english_labels_of_ours() if f" {label} " in f" {text} ")
    assert leaked == [], url


@pytest.mark.django_db
def test_api_error_in_japanese(data_entry_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(data_entry_user)
    response = client.get("/api/v1/missions/", {"page_size": 0}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.json() == {"page_size": ["1から1000までの整数を指定してください。"]}


@pytest.mark.django_db
def test_api_refusals_read_in_japanese(data_entry_user):
    import datetime

    from rest_framework.test import APIClient

    from accounts.models import APIToken
    from tests import factories

    client = APIClient(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_authenticate(data_entry_user)
    # A record that does not exist: not Django's "No Meeting matches the given query."
    missing = client.get("/api/v1/meetings/999999/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "見つかりません。"}

    # A rule's message, its dates written the Japanese way.
    mission = factories.MissionFactory(
        start_date=datetime.date(2018, 5, 1), end_date=datetime.date(2018, 5, 4)
    )
    meeting = factories.MeetingFactory(mission=mission, date=datetime.date(2018, 5, 2))
    refused = client.patch(f"/api/v1/meetings/{meeting.pk}/", {"date": "2018-06-30"}, format="json")
    assert refused.status_code == 400
    assert "2018年5月1日" in refused.json()["date"][0]

    token = APIToken(name="tool", user=data_entry_user, can_write=False)
    key = token.issue_key()
    token.save()
    reader = APIClient(HTTP_ACCEPT_LANGUAGE="ja", HTTP_AUTHORIZATION=f"Token {key}")
    forbidden = reader.patch(f"/api/v1/meetings/{meeting.pk}/", {"topics": "x"}, format="json")
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"] != "This API token is read-only."


@pytest.mark.django_db
def test_a_records_history_pages_read_in_japanese(data_entry_client, data_entry_user):
    """django-simple-history ships no Japanese: its pages take their words from ours."""
    from missions.models import Meeting
    from tests import factories

    meeting = factories.MeetingFactory(topics="Urban railways")
    meeting.topics = "Urban railways and ports"
    meeting._history_user = data_entry_user
    meeting.save()
    version = meeting.history.earliest()
    for url in (
        reverse("admin:missions_meeting_history", args=[meeting.pk]),
        reverse("admin:missions_meeting_simple_history", args=[meeting.pk, version.history_id]),
    ):
        response = data_entry_client.get(url)
        assert response.status_code == 200
        text = _without_record_texts(_visible_text(response.content.decode()))
        leaked = sorted(label for label in _english_labels_of_ours() if f" {label} " in f" {text} ")
        assert leaked == [], url
    history = _visible_text(
        data_entry_client.get(
            reverse("admin:missions_meeting_history", args=[meeting.pk])
        ).content.decode()
    )
    assert "変更者" in history and "変更内容" in history
    assert Meeting.history.model  # the meeting's history is simple-history's
