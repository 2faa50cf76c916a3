"""The CSV written by PostgreSQL's COPY (core.api.export_sql) is byte for byte the CSV the
Python path writes (core.api.export), for every exportable list, in both languages,
for readers who see everything, some or none of the level-3 records, with texts that
need quoting, neutralising or replacing, and related records hidden from the reader.

Needs PostgreSQL (SQLite has the Python path only)."""

import datetime
import io

import pytest
from django.db import connection
from django.utils import translation

from core.api import export_sql
from core.api.export import csv_chunks, export_rows, header_chunk, write_csv
from core.classification import Classification
from core.models import Tag
from exports import resources
from missions.models import Meeting
from tests import factories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="COPY is PostgreSQL's (SQLite: Python only)"
    ),
    pytest.mark.django_db,
]

# Texts a CSV must quote (, " newline CR), neutralise (= + - @ tab CR first), write as
# U+FFFD (controls, U+FFFE), keep as they are (spaces, \., Japanese), or leave empty.
HOSTILE = [
    '=HYPERLINK("http://x")',
    "+81 3",
    "-5",
    "@SUM(A1)",
    "\tindented",
    "\rreturn",
    "a, b",
    'say "hi"',
    "line 1\nline 2",
    "line 1\r\nline 2",
    "bell\x07 and\x0b\x0c",
    "not a character \ufffe\uffff",
    "  spaced  ",
    "\\.",
    "国土交通省",
    "",
]

# The lists whose every column is written in SQL; the others (a transform, a display
# of their own, a generic relation) take the Python path.
IN_SQL = {
    "organizations",
    "posts",
    "project-participants",
    "watch-lists",
    "watch-list-entries",
    "order-figures",
    "missions",
    "meetings",
    "agreements",
}


@pytest.fixture
def records(django_user_model):
    """Every exportable kind of record, level-3 ones among them, pointing at each other
    (and at records some readers may not see), with hostile texts."""
    reader = factories.UserFactory(username="reader")
    outsider = factories.UserFactory(username="outsider")
    for user in (reader, outsider):
        user.user_permissions.add(*_view_permissions())
    tags = [Tag.objects.create(name=f"tag {text}".strip()) for text in HOSTILE[:6]]
    people = [
        factories.PersonFactory(name=f"{text}{index}", name_ja=HOSTILE[-1 - index])
        for index, text in enumerate(HOSTILE)
    ]
    organizations = [
        factories.OrganizationFactory(name=f"Org {index} {text}", name_ja=text, notes=text)
        for index, text in enumerate(HOSTILE)
    ]
    organizations[1].parent = organizations[0]
    organizations[1].save()
    for index, person in enumerate(people[:4]):
        factories.PostFactory(
            person=person,
            organization=organizations[index],
            title=HOSTILE[index],
            title_ja=HOSTILE[-1 - index],
            end_date=datetime.date(2019, 1, 1) if index % 2 else None,
        )
    projects = []
    for index, text in enumerate(HOSTILE):
        project = factories.ProjectFactory(
            name=f"Project {text}",
            name_ja=text,
            description=text,
            other_countries="GH,TN" if index % 2 else "",
            estimated_cost_jpy=None if index % 3 else 10**12 + index,
            owner=organizations[index] if index % 2 else None,
            classification=Classification.NEED_TO_KNOW if index % 4 == 0 else 2,
        )
        project.tags.set(tags[: index % 4])
        factories.ProjectParticipantFactory(project=project, organization=organizations[index])
        projects.append(project)
    projects[0].access_users.add(reader)
    watch_list = factories.WatchListFactory(name="Action Plan =1", name_ja="")
    later = factories.WatchListFactory(previous=watch_list, name_ja="アクションプラン")
    for project in projects[:6]:
        factories.WatchListEntryFactory(watch_list=watch_list, project=project, reason="-x")
    factories.WatchListEntryFactory(watch_list=later, project=projects[1])
    factories.OrderFigureFactory(source="=src", source_ja="出典")
    missions = []
    for index, text in enumerate(HOSTILE[:8]):
        mission = factories.MissionFactory(
            title=f"Visit {text}",
            title_ja=HOSTILE[-1 - index],
            leader=people[index],
            purpose=text,
            delegation=organizations[index : index + 3],
            sectors=[],
            classification=Classification.NEED_TO_KNOW if index == 3 else 2,
        )
        mission.tags.set(tags[:index])
        missions.append(mission)
    missions[3].access_users.add(reader)
    for index, text in enumerate(HOSTILE):
        meeting = factories.MeetingFactory(
            mission=missions[index % len(missions)],
            date=datetime.date(2018, 5, 1) + datetime.timedelta(days=index % 5),
            counterpart_country=["VN", "GH", "TN", "BR"][index % 4],
            venue_city=text,
            topics=text,
            outcome=HOSTILE[-1 - index],
            counterparts=people[index : index + 3],
            counterpart_organizations=organizations[index : index + 2],
            # Hidden from some readers: the level-3 projects (every fourth).
            projects=projects[index : index + 5],
            classification=Classification.NEED_TO_KNOW if index == 5 else 2,
        )
        meeting.tags.set(tags[index % 3 :])
    signing = Meeting.objects.filter(classification=Classification.NEED_TO_KNOW).first()
    hidden_agreement = factories.AgreementFactory(
        title="=Secret", classification=Classification.NEED_TO_KNOW
    )
    for index, text in enumerate(HOSTILE[:6]):
        factories.AgreementFactory(
            title=f"MoC {text}",
            title_ja=text,
            scope=text,
            target_countries="VN,GH" if index % 2 else "",
            counterpart_country=signing.counterpart_country if index == 2 else "VN",
            signed_on=signing.date if index == 2 else datetime.date(2019, 1, 1 + index),
            signed_at_meeting=signing if index == 2 else None,
            supersedes=hidden_agreement if index == 1 else None,
            signed_by=people[index] if index % 2 else None,
            counterpart_organizations=organizations[index : index + 2],
            projects=projects[index : index + 4],
        )
    factories.AgreementDocumentFactory(agreement=hidden_agreement, description="-doc")
    factories.FollowUpFactory(target=projects[0], title="=follow")
    factories.NoteFactory(target=missions[0], text="@note")
    return {"reader": reader, "outsider": outsider}


def _view_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__startswith="view_")


def _python_csv(queryset, columns, user) -> bytes:
    return b"".join(csv_chunks(export_rows(queryset, columns, user)))


def _sql_csv(queryset, columns, user) -> bytes | None:
    statement = export_sql.copy_statement(queryset, columns, user)
    if statement is None:
        return None
    return header_chunk(columns) + b"".join(export_sql.copy_rows(connection.connection, statement))


def test_the_sql_csv_is_byte_equal_to_the_python_csv(records, django_user_model):
    """Every exportable list, both languages, three readers, and a filtered list in
    another order (one data set: building it is the slow part)."""
    readers = {
        "superuser": django_user_model.objects.create_superuser("root", password=None),
        "reader": records["reader"],
        "outsider": records["outsider"],
    }
    cases = [(resource, "") for resource in sorted(resources.exportable())]
    cases.append(("meetings", "country=GH&ordering=principal_rank"))
    cases.append(("meetings", "ordering=-counterpart_country"))
    cases.append(("agreements", "ordering=expires_on"))
    written_in_sql, different = set(), []
    for resource, query in cases:
        for who, user in readers.items():
            for language in ("ja", "en"):
                with translation.override(language):
                    view = resources.list_view(resource, user, query)
                    queryset = resources.filtered_queryset(view)
                    python = _python_csv(queryset, view.export_columns, user)
                    connection.ensure_connection()
                    sql = _sql_csv(queryset, view.export_columns, user)
                if who == "superuser":
                    assert python.count(b"\r\n") > 1, (resource, query)
                if sql is None:
                    continue
                written_in_sql.add(resource)
                if sql != python:
                    different.append((resource, query, who, language, sql, python))
    assert written_in_sql >= IN_SQL
    for resource, query, who, language, sql, python in different[:1]:
        assert sql.decode().splitlines() == python.decode().splitlines(), (
            resource,
            query,
            who,
            language,
        )
    assert [case[:4] for case in different] == []


def test_hidden_related_records_are_left_out_and_write_csv_uses_copy(records):
    """Not only equal to the Python path: the level-3 project of a meeting is named to
    the reader on its access list, not to another; and the file a download or a
    background export writes is the same."""
    secret = 'Project =HYPERLINK(""http://x"")'  # as the CSV quotes it
    shown = {}
    for who in ("reader", "outsider"):
        with translation.override("en"):
            view = resources.list_view("meetings", records[who], "")
            queryset = resources.filtered_queryset(view)
            connection.ensure_connection()
            shown[who] = _sql_csv(queryset, view.export_columns, records[who]).decode()
            handle = io.BytesIO()
            write_csv(handle, queryset, view.export_columns, records[who])
            assert handle.getvalue().decode() == shown[who]
    assert secret in shown["reader"]
    assert secret not in shown["outsider"]
