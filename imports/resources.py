"""What each kind of record reads from a spreadsheet: its columns (headers in Japanese
or English, as the template and the list's own export write them), how a row finds the
record it updates, and the relations a row carries. Built on django-import-export's
ModelResource: every row is validated with full_clean() and saved with save(), so the
model rules, the services' signals (watch-list outcomes, engagements), history and
webhooks are those of the admin and the API."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export import widgets as ie_widgets
from import_export.results import RowResult

from agreements.choices import AgreementKind, AgreementStatus, Renewal
from agreements.models import Agreement
from agreements.services import agreement_save
from contacts.choices import OrganizationKind
from contacts.models import Organization, Person, Post
from core.folding import name_key, similarity, trigrams
from core.models import Sector, Tag
from core.regions import Region
from core.sectors import SectorCode
from core.tags import carries_tags, tags_named
from core.tags import split_names as split_tag_names
from imports import parsing
from imports import widgets as w
from imports.engine import existing_queryset
from imports.reading import header_key
from missions.choices import LeaderRank, MissionKind, MissionStatus
from missions.models import Meeting, Mission
from missions.services import mission_check_delegation
from projects.choices import (
    FigureKind,
    ParticipantRole,
    ProjectStatus,
    Scheme,
    Stage,
    WatchListOutcome,
)
from projects.models import OrderFigure, Project, ProjectParticipant, WatchList, WatchListEntry
from projects.services import watch_list_entry_listed_on_next

# The history's reason for a change an import made: "Import: <file name>".
IMPORT_REASON = "Import: {file_name}"
# Above this many records on file, new records are not compared with each of them.
SIMILARITY_LIMIT = 20_000


class Column(fields.Field):
    """A column of an import: its key (the header of the English template), its label
    (the model field's verbose name, in Japanese and English), whether a file must have
    it, and an example value for the template."""

    def __init__(
        self,
        key,
        widget,
        *,
        attribute=None,
        label=None,
        required=False,
        example="",
        aliases=(),
        choices=None,
    ):
        super().__init__(attribute=attribute, column_name=key, widget=widget)
        self.key = key
        self.label = label
        self.required = required
        self.example = example
        self.aliases = aliases
        self.choices = choices if choices is not None else getattr(widget, "choices", None)


class SectorsWidget(ie_widgets.ManyToManyWidget):
    """Sectors by code or label, separated by commas or 、."""

    def __init__(self, **kwargs):
        ie_widgets.Widget.__init__(self, **kwargs)
        self.choice = w.Choice(SectorCode.choices)
        self.choices = SectorCode.choices
        self.model, self.field, self.separator = Sector, "pk", ","
        self._sectors = None

    def clean(self, value, row=None, **kwargs):
        codes = []
        for item in parsing.split_list(value):
            code = self.choice.clean(item)
            if code not in codes:
                codes.append(code)
        if self._sectors is None:
            self._sectors = Sector.objects.in_bulk()
        return [self._sectors[code] for code in codes]


class TagsWidget(ie_widgets.ManyToManyWidget):
    """Tags by name, separated by commas (as the lists export them) or line breaks; a
    name no tag has yet is a new tag (tags are free, core.tags)."""

    def __init__(self, **kwargs):
        ie_widgets.Widget.__init__(self, **kwargs)
        self.model, self.field, self.separator = Tag, "name", ","

    def clean(self, value, row=None, **kwargs):
        if parsing.is_blank(value):
            return []
        names = split_tag_names(parsing.text(value))
        for name in names:
            try:
                # The rules of a tag's name (length, characters, no comma).
                Tag(name=name).clean_fields(exclude=["name_key"])
            except ValidationError as error:
                raise ValueError(f"{name}: {' '.join(error.messages)}") from None
        return tags_named(names)


def tags_column(label=None):
    return Column(
        "tags", TagsWidget(), attribute=None if label else "tags", label=label, example="港湾"
    )


class KindResource(resources.ModelResource):
    """One kind of record. Subclasses declare their Columns, `kind` (the list's name in
    /api/v1/), `sheet_names` and `natural_key(row values)`."""

    kind = ""
    sheet_names: tuple = ()
    ignored_columns: tuple = ()  # columns an export writes that an import does not read
    lookups: dict = {}  # lookup name: (model, name fields)

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        # No diff of every row (it renders each field, a query per relation): skip_row()
        # compares the row with the values the record had, kept by after_init_instance().
        skip_diff = True
        skip_html_diff = True
        store_instance = False

    # The models a row writes (the permissions to import are to add and change them).
    written_models: tuple = ()
    # Validate records without the queries full_clean() makes for check constraints
    # (imports.validation): set by the fast path (imports.bulk), which validates every
    # row before writing any.
    in_memory_checks = False

    @classmethod
    def bulk_importer(cls):
        """The kind's fast path (imports.bulk), or None: row by row only."""
        return None

    # The admin whose list has the import page (default: the resource's model's).
    admin_model = None

    def __init__(self, user=None, file_name="", progress=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.file_name = file_name
        self.progress = progress
        self._done = 0
        self._total = 0
        self.warnings: list[str] = []
        self._lookups = {}
        self._existing = None
        self._seen = {}

    @classmethod
    def models(cls):
        return (cls._meta.model, *cls.written_models)

    # -- the columns --------------------------------------------------------------

    @classmethod
    def columns(cls) -> list[Column]:
        return [field for field in cls.fields.values() if isinstance(field, Column)]

    @classmethod
    def column(cls, key) -> Column:
        return next(column for column in cls.columns() if column.key == key)

    def field_for(self, key) -> Column:
        by_key = self.__dict__.get("_field_by_key")
        if by_key is None:
            by_key = self._field_by_key = {}
            for field in self.fields.values():
                by_key.setdefault(field.column_name, field)
        return by_key[key]

    @classmethod
    def label(cls, key) -> str:
        column = cls.column(key)
        return str(column.label) if column.label else key

    @classmethod
    def _labels(cls, column):
        label = column.label
        if label is None and column.attribute:
            try:
                label = cls._meta.model._meta.get_field(column.attribute).verbose_name
            except Exception:
                label = None
        return label

    @classmethod
    def aliases(cls) -> dict[str, str]:
        """{header as compared: column key}: the key, the label in either language, a
        template's "ja / en" header, and the column's other names."""
        found = {}
        for column in cls.columns():
            names = [column.key, *column.aliases]
            label = cls._labels(column)
            if label is not None:
                for language in parsing.LANGUAGES:
                    with translation.override(language):
                        names.append(str(label))
                        names.append(f"{label}")
            for name in names:
                found.setdefault(header_key(name), column.key)
        # The template's headers: "日本語 / English".
        for column in cls.columns():
            label = cls._labels(column)
            if label is not None:
                found.setdefault(header_key(template_header(label)), column.key)
        return found

    @classmethod
    def ignored_aliases(cls) -> set[str]:
        found = set()
        for name in cls.ignored_columns:
            for language in parsing.LANGUAGES:
                with translation.override(language):
                    found.add(header_key(str(name)))
        return found

    @classmethod
    def required_keys(cls) -> list[str]:
        return [column.key for column in cls.columns() if column.required]

    @classmethod
    def sheet_keys(cls) -> list[str]:
        names = [cls.kind, *cls.sheet_names, cls._meta.model._meta.verbose_name_plural]
        found = []
        for name in names:
            for language in parsing.LANGUAGES:
                with translation.override(language):
                    found.append(header_key(str(name)))
        return found

    # -- records on file, read once -------------------------------------------------

    def lookup(self, name) -> w.Lookup:
        if name not in self._lookups:
            model, name_fields = self.lookups[name]
            self._lookups[name] = w.Lookup(
                existing_queryset(model, self.user).order_by("pk"), name_fields
            )
        return self._lookups[name]

    def existing(self) -> dict:
        """{natural key: record} of the records on file, read once."""
        if self._existing is None:
            self._existing = {}
            self.by_pk = {}
            for record in self.existing_records():
                self.by_pk[record.pk] = record
                self._existing.setdefault(self.key_of(record), record)
        return self._existing

    def existing_records(self):
        records = existing_queryset(self._meta.model, self.user).order_by("pk")
        # A row's tags are compared with the record's (skip_row), read once.
        return records.prefetch_related("tags") if carries_tags(self._meta.model) else records

    def key_of(self, record):
        raise NotImplementedError

    def key_of_row(self, row):
        """The natural key of a row (None: the row cannot name one, and its errors will
        say why)."""
        raise NotImplementedError

    def after_import_row(self, row, row_result, **kwargs):
        self._done += 1
        if self.progress is not None and self._done % 100 == 0:
            self.progress(self._done, self._total)

    def before_import(self, dataset, **kwargs):
        self._total = len(dataset)
        self._dataset = dataset
        for field in self.fields.values():
            if isinstance(field.widget, w.Record | w.Records):
                field.widget.lookup = self.lookup(field.widget.lookup_name)
        self.existing()

    # -- rows ------------------------------------------------------------------------

    def clean_value(self, row, key, default=None):
        """The parsed value of a column of the row (`default` if the file lacks it or
        the value is not readable: its own error is reported by the column)."""
        if key not in row:
            return default
        try:
            return self.field_for(key).clean(row)
        except ValueError:
            return default

    def get_instance(self, instance_loader, row):
        self.existing()
        row_id = parsing.text(row.get("id"))
        if row_id:
            record = self.by_pk.get(int(row_id)) if row_id.isdigit() else None
            if record is None:
                raise ValidationError(
                    {
                        "id": _("There is no %(kind)s with the id %(id)s.")
                        % {"kind": self._meta.model._meta.verbose_name, "id": row_id}
                    }
                )
            key = ("id", record.pk)
        else:
            key = self.key_of_row(row)
            record = self._existing.get(key) if key is not None else None
        if key is not None:
            first = self._seen.get(key)
            if first is not None:
                raise ValidationError(
                    {
                        NON_FIELD_ERRORS: _(
                            "This row is the same record as row %(row)s: a file gives each "
                            "record once."
                        )
                        % {"row": first}
                    }
                )
            self._seen[key] = row.get("__row__")
        if record is not None:
            # A copy: the row's changes must not reach the record read for the next row
            # until it is saved.
            return type(record)._default_manager.model.from_db(
                record._state.db,
                [f.attname for f in record._meta.concrete_fields],
                [getattr(record, f.attname) for f in record._meta.concrete_fields],
            )
        return None

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = IMPORT_REASON.format(file_name=self.file_name)
        if self.user is not None:
            instance._history_user = self.user

    def after_save_instance(self, instance, row, **kwargs):
        key = self.key_of(instance)
        self._existing[key] = instance
        self.by_pk[instance.pk] = instance
        for lookup in self._lookups.values():
            if lookup.model is type(instance):
                lookup.add(instance)

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # A file with any error imports nothing: every row in one transaction, rolled
        # back on a refused row as on an unexpected error.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("file_name", self.file_name)
        self.file_name = kwargs["file_name"] or self.file_name
        if self.user is None:
            self.user = kwargs.get("user")
        kwargs["user"] = self.user  # to the widgets, which look records up as the importer
        result = super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        # What the admin's preview and the API show: every error by spreadsheet row.
        from imports.engine import report_of

        result.import_report = report_of(result, dataset, self)
        return result

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Many-to-many columns are read when saved: read them now, so that a name not
        # on file is an error of its column like any other.
        for field in self.get_import_fields():
            if isinstance(field.widget, ie_widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [ValidationError(str(error))]
        if errors:
            raise ValidationError(errors)

    def after_init_instance(self, instance, new, row, **kwargs):
        self._original = None if new or instance.pk is None else self._values(instance)

    def clean_instance(self, instance, exclude=()):
        """instance.full_clean(exclude), in memory when in_memory_checks is set."""
        if self.in_memory_checks:
            from imports.validation import full_clean_in_memory

            full_clean_in_memory(instance, exclude=exclude)
        else:
            instance.full_clean(exclude=exclude)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # django-import-export's, through clean_instance().
        errors = dict(import_validation_errors or {})
        try:
            self.clean_instance(instance, exclude=errors.keys())
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _values(self, instance):
        values = {}
        for field in self.get_import_fields():
            model_field = self._meta.model._meta.get_field(field.attribute)
            if not model_field.many_to_many:
                values[field.attribute] = getattr(instance, model_field.attname)
        return values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Whether the row leaves its record as it is (then it is not saved): its
        columns' values, and its many relations as the record on file holds them
        (read with it, once for the file)."""
        if import_validation_errors or self._original is None or instance.pk is None:
            return False
        if self._values(instance) != self._original:
            return False
        on_file = self.by_pk.get(instance.pk)
        for field in self.get_import_fields():
            if not isinstance(field.widget, ie_widgets.ManyToManyWidget):
                continue
            if field.column_name not in row:
                continue
            wanted = {record.pk for record in field.clean(row)}
            current = {record.pk for record in getattr(on_file or instance, field.attribute).all()}
            if wanted != current:
                return False
        return True

    def get_import_fields(self):
        # The columns that are not an attribute of the record (a person's post, a
        # project's participants, a mission's meeting) are read by the kind itself.
        return [field for field in super().get_import_fields() if field.attribute]

    def _check_import_id_fields(self, headers):
        # get_instance() finds the record: by its id column when the file has one,
        # otherwise by the kind's natural key.
        return

    # -- likely duplicates --------------------------------------------------------------

    def warn_similar(self, instance, row, scope=lambda record: True):
        """A new person or organisation whose name is nearly one on file: a warning
        naming it (the admin's and the API's duplicate check, contacts.services, would
        ask to confirm; a file cannot, so the import says so and goes on)."""
        if instance.pk is not None or len(self.by_pk) > SIMILARITY_LIMIT:
            return
        names = [trigrams(name_key(n)) for n in (instance.name, instance.name_ja) if n]
        for record in self.by_pk.values():
            if record is instance or not scope(record):
                continue
            theirs = [trigrams(name_key(n)) for n in (record.name, record.name_ja) if n]
            if any(similarity(a, b) >= 0.3 for a in names for b in theirs):
                self.warnings.append(
                    _(
                        "Row %(row)s: “%(name)s” is new, but resembles “%(other)s” (id %(id)s) on file."
                    )
                    % {
                        "row": row.get("__row__"),
                        "name": instance,
                        "other": record,
                        "id": record.pk,
                    }
                )
                return


def template_header(label) -> str:
    """A template's header: the Japanese label, then the English one."""
    with translation.override("ja"):
        japanese = str(label)
    with translation.override("en"):
        english = str(label)
    return japanese if japanese == english else f"{japanese} / {english}"


# -- contacts ----------------------------------------------------------------------------


class OrganizationResource(KindResource):
    kind = "organizations"
    sheet_names = ("組織",)
    lookups = {"organizations": (Organization, ("name", "name_ja"))}

    id = Column("id", w.Text(), label=gettext_lazy("id"))
    name = Column(
        "name", w.Text(), attribute="name", required=True, example="Ministry of Roads and Highways"
    )
    name_ja = Column("name_ja", w.Text(), attribute="name_ja", example="道路・幹線道路省")
    kind_ = Column(
        "kind",
        w.Choice(OrganizationKind.choices),
        attribute="kind",
        required=True,
        example=OrganizationKind.FOREIGN_GOVERNMENT,
    )
    country = Column("country", w.Country(), attribute="country", required=True, example="GH")
    parent = Column(
        "parent", w.Record("organizations", country_column="country"), attribute="parent"
    )
    website = Column("website", w.Text(), attribute="website")
    notes = Column("notes", w.Text(), attribute="notes")
    tags = tags_column()

    class Meta(KindResource.Meta):
        model = Organization
        fields = (
            "id",
            "name",
            "name_ja",
            "kind_",
            "country",
            "parent",
            "website",
            "notes",
            "tags",
        )
        import_id_fields = ("id",)

    def key_of(self, record):
        return (name_key(record.name), str(record.country))

    def key_of_row(self, row):
        name, country = self.clean_value(row, "name", ""), self.clean_value(row, "country", "")
        return (name_key(name), country) if name and country else None

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        self.warn_similar(instance, row, scope=lambda record: record.country == instance.country)


class PersonResource(KindResource):
    """People, each row with one of their posts (optional): a person with several
    posts takes a row per post."""

    kind = "people"
    sheet_names = ("人物",)
    ignored_columns = (gettext_lazy("current posts"),)
    lookups = {"organizations": (Organization, ("name", "name_ja"))}

    id = Column("id", w.Text(), label=gettext_lazy("id"))
    name = Column("name", w.Text(), attribute="name", required=True, example="Kwasi Amoako-Attah")
    name_ja = Column("name_ja", w.Text(), attribute="name_ja", example="クワシ・アモアコ＝アタ")
    email = Column("email", w.Text(), attribute="email")
    phone = Column("phone", w.Text(), attribute="phone")
    notes = Column("notes", w.Text(), attribute="notes")
    post_organization = Column(
        "post_organization",
        w.Record("organizations"),
        label=gettext_lazy("post: organisation"),
        example="Ministry of Roads and Highways",
    )
    post_title = Column(
        "post_title", w.Text(), label=gettext_lazy("post: title (English)"), example="Minister"
    )
    post_title_ja = Column(
        "post_title_ja", w.Text(), label=gettext_lazy("post: title (Japanese)"), example="大臣"
    )
    post_start_date = Column(
        "post_start_date", w.Date(), label=gettext_lazy("post: start date"), example="2017-01-10"
    )
    post_end_date = Column("post_end_date", w.Date(), label=gettext_lazy("post: end date"))

    written_models = (Post,)

    POST_COLUMNS = {
        "post_organization": "organization",
        "post_title": "title",
        "post_title_ja": "title_ja",
        "post_start_date": "start_date",
        "post_end_date": "end_date",
    }

    class Meta(KindResource.Meta):
        model = Person
        fields = (
            "id",
            "name",
            "name_ja",
            "email",
            "phone",
            "notes",
            "post_organization",
            "post_title",
            "post_title_ja",
            "post_start_date",
            "post_end_date",
        )
        import_id_fields = ("id",)

    def existing_records(self):
        return super().existing_records().prefetch_related("posts")

    def existing(self):
        if self._existing is None:
            super().existing()
            self.by_name = {}
            self.posts = {}
            for record in self.by_pk.values():
                self.by_name.setdefault(name_key(record.name), []).append(record)
                self.posts[record.pk] = list(record.posts.all())
        return self._existing

    def key_of(self, record):
        return ("pk", record.pk)

    def key_of_row(self, row):
        """The person is the one of this name on file (as names compare); among several
        of one name, the one with a post in the row's organisation."""
        name = self.clean_value(row, "name", "")
        if not name:
            return None
        found = self.by_name.get(name_key(name), [])
        organization = self.clean_value(row, "post_organization")
        if len(found) > 1 and organization is not None:
            found = [
                person
                for person in found
                if any(p.organization_id == organization.pk for p in self.posts.get(person.pk, []))
            ] or found
        if len(found) > 1:
            raise ValidationError(
                {
                    "name": _(
                        "Several people are named “%(name)s” (ids %(ids)s): give the id, or "
                        "the organisation of their post."
                    )
                    % {"name": name, "ids": ", ".join(str(p.pk) for p in found)}
                }
            )
        return ("pk", found[0].pk) if found else ("new", name_key(name))

    def get_instance(self, instance_loader, row):
        # A person may take several rows (one per post): the same person again is not a
        # duplicate, the same post again is.
        self.existing()
        key = self.key_of_row(row) if not parsing.text(row.get("id")) else None
        post_key = (
            key,
            *(parsing.text(row.get(c)) for c in ("post_organization", "post_start_date")),
        )
        first = self._seen.get(post_key)
        if first is not None:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "This row is the same record as row %(row)s: a file gives each record once."
                    )
                    % {"row": first}
                }
            )
        self._seen[post_key] = row.get("__row__")
        if key is not None and key[0] == "new" and key in self._existing:
            return self._existing[key]
        saved_seen, self._seen = self._seen, {}
        try:
            return super().get_instance(instance_loader, row)
        finally:
            self._seen = saved_seen

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        name = name_key(instance.name)
        self._existing[("new", name)] = instance
        if instance not in self.by_name.setdefault(name, []):
            self.by_name[name].append(instance)
        post = getattr(instance, "_import_post", None)
        if post is not None and self._post_changed(instance, post):
            post.person = instance
            post._change_reason = IMPORT_REASON.format(file_name=self.file_name)
            if self.user is not None:
                post._history_user = self.user
            post.save()
            self.posts.setdefault(instance.pk, []).append(post)

    def _row_post(self, instance, row):
        """The post the row gives (None: none), as the Post on file it updates or a
        new one, with its errors by column."""
        given = {key: row.get(key) for key in self.POST_COLUMNS if key in row}
        if all(parsing.is_blank(value) for value in given.values()):
            return None, {}
        values, errors = {}, {}
        for key, attribute in self.POST_COLUMNS.items():
            if key not in row:
                continue
            try:
                values[attribute] = self.field_for(key).clean(row)
            except ValueError as error:
                errors[key] = [str(error)]
        organization, start = values.get("organization"), values.get("start_date")
        existing = None
        if instance.pk is not None and organization is not None:
            candidates = [
                p for p in self.posts.get(instance.pk, []) if p.organization_id == organization.pk
            ]
            existing = next((p for p in candidates if p.start_date == start), None) or (
                candidates[0] if len(candidates) == 1 and start is None else None
            )
        post = (
            Post.objects.model.from_db(
                existing._state.db,
                [f.attname for f in Post._meta.concrete_fields],
                [getattr(existing, f.attname) for f in Post._meta.concrete_fields],
            )
            if existing
            else Post()
        )
        post._original = existing
        for attribute, value in values.items():
            if value is None and attribute != "end_date":
                continue
            setattr(
                post,
                attribute,
                "" if value is None and attribute in ("title", "title_ja") else value,
            )
        return post, errors

    def _post_changed(self, instance, post):
        original = post._original
        if original is None:
            return True
        return any(
            getattr(original, f.attname) != getattr(post, f.attname)
            for f in Post._meta.concrete_fields
            if f.name not in ("created_at", "updated_at", "id")
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        post, post_errors = self._row_post(instance, self._row)
        if post is not None and not post_errors:
            try:
                post.full_clean(exclude=["person"])
            except ValidationError as error:
                for attribute, messages in error.message_dict.items():
                    key = next(
                        (k for k, a in self.POST_COLUMNS.items() if a == attribute),
                        NON_FIELD_ERRORS,
                    )
                    post_errors.setdefault(key, []).extend(messages)
        errors.update(
            {key: [ValidationError(m) for m in messages] for key, messages in post_errors.items()}
        )
        if errors:
            raise ValidationError(errors)
        instance._import_post = post

    def import_instance(self, instance, row, **kwargs):
        self._row = row
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The post's columns are not the person's: validate_instance() reads them.
        for key in self.POST_COLUMNS:
            errors.pop(key, None)
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in self.POST_COLUMNS or field.column_name == "id":
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        post, errors = self._row_post(instance, row)
        return not errors and (post is None or not self._post_changed(instance, post))

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        self.warn_similar(instance, row)


# -- projects ----------------------------------------------------------------------------


class ParticipantsWidget(ie_widgets.Widget):
    """ "Organisation (role), organisation (role)" as the list of projects prints them:
    each role closes an organisation's name, which may itself hold commas."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.roles = w.Choice(ParticipantRole.choices)
        self.lookup = None
        self.lookup_name = "organizations"

    def clean(self, value, row=None, **kwargs):
        if parsing.is_blank(value):
            return []
        raw = parsing.text(value)
        found, start = [], 0
        import re

        for match in re.finditer(r"[(（]([^()（）]+)[)）]", raw):
            try:
                role = self.roles.clean(match.group(1))
            except ValueError:
                continue  # a parenthesis inside a name: "Japan ... Agency (JICA)"
            name = raw[start : match.start()].strip(" ,;、，；\n")
            if name:
                found.append((self.lookup.find(name), role))
            start = match.end()
        if raw[start:].strip(" ,;、，；\n"):
            raise ValueError(
                _(
                    "Give each participant as “organisation (role)”, e.g. “JICA (Lender)”; roles: %(roles)s."
                )
                % {"roles": self.roles.allowed()}
            )
        return list(dict.fromkeys((org.pk, role) for org, role in found))


class ProjectResource(KindResource):
    kind = "projects"
    sheet_names = ("案件", "プロジェクト")
    ignored_columns = (gettext_lazy("region"),)
    lookups = {"organizations": (Organization, ("name", "name_ja"))}

    id = Column("id", w.Text(), label=gettext_lazy("id"))
    name = Column(
        "name", w.Text(), attribute="name", required=True, example="Tema Motorway Interchange"
    )
    name_ja = Column(
        "name_ja", w.Text(), attribute="name_ja", example="テマ・モーターウェイ・インターチェンジ"
    )
    country = Column("country", w.Country(), attribute="country", required=True, example="GH")
    other_countries = Column("other_countries", w.Countries(), attribute="other_countries")
    sector = Column(
        "sector", w.Choice(SectorCode.choices), attribute="sector", required=True, example="road"
    )
    stage = Column(
        "stage", w.Choice(Stage.choices), attribute="stage", required=True, example="construction"
    )
    status = Column(
        "status",
        w.Choice(ProjectStatus.choices, default=ProjectStatus.ACTIVE),
        attribute="status",
        example="active",
    )
    scheme = Column("scheme", w.Choice(Scheme.choices), attribute="scheme", example="grant_aid")
    estimated_cost_jpy = Column(
        "estimated_cost_jpy",
        w.Integer(amount=True),
        attribute="estimated_cost_jpy",
        example="50億円",
    )
    owner = Column(
        "owner",
        w.Record("organizations", country_column="country"),
        attribute="owner",
        example="Ministry of Roads and Highways",
    )
    written_models = (ProjectParticipant,)

    participants = Column(
        "participants",
        ParticipantsWidget(),
        label=Project._meta.get_field("participants").verbose_name,
    )
    tender_due_on = Column("tender_due_on", w.Date(), attribute="tender_due_on")
    awarded_on = Column("awarded_on", w.Date(), attribute="awarded_on")
    awarded_to = Column("awarded_to", w.Record("organizations"), attribute="awarded_to")
    description = Column("description", w.Text(), attribute="description")
    tags = tags_column()

    class Meta(KindResource.Meta):
        model = Project
        fields = (
            "id",
            "name",
            "name_ja",
            "country",
            "other_countries",
            "sector",
            "stage",
            "status",
            "scheme",
            "estimated_cost_jpy",
            "owner",
            "participants",
            "tender_due_on",
            "awarded_on",
            "awarded_to",
            "description",
            "tags",
        )
        import_id_fields = ("id",)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.fields["participants"].widget.lookup = self.lookup("organizations")
        self.participations = {}
        for pk, project_id, organization_id, role in (
            ProjectParticipant.objects.filter(project__in=existing_queryset(Project, self.user))
            .order_by("pk")
            .values_list("pk", "project_id", "organization_id", "role")
        ):
            self.participations.setdefault(project_id, {})[(organization_id, role)] = pk

    def key_of(self, record):
        return (name_key(record.name), str(record.country))

    def key_of_row(self, row):
        name, country = self.clean_value(row, "name", ""), self.clean_value(row, "country", "")
        return (name_key(name), country) if name and country else None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in ("participants", "id"):
            return  # participants: import_instance() reads them
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        instance._import_participants = None
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "participants" in row:
            try:
                instance._import_participants = self.fields["participants"].clean(row)
            except ValueError as error:
                errors["participants"] = [ValidationError(str(error))]
        if errors:
            raise ValidationError(errors)

    def _participants_changed(self, instance):
        wanted = instance.__dict__.get("_import_participants")
        if wanted is None:
            return False
        return set(wanted) != set(self.participations.get(instance.pk, {}))

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return super().skip_row(instance, original, row, import_validation_errors) and not (
            self._participants_changed(instance)
        )

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        wanted = instance.__dict__.get("_import_participants")
        if wanted is None:
            return
        current = self.participations.setdefault(instance.pk, {})
        reason = IMPORT_REASON.format(file_name=self.file_name)
        for (organization_id, role), pk in list(current.items()):
            if (organization_id, role) not in wanted:
                participant = ProjectParticipant.objects.get(pk=pk)
                participant._change_reason = reason
                participant._history_user = self.user
                participant.delete()
                del current[(organization_id, role)]
        for organization_id, role in wanted:
            if (organization_id, role) in current:
                continue
            participant = ProjectParticipant(
                project=instance, organization_id=organization_id, role=role
            )
            participant.full_clean()
            participant._change_reason = reason
            if self.user is not None:
                participant._history_user = self.user
            participant.save()
            current[(organization_id, role)] = participant.pk


# -- missions and their meetings ----------------------------------------------------------


class MissionResource(KindResource):
    """Missions with their meetings, one row per meeting: rows with the same mission key
    (or, without that column, the same title and start date) are one mission. The
    mission's columns may be repeated on each row or given once, on its first; a row
    without a meeting's date and country is the mission alone (the list of missions
    exported). A mission is found on file by its id or by its title and start date; a
    meeting within its mission by its date, country and official, in the file's order."""

    kind = "missions"
    sheet_names = ("ミッション", "トップセールス")
    ignored_columns = ()
    lookups = {
        "people": (Person, ("name", "name_ja")),
        "organizations": (Organization, ("name", "name_ja")),
        "projects": (Project, ("name", "name_ja")),
    }
    written_models = ()

    id = Column("id", w.Text(), label=gettext_lazy("id"))
    mission_key = Column(
        "mission_key", w.Text(), label=gettext_lazy("mission key"), example="2019-TICAD7"
    )
    title = Column("title", w.Text(), attribute="title", required=True, example="TICAD7")
    title_ja = Column("title_ja", w.Text(), attribute="title_ja", example="第7回アフリカ開発会議")
    leader = Column(
        "leader", w.Record("people"), attribute="leader", required=True, example="Keiichi Ishii"
    )
    leader_rank = Column(
        "leader_rank",
        w.Choice(LeaderRank.choices),
        attribute="leader_rank",
        required=True,
        example="minister",
    )
    kind_ = Column(
        "kind",
        w.Choice(MissionKind.choices),
        attribute="kind",
        required=True,
        example="hosted_meeting",
    )
    start_date = Column(
        "start_date", w.Date(), attribute="start_date", required=True, example="2019-08-28"
    )
    end_date = Column(
        "end_date", w.Date(), attribute="end_date", required=True, example="2019-08-30"
    )
    status = Column(
        "status",
        w.Choice(MissionStatus.choices, default=MissionStatus.PLANNED),
        attribute="status",
        example="completed",
    )
    sectors = Column("sectors", SectorsWidget(), attribute="sectors", example="道路、港湾")
    delegation = Column("delegation", w.Records("organizations"), attribute="delegation")
    purpose = Column("purpose", w.Text(), attribute="purpose")
    summary = Column("summary", w.Text(), attribute="summary")
    tags = tags_column()
    date = Column(
        "date", w.Date(), label=Meeting._meta.get_field("date").verbose_name, example="2019-08-28"
    )
    counterpart_country = Column(
        "counterpart_country",
        w.Country(),
        label=Meeting._meta.get_field("counterpart_country").verbose_name,
        example="GH",
    )
    principal = Column(
        "principal", w.Record("people"), label=Meeting._meta.get_field("principal").verbose_name
    )
    principal_rank = Column(
        "principal_rank",
        w.Choice(LeaderRank.choices),
        label=Meeting._meta.get_field("principal_rank").verbose_name,
    )
    venue_city = Column(
        "venue_city",
        w.Text(),
        label=Meeting._meta.get_field("venue_city").verbose_name,
        example="Yokohama",
    )
    venue_country = Column(
        "venue_country",
        w.Country(),
        label=Meeting._meta.get_field("venue_country").verbose_name,
        example="JP",
    )
    counterparts = Column(
        "counterparts",
        w.Records("people"),
        label=Meeting._meta.get_field("counterparts").verbose_name,
    )
    counterpart_organizations = Column(
        "counterpart_organizations",
        w.Records("organizations", country_column="counterpart_country"),
        label=Meeting._meta.get_field("counterpart_organizations").verbose_name,
    )
    projects = Column(
        "projects", w.Records("projects"), label=Meeting._meta.get_field("projects").verbose_name
    )
    topics = Column("topics", w.Text(), label=Meeting._meta.get_field("topics").verbose_name)
    outcome = Column("outcome", w.Text(), label=Meeting._meta.get_field("outcome").verbose_name)

    MISSION_KEYS = (
        "title",
        "title_ja",
        "leader",
        "leader_rank",
        "kind",
        "start_date",
        "end_date",
        "status",
        "sectors",
        "delegation",
        "purpose",
        "summary",
        "tags",
    )
    MEETING_KEYS = (
        "date",
        "counterpart_country",
        "principal",
        "principal_rank",
        "venue_city",
        "venue_country",
        "counterparts",
        "counterpart_organizations",
        "projects",
        "topics",
        "outcome",
    )
    MEETING_M2M = ("counterparts", "counterpart_organizations", "projects")

    @classmethod
    def bulk_importer(cls):
        from imports.bulk import import_missions

        return import_missions

    class Meta(KindResource.Meta):
        model = Mission
        fields = (
            "id",
            "mission_key",
            "title",
            "title_ja",
            "leader",
            "leader_rank",
            "kind_",
            "start_date",
            "end_date",
            "status",
            "sectors",
            "delegation",
            "purpose",
            "summary",
            "tags",
            "date",
            "counterpart_country",
            "principal",
            "principal_rank",
            "venue_city",
            "venue_country",
            "counterparts",
            "counterpart_organizations",
            "projects",
            "topics",
            "outcome",
        )
        import_id_fields = ("id",)

    @classmethod
    def models(cls):
        return (Mission, Meeting)

    def existing_records(self):
        """Only the missions the file may name (by id, or starting on one of its start
        dates): a year of missions is not compared with every mission on file."""
        records = super().existing_records().prefetch_related("sectors", "delegation")
        dataset = getattr(self, "_dataset", None)
        if dataset is None:
            return records
        ids, days = set(), set()
        for values in dataset.dict:
            row_id = parsing.text(values.get("id"))
            if row_id.isdigit():
                ids.add(int(row_id))
            try:
                day = parsing.parse_date(values.get("start_date"))
            except ValueError:
                day = None
            if day is not None:
                days.add(day)
        return records.filter(Q(pk__in=ids) | Q(start_date__in=days))

    def key_of(self, record):
        return (name_key(record.title), record.start_date)

    def group_of_row(self, row):
        key = parsing.text(row.get("mission_key"))
        if key:
            return ("key", name_key(key))
        row_id = parsing.text(row.get("id"))
        if row_id:
            return ("id", row_id)
        return (
            "title",
            name_key(self.clean_value(row, "title", "")),
            self.clean_value(row, "start_date"),
        )

    def key_of_row(self, row):
        title, start = self.clean_value(row, "title", ""), self.clean_value(row, "start_date")
        return (name_key(title), start) if title and start else None

    # -- the rows of one mission ---------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._groups = {}  # group: (first row number, the mission once saved)
        self._conflicts = {}  # dataset index: message
        self._meeting_queue = {}  # mission pk: existing meetings not matched yet
        self._fill_groups(dataset)
        # Each mission's leader and rank as on file before the import: the meetings its
        # leader held follow a change of leader (missions.signals), and so are matched.
        self._leaders_on_file = {
            pk: (record.leader_id, record.leader_rank)
            for pk, record in self.by_pk.items()
            if isinstance(record, Mission)
        }
        self.meetings = {}
        missions = [record.pk for record in self.by_pk.values()]
        for meeting in (
            Meeting.objects.filter(mission_id__in=missions)
            .prefetch_related(
                *self.MEETING_M2M,
                # What Meeting.clean() checks a meeting that changes against.
                Prefetch(
                    "agreements_signed",
                    queryset=Agreement.objects.only(
                        "title",
                        "title_ja",
                        "counterpart_country",
                        "signed_on",
                        "signed_at_meeting",
                    ),
                ),
            )
            .order_by("date", "pk")
        ):
            self.meetings.setdefault(meeting.mission_id, []).append(meeting)

    def _fill_groups(self, dataset):
        """The mission's columns left blank on its later rows take the first row's
        values; a later row that gives another value is an error of that row."""
        headers = dataset.headers
        present = [key for key in self.MISSION_KEYS if key in headers]
        if not present:
            return
        first_of = {}
        for index, values in enumerate(list(dataset)):
            row = dict(zip(headers, values, strict=True))
            group = self.group_of_row(row)
            if group not in first_of:
                first_of[group] = (row, row.get("__row__"))
                continue
            first, first_number = first_of[group]
            changed = False
            values = list(values)
            for key in present:
                position = headers.index(key)
                mine, theirs = parsing.text(values[position]), parsing.text(first.get(key))
                if not mine and theirs:
                    values[position] = first.get(key)
                    changed = True
                elif mine and theirs and mine != theirs:
                    self._conflicts[index + 1] = {
                        key: _(
                            "This row's mission (row %(row)s) has “%(value)s” here: give the "
                            "mission's columns the same on each of its rows, or leave them blank."
                        )
                        % {"row": first_number, "value": theirs}
                    }
            if changed:
                dataset[index] = tuple(values)

    def import_row(self, row, instance_loader, **kwargs):
        self._row_number = kwargs.get("row_number")
        return super().import_row(row, instance_loader, **kwargs)

    def get_instance(self, instance_loader, row):
        conflict = self._conflicts.get(self._row_number)
        if conflict:
            raise ValidationError(conflict)
        group = self.group_of_row(row)
        known = self._groups.get(group)
        if known is not None and known[1] is not None:
            record = known[1]
            return self._copy(record)
        if known is not None:
            # The mission's first row was refused: so are its meetings' rows.
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _("The mission of this row is refused at row %(row)s.")
                    % {"row": known[0]}
                }
            )
        saved_seen, self._seen = self._seen, {}
        try:
            record = super().get_instance(instance_loader, row)
        finally:
            self._seen = saved_seen
        # The mission on file is the one of the group's later rows, saved or not.
        self._groups[group] = (row.get("__row__"), record and self.by_pk.get(record.pk))
        return record

    @staticmethod
    def _copy(record):
        copy = type(record).from_db(
            record._state.db,
            [f.attname for f in record._meta.concrete_fields],
            [getattr(record, f.attname) for f in record._meta.concrete_fields],
        )
        if isinstance(record, Mission):
            # The status the record has on file, which Mission.clean() compares with.
            copy._status_on_file = record.status
        return copy

    def get_or_init_instance(self, instance_loader, row):
        instance = self.get_instance(instance_loader, row)
        if instance is not None:
            return instance, False
        return self.init_instance(row), True

    # -- the meeting of a row --------------------------------------------------------------

    def _has_meeting(self, row):
        return any(not parsing.is_blank(row.get(key)) for key in ("date", "counterpart_country"))

    def _row_meeting(self, mission, row):
        """The row's meeting (the one on file it updates, or a new one), its many
        relations, and its errors by column."""
        values, errors = {}, {}
        for key in self.MEETING_KEYS:
            if key not in row:
                continue
            try:
                values[key] = self.field_for(key).clean(row)
            except ValueError as error:
                errors[key] = [str(error)]
        principal = (
            values.get("principal") or mission.leader
            if mission.leader_id
            else values.get("principal")
        )
        match = (
            values.get("date"),
            values.get("counterpart_country"),
            getattr(principal, "pk", None),
        )
        existing = None
        if mission.pk is not None:
            queue = self._meeting_queue.setdefault(
                mission.pk, list(self.meetings.get(mission.pk, []))
            )
            leader_on_file = self._leaders_on_file.get(mission.pk)

            def principal_of(candidate):
                # A meeting held by the leader on file follows the mission's leader.
                if (candidate.principal_id, candidate.principal_rank) == leader_on_file:
                    return mission.leader_id
                return candidate.principal_id

            # The meeting held by the row's principal; else one that follows a new leader.
            for principal in (lambda c: c.principal_id, principal_of):
                existing = next(
                    (
                        candidate
                        for candidate in queue
                        if (
                            candidate.date,
                            str(candidate.counterpart_country),
                            principal(candidate),
                        )
                        == match
                    ),
                    None,
                )
                if existing is not None:
                    break
        meeting = self._copy(existing) if existing else Meeting()
        meeting._original = existing
        if existing is not None and "agreements_signed" in getattr(
            existing, "_prefetched_objects_cache", {}
        ):
            meeting._agreements_on_file = list(existing.agreements_signed.all())
        meeting.mission = mission
        many = {}
        for key, value in values.items():
            if key in self.MEETING_M2M:
                many[key] = value
            elif key in ("principal",):
                meeting.principal = value if value is not None else mission.leader
            else:
                setattr(meeting, key, "" if value is None and key not in ("date",) else value)
        if "principal" not in values and meeting.principal_id is None and mission.leader_id:
            meeting.principal = mission.leader
        meeting._many = many
        # Blank: the leader, at the leader's rank (as save() would fill it), so that the
        # row compares with the meeting on file as it will be stored.
        meeting.fill_principal()
        return meeting, errors

    def _meeting_changed(self, meeting):
        original = meeting._original
        if original is None:
            return True
        for field in Meeting._meta.concrete_fields:
            if field.name in ("id", "created_at", "updated_at"):
                continue
            if str(getattr(original, field.attname) or "") != str(
                getattr(meeting, field.attname) or ""
            ):
                return True
        for key, records in meeting._many.items():
            if {r.pk for r in records} != {r.pk for r in getattr(original, key).all()}:
                return True
        return False

    def import_instance(self, instance, row, **kwargs):
        self._row = row
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for key in self.MEETING_KEYS:
            errors.pop(key, None)
        instance._import_meeting, self._meeting_errors = None, {}
        if self._has_meeting(row):
            instance._import_meeting, self._meeting_errors = self._row_meeting(instance, row)
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in self.MEETING_KEYS or field.column_name in ("id", "mission_key"):
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        row = self._row
        if "delegation" in row and "delegation" not in errors:
            try:
                mission_check_delegation(self.field_for("delegation").clean(row))
            except (ValidationError, ValueError) as error:
                if isinstance(error, ValidationError):
                    errors = error.update_error_dict(errors)
        meeting = getattr(instance, "_import_meeting", None)
        if meeting is not None:
            meeting_errors = self.meeting_errors(
                meeting, self._meeting_errors, mission_valid=not errors
            )
            for key, messages in meeting_errors.items():
                errors.setdefault(key, []).extend(ValidationError(m) for m in messages)
        if errors:
            raise ValidationError(errors)

    def meeting_errors(self, meeting, column_errors, *, mission_valid=True) -> dict:
        """The errors of a row's meeting by column: its columns' own (`column_errors`,
        of _row_meeting()), else, when its mission has none, those of full_clean()."""
        errors = dict(column_errors)
        if not errors and mission_valid:
            try:
                self.clean_instance(meeting, exclude=["mission"])
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(
                        name if name in self.MEETING_KEYS else NON_FIELD_ERRORS, []
                    ).extend(messages)
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None):
        self._mission_changed = instance.pk is None or not super().skip_row(
            instance, original, row, import_validation_errors
        )
        meeting = getattr(instance, "_import_meeting", None)
        self._meeting_is_new = meeting is not None and meeting._original is None
        self._meeting_dirty = meeting is not None and self._meeting_changed(meeting)
        # A meeting's cell that cannot be read is an error of the row, even when what
        # could be read matches the meeting on file: validate_instance() reports it.
        return not (self._mission_changed or self._meeting_dirty or self._meeting_errors)

    def do_instance_save(self, instance, is_create):
        if self._mission_changed:
            super().do_instance_save(instance, is_create)

    def save_m2m(self, instance, row, **kwargs):
        if self._mission_changed:
            super().save_m2m(instance, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        group = self.group_of_row(row)
        first = self._groups.get(group, (row.get("__row__"), None))[0]
        self._groups[group] = (first, instance)
        super().after_save_instance(instance, row, **kwargs)
        meeting = getattr(instance, "_import_meeting", None)
        if meeting is None or not self._meeting_dirty:
            return
        meeting.mission = instance
        meeting._change_reason = IMPORT_REASON.format(file_name=self.file_name)
        if self.user is not None:
            meeting._history_user = self.user
        meeting.save()
        for key, records in meeting._many.items():
            getattr(meeting, key).set(records)
        if meeting._original is not None:
            self._meeting_queue[instance.pk].remove(meeting._original)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if row_result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE) and (
            getattr(self, "_meeting_is_new", False)
        ):
            # A row is a meeting: a new meeting of a mission on file is new.
            row_result.import_type = RowResult.IMPORT_TYPE_NEW
        elif row_result.import_type == RowResult.IMPORT_TYPE_NEW and not self._mission_changed:
            row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
        self._meeting_is_new = False


class MeetingResource(MissionResource):
    """The list of meetings as exported: each row's mission named by its title, among
    the missions on file (the one whose dates hold the meeting's, among several)."""

    kind = "meetings"
    sheet_names = ("会談",)
    admin_model = Meeting
    mission = Column(
        "mission", w.Record("missions"), label=Meeting._meta.get_field("mission").verbose_name
    )
    lookups = {**MissionResource.lookups, "missions": (Mission, ("title", "title_ja"))}
    # The list of meetings exports the meetings' own tags.
    tags = tags_column(label=Meeting._meta.get_field("tags").verbose_name)
    MISSION_KEYS = tuple(key for key in MissionResource.MISSION_KEYS if key != "tags")
    MEETING_KEYS = (*MissionResource.MEETING_KEYS, "tags")
    MEETING_M2M = (*MissionResource.MEETING_M2M, "tags")

    class Meta(MissionResource.Meta):
        fields = (*MissionResource.Meta.fields, "mission")

    @classmethod
    def bulk_importer(cls):
        return None

    @classmethod
    def required_keys(cls):
        return ["mission", "date", "counterpart_country"]

    def group_of_row(self, row):
        return ("mission", parsing.text(row.get("mission")), self.clean_value(row, "date"))

    def _fill_groups(self, dataset):
        return

    def existing_records(self):
        # The missions the file names, as its mission column reads.
        lookup = self.lookup("missions")
        ids = {
            record.pk
            for values in self._dataset.dict
            for record in lookup.candidates(parsing.text(values.get("mission")))
        }
        return KindResource.existing_records(self).filter(pk__in=ids)

    def get_instance(self, instance_loader, row):
        lookup = self.lookup("missions")
        day = self.clean_value(row, "date")
        try:
            mission = lookup.find(
                row.get("mission"), prefer=lambda record: day is not None and record.covers(day)
            )
        except ValueError as error:
            raise ValidationError({"mission": str(error)}) from None
        return self._copy(self.by_pk.get(mission.pk, mission))

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "mission":
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)


# -- order figures --------------------------------------------------------------------------


class OrderFigureResource(KindResource):
    kind = "order-figures"
    sheet_names = ("受注実績",)

    id = Column("id", w.Text(), label=gettext_lazy("id"))
    year = Column("year", w.Integer(), attribute="year", required=True, example="2017")
    kind_ = Column(
        "kind", w.Choice(FigureKind.choices), attribute="kind", required=True, example="actual"
    )
    amount_jpy = Column(
        "amount_jpy",
        w.Integer(amount=True),
        attribute="amount_jpy",
        required=True,
        example="23兆円",
    )
    source = Column("source", w.Text(), attribute="source")

    class Meta(KindResource.Meta):
        model = OrderFigure
        fields = ("id", "year", "kind_", "amount_jpy", "source")
        import_id_fields = ("id",)

    def key_of(self, record):
        return (record.year, record.kind)

    def key_of_row(self, row):
        year, kind = self.clean_value(row, "year"), self.clean_value(row, "kind", "")
        return (year, kind) if year and kind else None


# -- agreements -------------------------------------------------------------------------------


class MeetingReference(ie_widgets.Widget):
    """The meeting an agreement was signed at, as the lists print a meeting: its date
    and counterpart country ("2019年8月28日 ガーナ", "Aug. 28, 2019 Ghana")."""

    MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

    def clean(self, value, row=None, user=None, **kwargs):
        if parsing.is_blank(value):
            return None
        raw = parsing.text(value)
        day, country = self._parse(raw)
        if day is None or not country:
            raise ValueError(
                _("Give the meeting as its date and country, e.g. “2019-08-28 Ghana”.")
            )
        found = list(
            existing_queryset(Meeting, user).filter(date=day, counterpart_country=country)[:2]
        )
        if len(found) != 1:
            raise ValueError(
                _("No single meeting with %(country)s on %(date)s is on file.")
                % {"country": country, "date": day}
            )
        return found[0]

    def _parse(self, raw):
        import re

        english = re.match(r"^([A-Za-z]+)\.? (\d{1,2}), (\d{4}) (.+)$", raw)
        try:
            if english and english.group(1)[:3].lower() in self.MONTHS:
                month = self.MONTHS.index(english.group(1)[:3].lower()) + 1
                day = datetime.date(int(english.group(3)), month, int(english.group(2)))
                return day, parsing.parse_country(english.group(4))
            date_part, _space, country = raw.partition(" ")
            return parsing.parse_date(date_part), parsing.parse_country(country)
        except ValueError:
            return None, ""


class AgreementResource(KindResource):
    """Agreements, found on file by their English title and counterpart country. One
    that supersedes another marks it superseded (agreements.services.agreement_save)."""

    kind = "agreements"
    sheet_names = ("協定", "覚書")
    lookups = {
        "organizations": (Organization, ("name", "name_ja")),
        "people": (Person, ("name", "name_ja")),
        "projects": (Project, ("name", "name_ja")),
        "agreements": (Agreement, ("title", "title_ja")),
    }

    id = Column("id", w.Text(), label=gettext_lazy("id"))
    title = Column(
        "title", w.Text(), attribute="title", required=True, example="MoC on road infrastructure"
    )
    title_ja = Column("title_ja", w.Text(), attribute="title_ja", example="道路分野の協力覚書")
    kind_ = Column(
        "kind", w.Choice(AgreementKind.choices), attribute="kind", required=True, example="moc"
    )
    status = Column(
        "status",
        w.Choice(AgreementStatus.choices, default=AgreementStatus.PROPOSED),
        attribute="status",
        example="signed",
    )
    counterpart_country = Column(
        "counterpart_country",
        w.Country(),
        attribute="counterpart_country",
        required=True,
        example="GH",
    )
    counterpart_organizations = Column(
        "counterpart_organizations",
        w.Records("organizations", country_column="counterpart_country"),
        attribute="counterpart_organizations",
    )
    target_countries = Column("target_countries", w.Countries(), attribute="target_countries")
    japanese_signatory = Column(
        "japanese_signatory",
        w.Record("organizations"),
        attribute="japanese_signatory",
        required=True,
        example="Ministry of Land, Infrastructure, Transport and Tourism",
    )
    signed_by = Column("signed_by", w.Record("people"), attribute="signed_by")
    sectors = Column("sectors", SectorsWidget(), attribute="sectors", example="道路")
    signed_on = Column("signed_on", w.Date(), attribute="signed_on", example="2019-08-28")
    effective_on = Column("effective_on", w.Date(), attribute="effective_on")
    expires_on = Column("expires_on", w.Date(), attribute="expires_on")
    renewal = Column(
        "renewal", w.Choice(Renewal.choices, default=Renewal.NONE), attribute="renewal"
    )
    signed_at_meeting = Column(
        "signed_at_meeting", MeetingReference(), attribute="signed_at_meeting"
    )
    supersedes = Column("supersedes", w.Record("agreements"), attribute="supersedes")
    projects = Column("projects", w.Records("projects"), attribute="projects")
    scope = Column("scope", w.Text(), attribute="scope")
    tags = tags_column()

    class Meta(KindResource.Meta):
        model = Agreement
        fields = (
            "id",
            "title",
            "title_ja",
            "kind_",
            "status",
            "counterpart_country",
            "counterpart_organizations",
            "target_countries",
            "japanese_signatory",
            "signed_by",
            "sectors",
            "signed_on",
            "effective_on",
            "expires_on",
            "renewal",
            "signed_at_meeting",
            "supersedes",
            "projects",
            "scope",
            "tags",
        )
        import_id_fields = ("id",)

    def existing_records(self):
        return (
            super()
            .existing_records()
            .prefetch_related("counterpart_organizations", "sectors", "projects")
        )

    def key_of(self, record):
        return (name_key(record.title), str(record.counterpart_country))

    def key_of_row(self, row):
        title = self.clean_value(row, "title", "")
        country = self.clean_value(row, "counterpart_country", "")
        return (name_key(title), country) if title and country else None

    def do_instance_save(self, instance, is_create):
        # The service: an agreement that supersedes another marks it superseded.
        agreement_save(agreement=instance)


# -- watch lists ----------------------------------------------------------------------------


class WatchListResource(KindResource):
    """Action Plan editions with their entries, one row per entry: rows of one edition
    (its year, or its name) are one edition. A row without a project is the edition
    alone. Putting a project on an edition records "continued" on the previous
    edition's entry (projects.services): rows are taken newest edition first, so that
    an outcome recorded on an older edition finds the next edition's list in place."""

    kind = "watch-lists"
    sheet_names = ("注視すべき主要プロジェクト", "アクションプラン")
    ignored_columns = (
        WatchListEntry._meta.verbose_name_plural,
        Project._meta.get_field("sector").verbose_name,
    )
    lookups = {
        "watch-lists": (WatchList, ("name",)),
        "projects": (Project, ("name", "name_ja")),
    }
    written_models = (WatchListEntry,)

    id = Column("id", w.Text(), label=gettext_lazy("id"))
    name = Column(
        "name",
        w.Text(),
        attribute="name",
        required=True,
        example="Action Plan 2019",
        aliases=(WatchListEntry._meta.get_field("watch_list").verbose_name,),
    )
    edition_year = Column("edition_year", w.Integer(), attribute="edition_year", example="2019")
    published_on = Column("published_on", w.Date(), attribute="published_on", example="2019-06-03")
    previous = Column(
        "previous", w.Record("watch-lists"), attribute="previous", example="Action Plan 2018"
    )
    project = Column(
        "project",
        w.Record("projects", country_column="project_country"),
        label=WatchListEntry._meta.get_field("project").verbose_name,
        example="Tema Motorway Interchange",
    )
    project_country = Column(
        "project_country",
        w.Country(),
        label=gettext_lazy("project's country"),
        aliases=(Project._meta.get_field("country").verbose_name,),
        example="GH",
    )
    region = Column(
        "region",
        w.Choice(Region.choices),
        label=WatchListEntry._meta.get_field("region").verbose_name,
        example="africa",
    )
    outcome_at_next_edition = Column(
        "outcome_at_next_edition",
        w.Choice(WatchListOutcome.choices),
        label=WatchListEntry._meta.get_field("outcome_at_next_edition").verbose_name,
    )
    reason = Column("reason", w.Text(), label=WatchListEntry._meta.get_field("reason").verbose_name)

    ENTRY_KEYS = ("project", "project_country", "region", "outcome_at_next_edition", "reason")

    class Meta(KindResource.Meta):
        model = WatchList
        fields = (
            "id",
            "name",
            "edition_year",
            "published_on",
            "previous",
            "project",
            "project_country",
            "region",
            "outcome_at_next_edition",
            "reason",
        )
        import_id_fields = ("id",)

    def key_of(self, record):
        return ("name", name_key(record.name))

    def key_of_row(self, row):
        name = self.clean_value(row, "name", "")
        return ("name", name_key(name)) if name else None

    EDITION_KEYS = ("name", "edition_year", "published_on", "previous")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.entries = {}
        for entry in WatchListEntry.objects.filter(
            watch_list__in=existing_queryset(WatchList, self.user)
        ).order_by("pk"):
            self.entries[(entry.watch_list_id, entry.project_id)] = entry
        self._prepare_editions(dataset)
        # The entries newest edition first (see the class's docstring).
        rows = list(dataset)
        position = dataset.headers.index("name")

        def year(values):
            state = self._editions.get(
                self.key_of_row(dict(zip(dataset.headers, values, strict=True)))
            )
            edition = state and state[1]
            return -(edition.edition_year or 0) if edition is not None else 0

        rows.sort(key=year)
        for index, values in enumerate(rows):
            dataset[index] = values
        del position

    def _prepare_editions(self, dataset):
        """Each edition of the file, created or brought up to date before its entries,
        oldest first (an edition names the one it revises): {key: (its first row, the
        edition or None if refused, its errors by column, new, changed)}."""
        self._editions = {}
        firsts = {}
        for values in dataset:
            row = dict(zip(dataset.headers, values, strict=True))
            key = self.key_of_row(row)
            if key is not None and key not in firsts:
                firsts[key] = row

        def year(row):
            return self.clean_value(row, "edition_year") or 0

        lookup = self.lookup("watch-lists")
        for key, row in sorted(firsts.items(), key=lambda item: year(item[1])):
            existing = self._existing.get(key)
            edition = MissionResource._copy(existing) if existing else WatchList()
            errors = {}
            for column in self.EDITION_KEYS:
                if column not in row:
                    continue
                try:
                    setattr(edition, column, self.field_for(column).clean(row))
                except ValueError as error:
                    errors[column] = [str(error)]
            if edition.published_on == "":
                edition.published_on = None
            if not errors:
                try:
                    edition.full_clean()
                except ValidationError as error:
                    errors = error.message_dict
            changed = existing is None or any(
                getattr(existing, f.attname) != getattr(edition, f.attname)
                for f in WatchList._meta.concrete_fields
                if f.name not in ("id", "created_at", "updated_at")
            )
            if not errors and changed:
                edition._change_reason = IMPORT_REASON.format(file_name=self.file_name)
                if self.user is not None:
                    edition._history_user = self.user
                edition.save()
                lookup.add(edition)
                self._existing[key] = edition
                self.by_pk[edition.pk] = edition
            self._editions[key] = (
                row.get("__row__"),
                None if errors else edition,
                errors,
                existing is None,
                changed,
            )

    def get_instance(self, instance_loader, row):
        key = self.key_of_row(row)
        state = self._editions.get(key)
        if state is None:
            raise ValidationError({"name": _("Give the edition's name.")})
        first, edition, errors, _new, _changed = state
        if errors:
            if first == row.get("__row__"):
                raise ValidationError(errors)
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _("The edition of this row is refused at row %(row)s.")
                    % {"row": first}
                }
            )
        return MissionResource._copy(edition)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The edition's own columns were applied before the rows (_prepare_editions).
        return

    def import_instance(self, instance, row, **kwargs):
        self._entry, self._entry_errors = None, {}
        super().import_instance(instance, row, **kwargs)
        if parsing.is_blank(row.get("project")):
            return
        values = {}
        for key in self.ENTRY_KEYS:
            if key in row:
                try:
                    values[key] = self.field_for(key).clean(row)
                except ValueError as error:
                    self._entry_errors[key] = [str(error)]
        project = values.get("project")
        if project is None:
            return
        existing = self.entries.get((instance.pk, project.pk)) if instance.pk else None
        entry = MissionResource._copy(existing) if existing else WatchListEntry()
        entry._original = existing
        entry.watch_list, entry.project = instance, project
        for key in ("region", "outcome_at_next_edition", "reason"):
            if key in values:
                setattr(entry, key, values[key] or "")
        # Blank for a project the next edition lists: it continued, as saving it records
        # (projects.signals), so the row compares with the entry as stored.
        if (
            not entry.outcome_at_next_edition
            and entry.watch_list_id
            and watch_list_entry_listed_on_next(entry)
        ):
            entry.outcome_at_next_edition = WatchListOutcome.CONTINUED
        if not entry.region and project.country:
            from core.regions import region_of

            entry.region = region_of(str(project.country)) or ""
        self._entry = entry

    def _entry_changed(self):
        entry = self._entry
        if entry is None:
            return False
        if entry._original is None:
            return True
        return any(
            getattr(entry._original, key) != getattr(entry, key)
            for key in ("region", "outcome_at_next_edition", "reason")
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for key, messages in self._entry_errors.items():
            errors.setdefault(key, []).extend(ValidationError(m) for m in messages)
        entry = self._entry
        if entry is not None and not errors:
            try:
                entry.full_clean()
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    key = {"project": "project"}.get(
                        name, name if name in self.ENTRY_KEYS else NON_FIELD_ERRORS
                    )
                    errors.setdefault(key, []).extend(ValidationError(m) for m in messages)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        self._entry_dirty = self._entry_changed() or bool(self._entry_errors)
        return not self._entry_dirty

    def do_instance_save(self, instance, is_create):
        return  # saved by _prepare_editions()

    def save_m2m(self, instance, row, **kwargs):
        return

    def after_save_instance(self, instance, row, **kwargs):
        entry = self._entry
        if entry is None or not self._entry_dirty:
            return
        entry.watch_list = instance
        entry._change_reason = IMPORT_REASON.format(file_name=self.file_name)
        if self.user is not None:
            entry._history_user = self.user
        entry.save()
        self.entries[(instance.pk, entry.project_id)] = entry

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if row_result.import_type not in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
            RowResult.IMPORT_TYPE_SKIP,
        ):
            return
        first, _edition, _errors, new, changed = self._editions[self.key_of_row(row)]
        entry = self._entry
        if (entry is not None and entry._original is None and self._entry_dirty) or (
            new and first == row.get("__row__")
        ):
            row_result.import_type = RowResult.IMPORT_TYPE_NEW
        elif self._entry_dirty or (changed and first == row.get("__row__")):
            row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
        else:
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP


class WatchListEntryResource(WatchListResource):
    """The list of watch-list entries as exported: each row's edition by its name."""

    kind = "watch-list-entries"
    sheet_names = ()
    admin_model = WatchListEntry

    @classmethod
    def required_keys(cls):
        return ["name", "project"]


KINDS = {
    resource.kind: resource
    for resource in (
        OrganizationResource,
        PersonResource,
        ProjectResource,
        WatchListResource,
        WatchListEntryResource,
        OrderFigureResource,
        MissionResource,
        MeetingResource,
        AgreementResource,
    )
}
