"""The statistics' tables as spreadsheets (`?format=csv|xlsx`): of each report of
/api/v1/reports/ and of each table of the dashboard, the watch-list page and the
country brief.

A file is one sheet: a title row saying what and for which period, rows of notes
(the annual report's sentence, the filters applied, the day it was made, what does
not add up), then each table under its caption, its headings in the reader's
language. The figures are those of the JSON answer or of the page, read from the
same result: never counted twice.

Written by the list exports' writer (core.api.export.write_export), which
neutralises texts that look like formulas in both formats."""

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.api.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, _filename, write_export
from core.regions import Region
from core.sectors import SectorCode
from projects.choices import ProjectStatus, Stage
from reports import selectors

SPREADSHEET_FORMATS = ("csv", "xlsx")

# The groups of a watch-list transition, as the page and the Action Plan name them.
TRANSITION_GROUPS = (
    ("won_japanese", gettext_lazy("Won by Japanese firms")),
    ("won_foreign", gettext_lazy("Won by a foreign firm")),
    ("removed", gettext_lazy("Removed")),
    ("continued", gettext_lazy("Continued")),
    ("added", gettext_lazy("Added")),
    ("pending", gettext_lazy("Outcome not recorded yet")),
)


@dataclass
class Table:
    """One table: its caption (may be empty when the file holds only this one), its
    headings and its rows of cells (texts, numbers, dates)."""

    caption: str
    headings: Sequence[str]
    rows: list[list] = field(default_factory=list)


@dataclass
class Sheet:
    """What a file holds: a title (what, for which period), notes, tables."""

    title: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    name: str = "report"  # the file's name, before the time it was made


def titled(what, period) -> str:
    """The title row: 「トップセールス件数（2018年）」."""
    return pgettext("spreadsheet title", "%(what)s (%(period)s)") % {
        "what": what,
        "period": period,
    }


def as_of() -> str:
    return _("As of %(day)s") % {"day": date_format(timezone.localdate())}


def all_time() -> str:
    return _("all periods")


def period_label(period: selectors.Period | None) -> str:
    return all_time() if period is None else period.label


def conditions(labelled: Iterable[tuple[str, Sequence[str]]]) -> list[str]:
    """The row that says which filters made the figures: 「条件: 国 = GH; 地域 = asia」."""
    parts = [f"{label} = {', '.join(values)}" for label, values in labelled if values]
    if not parts:
        return []
    return [_("Filters: %(filters)s") % {"filters": "; ".join(parts)}]


def sheet_rows(sheet: Sheet) -> Iterator[list]:
    yield [sheet.title]
    for note in sheet.notes:
        yield [note]
    for table in sheet.tables:
        yield []
        if table.caption:
            yield [table.caption]
        yield [str(heading) for heading in table.headings]
        yield from table.rows


def sheet_response(sheet: Sheet, export_format: str) -> HttpResponse:
    """The sheet as a downloaded file; a few hundred rows at most, made in memory."""
    handle = io.BytesIO()
    write_export(handle, export_format, sheet_rows(sheet), sheet.title)
    content_type = CSV_MEDIA_TYPE if export_format == "csv" else XLSX_MEDIA_TYPE
    response = HttpResponse(handle.getvalue(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, _filename(sheet.name, export_format)
    )
    return response


# Headings used by several tables.


def _count():
    return _("Count")


def _total():
    return _("Total")


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices.choices}


# The reports of /api/v1/reports/, from the data of their JSON answer.


def engagements_tables(data: dict) -> list[Table]:
    engagements = _("Number of top-sales engagements")
    meetings = _("Number of meetings")
    regions = _labels(Region)
    return [
        Table(
            _("Summary"),
            [_("Figure"), _count()],
            [
                [engagements, data["engagements"]],
                [_("Number of countries"), data["countries"]],
                [
                    _("Of them in ASEAN countries"),
                    data["asean_engagements"],
                ],
                [meetings, data["meetings"]],
            ],
        ),
        Table(
            _("By country"),
            [
                _("Country"),
                _("Region"),
                engagements,
                meetings,
            ],
            [
                [
                    row["name"],
                    regions.get(row["region"], _("No region")),
                    row["engagements"],
                    row["meetings"],
                ]
                for row in data["by_country"]
            ],
        ),
        Table(
            _("By region"),
            [_("Region"), engagements, meetings],
            [[row["label"], row["engagements"], row["meetings"]] for row in data["by_region"]],
        ),
        Table(
            _("By the rank of who held the meetings"),
            [_("Rank"), engagements, meetings],
            [[row["label"], row["engagements"], row["meetings"]] for row in data["by_rank"]],
        ),
        Table(
            _("By who held the meetings"),
            [_("Who held the meetings"), engagements, meetings],
            [
                [row["principal"], row["engagements"], row["meetings"]]
                for row in data["by_principal"]
            ],
        ),
        Table(
            _("By year"),
            [
                _("Year"),
                engagements,
                meetings,
                _("Number of countries"),
                _("Of them in ASEAN countries"),
            ],
            [
                [
                    row["label"],
                    row["engagements"],
                    row["meetings"],
                    row["countries"],
                    row["asean_engagements"],
                ]
                for row in data["by_year"]
            ],
        ),
    ]


def transition_table(data: dict) -> Table:
    """previous total → each group → total, as the Action Plan prints it."""
    previous = data["previous"]["name"] if data["previous"] else "—"
    rows = [[previous, data["previous_total"]]]
    rows += [
        [str(label), data[key]]
        for key, label in TRANSITION_GROUPS
        if key != "pending" or data["pending"]
    ]
    rows.append([data["edition"]["name"], data["total"]])
    return Table(
        _("Transition"),
        [_("Group of projects"), _("Number of projects")],
        rows,
    )


def transition_projects_table(data: dict) -> Table:
    return Table(
        _("Projects in each group"),
        [_("Group of projects"), _("Project")],
        [
            [str(label), project["name"]]
            for key, label in TRANSITION_GROUPS
            for project in data["projects"].get(key, [])
        ],
    )


def transition_sheet(data: dict) -> Sheet:
    previous = data["previous"]["name"] if data["previous"] else "—"
    return Sheet(
        titled(_("Watch-list transition"), f"{previous} → {data['edition']['name']}"),
        [transition_table(data), transition_projects_table(data)],
        notes=[as_of(), *data["problems"]],
        name="watch-list-transition",
    )


def breakdown_sheet(data: dict) -> Sheet:
    projects = _("Number of projects")
    return Sheet(
        titled(_("Watch list by region and sector"), data["edition"]["name"]),
        [
            Table(
                _("By region"),
                [_("Region"), projects],
                [[row["label"], row["count"]] for row in data["by_region"]]
                + [[_total(), data["total"]]],
            ),
            Table(
                _("By sector"),
                [_("Sector"), projects],
                [[row["label"], row["count"]] for row in data["by_sector"]]
                + [[_total(), data["total"]]],
            ),
        ],
        notes=[as_of()],
        name="watch-list-breakdown",
    )


def agreements_tables(data: dict) -> list[Table]:
    agreements = _("Agreements")
    return [
        Table(
            _("By status"),
            [_("Status"), agreements],
            [[row["label"], row["count"]] for row in data["by_status"]]
            + [[_total(), data["total"]]],
        ),
        Table(
            _("By country"),
            [_("Country"), agreements],
            [[row["name"], row["count"]] for row in data["by_country"]],
        ),
        Table(
            _("By sector"),
            [_("Sector"), agreements],
            [[row["label"], row["count"]] for row in data["by_sector"]],
        ),
        Table(
            _("By kind"),
            [_("Kind"), agreements],
            [[row["label"], row["count"]] for row in data["by_kind"]],
        ),
    ]


def expiring_table(rows: list[dict]) -> Table:
    """rows: {display, country (name), status (label), expires_on}."""
    return Table(
        _("Expiring"),
        [
            _("Title"),
            _("Counterpart country"),
            _("Status"),
            _("Expires on"),
        ],
        [[row["display"], row["country"], row["status"], row["expires_on"]] for row in rows],
    )


def pipeline_tables(data: dict) -> list[Table]:
    projects = _("Number of projects")
    stages, sectors = _labels(Stage), _labels(SectorCode)
    regions, statuses = _labels(Region), _labels(ProjectStatus)
    return [
        Table(
            _("By stage (upstream → downstream)"),
            [_("Stage"), projects],
            [[row["label"], row["count"]] for row in data["by_stage"]]
            + [[_total(), data["total"]]],
        ),
        Table(
            _("By stage, sector, region and status"),
            [
                _("Stage"),
                _("Sector"),
                _("Region"),
                _("Status"),
                projects,
            ],
            [
                [
                    stages.get(row["stage"], row["stage"]),
                    sectors.get(row["sector"], row["sector"]),
                    regions.get(row["region"], _("No region")),
                    statuses.get(row["status"], row["status"]),
                    row["count"],
                ]
                for row in data["rows"]
            ],
        ),
    ]


TOP_SALES_EFFECT_GROUPS = (
    ("projects", gettext_lazy("Projects promoted")),
    ("won_japanese", gettext_lazy("Won by Japanese firms")),
    ("won_foreign", gettext_lazy("Won by a foreign firm")),
    ("dropped", gettext_lazy("Dropped")),
    ("still_open", gettext_lazy("Still open")),
    ("won_before_promotion", gettext_lazy("Already won when first promoted")),
)


def top_sales_effect_tables(data: dict) -> list[Table]:
    return [
        Table(
            "",
            [_("Group of projects"), _("Number of projects")],
            [[str(label), data[key]] for key, label in TOP_SALES_EFFECT_GROUPS],
        )
    ]


def order_rows(data: dict) -> list[list]:
    """Actuals and targets by year, as the dashboard lists them."""
    actual, target = _("Actual"), _("Target")
    rows = [(row["year"], False, row) for row in data["actuals"]]
    rows += [(row["year"], True, row) for row in data["targets"]]
    return [
        [year, target if is_target else actual, row["amount_jpy"], row["source"]]
        for year, is_target, row in sorted(rows, key=lambda item: (item[0], item[1]))
    ]


ORDER_HEADINGS = (
    gettext_lazy("Year"),
    gettext_lazy("Kind"),
    gettext_lazy("Amount (yen)"),
    gettext_lazy("Source"),
)


def order_figures_tables(data: dict) -> list[Table]:
    tables = [Table(_("Actuals and targets"), list(ORDER_HEADINGS), order_rows(data))]
    if data["ratio"] is not None:
        tables.append(
            Table(
                _("Latest actual against the target"),
                [
                    _("Latest actual (yen)"),
                    _("Target (yen)"),
                    _("Ratio"),
                ],
                [
                    [
                        data["latest_actual"]["amount_jpy"],
                        data["target"]["amount_jpy"],
                        data["ratio"],
                    ]
                ],
            )
        )
    return tables
