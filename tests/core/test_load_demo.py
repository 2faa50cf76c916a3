"""`manage.py load_demo`: the figures of the source document are recomputed here by
ORM queries from the loaded rows, never read back from core.demo's tables."""

import datetime
import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from accounts.roles import DATA_ENTRY
from agreements.models import Agreement
from contacts.models import Organization, Person, Post
from core.demo import load_demo
from core.regions import is_asean, region_of
from followups.models import FollowUp
from missions.choices import TOP_SALES_RANKS, MissionStatus
from missions.models import Meeting, Mission
from projects.models import OrderFigure, Project, ProjectParticipant, WatchList, WatchListEntry
from reports.selectors import Period, engagement_statistics
from tests.core.demo_figures import DOCUMENT_FIGURES, document_figures, engagements_2018

DOMAIN_MODELS = [
    Organization,
    Person,
    Post,
    Project,
    ProjectParticipant,
    WatchList,
    WatchListEntry,
    OrderFigure,
    Mission,
    Meeting,
    Agreement,
    FollowUp,
]

# The records the source document names; everything else the command loads is synthetic.
REAL_ORGANIZATIONS = {
    settings.MLIT_ORGANIZATION_NAME,
    "Ministry of Roads and Highways",
    "Ministry of Foreign Affairs",
    "Japan International Cooperation Agency (JICA)",
    "Japan Overseas Infrastructure Investment Corporation for Transport & Urban Development (JOIN)",
    "Japan Bank for International Cooperation (JBIC)",
    "Nippon Export and Investment Insurance (NEXI)",
    "Japan Railway Construction, Transport and Technology Agency (JRTT)",
    "Urban Renaissance Agency (UR)",
    "Japan Water Agency",
    "Japan Sewage Works Agency",
}
REAL_PEOPLE = {"ISHII Keiichi", "ADACHI Masashi"}


@pytest.fixture(scope="module")
def first_run_output(django_db_setup, django_db_blocker):
    """Load once for the module (the load takes seconds); each test then runs in a
    savepoint of this transaction, and the whole load is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("first_run_output")]


def _ticad7():
    return Mission.objects.get(title__contains="TICAD7")


# --- classification (機密性) ----------------------------------------------------------------


def test_the_figures_come_out_for_an_analyst_who_does_not_see_the_level_3_records(
    analyst_user,
):
    from core.classification import Classification
    from tests.api import client_for

    api = client_for(analyst_user)
    body = api.get("/api/v1/reports/engagements/", {"year": 2018}).json()
    assert (body["engagements"], body["countries"], body["asean_engagements"]) == (
        DOCUMENT_FIGURES[0]
    )
    transition = api.get("/api/v1/reports/watch-list-transition/", {"edition": 2019}).json()
    assert (
        transition["previous_total"],
        transition["won_japanese"],
        transition["won_foreign"],
        transition["removed"],
        transition["continued"],
        transition["added"],
        transition["total"],
    ) == DOCUMENT_FIGURES[1]
    # The need-to-know demo records exist, for their team only.
    secret = Classification.NEED_TO_KNOW
    for model in (Mission, Meeting, Agreement):
        assert model.objects.filter(classification=secret).exists()
        assert not model.objects.visible_to(analyst_user).filter(classification=secret).exists()
    negotiator = get_user_model().objects.get(username="demo-staff-1")
    assert Agreement.objects.visible_to(negotiator).filter(classification=secret).exists()


# --- top sales -------------------------------------------------------------------------


def test_2018_top_sales_are_69_engagements_in_31_countries_35_in_asean():
    pairs = engagements_2018()

    assert len(pairs) == 69
    assert len({pair["counterpart_country"] for pair in pairs}) == 31
    assert sum(is_asean(pair["counterpart_country"], pair["first_date"]) for pair in pairs) == 35


def test_2018_figures_depend_on_rank_status_and_pairs():
    """The noise is there, so the figure really rests on the definition."""
    meetings_2018 = Meeting.objects.filter(date__year=2018)
    all_pairs = meetings_2018.values("mission_id", "counterpart_country").distinct().count()
    counted_meetings = meetings_2018.filter(
        mission__status=MissionStatus.COMPLETED, mission__leader_rank__in=TOP_SALES_RANKS
    ).count()

    assert all_pairs > 69
    assert counted_meetings > 69  # some missions met one country twice
    assert meetings_2018.filter(mission__leader_rank="senior_official").exists()
    assert meetings_2018.filter(mission__status=MissionStatus.CANCELLED).exists()
    assert meetings_2018.filter(mission__status=MissionStatus.PLANNED).exists()
    assert Meeting.objects.filter(date__year=2017).exists()
    assert Meeting.objects.filter(date__year=2019).exclude(mission=_ticad7()).exists()
    # Timor-Leste was met in 2018, before it joined ASEAN.
    assert meetings_2018.filter(counterpart_country="TL").exists()


def test_demo_missions_of_2018_lie_within_2018():
    for mission in Mission.objects.filter(meetings__date__year=2018).distinct():
        assert mission.start_date.year == mission.end_date.year == 2018


def test_ticad7_is_one_mission_with_8_meetings_with_ministers_of_7_countries():
    mission = _ticad7()
    meetings = list(mission.meetings.prefetch_related("counterparts__posts__organization"))
    countries = {meeting.counterpart_country.code for meeting in meetings}

    assert (mission.kind, mission.status, mission.leader_rank) == (
        "conference",
        "completed",
        "minister",
    )
    assert (mission.leader.name, mission.leader.name_ja) == ("ISHII Keiichi", "石井啓一")
    assert (mission.start_date, mission.end_date) == (
        datetime.date(2019, 8, 28),
        datetime.date(2019, 8, 30),
    )
    assert len(meetings) == 8
    assert len(countries) == 7
    assert {"GH", "TN"} <= countries
    assert all(region_of(country) == "africa" for country in countries)
    assert mission.meetings.values("mission_id", "counterpart_country").distinct().count() == 7
    # Held by Minister Ishii and Parliamentary Vice-Minister Adachi, Kenya by both.
    held = Counter(
        (meeting.principal.name, meeting.principal_rank) for meeting in mission.meetings.all()
    )
    assert set(held) == {
        ("ISHII Keiichi", "minister"),
        ("ADACHI Masashi", "parliamentary_vice_minister"),
    }
    assert sum(held.values()) == 8
    assert {
        meeting.principal.name for meeting in mission.meetings.filter(counterpart_country="KE")
    } == {"ISHII Keiichi", "ADACHI Masashi"}
    # The memoranda were signed at the minister's meetings.
    assert {
        meeting.principal.name
        for meeting in mission.meetings.filter(counterpart_country__in=["GH", "TN"])
    } == {"ISHII Keiichi"}

    for meeting in meetings:
        assert meeting.venue_city == "Yokohama"
        assert meeting.venue_country.code == "JP"
        [counterpart] = meeting.counterparts.all()
        post = counterpart.post_on(meeting.date)
        assert post is not None
        assert post.title.startswith("Minister")
        assert post.organization.kind == "foreign_government"
        assert post.organization.country == meeting.counterpart_country
    assert Person.objects.filter(name_ja="阿達雅志").exists()


def test_ticad7_statistics_by_rank_show_both_officials():
    # The principals' names follow the reader's language, whatever an earlier test left.
    with translation.override("ja"):
        stats = _ticad7_statistics()
    assert {row["principal"] for row in stats.by_principal} == {"石井啓一", "阿達雅志"}
    with translation.override("en"):
        stats = _ticad7_statistics()
    assert {row["principal"] for row in stats.by_principal} == {"ISHII Keiichi", "ADACHI Masashi"}
    # Kenya met by each official: two engagements; 8 meetings in 7 countries.
    assert (stats.engagements, stats.countries, stats.meetings) == (8, 7, 8)
    assert [(row["rank"], row["engagements"]) for row in stats.by_rank] == [
        ("minister", 5),
        ("parliamentary_vice_minister", 3),
    ]


def _ticad7_statistics():
    return engagement_statistics(
        period=Period.between(datetime.date(2019, 8, 28), datetime.date(2019, 8, 30)),
        countries=["KE", "MZ", "GH", "TN", "CI", "MG", "EG"],
    )


# --- agreements --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "ministry_ja", "sector"),
    [("GH", "ガーナ道路高速道省", "road"), ("TN", "チュニジア外務省", "other")],
)
def test_the_two_ticad7_memoranda_of_cooperation(country, ministry_ja, sector):
    [moc] = Agreement.objects.filter(
        kind="moc", counterpart_country=country, signed_at_meeting__mission=_ticad7()
    )

    assert moc.japanese_signatory.name == settings.MLIT_ORGANIZATION_NAME
    assert moc.status in ("signed", "in_force")
    assert datetime.date(2019, 8, 28) <= moc.signed_on <= datetime.date(2019, 8, 30)
    assert moc.signed_at_meeting.counterpart_country == country
    assert [org.name_ja for org in moc.counterpart_organizations.all()] == [ministry_ja]
    assert list(moc.sectors.values_list("code", flat=True)) == [sector]
    assert moc.title_ja and moc.scope


def test_the_other_demo_agreements():
    today = timezone.localdate()
    superseding = Agreement.objects.filter(supersedes__isnull=False)

    assert Agreement.objects.filter(kind="mou").exists()
    assert Agreement.objects.exclude(target_countries="").exists()
    assert superseding.exists()
    for agreement in superseding:
        assert agreement.supersedes.status == "superseded"
    assert Agreement.objects.filter(
        status="in_force", expires_on__gte=today, expires_on__lte=today + datetime.timedelta(90)
    ).exists()


# --- watch lists and orders ------------------------------------------------------------


def test_watch_list_transition_2018_to_2019():
    edition_2018 = WatchList.objects.get(edition_year=2018)
    edition_2019 = WatchList.objects.get(edition_year=2019)
    outcomes = Counter(edition_2018.entries.values_list("outcome_at_next_edition", flat=True))
    projects_2018 = set(edition_2018.entries.values_list("project_id", flat=True))
    projects_2019 = set(edition_2019.entries.values_list("project_id", flat=True))

    assert edition_2018.name == "Action Plan 2018"
    assert edition_2019.name == "Action Plan 2019"
    assert edition_2019.previous == edition_2018
    assert (edition_2018.published_on.year, edition_2018.published_on.month) == (2018, 3)
    assert (edition_2019.published_on.year, edition_2019.published_on.month) == (2019, 3)
    assert len(projects_2018) == 83
    assert outcomes == {"won_japanese": 10, "won_foreign": 1, "removed": 7, "continued": 65}
    assert len(projects_2019 - projects_2018) == 18
    assert len(projects_2019) == 83
    continued = set(
        edition_2018.entries.filter(outcome_at_next_edition="continued").values_list(
            "project_id", flat=True
        )
    )
    assert continued == projects_2019 & projects_2018
    assert not edition_2019.entries.exclude(outcome_at_next_edition="").exists()


def test_watch_list_2019_by_region():
    regions = Counter(
        WatchListEntry.objects.filter(watch_list__edition_year=2019).values_list(
            "region", flat=True
        )
    )

    assert regions["southeast_asia"] == 46
    assert regions["south_asia"] == 9
    assert sum(regions.values()) == 83
    assert {"africa", "europe", "latin_america", "middle_east"} <= set(regions)


def test_watch_list_entries_agree_with_their_projects():
    for entry in WatchListEntry.objects.select_related("project__awarded_to"):
        project = entry.project
        assert entry.region == region_of(project.country.code)
        if entry.outcome_at_next_edition == "won_japanese":
            assert project.status == "won_japanese"
            assert project.awarded_on is not None
            assert project.awarded_to.kind == "japanese_company"
        elif entry.outcome_at_next_edition == "won_foreign":
            assert project.status == "won_foreign"
            assert project.awarded_on is not None
            assert project.awarded_to.kind == "foreign_company"
        elif entry.outcome_at_next_edition == "removed":
            assert entry.reason
            assert project.status not in ("won_japanese", "won_foreign")
        else:
            assert project.status == "active"


def test_no_record_contradicts_another():
    out = StringIO()
    call_command("check_consistency", stdout=out)
    assert "No contradiction" in out.getvalue()


def test_order_figures():
    figures = set(OrderFigure.objects.values_list("year", "amount_jpy", "kind"))

    assert figures == {
        (2010, 10 * 10**12, "actual"),
        (2017, 23 * 10**12, "actual"),
        (2020, 30 * 10**12, "target"),
    }
    assert all(OrderFigure.objects.values_list("source", flat=True))


# --- directory ---------------------------------------------------------------------------


def test_real_organizations():
    mlit = Organization.objects.get(name=settings.MLIT_ORGANIZATION_NAME)
    assert (mlit.kind, mlit.country.code, mlit.name_ja) == (
        "japanese_government",
        "JP",
        "国土交通省",
    )
    for country, name_ja in (("GH", "ガーナ道路高速道省"), ("TN", "チュニジア外務省")):
        ministry = Organization.objects.get(country=country, name_ja=name_ja)
        assert ministry.kind == "foreign_government"
    public_bodies = Organization.objects.filter(kind="japanese_public_body")
    for abbreviation in ("JICA", "JOIN", "JBIC", "NEXI", "JRTT", "UR"):
        assert public_bodies.filter(name__contains=f"({abbreviation})").exists()
    for name in ("Japan Water Agency", "Japan Sewage Works Agency"):
        assert public_bodies.filter(name=name).exists()
    assert all(org.country.code == "JP" and org.name_ja for org in public_bodies)


def _is_demo(*names):
    """Every non-blank name of the record says it is demo data."""
    return all("demo" in name.lower() or "デモ" in name for name in names if name)


def test_every_synthetic_record_is_marked_demo():
    synthetic = [
        *Organization.objects.exclude(name__in=REAL_ORGANIZATIONS).values_list("name", "name_ja"),
        *Person.objects.exclude(name__in=REAL_PEOPLE).values_list("name", "name_ja"),
        *Project.objects.values_list("name", "name_ja"),
        *Mission.objects.exclude(pk=_ticad7().pk).values_list("title", "title_ja"),
        *Agreement.objects.exclude(signed_at_meeting__mission=_ticad7()).values_list(
            "title", "title_ja"
        ),
        *FollowUp.objects.values_list("title", "description"),
        *get_user_model().objects.values_list("username", "first_name"),
    ]

    assert len(synthetic) > 300
    assert [names for names in synthetic if not _is_demo(*names)] == []
    assert not any(_is_demo(name) for name in REAL_ORGANIZATIONS | REAL_PEOPLE)
    # The real orgs are all there, so the exclusions above hid nothing else.
    assert Organization.objects.filter(name__in=REAL_ORGANIZATIONS).count() == len(
        REAL_ORGANIZATIONS
    )


# --- follow-ups and users -----------------------------------------------------------------


def test_followups_cover_every_state_and_target_kind():
    today = timezone.localdate()
    followups = FollowUp.objects.select_related("content_type")

    assert followups.count() >= 24
    assert followups.filter(status="open", due_on__lt=today).exists()
    assert followups.filter(
        status="open", due_on__gte=today, due_on__lte=today + datetime.timedelta(7)
    ).exists()
    assert followups.filter(status="done", done_on__isnull=False).exists()
    assert followups.filter(status="cancelled").exists()
    assert {f.content_type.model for f in followups} == {
        "mission",
        "meeting",
        "agreement",
        "project",
    }
    assert all(f.target is not None for f in followups)


def test_demo_users_are_data_entry_staff_who_cannot_log_in():
    users = get_user_model().objects.filter(followups__isnull=False).distinct()

    assert users.count() >= 2
    for user in users:
        assert user.username.startswith("demo-staff-")
        assert not user.has_usable_password()
        assert user.groups.filter(name=DATA_ENTRY).exists()


# --- rules and idempotence ------------------------------------------------------------------


def test_every_record_passes_its_model_rules():
    checked = 0
    for model in DOMAIN_MODELS:
        for instance in model.objects.all():
            instance.full_clean()
            checked += 1
    assert checked > 800


def _snapshot():
    """Row count and a digest of every column of every table, history included."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        columns = [field.attname for field in model._meta.concrete_fields]
        rows = model._default_manager.order_by("pk").values_list(*columns)
        digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
        state[model._meta.label] = (len(rows), digest)
    return state


def test_a_second_run_changes_nothing(first_run_output):
    before = _snapshot()
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert _snapshot() == before
    assert "Total: 0 created, " in out.getvalue()
    assert "Nothing to do" in out.getvalue()
    assert "load_demo --reset" in out.getvalue()
    assert "Total: 0 created" not in first_run_output
    assert "contacts.Organization" in first_run_output


def test_a_run_on_a_later_day_changes_nothing():
    """Follow-up due dates and an expiry are relative to the day a row was created:
    a later run moves none of them."""
    before = _snapshot()

    tally = load_demo(today=timezone.localdate() + datetime.timedelta(days=1))

    assert _snapshot() == before
    assert (tally.created, tally.reset) == (0, 0)
    assert tally.present > 800


def test_staff_edits_survive_a_run_and_reset_brings_the_demo_values_back():
    followup = FollowUp.objects.filter(status="open", due_on__lt=timezone.localdate()).first()
    loaded_due_on = followup.due_on
    followup.status, followup.done_on = "done", timezone.localdate()
    followup.save()
    project = Project.objects.get(name__startswith="Demo project 001 ")
    loaded_cost = project.estimated_cost_jpy
    project.estimated_cost_jpy = 1
    project.save()
    edited = _snapshot()

    # A plain run (the second `make run`) leaves the staff's work alone.
    out = StringIO()
    call_command("load_demo", stdout=out)

    assert _snapshot() == edited
    followup.refresh_from_db()
    assert (followup.status, followup.done_on) == ("done", timezone.localdate())
    assert "Total: 0 created, " in out.getvalue()
    assert document_figures() == DOCUMENT_FIGURES

    # --reset puts the demo values back, with a history row for each.
    out = StringIO()
    call_command("load_demo", "--reset", stdout=out)

    followup.refresh_from_db()
    project.refresh_from_db()
    assert (followup.status, followup.done_on, followup.due_on) == ("open", None, loaded_due_on)
    assert project.estimated_cost_jpy == loaded_cost
    assert project.history.first().estimated_cost_jpy == loaded_cost
    assert "Total: 0 created, 2 reset to their demo values" in out.getvalue()
    assert document_figures() == DOCUMENT_FIGURES

    # A second reset on the same day finds nothing to reset.
    after_reset = _snapshot()
    out = StringIO()
    call_command("load_demo", "--reset", stdout=out)

    assert _snapshot() == after_reset
    assert "Total: 0 created, 0 reset" in out.getvalue()
    assert "Nothing to do" in out.getvalue()


def test_a_deleted_demo_record_comes_back_with_its_relations():
    meeting = Meeting.objects.filter(mission__title__startswith="Demo mission 2018-01a").first()
    key = (meeting.mission_id, meeting.date, meeting.counterpart_country.code)
    counterparts = set(meeting.counterparts.values_list("pk", flat=True))
    meeting.delete()

    tally = load_demo()

    restored = Meeting.objects.get(mission_id=key[0], date=key[1], counterpart_country=key[2])
    assert set(restored.counterparts.values_list("pk", flat=True)) == counterparts
    assert tally.created >= 1
    assert document_figures() == DOCUMENT_FIGURES
