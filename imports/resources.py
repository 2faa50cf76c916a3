"""What each kind of record reads from a spreadsheet: its columns (headers in Japanese
or English, as the template and the list's own export write them), how a row finds the
record it updates, and the relations a row carries. Built on django-import-export's
ModelResource: every row is validated with full_clean() and saved with save(), so the
model rules, the services' signals (watch-list outcomes, engagements), history and
webhooks are those of the admin and the API."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export import widgets as ie_widgets

from contacts.choices import OrganizationKind
from contacts.models import Organization, Person, Post
from core.folding import name_key, similarity, trigrams
from core.models import Sector
from core.sectors import SectorCode
from imports import parsing
from imports import widgets as w
from imports.engine import existing_queryset
from imports.reading import header_key
from projects.choices import ParticipantRole, ProjectStatus, Scheme, Stage
from projects.models import Project, ProjectParticipant

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

    def clean(self, value, row=None, **kwargs):
        codes = []
        for item in parsing.split_list(value):
            code = self.choice.clean(item)
            if code not in codes:
                codes.append(code)
        return [Sector(code=code) for code in codes]


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
        skip_html_diff = True
        store_instance = False

    # The models a row writes (the permissions to import are to add and change them).
    written_models: tuple = ()

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
        return next(field for field in self.fields.values() if field.column_name == key)

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
        return existing_queryset(self._meta.model, self.user).order_by("pk")

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
        result = super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        # What the admin's preview and the API show: every error by spreadsheet row.
        from imports.engine import report_of

        result.import_report = report_of(result, dataset, self)
        return result

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

    class Meta(KindResource.Meta):
        model = Organization
        fields = ("id", "name", "name_ja", "kind_", "country", "parent", "website", "notes")
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


KINDS = {
    resource.kind: resource for resource in (OrganizationResource, PersonResource, ProjectResource)
}
