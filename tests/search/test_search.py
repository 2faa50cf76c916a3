"""Search everything: /api/v1/search/?q= and /reports/search/?q=."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from search import selectors, services
from search.kinds import KINDS
from tests.api import client_for
from tests.factories import (
    AgreementFactory,
    FollowUpFactory,
    MeetingFactory,
    MissionFactory,
    OrganizationFactory,
    PersonFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/"


def groups_of(response):
    assert response.status_code == 200, response.content
    return {group["kind"]: group for group in response.json()["groups"]}


def displays(group):
    return [hit["display"] for hit in group["results"]]


def test_every_kind_is_answered_in_order_with_its_count(analyst_api):
    ProjectFactory(name="Accra Port Expansion")
    ProjectFactory(name="Tema Port Terminal")
    OrganizationFactory(name="Ghana Ports and Harbours Authority", country="GH")
    MissionFactory(title="Minister's visit to Ghana's ports")
    ProjectFactory(name="Hanoi Metro Line 2")

    response = analyst_api.get(SEARCH, {"q": "port"})

    body = response.json()
    assert [group["kind"] for group in body["groups"]] == [kind.key for kind in KINDS]
    counts = {group["kind"]: group["count"] for group in body["groups"]}
    assert counts == {
        "missions": 1,
        "meetings": 0,
        "agreements": 0,
        "projects": 2,
        "organizations": 1,
        "people": 0,
        "follow-ups": 0,
        "notes": 0,
    }
    assert body["count"] == 4
    project = body["groups"][3]["results"][0]
    assert project["url"].endswith(f"/api/v1/projects/{project['id']}/")
    # A kind with an analysts' page links to it; the others to the admin (for staff).
    assert project["page"] == f"http://testserver/reports/projects/{project['id']}/"
    mission = body["groups"][0]["results"][0]
    assert mission["page"] == f"http://testserver/reports/missions/{mission['id']}/"
    organization = body["groups"][4]["results"][0]
    assert organization["page"].endswith(
        f"/admin/contacts/organization/{organization['id']}/change/"
    )


def test_a_two_character_japanese_term_finds_what_contains_it(analyst_api):
    ProjectFactory(name="Mombasa Port", name_ja="モンバサ港湾開発")
    ProjectFactory(name="Nairobi Expressway", name_ja="ナイロビ高速道路")
    OrganizationFactory(name="Port Authority", name_ja="港湾公社", country="KE")
    MissionFactory(title="Visit", purpose="港湾と道路の協力")

    found = groups_of(analyst_api.get(SEARCH, {"q": "港湾"}))

    assert displays(found["projects"]) == ["Mombasa Port"]
    assert displays(found["organizations"]) == ["Port Authority"]
    assert found["missions"]["count"] == 1
    found = groups_of(analyst_api.get(SEARCH, {"q": "道路"}))
    assert displays(found["projects"]) == ["Nairobi Expressway"]
    assert found["organizations"]["count"] == 0
    assert found["missions"]["count"] == 1


@pytest.mark.parametrize("typed", ["ｶﾞｰﾅ", "ガーナ", "ＧＨＡＮＡ", "ghana", "GHANA", "Ghana"])
def test_width_and_case_do_not_matter(analyst_api, typed):
    OrganizationFactory(name="Ghana Highway Authority", name_ja="ガーナ道路公社", country="GH")
    PersonFactory(name="GHANA desk officer")
    ProjectFactory(name="Kenya Port")

    found = groups_of(analyst_api.get(SEARCH, {"q": typed}))

    assert found["organizations"]["count"] == 1
    expected_people = 0 if typed in ("ｶﾞｰﾅ", "ガーナ") else 1
    assert found["people"]["count"] == expected_people
    assert found["projects"]["count"] == 0


def test_every_word_must_occur_in_some_column(analyst_api):
    MissionFactory(title="Ghana ports", purpose="")
    MissionFactory(title="Ghana roads", purpose="A look at the ports too")
    MissionFactory(title="Kenya ports")

    found = groups_of(analyst_api.get(SEARCH, {"q": "Ghana　ports"}))  # ideographic space

    assert sorted(displays(found["missions"])) == ["Ghana ports", "Ghana roads"]


def test_best_matches_first(analyst_api):
    old, new = datetime.date(2015, 1, 1), datetime.date(2020, 1, 1)
    MissionFactory(title="Railway cooperation", purpose="Tema port", start_date=new)
    MissionFactory(title="Visit to Tema port", start_date=old)
    MissionFactory(title="Visit to Tema port and roads", start_date=new)
    MissionFactory(title="Tema port call", start_date=old)
    MissionFactory(title="TEMA PORT", start_date=old)

    found = groups_of(analyst_api.get(SEARCH, {"q": "tema port"}))

    assert displays(found["missions"]) == [
        "TEMA PORT",  # the whole search
        "Tema port call",  # begins with its first word
        "Visit to Tema port and roads",  # every word in the title: the latest first
        "Visit to Tema port",
        "Railway cooperation",  # in another column
    ]
    assert found["missions"]["results"][-1]["excerpt"] == "Tema port"


def test_each_tier_is_cut_at_the_limit_and_hidden_records_leave_no_gap(analyst_api):
    """The best matches are read tier by tier, each cut where enough are found: titles
    that begin with the search, other title matches, then matches elsewhere, the latest
    first in each; level-3 records the user may not read are skipped without leaving
    fewer than `limit` (search.selectors._best_ids)."""
    from core.classification import Classification

    day = datetime.date(2020, 1, 1)
    for n in range(3):
        MissionFactory(title=f"Tema port call {n}", start_date=day + datetime.timedelta(days=n))
    titled = [
        MissionFactory(title=f"Visit to Tema {n}", start_date=day + datetime.timedelta(days=n))
        for n in range(4)
    ]
    for n in range(3):  # the latest title matches, hidden
        MissionFactory(
            title=f"Secret Tema {n}",
            start_date=day + datetime.timedelta(days=10 + n),
            classification=Classification.NEED_TO_KNOW,
        )
    MissionFactory(title="Railway", purpose="Tema", start_date=day + datetime.timedelta(days=30))

    found = groups_of(analyst_api.get(SEARCH, {"q": "tema", "limit": 5}))["missions"]

    assert found["count"] == 8
    assert displays(found) == [
        "Tema port call 2",
        "Tema port call 1",
        "Tema port call 0",
        str(titled[3]),
        str(titled[2]),
    ]
    found = groups_of(analyst_api.get(SEARCH, {"q": "tema", "limit": 9}))["missions"]
    assert displays(found)[3:] == [*(str(m) for m in reversed(titled)), "Railway"]


def test_a_title_that_begins_with_the_search_but_is_no_match_is_skipped(analyst_api):
    """Titles that begin with the search are looked up by title alone (its lower case),
    then kept if they match: "Cafe" and a combining accent begins with "cafe" in lower
    case but is "café" once folded, so no match."""
    MissionFactory(title="Cafe\u0301 talks", start_date=datetime.date(2021, 1, 1))
    MissionFactory(title="Cafe visit", start_date=datetime.date(2020, 1, 1))

    found = groups_of(analyst_api.get(SEARCH, {"q": "cafe", "limit": 1}))["missions"]

    assert found["count"] == 1
    assert displays(found) == ["Cafe visit"]


def test_a_title_in_half_width_kana_ranks_as_a_title(analyst_api):
    """A title matched as the search matches it (folded) is a title match, whatever its
    width (before, only a title holding the term as typed was)."""
    day = datetime.date(2020, 1, 1)
    OrganizationFactory(name="Port", name_ja="ｺｳﾜﾝ公社", country="KE")
    OrganizationFactory(name="Other", name_ja="運輸省", country="KE")
    PersonFactory(name="Desk officer", name_ja="コウワン担当")
    MissionFactory(title="Visit", purpose="コウワン", start_date=day + datetime.timedelta(days=9))
    MissionFactory(title="ｺｳﾜﾝ視察", start_date=day)

    found = groups_of(analyst_api.get(SEARCH, {"q": "コウワン"}))

    assert displays(found["organizations"]) == ["Port"]
    assert displays(found["missions"]) == ["ｺｳﾜﾝ視察", "Visit"]


def test_meetings_follow_ups_agreements_and_people_are_found(analyst_api):
    meeting = MeetingFactory(topics="Financing of the Surabaya commuter line", outcome="")
    FollowUpFactory(title="Send the Surabaya proposal")
    AgreementFactory(title="MoC on Surabaya urban development")
    PersonFactory(name="Surabaya city official")

    found = groups_of(analyst_api.get(SEARCH, {"q": "surabaya"}))

    assert {kind: group["count"] for kind, group in found.items() if group["count"]} == {
        "meetings": 1,
        "follow-ups": 1,
        "agreements": 1,
        "people": 1,
    }
    hit = found["meetings"]["results"][0]
    assert hit["id"] == meeting.pk
    assert str(meeting.mission) in hit["display"]
    assert hit["excerpt"] == "Financing of the Surabaya commuter line"


def test_kind_and_limit(analyst_api):
    for n in range(5):
        ProjectFactory(name=f"Jakarta MRT phase {n}")
    MissionFactory(title="Jakarta visit")

    body = analyst_api.get(SEARCH, {"q": "jakarta", "kind": "projects", "limit": 2}).json()

    assert [group["kind"] for group in body["groups"]] == ["projects"]
    assert body["groups"][0]["count"] == 5
    assert len(body["groups"][0]["results"]) == 2


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "port", "kind": "ships"}, "kind"),
        ({"q": "port", "limit": 0}, "limit"),
        ({"q": "port", "qq": "1"}, "qq"),
    ],
)
def test_wrong_parameters_are_a_400_naming_them(analyst_api, parameters, field):
    response = analyst_api.get(SEARCH, parameters)

    assert response.status_code == 400
    assert field in response.json()


def test_anonymous_cannot_search(db):
    assert client_for(None).get(SEARCH, {"q": "port"}).status_code in (401, 403)


def test_kinds_the_user_may_not_view_are_left_out(analyst_user):
    AgreementFactory(title="MoC on ports")
    ProjectFactory(name="Port project")
    analyst_user.groups.clear()
    analyst_user.user_permissions.add(Permission.objects.get(codename="view_project"))

    body = client_for(analyst_user).get(SEARCH, {"q": "port"}).json()

    assert [group["kind"] for group in body["groups"]] == ["projects"]


def test_every_query_goes_through_searchable_queryset(analyst_api, monkeypatch):
    """Visibility (classification) is applied in one place: the search reads only what
    searchable_queryset gives it."""
    hidden = ProjectFactory(name="Secret port")
    ProjectFactory(name="Open port")
    seen = []
    original = services.searchable_queryset

    def restricted(model, user):
        seen.append(model)
        return (
            original(model, user).exclude(pk=hidden.pk)
            if model is type(hidden)
            else original(model, user)
        )

    monkeypatch.setattr(selectors, "searchable_queryset", restricted)

    found = groups_of(analyst_api.get(SEARCH, {"q": "port"}))

    assert displays(found["projects"]) == ["Open port"]
    assert seen == [kind.model for kind in KINDS]


def test_a_fixed_number_of_queries(analyst_api, django_assert_num_queries):
    def more_records(start):
        for n in range(start, start + 3):
            meeting = MeetingFactory(topics=f"Port development {n}")
            ProjectFactory(name=f"Port {n}")
            OrganizationFactory(name=f"Port authority {n}")
            FollowUpFactory(title=f"Port follow-up {n}", target=meeting)

    more_records(0)
    analyst_api.get(SEARCH, {"q": "port"})  # permissions and content types cached

    # A kind without matches: one query (the ids of its matches, none). A kind with
    # matches: the ids, how many the user may read, the best ids (here all titles that
    # begin with the search: one tier), and those records. Then the read audit's one
    # row for the request (level-2 records were shown). As many for twice the records.
    with_matches = 4  # meetings, projects, organisations, follow-ups
    expected = with_matches * 4 + (len(KINDS) - with_matches) + 1
    with django_assert_num_queries(expected):
        found = groups_of(analyst_api.get(SEARCH, {"q": "port"}))
    assert found["meetings"]["count"] == 3
    from audit.models import ReadEvent

    assert ReadEvent.objects.filter(channel="api", path=SEARCH).exists()
    more_records(3)
    with django_assert_num_queries(expected):
        found = groups_of(analyst_api.get(SEARCH, {"q": "port"}))
    assert found["meetings"]["count"] == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram indexes are PostgreSQL's")
def test_a_two_character_term_is_looked_up_in_the_bigram_index(analyst_user):
    from django.db.models import Count, Window

    from search.kinds import BY_KEY

    kind = BY_KEY["projects"]
    queryset = selectors.matching(kind.model.objects.all(), kind, ["港湾"])
    with connection.cursor() as cursor:
        # An empty table is read whole; a large one would not be (docs/performance.md).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.annotate(total=Window(Count("pk"))).explain()
    assert "projects_project_name_ja_bigram" in plan


# -- the analysts' page ------------------------------------------------------------------


def test_the_page_lists_each_kind_with_its_count_and_links(analyst_client):
    project = ProjectFactory(name="Mombasa Port", name_ja="モンバサ港湾")
    for n in range(12):
        OrganizationFactory(name=f"Port operator {n}", name_ja=f"港湾運営{n}", country="KE")

    response = analyst_client.get(reverse("search:search"), {"q": "港湾"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "13" in html  # records found
    assert 'id="search-projects"' in html
    # A project links to its page on the analysts' pages; others to the admin.
    assert f'href="{reverse("reports:project-detail", args=[project.pk])}"' in html
    # Ten of twelve organisations, and a link to all of them.
    assert html.count("/admin/contacts/organization/") == 10
    assert "kind=organizations" in html

    response = analyst_client.get(reverse("search:search"), {"q": "港湾", "kind": "organizations"})
    assert response.content.decode().count("/admin/contacts/organization/") == 12


def test_the_search_box_is_in_the_header_and_on_the_admin_index(analyst_client):
    dashboard = analyst_client.get(reverse("reports:dashboard")).content.decode()
    assert f'action="{reverse("search:search")}"' in dashboard
    admin = analyst_client.get(reverse("admin:index")).content.decode()
    assert f'action="{reverse("search:search")}"' in admin


def test_the_page_needs_a_login(client):
    response = client.get(reverse("search:search"), {"q": "port"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_user_who_may_view_nothing_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(reverse("search:search"), {"q": "port"}).status_code == 403


# -- classification -----------------------------------------------------------------------


def test_level_3_records_appear_only_to_those_who_may_read_them(analyst_user, django_user_model):
    from core.classification import Classification

    secret = ProjectFactory(name="Secret port", classification=Classification.NEED_TO_KNOW)
    ProjectFactory(name="Open port")
    MissionFactory(title="Secret port visit", classification=Classification.NEED_TO_KNOW)

    found = groups_of(client_for(analyst_user).get(SEARCH, {"q": "port"}))
    assert displays(found["projects"]) == ["Open port"]
    assert found["missions"]["count"] == 0

    secret.access_users.add(analyst_user)
    found = groups_of(client_for(analyst_user).get(SEARCH, {"q": "port"}))
    assert sorted(displays(found["projects"])) == ["Open port", "Secret port"]

    superuser = django_user_model.objects.create_superuser("root", "root@example.org", None)
    found = groups_of(client_for(superuser).get(SEARCH, {"q": "port"}))
    assert found["missions"]["count"] == 1
