"""Every address of the project, as a user who may not read the level-3 records: no
response names one of them, and no count includes them.

The URL patterns are walked from the root resolver (admin, API, reports, exports,
downloads), so a page or endpoint added later is walked too. Each address with an id
is asked for every level-3 record of its model (and its history rows)."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver

from agreements.models import Agreement, AgreementDocument
from core.classification import Classification
from followups.models import FollowUp
from missions.models import Meeting, Mission
from projects.models import Project, ProjectParticipant, WatchListEntry
from tests import factories

pytestmark = pytest.mark.django_db

MARK = "ZZSECRET"
SECRET = Classification.NEED_TO_KNOW


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def _templates():
    """Each pattern as a template with {name} placeholders; a pattern with other regex
    syntax than named groups is left out (none of the project's)."""
    found = set()
    for raw in _patterns(get_resolver().url_patterns):
        text = raw.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
        text = _GROUP.sub(lambda m: "{%s}" % (m.group(1) or m.group(2)), text)
        if re.search(r"[()\[\]*+?\\|]", text):
            continue
        found.add("/" + text)
    return sorted(found)


def _model_of(template, api_models):
    parts = template.strip("/").split("/")
    if parts[0] == "admin" and len(parts) >= 3:
        try:
            return ContentType.objects.get_by_natural_key(parts[1], parts[2]).model_class()
        except ContentType.DoesNotExist:
            return None
    if parts[:2] == ["api", "v1"] and len(parts) > 2:
        return api_models.get(parts[2])
    if parts[0] == "agreements":
        return AgreementDocument
    if parts[0] == "reports" and parts[2:] == ["{pk}"]:  # the analysts' record pages
        return {
            "missions": Mission,
            "meetings": Meeting,
            "agreements": Agreement,
            "projects": Project,
        }.get(parts[1])
    return None


@pytest.fixture
def secrets():
    """Level-3 records of every kind, each named with MARK, beside open records that
    point at them."""
    ghana = "GH"
    mission = factories.MissionFactory(
        title=f"{MARK} mission", classification=SECRET, status="completed"
    )
    meeting = factories.MeetingFactory(
        mission=mission, counterpart_country=ghana, topics=f"{MARK} topics", venue_city=MARK
    )
    project = factories.ProjectFactory(name=f"{MARK} project", country=ghana, classification=SECRET)
    agreement = factories.AgreementFactory(
        title=f"{MARK} agreement", counterpart_country=ghana, classification=SECRET
    )
    document = factories.AgreementDocumentFactory(agreement=agreement, description=MARK)
    participant = factories.ProjectParticipantFactory(project=project)
    edition = factories.WatchListFactory()
    entry = factories.WatchListEntryFactory(watch_list=edition, project=project, reason=MARK)
    followup = factories.FollowUpFactory(target=mission, title=f"{MARK} follow-up")
    # An open mission whose meeting promoted the secret project, with a secret follow-up.
    open_mission = factories.MissionFactory(title="Open mission", status="completed")
    open_meeting = factories.MeetingFactory(
        mission=open_mission, counterpart_country=ghana, projects=[project]
    )
    hidden_followup = factories.FollowUpFactory(
        target=open_meeting, title=f"{MARK} own follow-up", classification=SECRET
    )
    factories.AgreementFactory(title="Open agreement", counterpart_country=ghana)
    # An open agreement pointing at level-3 records: the one it supersedes, the meeting
    # it was signed at, a project (core.classification.LinkedRecords).
    earlier = factories.AgreementFactory(
        title=f"{MARK} earlier agreement",
        counterpart_country=ghana,
        classification=SECRET,
        status="superseded",
        signed_on=datetime.date(2015, 1, 1),
    )
    factories.AgreementFactory(
        title="Open successor",
        counterpart_country=ghana,
        supersedes=earlier,
        signed_at_meeting=meeting,
        projects=[project],
        status="in_force",
        signed_on=meeting.date,
    )
    # One deleted at level 3: its trail is hidden too.
    deleted = factories.AgreementFactory(title=f"{MARK} deleted", classification=SECRET)
    deleted_pk = deleted.pk
    deleted.delete()
    return {
        Mission: [mission.pk],
        Meeting: [meeting.pk],
        Project: [project.pk],
        Agreement: [agreement.pk, earlier.pk, deleted_pk],
        AgreementDocument: [document.pk],
        ProjectParticipant: [participant.pk],
        WatchListEntry: [entry.pk],
        FollowUp: [followup.pk, hidden_followup.pk],
    }


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_no_address_shows_a_level_3_record_to_someone_not_on_its_list(
    client, administrator_user, secrets
):
    from config.api_router import router

    api_models = {prefix: viewset.queryset.model for prefix, viewset, _ in router.registry}
    client.force_login(administrator_user)  # every permission, but not on the lists
    asked, leaks = 0, []

    def ask(url, **params):
        nonlocal asked
        asked += 1
        response = client.get(url, params)
        if MARK in _content(response):
            leaks.append(f"{url} {params} ({response.status_code})")
        return response

    for template in _templates():
        names = re.findall(r"\{(\w+)\}", template)
        if "logout" in template or "setlang" in template:
            continue
        if not names:
            ask(template)
            if template.startswith("/api/v1/") or template.startswith("/reports/"):
                # Searched for in lower case and cut short: a page that repeats the
                # search in its form does not name a record for it.
                ask(template, q=MARK.lower()[:-1])
                if template.startswith("/api/v1/") and "reports" not in template:
                    ask(template, format="csv")
            continue
        model = _model_of(template, api_models)
        values = {"format": ["json"], "code": ["GH"], "app_label": [None]}
        ids = secrets.get(model, [])
        history_ids = []
        if model is not None and hasattr(model, "history"):
            history_ids = list(
                model.history.filter(**{f"{model._meta.pk.attname}__in": ids}).values_list(
                    "history_id", flat=True
                )
            )
        for name in names:
            if name in ("version_id", "history_id"):
                values[name] = history_ids
            elif name == "content_type_id":
                values[name] = [ContentType.objects.get_for_model(m).pk for m in secrets]
            elif name not in values or values[name] == [None]:
                values[name] = ids or [None]
        if any(values[name] in ([None], []) for name in names):
            continue
        # The addresses of one record: the same id for every id-like part.
        for pk in ids or [None]:
            filled = template
            for name in names:
                choices = values[name]
                value = pk if name in ("pk", "object_id", "id") and pk in choices else choices[0]
                filled = filled.replace("{" + name + "}", str(value))
            ask(filled)
            for history_id in history_ids if "{version_id}" in template else []:
                ask(
                    template.replace("{object_id}", str(pk)).replace(
                        "{version_id}", str(history_id)
                    )
                )
        if "{content_type_id}" in template:
            for model_, pks in secrets.items():
                content_type = ContentType.objects.get_for_model(model_).pk
                for pk in pks:
                    ask(
                        template.replace("{content_type_id}", str(content_type)).replace(
                            "{object_id}", str(pk)
                        )
                    )

    assert asked > 100
    assert not leaks, "level-3 records named in:\n" + "\n".join(leaks)


def test_report_counts_leave_out_level_3_records(administrator_user, secrets):
    from tests.api import client_for

    api = client_for(administrator_user)
    engagements = api.get("/api/v1/reports/engagements/").json()
    # The open mission's engagement with Ghana only.
    assert (engagements["engagements"], engagements["meetings"]) == (1, 1)
    agreements = api.get("/api/v1/reports/agreements/").json()
    assert agreements["total"] == 2  # the open agreement and its open successor
    pipeline = api.get("/api/v1/reports/pipeline/").json()
    assert pipeline["total"] == 0, pipeline
    effect = api.get("/api/v1/reports/top-sales-effect/").json()
    assert effect["projects"] == 0
