"""The fast path of the missions-with-meetings import: every row validated in memory,
then each kind of record written in bulk, in one transaction.

The per-row path (django-import-export's import_row: full_clean() and save() per row)
costs some 18 queries a row. Here the rows go through the same steps of the same
resource (imports.resources.MissionResource: finding the mission and the meeting,
reading the columns, skip_row's comparison, validate_instance's rules), with the
records on file read once and full_clean()'s check constraints evaluated in Python
(imports.validation); nothing is written until every row has passed. Then, in the
import's transaction and with what save() and its signals would have done:

- the new missions and meetings in one INSERT each (bulk_create), the changed ones in
  one UPDATE each (bulk_update, updated_at set as save() sets it), their many
  relations in one INSERT (and one DELETE) per relation;
- a history version for each record written (simple-history's bulk_history_create),
  its reason naming the file and its user the importer, with the many relations as
  written (the per-row path writes one version on save() and one more for each many
  relation it then sets; here, one per record, as it ends);
- one refresh_engagements() of every (mission, principal, country) triple touched;
- classification carried as save() carries it (a meeting raised to its mission's
  level, a changed mission's meetings and follow-ups raised with it);
- webhook deliveries for every record written, in one INSERT per model and event.

A dry run writes the same and rolls back, so that it fails where the import would.
A file that the per-row path would treat in a way this does not reproduce is declined
(import_missions returns None) and imported row by row: an existing mission whose
leader or leader's rank changes (its leader's meetings follow, one by one), and two
groups of rows that name one mission."""

import logging
import time

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, Field
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries.fields import CountryField

from core import classification
from imports import parsing
from imports.engine import ROW_COLUMN, Report, invalid_row_errors
from imports.resources import IMPORT_REASON, KindResource
from missions.models import Meeting, Mission, engagement_key

logger = logging.getLogger(__name__)

# The pre_save() methods that read the record's value and change nothing (DateField's
# and DateTimeField's, but for auto_now and auto_now_add).
_PLAIN_PRE_SAVE = (
    Field.pre_save,
    DateField.pre_save,
    DateTimeField.pre_save,
    CountryField.pre_save,
)

PROGRESS_EVERY = 500  # rows


class Declined(Exception):
    """The file takes the per-row path; the message says why (logged)."""


class _Group:
    """The rows of one mission: its first row's number, the record found on file for
    it, and the mission its first row plans to write (None: that row was refused)."""

    def __init__(self, first, record):
        self.first = first
        self.record = record
        self.mission = None
        self.row = None  # the row that set the mission


def import_missions(resource, dataset, *, dry_run: bool, progress=None) -> Report | None:
    """Import a missions file (a dataset of imports.engine.table_as_dataset) through
    `resource`, a MissionResource; None when the file is declined (module doc)."""
    try:
        with transaction.atomic():
            importer = _MissionImport(resource, dataset, progress)
            report = importer.validate()
            if report.ok:
                importer.write()
                # Written past save() and its signals: what readers may not see changed.
                classification.forget_hidden()
            if dry_run or not report.ok:
                transaction.set_rollback(True)
            return report
    except Declined as declined:
        logger.info("Import of %s takes the per-row path: %s", resource.file_name, declined)
        return None


class _MissionImport:
    def __init__(self, resource, dataset, progress):
        self.resource = resource
        self.dataset = dataset
        self.progress = progress
        self.groups = {}  # group of rows: _Group
        self.claimed = {}  # a mission's pk or natural key: its group
        self.missions = {}  # id(mission): (mission, new, many relations) to write
        self.meetings = []  # (meeting, its mission) to write
        self.report = Report(rows=len(dataset))
        self.rows_in_error = set()

    # -- validation -------------------------------------------------------------------

    def validate(self) -> Report:
        resource = self.resource
        resource.in_memory_checks = True
        resource.before_import(self.dataset)
        headers = self.dataset.headers
        self.mission_keys = [key for key in resource.MISSION_KEYS if key in headers]
        total = len(self.dataset)
        for index, values in enumerate(self.dataset, 1):
            row = dict(zip(headers, values, strict=True))
            try:
                outcome = self._row(index, row)
            except ValidationError as error:
                self._refuse(row, error)
                continue
            except Declined:
                raise
            except Exception as error:  # noqa: BLE001 -- reported by row, as import_row does
                logger.info("Import row %s failed", index, exc_info=error)
                self._fail(row, error)
                continue
            self.report.totals[outcome] += 1
            if self.progress is not None and index % PROGRESS_EVERY == 0:
                self.progress(index, total)
        report = self.report
        report.warnings = [*getattr(self.dataset, "import_warnings", []), *resource.warnings]
        report.totals["errors"] = len(self.rows_in_error)
        report.errors.sort(key=lambda e: e["row"] or 0)
        return report

    def _row(self, index, row) -> str:
        """Check one row as import_row would, and plan its writes: "new", "updated"
        or "unchanged" (raises ValidationError for a refused row)."""
        resource = self.resource
        conflict = resource._conflicts.get(index)
        if conflict:
            raise ValidationError(conflict)
        key = resource.group_of_row(row)
        group = self.groups.get(key)
        if group is not None and group.mission is not None:
            return self._later_row(group, row)
        if group is not None and group.record is None:
            # The mission's first row was refused: so are its meetings' rows.
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _("The mission of this row is refused at row %(row)s.")
                    % {"row": group.first}
                }
            )
        if group is None:
            group = self.groups[key] = _Group(row.get(ROW_COLUMN), None)
            record = self._find(row)
            group.record = record and resource.by_pk.get(record.pk)
        return self._first_row(group, row)

    def _find(self, row):
        """The mission on file the row names (MissionResource.get_instance: by its id,
        else by its title and start date)."""
        resource = self.resource
        saved_seen, resource._seen = resource._seen, {}
        try:
            return KindResource.get_instance(resource, None, row)
        finally:
            resource._seen = saved_seen

    def _first_row(self, group, row) -> str:
        """The row that sets its mission: import_row's steps on the mission found (a
        copy) or a new one."""
        resource = self.resource
        record = group.record
        mission = resource._copy(record) if record is not None else Mission()
        new = record is None
        resource.after_init_instance(mission, new, row)
        errors = self._import_instance(mission, row)
        if resource.skip_row(mission, None, row, errors):
            self._claim(group, mission, record)
            group.mission, group.row = mission, row
            return "unchanged"
        # As import_row(): checked only when it changes something.
        resource.validate_instance(mission, errors)
        self._claim(group, mission, record)
        if resource._mission_changed:
            if record is not None and (mission.leader_id, mission.leader_rank) != (
                record.leader_id,
                record.leader_rank,
            ):
                raise Declined(f"the leader of mission {record.pk} changes")
            self.missions[id(mission)] = (mission, new, self._many(row))
        group.mission, group.row = mission, row
        meeting = mission._import_meeting
        if meeting is not None and resource._meeting_dirty:
            self._plan_meeting(meeting, mission)
        # As MissionResource.after_import_row(): a row is new when its meeting is.
        return "new" if new or resource._meeting_is_new else "updated"

    def _later_row(self, group, row) -> str:
        """A row of a mission its first row set. Its mission's columns are the first
        row's (MissionResource._fill_groups fills the blanks and refuses another
        value), so the mission stands as checked and planned, and the row is its
        meeting. A later row that gives a mission's column its first row left blank
        would change the mission again: the per-row path takes such a file."""
        resource = self.resource
        for key in self.mission_keys:
            mine, first = row[key], group.row[key]
            if mine != first and parsing.text(mine) != parsing.text(first):
                raise Declined(f"row {row.get(ROW_COLUMN)} adds to its mission's columns")
        if not resource._has_meeting(row):
            return "unchanged"
        planned = group.mission
        meeting, column_errors = resource._row_meeting(planned, row)
        if not column_errors and not resource._meeting_changed(meeting):
            # As skip_row(): a cell that cannot be read is an error, never unchanged.
            return "unchanged"
        errors = resource.meeting_errors(meeting, column_errors)
        if errors:
            raise ValidationError(errors)
        self._plan_meeting(meeting, planned)
        return "new" if meeting._original is None else "updated"

    def _import_instance(self, mission, row) -> dict:
        errors = {}
        try:
            self.resource.import_instance(mission, row)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        return errors

    def _claim(self, group, mission, record):
        """A mission is named by one group of rows: two that name one (by id, or by
        title and start date) take the per-row path, which merges them in file order."""
        resource = self.resource
        for claim in {("pk", record and record.pk), resource.key_of(mission)}:
            if claim == ("pk", None):
                continue
            other = self.claimed.setdefault(claim, group)
            if other is not group:
                raise Declined(f"rows {other.first} and {group.first} name one mission")

    def _many(self, row) -> dict:
        """The mission's many relations the row gives: {relation: records}."""
        resource = self.resource
        return {
            key: resource.field_for(key).clean(row)
            for key in ("sectors", "delegation", "tags")
            if key in row
        }

    def _plan_meeting(self, meeting, mission):
        original = meeting._original
        if original is not None:
            # As after_save_instance(): a meeting on file is matched by one row only.
            self.resource._meeting_queue[mission.pk].remove(original)
        self.meetings.append((meeting, mission))

    def _refuse(self, row, error):
        try:
            error_dict = error.message_dict
        except AttributeError:
            error_dict = {NON_FIELD_ERRORS: error.messages}
        number = row.get(ROW_COLUMN)
        self.rows_in_error.add(number)
        headers = getattr(self.dataset, "import_headers", {})
        self.report.errors += invalid_row_errors(
            error_dict, number=number, row=row, resource=self.resource, headers=headers
        )

    def _fail(self, row, error):
        number = row.get(ROW_COLUMN)
        self.rows_in_error.add(number)
        self.report.errors.append(
            {
                "row": number,
                "field": None,
                "value": None,
                "message": _(
                    "This row could not be saved (%(error)s): correct it, or tell the administrator."
                )
                % {"error": type(error).__name__},
            }
        )

    # -- writing ----------------------------------------------------------------------

    def write(self):
        now = timezone.now()
        reason = IMPORT_REASON.format(file_name=self.resource.file_name)
        user = self.resource.user
        missions = list(self.missions.values())
        new_missions = [mission for mission, new, _many in missions if new]
        changed_missions = [mission for mission, new, _many in missions if not new]
        for mission, _new, _many in missions:
            mission._change_reason = reason
            if user is not None:
                mission._history_user = user
        _insert(Mission, new_missions)
        _update(Mission, changed_missions, now)
        _set_many(Mission, [(mission, many) for mission, _new, many in missions])
        _raise_attached(changed_missions)

        meetings = []
        triples = set()
        for meeting, mission in self.meetings:
            meeting.mission = mission
            meeting.fill_principal()
            # As ClassifiedModel.save(): never below what it hangs on.
            floor, parent = meeting.classification_floor()
            if parent is not None and meeting.classification < floor:
                meeting.classification = floor
            meeting._change_reason = reason
            if user is not None:
                meeting._history_user = user
            meetings.append(meeting)
        new_meetings = [meeting for meeting in meetings if meeting._original is None]
        changed_meetings = [meeting for meeting in meetings if meeting._original is not None]
        _insert(Meeting, new_meetings)
        _update(Meeting, changed_meetings, now)
        _set_many(Meeting, [(meeting, meeting._many) for meeting in meetings])
        _raise_followups(Meeting, changed_meetings)

        # History: a version of every record written, as it now stands.
        _history(Mission, new_missions, changed_missions, now, user=user, reason=reason)
        _history(Meeting, new_meetings, changed_meetings, now, user=user, reason=reason)

        for meeting in meetings:
            before = meeting._original and meeting._original.__dict__.get("_engagement_loaded")
            for key in (before, engagement_key(meeting)):
                if key is not None:
                    triples.add(key[:3])
        from missions.services import refresh_engagements

        refresh_engagements(triples)

        from webhooks.choices import Event
        from webhooks.services import deliveries_for_changes

        for records, event in (
            (new_missions, Event.CREATED),
            (changed_missions, Event.UPDATED),
            (new_meetings, Event.CREATED),
            (changed_meetings, Event.UPDATED),
        ):
            deliveries_for_changes(instances=records, event=event)


def _insert(model, records):
    for record in records:
        record._import_created = True
    if not records:
        return
    if _copyable(model):
        _copy_insert(model, records)
    else:
        model._default_manager.bulk_create(records)


def _copyable(model) -> bool:
    """Whether _copy_insert() writes the model's records as bulk_create() would: on
    PostgreSQL, a key the database numbers, no column the database fills or computes."""
    pk = model._meta.pk
    return (
        connection.vendor == "postgresql"
        and pk.db_returning
        and model._meta.db_returning_fields == [pk]
        and not any(field.generated or field.has_db_default() for field in model._meta.fields)
    )


def _copy_insert(model, records):
    """bulk_create(records), the same rows, faster: their keys taken from the table's
    sequence in one query, the rows sent by COPY, and each value prepared once per
    distinct value of its column (bulk_create prepares every value of every row: a
    country field builds a Country for each, 4.6 s of the 12,000 records of the bench's
    file). A column's prepared value is a function of the value the record holds, but
    for the fields whose pre_save() sets it (auto_now, auto_now_add): those are
    set to the time of the insert (one time for all the records, which bulk_create()
    would take again for each)."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    preparers = [_preparer(field, now) for field in fields]
    for record in records:
        record._prepare_related_fields_for_save(operation_name="bulk_create")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(records)],
        )
        keys = sorted(key for (key,) in cursor.fetchall())
        columns = ", ".join(quote(field.column) for field in [meta.pk, *fields])
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        started = time.monotonic()
        with cursor.cursor.copy(sql) as copy:
            for key, record in zip(keys, records, strict=True):
                copy.write_row([key, *(prepare(record) for prepare in preparers)])
        if connection.queries_logged:
            # Counted as the statements Django runs are (the queries the tests pin).
            connection.queries_log.append(
                {
                    "sql": f"{sql} -- {len(records)} rows",
                    "time": f"{time.monotonic() - started:.3f}",
                }
            )
    for key, record in zip(keys, records, strict=True):
        record.pk = key
        record._state.adding = False
        record._state.db = connection.alias


def _preparer(field, now):
    """The value bulk_create() sends for `field` of a record, as a function of the record."""

    def prepare(record):
        return field.get_db_prep_save(field.pre_save(record, True), connection)

    if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
        # The time of the import, as the records' history has it (pre_save() would take
        # the clock again for each record, and its value prepared each time).
        prepared = field.get_db_prep_save(now, connection)
        attname = field.attname

        def stamp(record):
            setattr(record, attname, now)
            return prepared

        return stamp
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return prepare
    if type(field).pre_save not in _PLAIN_PRE_SAVE:
        return prepare
    attname = field.attname
    prepared = {}

    def once(record):
        value = record.__dict__.get(attname, _ABSENT)
        if value is _ABSENT:
            return prepare(record)
        try:
            return prepared[type(value), value]
        except KeyError:
            result = prepared[type(value), value] = prepare(record)
            return result
        except TypeError:  # a value that cannot be a key (a list, a dict)
            return prepare(record)

    return once


_ABSENT = object()


def _update(model, records, now):
    if not records:
        return
    fields = [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name != "created_at"
    ]
    for record in records:
        record.updated_at = now  # auto_now, as save() sets it
    model._default_manager.bulk_update(records, fields, batch_size=500)


def _set_many(model, records_and_many):
    """Each record's many relations as the row gives them (a relation the file does
    not have is left as it is): the rows added in one INSERT per relation, those
    removed in one DELETE."""
    relations = {}
    for record, many in records_and_many:
        record._import_many = many
        for name, targets in many.items():
            relations.setdefault(name, []).append((record, {target.pk for target in targets}))
    for name, wanted in relations.items():
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        current = {}
        existing = [
            record.pk for record, _pks in wanted if not getattr(record, "_import_created", False)
        ]
        if existing:
            for pk, owner, other in through._default_manager.filter(
                **{f"{source}_id__in": existing}
            ).values_list("pk", f"{source}_id", f"{target}_id"):
                current.setdefault(owner, {})[other] = pk
        added, removed = [], []
        for record, pks in wanted:
            held = current.get(record.pk, {})
            removed += [pk for other, pk in held.items() if other not in pks]
            added += [
                through(**{f"{source}_id": record.pk, f"{target}_id": other})
                for other in sorted(pks)
                if other not in held
            ]
        if removed:
            through._default_manager.filter(pk__in=removed).delete()
        if added:
            through._default_manager.bulk_create(added)


def _history(model, new, changed, now, *, user, reason):
    """A version of each record as now stored, its reason and user those of the
    import, its many relations as they now stand."""
    history_model = model.history.model
    for records, history_type in ((new, "+"), (changed, "~")):
        for start in range(0, len(records), HISTORY_CHUNK):
            _copy_to_history(
                model,
                [record.pk for record in records[start : start + HISTORY_CHUNK]],
                history_type=history_type,
                when=now,
                user=user,
                reason=reason,
            )
    for field in history_model._history_m2m_fields:
        # A new record holds the rows of a relation only if the file wrote it.
        ids = [record.pk for record in changed] + [
            record.pk for record in new if field.name in record._import_many
        ]
        if not ids:
            continue
        through = field.remote_field.through
        source = field.m2m_field_name()
        # simple-history's model of the relation's rows in a version.
        m2m_history = history_model._meta.apps.get_model(
            history_model._meta.app_label, f"{history_model.__name__}_{field.name}"
        )
        versions = dict(
            history_model._default_manager.filter(
                history_date=now, **{f"{model._meta.pk.attname}__in": ids}
            ).values_list(model._meta.pk.attname, "history_id")
        )
        names = [f.attname for f in through._meta.concrete_fields]
        m2m_history._default_manager.bulk_create(
            [
                m2m_history(
                    history_id=versions[getattr(row, f"{source}_id")],
                    **{name: getattr(row, name) for name in names},
                )
                for row in through._default_manager.filter(**{f"{source}_id__in": ids}).order_by(
                    "pk"
                )
            ]
        )


# Records a statement copies to their history at most.
HISTORY_CHUNK = 2000


def _copy_to_history(model, ids, *, history_type, when, user, reason):
    """simple-history's version of each record (what its post_save writes), copied
    from the row as stored by one INSERT … SELECT rather than sent back row by row."""
    if not ids:
        return
    history_model = model.history.model
    quote = connection.ops.quote_name
    tracked = [field.column for field in history_model.tracked_fields]
    date_field = history_model._meta.get_field("history_date")
    meta = [
        (date_field.column, date_field.get_db_prep_value(when, connection)),
        (history_model._meta.get_field("history_type").column, history_type),
        (history_model._meta.get_field("history_user").column, user and user.pk),
        (history_model._meta.get_field("history_change_reason").column, reason),
    ]
    # Every column of the history is a tracked field, one of those four, or its key.
    filled = {*tracked, *(column for column, _value in meta), history_model._meta.pk.column}
    assert filled == {field.column for field in history_model._meta.concrete_fields}
    columns = [*tracked, *(column for column, _value in meta)]
    sql = (
        f"INSERT INTO {quote(history_model._meta.db_table)} "
        f"({', '.join(quote(column) for column in columns)}) "
        f"SELECT {', '.join(quote(column) for column in tracked)}, "
        f"{', '.join(['%s'] * len(meta))} "
        f"FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(ids))})"
    )
    params = [value for _column, value in meta]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])


def _raise_attached(missions):
    """As Mission.save(): a mission's meetings at least as restricted as it, and its
    follow-ups and theirs (followups.signals), for the missions changed."""
    from core.classification import raise_attached

    by_level = {}
    for mission in missions:
        by_level.setdefault(mission.classification, []).append(mission.pk)
    for level, ids in by_level.items():
        raise_attached(Meeting._default_manager.filter(mission_id__in=ids), level)
    _raise_followups(Mission, missions)
    meetings = {}
    for mission in missions:
        if mission.classification > 1:
            meetings.setdefault(mission.classification, []).append(mission.pk)
    for level, ids in meetings.items():
        _raise_followups_of(
            Meeting,
            list(Meeting._default_manager.filter(mission_id__in=ids).values_list("pk", flat=True)),
            level,
        )


def _raise_followups(model, records):
    """followups.signals on save: a record's follow-ups as restricted as it (records
    changed only: a new record has none)."""
    by_level = {}
    for record in records:
        if record.classification > 1:
            by_level.setdefault(record.classification, []).append(record.pk)
    for level, ids in by_level.items():
        _raise_followups_of(model, ids, level)


def _raise_followups_of(model, ids, level):
    if ids:
        from followups.signals import _raise_followups as raise_followups

        raise_followups(model, ids, level)
