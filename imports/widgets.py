"""django-import-export widgets that read cells as the bureau writes them
(imports.parsing), and name related records the way the lists print them."""

from django.utils.translation import gettext as _
from import_export import widgets

from core.folding import name_key
from imports import parsing


class Text(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parsing.text(value)


class Date(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parsing.parse_date(value)


class Integer(widgets.Widget):
    def __init__(self, *, amount=False, **kwargs):
        super().__init__(**kwargs)
        self.amount = amount

    def clean(self, value, row=None, **kwargs):
        return parsing.parse_integer(value, amount=self.amount)


class Choice(widgets.Widget):
    """A coded column, by code or by label in Japanese or English."""

    def __init__(self, choices, *, default="", **kwargs):
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.default = default
        self._labels = None

    def labels(self):
        if self._labels is None:
            self._labels = parsing.labels_of(self.choices)
        return self._labels

    def allowed(self) -> str:
        return ", ".join(str(label) for _code, label in self.choices)

    def clean(self, value, row=None, **kwargs):
        # The list of labels, for the message of a cell not among them: built only then.
        return parsing.parse_choice(value, self.labels(), self.allowed) or self.default


class Country(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parsing.parse_country(value)


class Countries(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return [parsing.parse_country(item) for item in parsing.split_list(value)]


class Lookup:
    """The records of one model a file may name, read once for the whole file (never a
    query per row): by id, and by each of their names as names compare. Records the
    import creates join it as they are saved."""

    def __init__(self, queryset, name_fields=("name", "name_ja"), label=None):
        self.model = queryset.model
        self.name_fields = name_fields
        self.label = label or self.model._meta.verbose_name
        self.by_id = {}
        self.by_name: dict[str, set[int]] = {}
        for record in queryset:
            self.add(record)

    def add(self, record):
        self.by_id[record.pk] = record
        for field in self.name_fields:
            value = getattr(record, field, "")
            if value not in (None, ""):
                self.by_name.setdefault(name_key(str(value)), set()).add(record.pk)

    def known(self, value) -> bool:
        return name_key(value) in self.by_name

    def candidates(self, value) -> list:
        return [self.by_id[pk] for pk in sorted(self.by_name.get(name_key(value), ()))]

    def find(self, value, *, prefer=None):
        """The one record named `value` (a name in either language, or its id as a
        number); `prefer(record) -> bool` chooses among several of one name."""
        raw = parsing.text(value)
        if raw.isdigit() and int(raw) in self.by_id and not self.known(raw):
            return self.by_id[int(raw)]
        found = self.candidates(raw)
        if len(found) > 1 and prefer is not None:
            preferred = [record for record in found if prefer(record)]
            found = preferred or found
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(
                _("No %(kind)s named “%(value)s” is on file: enter it first, or correct the name.")
                % {"kind": self.label, "value": raw}
            )
        raise ValueError(
            _("Several %(kind)s records are named “%(value)s” (ids %(ids)s): give the id.")
            % {"kind": self.label, "value": raw, "ids": ", ".join(str(r.pk) for r in found)}
        )


class Record(widgets.Widget):
    """A related record by its name (as the lists print it) or its id. Its Lookup is
    given by the resource before the file is read."""

    def __init__(self, lookup_name, *, country_column=None, **kwargs):
        super().__init__(**kwargs)
        self.lookup_name = lookup_name
        self.lookup: Lookup | None = None
        # Among several records of one name (two countries' Ministry of Transport), the
        # one of the country in this column of the row.
        self.country_column = country_column

    def clean(self, value, row=None, **kwargs):
        if parsing.is_blank(value):
            return None
        return self.lookup.find(value, prefer=self._preference(row))

    def _preference(self, row):
        if not (self.country_column and row is not None):
            return None
        try:
            country = parsing.parse_country(row.get(self.country_column))
        except ValueError:
            return None
        if not country:
            return None
        return lambda record: str(record.country) == country


class Records(widgets.ManyToManyWidget):
    """Several related records, separated by commas (a name holding commas stays whole
    when it is a name on file), 、 or line breaks."""

    def __init__(self, lookup_name, *, country_column=None, **kwargs):
        widgets.Widget.__init__(self, **kwargs)
        self.lookup_name = lookup_name
        self.country_column = country_column
        self.lookup: Lookup | None = None
        self.model = None
        self.field = "pk"
        self.separator = ","

    def clean(self, value, row=None, **kwargs):
        names = parsing.split_names(value, self.lookup.known)
        found, seen = [], set()
        prefer = Record._preference(self, row)
        for name in names:
            record = self.lookup.find(name, prefer=prefer)
            if record.pk not in seen:
                seen.add(record.pk)
                found.append(record)
        return found
