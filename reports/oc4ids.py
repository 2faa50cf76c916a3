"""The projects as an OC4IDS 0.9 project package (Open Contracting for Infrastructure
Data Standard, https://standard.open-contracting.org/infrastructure/), for
`GET /api/v1/oc4ids/` and `manage.py export_oc4ids`.

Written as a stream: the package's head, then each project as it is read, a chunk of
projects (with what they print) at a time, so that 100,000 projects never need their
size in memory. Validated against the official 0.9.5 schema in a test
(tests/reports/test_oc4ids.py, ../shared/standards/oc4ids/).
"""

import datetime
from collections.abc import Iterator

import orjson
from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone, translation

from agreements.models import Agreement
from contacts.models import Organization
from core.classification import Classification
from core.sectors import SectorCode
from missions.choices import TOP_SALES_RANKS, MissionStatus
from missions.models import Meeting
from projects.choices import ParticipantRole, ProjectStatus, Stage
from projects.models import Project, ProjectParticipant

VERSION = "0.9"  # the schema's major.minor: 0.9.5
CHUNK = 500
JAPAN = datetime.timezone(datetime.timedelta(hours=9))

# projectStatus (closed codelist): the status when it says what became of the project,
# else the stage it has reached.
STATUS_BY_STATUS = {
    ProjectStatus.DROPPED: "cancelled",
    ProjectStatus.COMPLETED: "completion",
}
STATUS_BY_STAGE = {
    Stage.IDENTIFICATION: "identification",
    Stage.MASTER_PLAN: "preparation",
    Stage.FEASIBILITY_STUDY: "preparation",
    Stage.PROCUREMENT: "preparation",
    Stage.CONSTRUCTION: "implementation",
    Stage.OPERATION: "maintenance",
}
# projectSector (closed codelist): the parent code with the subsector, as the standard
# asks; none for a sector it has no code for.
SECTORS = {
    SectorCode.RAILWAY: ["transport", "transport.rail"],
    SectorCode.ROAD: ["transport", "transport.road"],
    SectorCode.PORT: ["transport", "transport.water"],
    SectorCode.AIRPORT: ["transport", "transport.air"],
    SectorCode.WATER: ["waterAndWaste"],
    SectorCode.SEWERAGE: ["waterAndWaste"],
    SectorCode.DISASTER_PREVENTION: ["naturalResources", "naturalResources.floodProtection"],
    SectorCode.SMART_CITY: ["communications"],
    SectorCode.LOGISTICS: ["transport"],
    SectorCode.URBAN_DEVELOPMENT: [],
    SectorCode.OTHER: [],
}
# partyRole (open codelist) of each participant's role.
ROLES = {
    ParticipantRole.CONTRACTOR: "supplier",
    ParticipantRole.CONSULTANT: "supplier",
    ParticipantRole.OPERATOR: "supplier",
    ParticipantRole.INVESTOR: "funder",
    ParticipantRole.LENDER: "funder",
    ParticipantRole.SUPPORTER: "interestedParty",
}
MINISTRY_ID = "mlit"


def publishable(records: QuerySet) -> QuerySet:
    """THE FILTER POINT for what may be published: only classification-1 records
    (機密性1, "may be published", core.classification), whoever asks. The projects, and
    the agreements and meetings printed under them, all pass through here; a level-1
    record is visible to every reader, so the feed needs no reader's filter of its own."""
    return records.filter(classification=Classification.PUBLIC)


def projects_to_publish(projects: QuerySet) -> QuerySet:
    """The projects with what their OC4IDS form prints, read a chunk at a time."""
    agreements = publishable(Agreement.objects.all())
    top_sales = (
        publishable(Meeting.objects.all())
        .filter(mission__status=MissionStatus.COMPLETED, principal_rank__in=TOP_SALES_RANKS)
        .prefetch_related("counterparts")
        .order_by("date", "id")
    )
    return (
        publishable(projects)
        .select_related("owner", "awarded_to")
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=ProjectParticipant.objects.select_related("organization").order_by("id"),
            ),
            Prefetch(
                "agreements",
                queryset=agreements.only(
                    "id", "title", "scope", "signed_on", "updated_at"
                ).order_by("signed_on", "id"),
            ),
            Prefetch("meetings", queryset=top_sales, to_attr="top_sales_meetings"),
        )
        .order_by("id")
    )


def _datetime(day: datetime.date | None) -> str | None:
    """A date of the records (a day in Japan) as the date-time OC4IDS asks for."""
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(), JAPAN).isoformat()


def _compact(document: dict) -> dict:
    """Without the fields that have no value: OC4IDS wants them left out, not empty."""
    return {key: value for key, value in document.items() if value not in (None, "", [], {})}


def _party_id(organization: Organization) -> str:
    return f"org-{organization.pk}"


def _parties(project: Project) -> list[dict]:
    parties: dict[str, dict] = {
        MINISTRY_ID: {
            "id": MINISTRY_ID,
            "name": settings.OC4IDS_PUBLISHER_NAME,
            "roles": ["interestedParty"],
            "address": {"countryName": "Japan"},
        }
    }

    def add(organization, role):
        party = parties.setdefault(
            _party_id(organization),
            _compact(
                {
                    "id": _party_id(organization),
                    "name": organization.name,
                    "roles": [],
                    "address": _compact({"countryName": organization.country.name}),
                }
            ),
        )
        party.setdefault("roles", [])
        if role not in party["roles"]:
            party["roles"].append(role)

    if project.owner is not None:
        add(project.owner, "publicAuthority")
    for participation in project.participations.all():
        add(participation.organization, ROLES[participation.role])
    if project.awarded_to is not None:
        add(project.awarded_to, "supplier")
    return list(parties.values())


def _locations(project: Project) -> list[dict]:
    countries = [project.country, *(c for c in project.other_countries if c != project.country)]
    return [
        {"id": str(number), "description": country.name, "address": {"countryName": country.name}}
        for number, country in enumerate(countries, start=1)
        if country
    ]


def _meeting(meeting: Meeting) -> dict:
    counterparts = list(meeting.counterparts.all())
    return _compact(
        {
            "id": str(meeting.pk),
            "date": _datetime(meeting.date),
            "address": _compact(
                {
                    "locality": meeting.venue_city,
                    "countryName": meeting.venue_country.name if meeting.venue_country else "",
                }
            ),
            # The official of the host country the meeting was held with.
            "publicOffice": {"person": {"name": str(counterparts[0])}} if counterparts else None,
        }
    )


def _document(agreement: Agreement, base_url: str) -> dict:
    return _compact(
        {
            "id": f"agreement-{agreement.pk}",
            "title": agreement.title,
            "description": agreement.scope,
            "url": f"{base_url}/api/v1/agreements/{agreement.pk}/",
            "datePublished": _datetime(agreement.signed_on),
        }
    )


def project_document(project: Project, *, base_url: str) -> dict:
    """One project as OC4IDS's `project-schema.json` describes it (in English)."""
    owner = project.owner
    status = STATUS_BY_STATUS.get(project.status) or STATUS_BY_STAGE[project.stage]
    return _compact(
        {
            "id": f"{settings.OC4IDS_ID_PREFIX}-{project.pk}",
            "updated": project.updated_at.isoformat(),
            "language": "en",
            "identifiers": [{"id": str(project.pk), "scheme": "MLIT-CRM"}],
            "publicAuthority": (
                {"id": _party_id(owner), "name": owner.name} if owner is not None else None
            ),
            "title": project.name,
            "description": project.description,
            "status": status,
            # The bureau follows new infrastructure built abroad.
            "type": "construction",
            "sector": SECTORS.get(project.sector, []),
            "locations": _locations(project),
            "budget": (
                {"amount": {"amount": project.estimated_cost_jpy, "currency": "JPY"}}
                if project.estimated_cost_jpy is not None
                else None
            ),
            "preparationPeriod": _compact({"endDate": _datetime(project.tender_due_on)}),
            "implementationPeriod": _compact({"startDate": _datetime(project.awarded_on)}),
            "parties": _parties(project),
            "documents": [_document(a, base_url) for a in project.agreements.all()],
            "lobbyingMeetings": [_meeting(m) for m in project.top_sales_meetings],
        }
    )


def project_package(projects: QuerySet, *, uri: str, base_url: str) -> Iterator[bytes]:
    """The package as bytes, in pieces: the head, then the projects a chunk at a time.
    `projects` are those chosen (filtered); what may be published of them is decided
    by `publishable`."""
    chosen = publishable(projects)
    latest = chosen.aggregate(latest=Max("updated_at"))["latest"] or timezone.now()
    head = {
        "uri": uri,
        "publishedDate": latest.isoformat(),
        "version": VERSION,
        "publisher": {"name": settings.OC4IDS_PUBLISHER_NAME},
    }
    yield orjson.dumps(head)[:-1] + b',"projects":['
    separator = b""
    with translation.override("en"):
        for project in projects_to_publish(projects).iterator(chunk_size=CHUNK):
            yield separator + orjson.dumps(project_document(project, base_url=base_url))
            separator = b","
    yield b"]}"
