"""What the search looks through: each kind of record, the columns it reads (those the
list filters `q` read and that have trigram and bigram indexes), the columns that make a
match a better one (its title or name) and the date that orders equal matches."""

from dataclasses import dataclass

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    key: str  # in the API and the page's ?kind=; the list's name in /api/v1/
    model_label: str
    label: Promise
    columns: tuple[str, ...]
    title_columns: tuple[str, ...]
    date_field: str
    api_basename: str
    # Where a hit links, when not to its own page: a note's record (its journal).
    page_of: str = ""

    def page_record(self, record):
        """The record whose page a hit of this kind links to."""
        return (getattr(record, self.page_of) or record) if self.page_of else record

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def view_permission(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.view_{meta.model_name}"

    @property
    def table(self) -> str:
        return self.model._meta.db_table


KINDS = (
    Kind(
        "missions",
        "missions.Mission",
        _("Missions"),
        ("title", "title_ja", "purpose", "summary"),
        ("title", "title_ja"),
        "start_date",
        "mission",
    ),
    Kind(
        "meetings",
        "missions.Meeting",
        _("Meetings"),
        ("topics", "outcome", "venue_city"),
        ("topics",),
        "date",
        "meeting",
    ),
    Kind(
        "agreements",
        "agreements.Agreement",
        _("Agreements"),
        ("title", "title_ja", "scope"),
        ("title", "title_ja"),
        "signed_on",
        "agreement",
    ),
    Kind(
        "projects",
        "projects.Project",
        _("Projects"),
        ("name", "name_ja", "description"),
        ("name", "name_ja"),
        "updated_at",
        "project",
    ),
    Kind(
        "organizations",
        "contacts.Organization",
        _("Organisations"),
        ("name", "name_ja"),
        ("name", "name_ja"),
        "updated_at",
        "organization",
    ),
    Kind(
        "people",
        "contacts.Person",
        _("People"),
        ("name", "name_ja"),
        ("name", "name_ja"),
        "updated_at",
        "person",
    ),
    Kind(
        "follow-ups",
        "followups.FollowUp",
        _("Follow-ups"),
        ("title", "description"),
        ("title",),
        "due_on",
        "followup",
    ),
    Kind(
        "notes",
        "notes.Note",
        _("Notes"),
        ("text",),
        ("text",),
        "created_at",
        "note",
        page_of="target",
    ),
)

BY_KEY = {kind.key: kind for kind in KINDS}
