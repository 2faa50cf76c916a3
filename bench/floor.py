"""The floor: the same rows and columns as a page of the API, fetched with raw psycopg
(one query for the page, one per related set, as the API's prefetches) and
serialised with orjson, with no framework in between. No list can be faster than
this through Python; the API's throughput is reported as a fraction of it."""

from collections import defaultdict

import orjson
import psycopg
from django.conf import settings
from django_countries import countries

from core.regions import region_of

BASE = "http://testserver/api/v1"


def connect():
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def _name(english, japanese):
    return japanese or english  # the API's default language is Japanese


def _country(code):
    return str(countries.name(code)) if code else ""


def _brief(kind, pk, display):
    return {"id": pk, "url": f"{BASE}/{kind}/{pk}/", "display": display}


def _iso(value):
    return value.isoformat() if value is not None else None


def _group(cursor, sql, ids):
    grouped = defaultdict(list)
    for row in cursor.execute(sql, [ids]):
        grouped[row[0]].append(row[1:])
    return grouped


def meetings(connection, *, limit, offset) -> bytes:
    cursor = connection.cursor()
    rows = cursor.execute(
        """
        SELECT m.id, m.mission_id, mi.title, mi.title_ja, m.date, m.counterpart_country,
               m.venue_city, m.venue_country, m.topics, m.outcome, m.created_at, m.updated_at,
               m.principal_id, pr.name, pr.name_ja, m.principal_rank
        FROM missions_meeting m JOIN missions_mission mi ON mi.id = m.mission_id
        JOIN contacts_person pr ON pr.id = m.principal_id
        ORDER BY m.date DESC, m.id LIMIT %s OFFSET %s
        """,
        [limit, offset],
    ).fetchall()
    ids = [row[0] for row in rows]
    labels = _labels()
    people = _group(
        cursor,
        """SELECT c.meeting_id, p.id, p.name, p.name_ja
           FROM missions_meeting_counterparts c JOIN contacts_person p ON p.id = c.person_id
           WHERE c.meeting_id = ANY(%s) ORDER BY p.name""",
        ids,
    )
    person_ids = list({person[0] for group in people.values() for person in group})
    posts = _group(
        cursor,
        """SELECT po.person_id, po.title, po.title_ja, po.start_date, po.end_date,
                  o.id, o.name, o.name_ja
           FROM contacts_post po JOIN contacts_organization o ON o.id = po.organization_id
           WHERE po.person_id = ANY(%s)""",
        person_ids,
    )
    organizations = _group(
        cursor,
        """SELECT c.meeting_id, o.id, o.name, o.name_ja
           FROM missions_meeting_counterpart_organizations c
           JOIN contacts_organization o ON o.id = c.organization_id
           WHERE c.meeting_id = ANY(%s) ORDER BY o.name""",
        ids,
    )
    projects = _group(
        cursor,
        """SELECT c.meeting_id, p.id, p.name, p.name_ja
           FROM missions_meeting_projects c JOIN projects_project p ON p.id = c.project_id
           WHERE c.meeting_id = ANY(%s) ORDER BY p.name""",
        ids,
    )
    results = []
    for (
        pk,
        mission_id,
        title,
        title_ja,
        day,
        country,
        city,
        venue,
        topics,
        outcome,
        created,
        updated,
        principal_id,
        principal_name,
        principal_name_ja,
        principal_rank,
    ) in rows:
        counterparts, held = [], []
        for person_id, name, name_ja in people.get(pk, ()):
            brief = _brief("people", person_id, _name(name, name_ja))
            counterparts.append(brief)
            post = max(
                (
                    p
                    for p in posts.get(person_id, ())
                    if p[2] <= day and (p[3] is None or day <= p[3])
                ),
                key=lambda p: p[2],
                default=None,
            )
            held.append(
                {
                    "person": brief,
                    "title": _name(post[0], post[1]) if post else None,
                    "organization": _brief("organizations", post[4], _name(post[5], post[6]))
                    if post
                    else None,
                }
            )
        region = region_of(country)
        results.append(
            {
                "id": pk,
                "url": f"{BASE}/meetings/{pk}/",
                "mission": _brief("missions", mission_id, _name(title, title_ja)),
                "date": day,
                "principal": _brief(
                    "people", principal_id, _name(principal_name, principal_name_ja)
                ),
                "principal_rank": principal_rank,
                "principal_rank_label": labels[principal_rank],
                "counterpart_country": country,
                "counterpart_country_name": _country(country),
                "counterpart_country_region": region.value if region else None,
                "venue_city": city,
                "venue_country": venue,
                "venue_country_name": _country(venue),
                "venue_country_region": region_of(venue).value if venue else None,
                "counterparts": counterparts,
                "counterpart_posts": held,
                "counterpart_organizations": [
                    _brief("organizations", o, _name(n, j)) for o, n, j in organizations.get(pk, ())
                ],
                "topics": topics,
                "projects": [
                    _brief("projects", p, _name(n, j)) for p, n, j in projects.get(pk, ())
                ],
                "outcome": outcome,
                "created_at": created,
                "updated_at": updated,
            }
        )
    return orjson.dumps({"results": results}), len(results)


PROJECT_LABELS = None


def projects(connection, *, limit, offset) -> bytes:
    cursor = connection.cursor()
    rows = cursor.execute(
        """
        SELECT p.id, p.name, p.name_ja, p.country, p.other_countries, p.sector, p.stage,
               p.status, p.scheme, p.description, p.estimated_cost_jpy,
               o.id, o.name, o.name_ja, p.tender_due_on, p.awarded_on,
               a.id, a.name, a.name_ja, p.created_at, p.updated_at
        FROM projects_project p
        LEFT JOIN contacts_organization o ON o.id = p.owner_id
        LEFT JOIN contacts_organization a ON a.id = p.awarded_to_id
        ORDER BY p.name, p.id LIMIT %s OFFSET %s
        """,
        [limit, offset],
    ).fetchall()
    ids = [row[0] for row in rows]
    participants = _group(
        cursor,
        """SELECT pp.project_id, o.id, o.name, o.name_ja, pp.role
           FROM projects_projectparticipant pp
           JOIN contacts_organization o ON o.id = pp.organization_id
           WHERE pp.project_id = ANY(%s) ORDER BY pp.id""",
        ids,
    )
    entries = _group(
        cursor,
        """SELECT e.project_id, e.id, w.name
           FROM projects_watchlistentry e JOIN projects_watchlist w ON w.id = e.watch_list_id
           WHERE e.project_id = ANY(%s) ORDER BY w.edition_year, e.id""",
        ids,
    )
    labels = _labels()
    results = []
    for row in rows:
        pk, country = row[0], row[3]
        region = region_of(country)
        results.append(
            {
                "id": pk,
                "url": f"{BASE}/projects/{pk}/",
                "name": row[1],
                "name_ja": row[2],
                "country": country,
                "country_name": _country(country),
                "country_region": region.value if region else None,
                "other_countries": row[4].split(",") if row[4] else [],
                "sector": row[5],
                "sector_label": labels[row[5]],
                "stage": row[6],
                "stage_label": labels[row[6]],
                "status": row[7],
                "status_label": labels[row[7]],
                "scheme": row[8],
                "scheme_label": labels.get(row[8], ""),
                "description": row[9],
                "estimated_cost_jpy": row[10],
                "owner": _brief("organizations", row[11], _name(row[12], row[13]))
                if row[11]
                else None,
                "participants": [
                    {
                        "organization": _brief("organizations", o, _name(n, j)),
                        "organization_label": labels[role],
                        "role": role,
                    }
                    for o, n, j, role in participants.get(pk, ())
                ],
                "tender_due_on": row[14],
                "awarded_on": row[15],
                "awarded_to": _brief("organizations", row[16], _name(row[17], row[18]))
                if row[16]
                else None,
                "watch_list_entries": [
                    _brief("watch-list-entries", e, name) for e, name in entries.get(pk, ())
                ],
                "created_at": row[19],
                "updated_at": row[20],
            }
        )
    return orjson.dumps({"results": results}), len(results)


def _labels():
    global PROJECT_LABELS
    if PROJECT_LABELS is None:
        from agreements.choices import AgreementKind, AgreementStatus, Renewal
        from core.sectors import SectorCode
        from missions.choices import LeaderRank
        from projects.choices import ParticipantRole, ProjectStatus, Scheme, Stage

        PROJECT_LABELS = {}
        for choices in (
            LeaderRank,
            SectorCode,
            Stage,
            ProjectStatus,
            Scheme,
            ParticipantRole,
            AgreementKind,
            AgreementStatus,
            Renewal,
        ):
            PROJECT_LABELS.update({value: str(label) for value, label in choices.choices})
    return PROJECT_LABELS


def agreements(connection, *, limit, offset) -> bytes:
    cursor = connection.cursor()
    rows = cursor.execute(
        """
        SELECT a.id, a.title, a.title_ja, a.kind, j.id, j.name, j.name_ja,
               s.id, s.name, s.name_ja, a.counterpart_country, a.target_countries, a.scope,
               a.status, a.signed_on, a.effective_on, a.expires_on, a.renewal,
               m.id, m.date, m.counterpart_country, sup.id, sup.title, sup.title_ja,
               by_.id, by_.title, by_.title_ja, a.created_at, a.updated_at
        FROM agreements_agreement a
        JOIN contacts_organization j ON j.id = a.japanese_signatory_id
        LEFT JOIN contacts_person s ON s.id = a.signed_by_id
        LEFT JOIN missions_meeting m ON m.id = a.signed_at_meeting_id
        LEFT JOIN agreements_agreement sup ON sup.id = a.supersedes_id
        LEFT JOIN agreements_agreement by_ ON by_.supersedes_id = a.id
        ORDER BY a.signed_on DESC, a.title LIMIT %s OFFSET %s
        """,
        [limit, offset],
    ).fetchall()
    ids = [row[0] for row in rows]
    organizations = _group(
        cursor,
        """SELECT c.agreement_id, o.id, o.name, o.name_ja
           FROM agreements_agreement_counterpart_organizations c
           JOIN contacts_organization o ON o.id = c.organization_id
           WHERE c.agreement_id = ANY(%s) ORDER BY o.name""",
        ids,
    )
    sectors = _group(
        cursor,
        "SELECT agreement_id, sector_id FROM agreements_agreement_sectors WHERE agreement_id = ANY(%s)",
        ids,
    )
    projects_ = _group(
        cursor,
        """SELECT c.agreement_id, p.id, p.name, p.name_ja
           FROM agreements_agreement_projects c JOIN projects_project p ON p.id = c.project_id
           WHERE c.agreement_id = ANY(%s) ORDER BY p.name""",
        ids,
    )
    documents = _group(
        cursor,
        "SELECT agreement_id, id, description FROM agreements_agreementdocument WHERE agreement_id = ANY(%s)",
        ids,
    )
    labels = _labels()
    results = []
    for row in rows:
        pk, country = row[0], row[10]
        region = region_of(country)
        results.append(
            {
                "id": pk,
                "url": f"{BASE}/agreements/{pk}/",
                "title": row[1],
                "title_ja": row[2],
                "kind": row[3],
                "kind_label": labels[row[3]],
                "japanese_signatory": _brief("organizations", row[4], _name(row[5], row[6])),
                "signed_by": _brief("people", row[7], _name(row[8], row[9])) if row[7] else None,
                "counterpart_country": country,
                "counterpart_country_name": _country(country),
                "counterpart_country_region": region.value if region else None,
                "counterpart_organizations": [
                    _brief("organizations", o, _name(n, j)) for o, n, j in organizations.get(pk, ())
                ],
                "target_countries": row[11].split(",") if row[11] else [],
                "sectors": [s for (s,) in sectors.get(pk, ())],
                "scope": row[12],
                "status": row[13],
                "status_label": labels[row[13]],
                "signed_on": row[14],
                "effective_on": row[15],
                "expires_on": row[16],
                "renewal": row[17],
                "renewal_label": labels[row[17]],
                "signed_at_meeting": _brief("meetings", row[18], f"{row[19]} {_country(row[20])}")
                if row[18]
                else None,
                "supersedes": _brief("agreements", row[21], _name(row[22], row[23]))
                if row[21]
                else None,
                "superseded_by": _brief("agreements", row[24], _name(row[25], row[26]))
                if row[24]
                else None,
                "projects": [
                    _brief("projects", p, _name(n, j)) for p, n, j in projects_.get(pk, ())
                ],
                "documents": [
                    _brief("agreement-documents", d, desc) for d, desc in documents.get(pk, ())
                ],
                "created_at": row[27],
                "updated_at": row[28],
            }
        )
    return orjson.dumps({"results": results}), len(results)


FLOORS = {"meetings": meetings, "projects": projects, "agreements": agreements}
