"""The analysts' pages: the dashboard, the lists, the country brief and the watch-list
transition. Server-rendered, usable without JavaScript (only the charts need it).

They read through the same code as the API: the statistics of reports.selectors,
and for the lists the API viewsets' querysets and FilterSets, so that a page, its
CSV/XLSX download and the API list always agree on the rows."""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Prefetch, Q, Value, When
from django.forms import (
    CheckboxSelectMultiple,
    DateField,
    DateInput,
    MultipleChoiceField,
    NullBooleanField,
    TextInput,
)
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import flatten_choices
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_countries import countries
from django_filters import OrderingFilter

from agreements.api.views import AgreementViewSet
from agreements.filters import EXPIRING_WITHIN_DAYS
from agreements.models import Agreement
from contacts.models import Organization, Person, Post
from core import audit
from core.api.filters import MAX_BIGINT, CountryFilter, TagFilter
from core.classification import highest_marking, sees_everything, visible_prefetches
from core.fiscal import fiscal_year_of, year_expression
from core.regions import Region, asean_members_on, is_asean, region_of
from core.sectors import SectorCode
from exports import resources
from exports.choices import ExportFormat, ExportStatus
from exports.models import ExportJob
from exports.services import export_job_create
from followups.choices import FollowUpStatus
from followups.models import FollowUp
from missions.api.views import MeetingViewSet, MissionViewSet
from missions.choices import TOP_SALES_RANKS, MissionStatus
from missions.models import Engagement, Meeting, Mission
from notes.models import Note
from projects.api.views import ProjectViewSet
from projects.choices import FigureKind, Stage
from projects.models import Project, ProjectParticipant, WatchList, WatchListEntry
from reports import maps, selectors, spreadsheets
from reports.api.views import CanReadReports
from reports.forms import BackgroundExportForm, CountryForm, EditionForm, YearForm
from reports.history import record_history
from reports.sentences import engagement_sentence
from reports.widgets import LongSelectMultiple

# Reading the statistics means reading every record they summarise: Analyst and above.
REPORT_PERMISSIONS = CanReadReports.required
TRILLION = 10**12


class AnalystPageMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous visitors go to the login page; signed-in users without the view
    permissions get 403."""

    permission_required = REPORT_PERMISSIONS


class TableDownloadMixin:
    """Each table of the page as a spreadsheet: `?table=<name>&format=csv|xlsx` with
    the page's own parameters (its year, edition...), built from the same context as
    the page, so that the file and the page show the same figures. `sheets(context)`
    names the tables; the page links to them ("CSV", "Excel" next to each table) with
    its current parameters (`downloads` in the context)."""

    table_names: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("format")
        if export_format is None:
            return super().get(request, *args, **kwargs)
        if export_format not in spreadsheets.SPREADSHEET_FORMATS:
            return HttpResponseBadRequest(
                gettext("Give one of these formats here: %(formats)s.")
                % {"formats": ", ".join(spreadsheets.SPREADSHEET_FORMATS)},
                content_type="text/plain; charset=utf-8",
            )
        name = request.GET.get("table")
        if name not in self.table_names:
            return HttpResponseBadRequest(
                gettext("Give one of these tables here: %(tables)s.")
                % {"tables": ", ".join(self.table_names)},
                content_type="text/plain; charset=utf-8",
            )
        context = self.get_context_data(**kwargs)
        form = context.get("form")
        if form is not None and form.is_bound and not form.is_valid():
            # The page falls back to its default; a file must not.
            errors = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in form.errors.items()
            )
            return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
        sheet = self.sheet(name, context)
        if sheet is None:
            raise Http404(gettext("There is no such table on this page now."))
        # The page's context noted the page's reads; the answer is this table alone.
        audit.forget(request)
        audit.note_records(request, audit.CHANNEL_EXPORT, self.records_of(name, context))
        return spreadsheets.sheet_response(sheet, export_format)

    def sheet(self, name: str, context: dict) -> spreadsheets.Sheet | None:
        raise NotImplementedError

    def records_of(self, name: str, context: dict) -> list:
        """The records a table lists (for the read audit), if it lists any."""
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = _filled(self.request.GET)
        # By name with "_" for "-": a template reads downloads.top_sales.csv.
        context["downloads"] = {
            name.replace("-", "_"): {
                export_format: _query_string(params, format=export_format, table=name)
                for export_format in spreadsheets.SPREADSHEET_FORMATS
            }
            for name in self.table_names
        }
        return context


def _chart(kind, labels, datasets, **options):
    """What static/reports/charts.js draws: read from the page with json_script."""
    return {
        "type": kind,
        "labels": [str(label) for label in labels],
        "datasets": [{**dataset, "label": str(dataset.get("label", ""))} for dataset in datasets],
        **{key: str(value) if key == "unit" else value for key, value in options.items()},
    }


# Dashboard


class DashboardView(AnalystPageMixin, TableDownloadMixin, TemplateView):
    template_name = "reports/dashboard.html"
    table_names = (
        "top-sales",
        "by-country",
        "engagements",
        "pipeline",
        "agreements",
        "expiring",
        "orders",
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fiscal = self.request.GET.get("basis") == YearForm.FISCAL
        user = self.request.user
        by_year = selectors.engagements_by_year_and_region(fiscal=fiscal, user=user)
        years = [row["year"] for row in by_year.years]
        # The latest year (or fiscal year) with records; the current one without any.
        default_year = years[-1] if years else timezone.localdate().year
        form = YearForm(
            self.request.GET or None,
            years=years or [default_year],
            initial={"year": default_year, "basis": YearForm.CALENDAR},
        )
        year = default_year
        if form.is_bound and form.is_valid():
            year = form.cleaned_data["year"] or default_year
        elif form.is_bound:
            fiscal = False  # an invalid choice falls back to the default view, with errors
            by_year = selectors.engagements_by_year_and_region(fiscal=False, user=user)

        period = (selectors.Period.fiscal_year if fiscal else selectors.Period.calendar_year)(year)
        stats = selectors.engagement_statistics(period=period, user=user)
        pipeline = selectors.project_pipeline(user=user)
        agreements = selectors.agreement_statistics(user=user)
        orders = selectors.order_figures_against_target()
        today = timezone.localdate()
        expiring = [
            {"agreement": agreement, "days_left": (agreement.expires_on - today).days}
            for agreement in selectors.agreements_expiring(
                within_days=EXPIRING_WITHIN_DAYS, user=user
            )
        ]

        regions = by_year.regions
        # One row per region and a column per year: years are few, regions up to ten.
        engagement_rows = [
            {
                "label": region["label"],
                "counts": [row["by_region"].get(region["region"], 0) for row in by_year.years],
            }
            for region in regions
        ]
        order_years = sorted({row["year"] for row in orders.actuals + orders.targets})
        actual_by_year = {row["year"]: row["amount_jpy"] for row in orders.actuals}
        target_by_year = {row["year"]: row["amount_jpy"] for row in orders.targets}

        def trillions(amounts, year):
            amount = amounts.get(year)
            return None if amount is None else round(amount / TRILLION, 2)

        audit.note_records(self.request, audit.CHANNEL_PAGE, [row["agreement"] for row in expiring])
        context.update(
            classification_marking=highest_marking(
                row["agreement"].classification for row in expiring
            ),
            form=form,
            fiscal=fiscal,
            year_label=selectors.year_label(year, fiscal=fiscal),
            stats=stats,
            sentence=engagement_sentence(stats, period, get_language() or "ja"),
            engagement_years=by_year.years,
            engagement_rows=engagement_rows,
            pipeline=pipeline,
            agreements=agreements,
            expiring=expiring,
            expiring_within=EXPIRING_WITHIN_DAYS,
            orders=orders,
            order_rows=sorted(
                orders.actuals + [{**row, "target": True} for row in orders.targets],
                key=lambda row: (row["year"], row.get("target", False)),
            ),
            ratio_percent=round(orders.ratio * 100) if orders.ratio is not None else None,
            # The map counts nothing: the year's engagements by country, as the cards.
            engagement_map=maps.engagement_map(stats.by_country, asean_on=period.end),
            asean_on=period.end,
            asean_codes=asean_members_on(period.end),
            charts={
                "engagements": _chart(
                    "bar",
                    [row["label"] for row in by_year.years],
                    [
                        {
                            "label": region["label"],
                            "data": [
                                row["by_region"].get(region["region"], 0) for row in by_year.years
                            ],
                        }
                        for region in regions
                    ],
                    stacked=True,
                    unit=_("engagements"),
                ),
                "pipeline": _chart(
                    "bar",
                    [row["label"] for row in pipeline.by_stage],
                    [
                        {
                            "label": _("projects"),
                            "data": [row["count"] for row in pipeline.by_stage],
                        }
                    ],
                    unit=_("projects"),
                ),
                "agreements": _chart(
                    "bar",
                    [row["label"] for row in agreements.by_status],
                    [
                        {
                            "label": _("agreements"),
                            "data": [row["count"] for row in agreements.by_status],
                        }
                    ],
                    horizontal=True,
                    unit=_("agreements"),
                ),
                "orders": _chart(
                    "bar",
                    [selectors.year_label(year, fiscal=False) for year in order_years],
                    [
                        {
                            "label": FigureKind.ACTUAL.label,
                            "data": [trillions(actual_by_year, year) for year in order_years],
                        },
                        {
                            "label": FigureKind.TARGET.label,
                            "data": [trillions(target_by_year, year) for year in order_years],
                        },
                    ],
                    stacked=True,
                    unit=_("trillion yen"),
                ),
            },
        )
        return context

    def sheet(self, name, context):
        sentence = context["sentence"]
        as_of = spreadsheets.as_of()
        if name == "top-sales":
            stats = context["stats"]
            summary = spreadsheets.engagements_tables(
                {"sentence": None, **dataclasses.asdict(stats)}
            )[0]
            return spreadsheets.Sheet(
                spreadsheets.titled(gettext("Top-sales engagements"), context["year_label"]),
                [summary],
                notes=[sentence, as_of],
                name="top-sales",
            )
        if name == "by-country":
            stats = context["stats"]
            by_country = spreadsheets.engagements_tables(
                {"sentence": None, **dataclasses.asdict(stats)}
            )[1]
            by_country.caption = ""
            return spreadsheets.Sheet(
                spreadsheets.titled(
                    gettext("Top-sales engagements by country"), context["year_label"]
                ),
                [by_country],
                notes=[sentence, as_of],
                name="top-sales-by-country",
            )
        if name == "engagements":
            years = context["engagement_years"]
            if not years:
                period = spreadsheets.all_time()
            elif len(years) == 1:
                period = years[0]["label"]
            else:
                period = f"{years[0]['label']} – {years[-1]['label']}"
            what = (
                gettext("Top-sales engagements by fiscal year and region")
                if context["fiscal"]
                else gettext("Top-sales engagements by year and region")
            )
            rows = [[row["label"], *row["counts"]] for row in context["engagement_rows"]]
            if years:
                rows.append([gettext("Total"), *(year["total"] for year in years)])
            return spreadsheets.Sheet(
                spreadsheets.titled(what, period),
                [
                    spreadsheets.Table(
                        "", [gettext("Region"), *(year["label"] for year in years)], rows
                    )
                ],
                notes=[sentence, as_of],
                name="top-sales-by-year",
            )
        if name == "pipeline":
            pipeline = dataclasses.asdict(context["pipeline"])
            return spreadsheets.Sheet(
                spreadsheets.titled(gettext("Project pipeline"), as_of),
                spreadsheets.pipeline_tables(pipeline)[:1],
                notes=[sentence],
                name="pipeline",
            )
        if name == "agreements":
            agreements = dataclasses.asdict(context["agreements"])
            return spreadsheets.Sheet(
                spreadsheets.titled(gettext("Agreements by status"), as_of),
                spreadsheets.agreements_tables(agreements)[:1],
                notes=[sentence],
                name="agreements",
            )
        if name == "expiring":
            table = spreadsheets.expiring_table(
                [
                    {
                        "display": str(row["agreement"]),
                        "country": row["agreement"].counterpart_country.name,
                        "status": row["agreement"].get_status_display(),
                        "expires_on": row["agreement"].expires_on,
                    }
                    for row in context["expiring"]
                ]
            )
            table.caption = ""
            table.headings = [*table.headings, gettext("Days left")]
            for cells, row in zip(table.rows, context["expiring"], strict=True):
                cells.append(row["days_left"])
            return spreadsheets.Sheet(
                spreadsheets.titled(
                    gettext("Expiring within %(days)s days") % {"days": context["expiring_within"]},
                    as_of,
                ),
                [table],
                notes=[sentence],
                name="expiring-agreements",
            )
        orders = dataclasses.asdict(context["orders"])
        return spreadsheets.Sheet(
            spreadsheets.titled(
                gettext("Orders won by Japanese firms against the target"),
                spreadsheets.all_time(),
            ),
            spreadsheets.order_figures_tables(orders),
            notes=[sentence, as_of],
            name="order-figures",
        )

    def records_of(self, name, context):
        return [row["agreement"] for row in context["expiring"]] if name == "expiring" else []


# Lists


@dataclass(frozen=True)
class Column:
    label: str
    ordering: str | None = None  # a field of the FilterSet's `ordering`


def _query_string(params, **changes) -> str:
    """The page's query string with some parameters replaced (None removes one)."""
    params = params.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _filled(params):
    """The parameters a person gave a value: a submitted filter form sends every
    field, the empty ones too."""
    filled = params.copy()
    for key in list(filled):
        values = [value for value in filled.getlist(key) if value]
        if values:
            filled.setlist(key, values)
        else:
            del filled[key]
    return filled


def _tune_widgets(filterset, names):
    """The FilterSet's form fields as a person fills them in: check boxes for short
    vocabularies, date pickers for dates. The fields and their validation are the API's."""
    form = filterset.form
    for name in names:
        field = form.fields[name]
        if isinstance(filterset.filters[name], CountryFilter):
            # The filter's choices were named in the language active at import time;
            # a person reads them in the page's language, sorted in it (in Japanese,
            # kana order).
            field.choices = sorted(countries, key=lambda country: str(country.name))
        if isinstance(field, MultipleChoiceField) and not hasattr(field, "queryset"):
            if len(field.choices) <= 7:
                field.widget = CheckboxSelectMultiple(choices=field.choices)
            else:
                field.widget = LongSelectMultiple(choices=field.choices, attrs={"size": 6})
        elif isinstance(field, NullBooleanField):
            # "Unknown" means "either" here: the filter is simply not applied.
            field.widget.choices = [("", gettext("Either")), *list(field.widget.choices)[1:]]
        elif isinstance(field, DateField):
            # A text box, not the browser's date picker, which takes no 令和元年8月29日:
            # the field reads every form staff write (core.dates).
            field.widget = DateInput(attrs={"placeholder": "2019/8/29", "size": 16})
        elif name == "q":
            field.widget = TextInput(attrs={"type": "search"})
        elif isinstance(filterset.filters[name], TagFilter):
            # Tags by name: the list's values are the names `?tag=` takes.
            field.widget = LongSelectMultiple(choices=field.choices, attrs={"size": 6})


def _parameter_names(bound_field) -> set[str]:
    widget = bound_field.field.widget
    suffixes = getattr(widget, "widgets_names", None)
    if suffixes:
        return {f"{bound_field.html_name}{suffix}" for suffix in suffixes}
    return {bound_field.html_name}


class RecordListView(AnalystPageMixin, TemplateView):
    """One list of records: the API viewset's queryset filtered by its FilterSet, 50 a
    page, sortable by the FilterSet's `ordering`, downloadable from the API list."""

    template_name = "reports/record_list.html"
    row_template: str
    viewset: type
    api_list: str  # the URL name of the API list, for the downloads
    title = ""
    columns: tuple[Column, ...] = ()
    form_fields: tuple[str, ...] = ()
    paginate_by = 50

    @property
    def model(self):
        return self.viewset.queryset.model

    def get_permission_required(self):
        meta = self.model._meta
        return (*REPORT_PERMISSIONS, f"{meta.app_label}.view_{meta.model_name}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        filterset = self.viewset.filterset_class(
            params,
            queryset=visible_prefetches(
                self.viewset.queryset.all().visible_to(self.request.user), self.request.user
            ),
            request=self.request,
        )
        # A field the FilterSet no longer has is left out rather than failing the page
        # (tests/reports/test_pages.py checks that every one named here exists).
        names = [name for name in self.form_fields if name in filterset.form.fields]
        _tune_widgets(filterset, names)
        valid = filterset.is_valid()
        records = filterset.qs if valid else filterset.queryset.none()
        page = Paginator(records, self.paginate_by).get_page(params.get("page"))
        page.object_list = list(page.object_list)
        audit.note_records(self.request, audit.CHANNEL_PAGE, page.object_list)

        shown = [filterset.form[name] for name in names]
        rendered = set().union(*(_parameter_names(field) for field in shown))
        hidden = [
            (key, value)
            for key in params
            if key not in rendered and key != "page"
            for value in params.getlist(key)
        ]
        current = params.get("ordering", "")
        headers = []
        for column in self.columns:
            header = {"label": column.label, "url": None, "state": None}
            if column.ordering:
                if current == column.ordering:
                    header["state"], following = "asc", f"-{column.ordering}"
                elif current == f"-{column.ordering}":
                    header["state"], following = "desc", column.ordering
                else:
                    following = column.ordering
                header["url"] = _query_string(params, ordering=following, page=None)
            headers.append(header)

        api = reverse(self.api_list)
        context.update(
            # The same list, built by a task: for one too long to wait for.
            export_resource=resources.resource_of(self.viewset),
            export_query=_query_string(_filled(params), page=None)[1:],
            export_formats=ExportFormat.choices,
        )
        context.update(
            title=self.title,
            row_template=self.row_template,
            filterset=filterset,
            form=filterset.form,
            fields=shown,
            shown_names=[field.name for field in shown],
            hidden=hidden,
            valid=valid,
            page=page,
            records=page.object_list,
            classification_marking=highest_marking(r.classification for r in page.object_list),
            headers=headers,
            filtered=any(key not in ("page", "ordering") for key in params),
            page_links=[
                {"number": number, "url": _query_string(params, page=str(number))}
                if number != page.paginator.ELLIPSIS
                else {"number": number, "url": None}
                for number in page.paginator.get_elided_page_range(page.number)
            ],
            previous_url=_query_string(params, page=str(page.previous_page_number()))
            if page.has_previous()
            else None,
            next_url=_query_string(params, page=str(page.next_page_number()))
            if page.has_next()
            else None,
            csv_url=api + _query_string(params, page=None, format="csv"),
            xlsx_url=api + _query_string(params, page=None, format="xlsx"),
            # The API refuses to build a longer list while the browser waits.
            download_limit=settings.EXPORT_SYNC_MAX_ROWS,
            too_long_to_download=page.paginator.count > settings.EXPORT_SYNC_MAX_ROWS,
            today=timezone.localdate(),
        )
        return context


class MissionListView(RecordListView):
    viewset = MissionViewSet
    api_list = "api:mission-list"
    title = _("Missions")
    row_template = "reports/rows/mission.html"
    columns = (
        Column(_("Dates"), "start_date"),
        Column(_("Title"), "title"),
        Column(_("Leader"), "leader_rank"),
        Column(_("Kind")),
        Column(_("Countries met")),
        Column(_("Sectors")),
        Column(_("Status"), "status"),
        Column(_("Tags")),
    )
    form_fields = (
        "q",
        "year",
        "fiscal_year",
        "start_date_after",
        "start_date_before",
        "country",
        "region",
        "leader_rank",
        "kind",
        "status",
        "sector",
        "tag",
        "tag_match",
    )


class MeetingListView(RecordListView):
    viewset = MeetingViewSet
    api_list = "api:meeting-list"
    title = _("Meetings")
    row_template = "reports/rows/meeting.html"
    columns = (
        Column(_("Date"), "date"),
        Column(_("Counterpart country"), "counterpart_country"),
        Column(_("Mission"), "mission__start_date"),
        Column(_("Held by"), "principal_rank"),
        Column(_("Counterparts (post held that day)")),
        Column(_("Counterpart organisations")),
        Column(_("Projects promoted")),
        Column(_("Topics")),
        Column(_("Tags")),
    )
    form_fields = (
        "q",
        "year",
        "fiscal_year",
        "date_after",
        "date_before",
        "country",
        "region",
        "asean",
        "top_sales",
        "principal_rank",
        "leader_rank",
        "mission_status",
        "sector",
        "tag",
        "tag_match",
    )

    def get_context_data(self, **kwargs):
        """With a year (or fiscal year) chosen, the map of the top-sales engagements
        among the meetings listed, by country: the dashboard's figures, narrowed by the
        list's other filters (engagement_statistics' `meetings`)."""
        context = super().get_context_data(**kwargs)
        filterset = context["filterset"]
        if not context["valid"]:
            return context
        year = filterset.form.cleaned_data.get("year")
        fiscal_year = filterset.form.cleaned_data.get("fiscal_year")
        if year is None and fiscal_year is None:
            context["map_needs_a_year"] = True
            return context
        period = (
            selectors.Period.calendar_year(int(year))
            if year is not None
            else selectors.Period.fiscal_year(int(fiscal_year))
        )
        stats = selectors.engagement_statistics(
            period=period, meetings=filterset.qs, user=self.request.user
        )
        context.update(
            map_stats=stats,
            map_period=period.label,
            engagement_map=maps.engagement_map(stats.by_country, asean_on=period.end),
            asean_on=period.end,
            asean_codes=asean_members_on(period.end),
        )
        return context


class AgreementListView(RecordListView):
    viewset = AgreementViewSet
    api_list = "api:agreement-list"
    title = _("Agreements")
    row_template = "reports/rows/agreement.html"
    columns = (
        Column(_("Title"), "title"),
        Column(_("Kind"), "kind"),
        Column(_("Counterpart"), "counterpart_country"),
        Column(_("Sectors")),
        Column(_("Status"), "status"),
        Column(_("Signed on"), "signed_on"),
        Column(_("Expires on"), "expires_on"),
        Column(_("Tags")),
    )
    form_fields = (
        "q",
        "year",
        "fiscal_year",
        "country",
        "region",
        "asean",
        "kind",
        "status",
        "sector",
        "expiring_within",
        "signed_on_after",
        "signed_on_before",
        "tag",
        "tag_match",
    )


class ProjectListView(RecordListView):
    viewset = ProjectViewSet
    api_list = "api:project-list"
    title = _("Projects")
    row_template = "reports/rows/project.html"
    columns = (
        Column(_("Name"), "name"),
        Column(_("Country"), "country"),
        Column(_("Sector"), "sector"),
        Column(_("Stage"), "stage"),
        Column(_("Status"), "status"),
        Column(_("Scheme"), "scheme"),
        Column(_("Estimated cost"), "estimated_cost_jpy"),
        Column(_("Owner / awarded to")),
        Column(_("Tags")),
    )
    form_fields = (
        "q",
        "country",
        "region",
        "asean",
        "sector",
        "stage",
        "status",
        "scheme",
        "watch_list",
        "year",
        "estimated_cost_jpy_min",
        "estimated_cost_jpy_max",
        "tag",
        "tag_match",
    )


# Background exports


def _describe_filters(jobs, request):
    """Set each job's `filters`, [(label, "value, value")], as a person reads them: the
    labels of the list's FilterSet form, and for the values the country names in the
    reader's language, the choices' labels and the records' names, not the query
    string's codes and ids. The records named are read once for all the jobs: one
    query per model."""
    described = []
    ids = defaultdict(set)  # model: the ids named
    for job in jobs:
        filterset_class = resources.exportable()[job.resource][0].filterset_class
        params = _filled(QueryDict(job.query))
        filterset = filterset_class(params, request=request) if filterset_class else None
        described.append((params, filterset))
        for name, values in params.lists():
            field = filterset.form.fields.get(name) if filterset else None
            if hasattr(field, "queryset") and not isinstance(filterset.filters[name], TagFilter):
                # Checked when the export was asked for; a forged row must not reach
                # the database as a number it cannot bind.
                ids[field.queryset.model].update(value for value in values if _is_id(value))
    names = {
        model: {str(record.pk): str(record) for record in _visible(model, request.user, pks)}
        for model, pks in ids.items()
    }
    for job, (params, filterset) in zip(jobs, described, strict=True):
        job.filters = []
        for name, values in params.lists():
            field = filterset.form.fields.get(name) if filterset else None
            if field is None:
                job.filters.append((name, ", ".join(values)))
                continue
            readable = _readable_values(filterset.filters[name], field, values, names)
            job.filters.append((field.label, ", ".join(readable)))


def _visible(model, user, pks):
    """The records of `pks` that `user` may read (core.classification)."""
    records = model._default_manager.filter(pk__in=pks)
    return records.visible_to(user) if hasattr(records, "visible_to") else records


def _is_id(value: str) -> bool:
    return value.isdigit() and int(value) <= MAX_BIGINT


def _readable_values(filter_, field, values, names) -> list[str]:
    """The values of one filter as its form field names them (`names`: the records
    named, {model: {id: name}})."""
    if isinstance(filter_, TagFilter):
        return values  # tags by their names already (a tag "2019" is not record #2019)
    if hasattr(field, "queryset"):
        known = names.get(field.queryset.model, {})
        return [known.get(value, value) for value in values]
    if isinstance(field, NullBooleanField):
        labels = dict(field.widget.choices)  # true: Yes, false: No
        keys = {True: "true", False: "false"}
        return [str(labels.get(keys.get(field.to_python(value)), value)) for value in values]
    if not hasattr(field, "choices"):  # dates, numbers, free text
        return values
    labels = dict(flatten_choices(list(field.choices)))
    if not isinstance(filter_, OrderingFilter):
        return [str(labels.get(value, value)) for value in values]
    readable = []
    for order in (part for value in values for part in value.split(",")):  # -date,id
        if order.startswith("-") and order[1:] in labels:
            # The filter's own label of a descending order was fixed in the language
            # active when its module was imported.
            readable.append(gettext("%(field)s (descending)") % {"field": labels[order[1:]]})
        else:
            readable.append(str(labels.get(order, order)))
    return readable


class ExportListView(AnalystPageMixin, TemplateView):
    """My exports: the lists I asked to be built in the background (POST, from a list
    page), their progress, and their files while they last. Downloads go through the
    API's download, which serves the file to its owner only."""

    template_name = "reports/exports.html"
    # While a job is being built the page reloads itself with a <meta> refresh: it needs
    # no script (the Content-Security-Policy allows none inline) and no CSP directive
    # governs it, so it works with JavaScript off too.
    REFRESH_SECONDS = 5

    def post(self, request, *args, **kwargs):
        form = BackgroundExportForm(request.POST, user=request.user)
        if not form.is_valid():
            context = self.get_context_data(form=form)
            return self.render_to_response(context, status=400)
        resource = form.cleaned_data["resource"]
        if not request.user.has_perm(resources.view_permission(resource)):
            raise PermissionDenied
        export_job_create(
            user=request.user,
            resource=resource,
            format=form.cleaned_data["format"],
            query=form.cleaned_data["query"],
            language=get_language() or "ja",
        )
        return redirect("reports:export-list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        jobs = list(ExportJob.objects.filter(user=self.request.user))
        for job in jobs:
            job.expired = job.expires_at <= now
            # The right to view the list may have been withdrawn since it was asked for.
            job.allowed = self.request.user.has_perm(resources.view_permission(job.resource))
            job.ready = (
                job.status == ExportStatus.DONE and bool(job.file) and not job.expired
            ) and job.allowed
            job.label = resources.model_of(job.resource)._meta.verbose_name_plural
        _describe_filters(jobs, self.request)
        context.update(
            jobs=jobs,
            refresh_seconds=self.REFRESH_SECONDS
            if any(
                job.status in (ExportStatus.PENDING, ExportStatus.RUNNING) and not job.expired
                for job in jobs
            )
            else None,
        )
        return context


# Country brief


def _country_or_404(code: str) -> str:
    code = code.upper()
    if len(code) != 2 or not countries.name(code):
        raise Http404(gettext("There is no country with that code."))
    return code


class CountryPickerView(AnalystPageMixin, TemplateView):
    """Choose a country; also lists those the records mention, by region."""

    template_name = "reports/country_picker.html"

    def get(self, request, *args, **kwargs):
        form = CountryForm(request.GET or None)
        if form.is_bound and form.is_valid():
            return redirect("reports:country-brief", code=form.cleaned_data["country"])
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        mentioned = (
            set(
                Meeting.objects.visible_to(user)
                .values_list("counterpart_country", flat=True)
                .distinct()
            )
            | set(
                Agreement.objects.visible_to(user)
                .values_list("counterpart_country", flat=True)
                .distinct()
            )
            | set(Project.objects.visible_to(user).values_list("country", flat=True).distinct())
        )
        order = {region: index for index, region in enumerate(Region)}
        by_region = sorted(
            (
                (region_of(str(code)), str(code), countries.name(str(code)))
                for code in mentioned
                if code
            ),
            key=lambda row: (order.get(row[0], len(order)), str(row[2])),
        )
        context["regions"] = [
            {
                "label": region.label if region else gettext("No region"),
                "countries": [{"code": code, "name": name} for _region, code, name in rows],
            }
            for region, rows in groupby(by_region, key=lambda row: row[0])
        ]
        return context


def _upstream_first(field):
    """The stages in their order, upstream to downstream (川上→川下): their codes
    sorted as text would put construction first."""
    return Case(
        *(When(**{field: stage}, then=Value(rank)) for rank, stage in enumerate(Stage.values)),
        default=Value(len(Stage.values)),
    )


class CountryBriefView(AnalystPageMixin, TableDownloadMixin, TemplateView):
    """Everything about one country on A4: top sales with who was met in which post,
    agreements, projects and open follow-ups. A fixed number of queries.

    A brief must stay a few pages long even for a country of thousands of meetings:
    each section shows its latest records (`limits`) and says how many there are in
    all, with a link to the list that has them; the figures at the top count them all."""

    template_name = "reports/country_brief.html"
    limits = {"missions": 30, "agreements": 50, "projects": 100, "followups": 100, "notes": 50}
    table_names = ("top-sales", "meetings", "agreements", "projects", "followups", "notes")

    def sheet(self, name, context):
        name_of_country = context["name"]
        as_of = gettext("As of %(day)s") % {"day": date_format(context["today"])}
        totals = context["totals"]

        def brief(what, table, shown=None, total=None):
            notes = [as_of]
            if shown is not None and total > shown:
                notes.append(
                    gettext("The first %(shown)s of %(total)s, as in the brief.")
                    % {"shown": shown, "total": total}
                )
            return spreadsheets.Sheet(
                spreadsheets.titled(what, name_of_country),
                [table],
                notes=notes,
                name=f"brief-{context['code']}-{name}",
            )

        if name == "top-sales":
            rows = [[label, count] for label, count in context["by_fiscal_year"].items()]
            rows.append([gettext("Total"), context["top_sales_count"]])
            return brief(
                gettext("Top-sales engagements by fiscal year"),
                spreadsheets.Table("", [gettext("Fiscal year"), gettext("Engagements")], rows),
            )
        if name == "meetings":
            rows = []
            for engagement in context["engagements"]:
                for meeting in engagement["meetings"]:
                    rows.append(
                        [
                            str(engagement["mission"]),
                            str(engagement["principal"]),
                            engagement["principal_rank"],
                            engagement["fiscal_year"],
                            gettext("Yes") if engagement["top_sales"] else gettext("No"),
                            meeting.date,
                            meeting.venue_city,
                            "\n".join(
                                f"{met['person']} ({met['post']})"
                                if met["post"]
                                else str(met["person"])
                                for met in meeting.counterparts_then
                            ),
                            ", ".join(str(o) for o in meeting.counterpart_organizations.all()),
                            ", ".join(str(p) for p in meeting.projects.all()),
                            meeting.topics,
                            meeting.outcome,
                        ]
                    )
            headings = [
                gettext("Mission"),
                gettext("Held by"),
                gettext("Rank"),
                gettext("Fiscal year"),
                gettext("Top sales"),
                gettext("Date"),
                gettext("City"),
                gettext("Counterparts (post held that day)"),
                gettext("Counterpart organisations"),
                gettext("Projects promoted"),
                gettext("Topics"),
                gettext("Outcome"),
            ]
            return brief(
                gettext("Top sales and meetings"),
                spreadsheets.Table("", headings, rows),
                context["missions_shown"],
                totals["missions"],
            )
        if name == "agreements":
            code = context["code"]
            rows = [
                [
                    str(agreement),
                    agreement.get_kind_display(),
                    agreement.counterpart_country.name,
                    ", ".join(str(o) for o in agreement.counterpart_organizations.all()),
                    gettext("Yes") if agreement.counterpart_country.code != code else gettext("No"),
                    agreement.get_status_display(),
                    agreement.signed_on,
                    agreement.expires_on,
                ]
                for agreement in context["agreements"]
            ]
            headings = [
                gettext("Title"),
                gettext("Kind"),
                gettext("Counterpart country"),
                gettext("Counterpart organisations"),
                gettext("third-country cooperation"),
                gettext("Status"),
                gettext("Signed on"),
                gettext("Expires on"),
            ]
            return brief(
                gettext("Agreements"),
                spreadsheets.Table("", headings, rows),
                len(context["agreements"]),
                totals["agreements"],
            )
        if name == "projects":
            rows = [
                [
                    str(project),
                    project.country.name,
                    project.get_sector_display(),
                    project.get_stage_display(),
                    project.get_status_display(),
                    str(project.awarded_to) if project.awarded_to else "",
                    project.get_scheme_display(),
                    project.estimated_cost_jpy,
                ]
                for project in context["projects"]
            ]
            headings = [
                gettext("Name"),
                gettext("Country"),
                gettext("Sector"),
                gettext("Stage"),
                gettext("Status"),
                gettext("Awarded to"),
                gettext("Scheme"),
                gettext("Estimated cost (yen)"),
            ]
            return brief(
                gettext("Projects"),
                spreadsheets.Table("", headings, rows),
                len(context["projects"]),
                totals["projects"],
            )
        if name == "notes":
            if not context["show_notes"]:
                return None
            rows = [
                [
                    timezone.localdate(row["note"].created_at),
                    row["note"].text,
                    gettext("Yes") if row["note"].attachment else gettext("No"),
                    str(row["kind"]),
                    str(row["target"]) if row["target"] is not None else "",
                    str(row["note"].author) if row["note"].author else "",
                ]
                for row in context["notes"]
            ]
            headings = [
                gettext("Written"),
                gettext("Note"),
                gettext("Attachment"),
                gettext("Kind"),
                gettext("On"),
                gettext("Author"),
            ]
            return brief(
                gettext("Notes"),
                spreadsheets.Table("", headings, rows),
                len(context["notes"]),
                context["totals"]["notes"],
            )
        rows = [
            [
                row["followup"].due_on,
                row["followup"].title,
                str(row["kind"]),
                str(row["target"]) if row["target"] is not None else "",
                str(row["followup"].assignee) if row["followup"].assignee else "",
            ]
            for row in context["followups"]
        ]
        headings = [
            gettext("Due on"),
            gettext("Follow-up"),
            gettext("Kind"),
            gettext("On"),
            gettext("Assignee"),
        ]
        return brief(
            gettext("Open follow-ups"),
            spreadsheets.Table("", headings, rows),
            len(context["followups"]),
            totals["followups"],
        )

    def records_of(self, name, context):
        if name == "meetings":
            return [
                meeting
                for engagement in context["engagements"]
                for meeting in engagement["meetings"]
            ]
        if name in ("agreements", "projects"):
            return context[name]
        if name == "followups":
            return [row["followup"] for row in context["followups"]]
        if name == "notes":
            return [row["note"] for row in context["notes"]]
        return []

    def get_permission_required(self):
        return (*REPORT_PERMISSIONS, "missions.view_mission", "followups.view_followup")

    def get(self, request, *args, code, **kwargs):
        canonical = _country_or_404(code)
        if canonical != code:
            return redirect("reports:country-brief", code=canonical)
        return super().get(request, *args, code=code, **kwargs)

    def get_context_data(self, *, code, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        limits = self.limits
        user = self.request.user
        country_meetings = Meeting.objects.visible_to(user).filter(counterpart_country=code)
        # Missions with this country, by their first meeting with it (missions.Engagement:
        # one row per official who held meetings with it on the mission).
        triples = Engagement.objects.filter(counterpart_country=code)
        if not sees_everything(user):
            # Those with a meeting the reader may see (core.classification).
            triples = triples.filter(
                Exists(
                    country_meetings.filter(
                        mission_id=OuterRef("mission_id"), principal_id=OuterRef("principal_id")
                    )
                )
            )
        latest_missions = list(
            triples.values("mission_id")
            .annotate(first_date=Min("first_date"))
            .order_by("-first_date", "-mission_id")
            .values_list("mission_id", flat=True)[: limits["missions"]]
        )
        meetings = list(
            country_meetings.filter(mission_id__in=latest_missions)
            .select_related("mission", "principal")
            .prefetch_related(
                Prefetch(
                    "counterparts",
                    queryset=Person.objects.prefetch_related(
                        Prefetch("posts", queryset=Post.objects.select_related("organization"))
                    ),
                ),
                "counterpart_organizations",
                Prefetch("projects", queryset=Project.objects.visible_to(user)),
                # Signed there: on the meeting's row.
                Prefetch(
                    "agreements_signed",
                    queryset=Agreement.objects.visible_to(user).order_by("signed_on", "id"),
                ),
            )
            .order_by("date", "mission_id", "id")
        )
        for meeting in meetings:
            meeting.counterparts_then = [
                {"person": person, "post": person.post_on(meeting.date)}
                for person in meeting.counterparts.all()
            ]
        # One block per engagement: a mission's meetings held by one official.
        engagements = []
        for _triple, group in groupby(
            sorted(
                meetings,
                key=lambda meeting: (meeting.mission_id, meeting.principal_id, meeting.date),
            ),
            key=lambda meeting: (meeting.mission_id, meeting.principal_id),
        ):
            group = list(group)
            first = group[0]
            engagements.append(
                {
                    "mission": first.mission,
                    "principal": first.principal,
                    "principal_rank": first.get_principal_rank_display(),
                    "meetings": group,
                    "first_date": first.date,
                    "fiscal_year": selectors.year_label(fiscal_year_of(first.date), fiscal=True),
                    "top_sales": first.mission.status == MissionStatus.COMPLETED
                    and first.principal_rank in TOP_SALES_RANKS,
                }
            )
        engagements.sort(
            key=lambda engagement: (
                engagement["first_date"],
                engagement["mission"].pk,
                engagement["principal"].pk,
            )
        )
        by_fiscal_year = {
            selectors.year_label(int(row["year"]), fiscal=True): row["engagements"]
            for row in selectors.top_sales_engagements()
            .filter(pk__in=triples.values("pk"))
            .values(year=year_expression("first_date", fiscal=True))
            .annotate(engagements=Count("id"))
            .order_by("year")
        }

        country_agreements = Agreement.objects.visible_to(user).filter(
            Q(counterpart_country=code) | Q(target_countries__icontains=code)
        )
        agreements = list(
            country_agreements.select_related("signed_by", "japanese_signatory")
            .prefetch_related("counterpart_organizations", "sectors")
            .order_by(F("signed_on").desc(nulls_first=True), "-id")[: limits["agreements"]]
        )[::-1]
        country_projects = Project.objects.visible_to(user).filter(
            Q(country=code) | Q(other_countries__icontains=code)
        )
        projects = list(
            country_projects.select_related("owner", "awarded_to").order_by(
                _upstream_first("stage"), "name", "id"
            )[: limits["projects"]]
        )

        # Follow-ups hang on records by (content type, id): those on this country's
        # records, found in the database, and their records named in one query per kind.
        types = ContentType.objects.get_for_models(Mission, Meeting, Agreement, Project)
        open_followups = FollowUp.objects.visible_to(user).filter(
            Q(content_type=types[Meeting], object_id__in=country_meetings.values("pk"))
            # A mission's: in the brief of the country it concerns only (one named before
            # that was asked for, on a mission of several countries, shows in each).
            | Q(
                Q(country=code) | Q(country=""),
                content_type=types[Mission],
                object_id__in=triples.values("mission_id"),
            )
            | Q(content_type=types[Agreement], object_id__in=country_agreements.values("pk"))
            | Q(content_type=types[Project], object_id__in=country_projects.values("pk")),
            status=FollowUpStatus.OPEN,
        )
        followups = [
            {
                "followup": followup,
                "target": followup.target,
                "kind": followup.content_type.model_class()._meta.verbose_name,
            }
            for followup in open_followups.select_related("assignee", "content_type")
            .prefetch_related("target")
            .order_by("due_on", "id")[: limits["followups"]]
        ]
        notes, notes_total = self._notes(
            user,
            {
                Meeting: country_meetings.values("pk"),
                Mission: triples.values("mission_id"),
                Agreement: country_agreements.values("pk"),
                Project: country_projects.values("pk"),
                Organization: Organization.objects.filter(country=code).values("pk"),
                Person: Post.objects.filter(organization__country=code).values("person_id"),
            },
        )
        totals = {
            "missions": triples.values("mission_id").distinct().count(),
            "meetings": country_meetings.count(),
            "agreements": country_agreements.count(),
            "projects": country_projects.count(),
            "followups": open_followups.count(),
            "notes": notes_total,
        }
        region = region_of(code)
        # The region's map: its countries' top-sales engagements of all years (the
        # selector the dashboard reads), ASEAN members as of today, as the facts say.
        region_stats = (
            selectors.engagement_statistics(period=None, regions=[region], user=user)
            if region
            else None
        )
        shown = [
            *meetings,
            *(engagement["mission"] for engagement in engagements),
            *agreements,
            *projects,
            *(row["followup"] for row in followups),
            *(row["note"] for row in notes),
        ]
        audit.note_records(self.request, audit.CHANNEL_PAGE, shown)
        context.update(
            classification_marking=highest_marking(record.classification for record in shown),
            code=code,
            name=countries.name(code),
            region=region.label if region else None,
            region_stats=region_stats,
            region_map=(
                maps.engagement_map(
                    region_stats.by_country, asean_on=today, region=region, highlight=code
                )
                if region
                else None
            ),
            asean_codes=asean_members_on(today),
            asean_today=is_asean(code, today),
            today=today,
            form=CountryForm(initial={"country": code}),
            engagements=engagements,
            missions_shown=len(latest_missions),
            top_sales_count=sum(by_fiscal_year.values()),
            by_fiscal_year=by_fiscal_year,
            agreements=agreements,
            projects=projects,
            followups=followups,
            notes=notes,
            show_notes=user.has_perm("notes.view_note"),
            totals=totals,
            lists={
                name: f"{reverse(f'reports:{name}-list')}?country={code}"
                for name in ("meeting", "agreement", "project")
            },
        )
        return context

    def _notes(self, user, records):
        """The notes on the country's records (`records`: model -> their ids), newest
        first, each with its record named (one query per kind of record), and how many
        there are; none for a reader who may not view notes."""
        if not user.has_perm("notes.view_note"):
            return [], 0
        types = ContentType.objects.get_for_models(*records)
        on_records = Q(pk__in=[])
        for model, ids in records.items():
            on_records |= Q(content_type=types[model], object_id__in=ids)
        country_notes = Note.objects.visible_to(user).filter(on_records)
        rows = [
            {
                "note": note,
                "target": note.target,
                "kind": note.content_type.model_class()._meta.verbose_name,
            }
            for note in country_notes.select_related("author", "content_type")
            .prefetch_related("target")
            .order_by("-created_at", "-id")[: self.limits["notes"]]
        ]
        return rows, country_notes.count()


# Watch list


class WatchListTransitionView(AnalystPageMixin, TableDownloadMixin, TemplateView):
    """From one Action Plan edition's watch list to the next (83 → … → 83)."""

    template_name = "reports/watch_list.html"
    table_names = ("transition", "groups", "by-region", "by-sector")

    def sheet(self, name, context):
        if context.get("edition") is None:
            return None
        data = dataclasses.asdict(context["transition"])
        if name in ("transition", "groups"):
            sheet = spreadsheets.transition_sheet(data)
            sheet.tables = sheet.tables[:1] if name == "transition" else sheet.tables[1:]
            sheet.tables[0].caption = ""
            return sheet
        previous, current = context["previous"].edition["name"], context["current"].edition["name"]
        key = "region" if name == "by-region" else "sector"
        rows = [
            [row["label"], row.get("previous", 0), row.get("current", 0)]
            for row in context[f"by_{key}"]
        ]
        rows.append([gettext("Total"), context["previous"].total, context["current"].total])
        return spreadsheets.Sheet(
            spreadsheets.titled(
                gettext("Watch list by region")
                if key == "region"
                else gettext("Watch list by sector"),
                f"{previous} → {current}",
            ),
            [
                spreadsheets.Table(
                    "",
                    [
                        gettext("Region") if key == "region" else gettext("Sector"),
                        previous,
                        current,
                    ],
                    rows,
                )
            ],
            notes=[spreadsheets.as_of()],
            name=f"watch-list-by-{key}",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editions = list(
            WatchList.objects.filter(previous__isnull=False)
            .select_related("previous")
            .order_by("-edition_year")
        )
        form = EditionForm(self.request.GET or None, editions=editions)
        edition = editions[0] if editions else None
        if form.is_bound and form.is_valid() and form.cleaned_data["edition"]:
            edition = next(
                item for item in editions if item.edition_year == form.cleaned_data["edition"]
            )
        context.update(form=form, edition=edition)
        if edition is None:
            return context
        user = self.request.user
        transition = selectors.watch_list_transition(edition=edition, user=user)
        current = selectors.edition_breakdown(edition=edition, user=user)
        previous = selectors.edition_breakdown(edition=edition.previous, user=user)

        def side_by_side(key, vocabulary):
            rows = {}
            for breakdown, column in ((previous, "previous"), (current, "current")):
                for row in getattr(breakdown, f"by_{key}"):
                    entry = rows.setdefault(row[key], {"label": row["label"]})
                    entry[column] = row["count"]
            order = {value: index for index, value in enumerate(vocabulary.values)}
            return [rows[value] for value in sorted(rows, key=lambda v: order.get(v, len(order)))]

        groups = [
            ("won_japanese", _("Won by Japanese firms")),
            ("won_foreign", _("Won by a foreign firm")),
            ("removed", _("Removed")),
            ("continued", _("Continued")),
            ("added", _("Added")),
        ]
        if transition.pending:
            groups.append(("pending", _("Outcome not recorded yet")))
        context.update(
            transition=transition,
            groups=[
                {
                    "key": key,
                    "label": label,
                    "count": getattr(transition, key),
                    "projects": transition.projects[key],
                }
                for key, label in groups
            ],
            by_region=side_by_side("region", Region),
            by_sector=side_by_side("sector", SectorCode),
            current=current,
            previous=previous,
            charts={
                "regions": _chart(
                    "bar",
                    [row["label"] for row in current.by_region],
                    [{"label": edition.name, "data": [row["count"] for row in current.by_region]}],
                    horizontal=True,
                    unit=_("projects"),
                ),
            },
        )
        return context


# Record pages


def record_page_url(user, record) -> str | None:
    """The analysts' page of a mission, meeting, agreement or project, for a reader who
    may open it (the permissions of its list); None otherwise."""
    view = RECORD_PAGES.get(type(record))
    if view is None or not user.has_perms(view.permissions_for()):
        return None
    return reverse(view.url_name, args=[record.pk])


class RecordDetailView(AnalystPageMixin, TemplateView):
    """One record, read-only and printable: its facts, the records it relates to (those
    the reader may see), its notes, its follow-ups and its history. A record the reader
    may not see does not exist for them (404). A fixed number of queries whatever the
    number of its relations."""

    model: type
    url_name: str
    list_name: str
    template_name: str

    @classmethod
    def permissions_for(cls):
        meta = cls.model._meta
        return (*REPORT_PERMISSIONS, f"{meta.app_label}.view_{meta.model_name}")

    def get_permission_required(self):
        return self.permissions_for()

    def queryset(self, user):
        raise NotImplementedError

    def related(self, record, user) -> dict:
        """The relations the page lists, each filtered by visible_to(user)."""
        return {}

    def get_context_data(self, *, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # An id no record can have (beyond the database's integers) is no record either.
        record = (
            self.queryset(user).visible_to(user).filter(pk=pk).first() if pk <= MAX_BIGINT else None
        )
        if record is None:
            raise Http404(gettext("There is no such record."))
        related = self.related(record, user)
        followups = []
        if user.has_perm("followups.view_followup"):
            followups = list(
                FollowUp.objects.visible_to(user)
                .filter(
                    content_type=ContentType.objects.get_for_model(self.model),
                    object_id=record.pk,
                )
                .select_related("assignee")
                .order_by("due_on", "id")
            )
        notes = []
        if user.has_perm("notes.view_note"):
            notes = list(
                Note.objects.visible_to(user)
                .filter(
                    content_type=ContentType.objects.get_for_model(self.model),
                    object_id=record.pk,
                )
                .select_related("author")
            )  # newest first (Note.Meta.ordering)
        # The page's marking: that of the most restricted record it shows.
        shown = [record, *followups, *notes]
        for value in related.values():
            for item in value if isinstance(value, list) else [value]:
                if hasattr(item, "classification"):
                    shown.append(item)
        audit.note_records(self.request, audit.CHANNEL_PAGE, [record], detail=True)
        context.update(
            record=record,
            opts=self.model._meta,
            classification_marking=highest_marking(item.classification for item in shown),
            followups=followups,
            notes=notes,
            history=record_history(record, user),
            list_url=reverse(self.list_name),
            admin_url=reverse(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change",
                args=[record.pk],
            )
            if user.is_staff
            else None,
            today=timezone.localdate(),
            **related,
        )
        return context


class MissionDetailView(RecordDetailView):
    model = Mission
    url_name = "reports:mission-detail"
    list_name = "reports:mission-list"
    template_name = "reports/records/mission.html"

    def queryset(self, user):
        return Mission.objects.select_related("leader").prefetch_related("delegation", "sectors")

    def related(self, record, user):
        meetings = list(
            Meeting.objects.visible_to(user)
            .filter(mission=record)
            .select_related("principal")
            .prefetch_related(
                Prefetch(
                    "counterparts",
                    queryset=Person.objects.prefetch_related(
                        Prefetch("posts", queryset=Post.objects.select_related("organization"))
                    ),
                ),
                "counterpart_organizations",
                Prefetch("projects", queryset=Project.objects.visible_to(user)),
            )
            .order_by("date", "id")
        )
        return {"meetings": meetings}


class MeetingDetailView(RecordDetailView):
    model = Meeting
    url_name = "reports:meeting-detail"
    list_name = "reports:meeting-list"
    template_name = "reports/records/meeting.html"

    def queryset(self, user):
        return Meeting.objects.select_related("mission", "principal").prefetch_related(
            Prefetch(
                "counterparts",
                queryset=Person.objects.prefetch_related(
                    Prefetch("posts", queryset=Post.objects.select_related("organization"))
                ),
            ),
            "counterpart_organizations",
        )

    def related(self, record, user):
        return {
            "projects": list(record.projects.visible_to(user).order_by("name", "id")),
            "agreements": list(
                Agreement.objects.visible_to(user)
                .filter(signed_at_meeting=record)
                .order_by("signed_on", "id")
            ),
        }


class AgreementDetailView(RecordDetailView):
    model = Agreement
    url_name = "reports:agreement-detail"
    list_name = "reports:agreement-list"
    template_name = "reports/records/agreement.html"

    def queryset(self, user):
        return Agreement.objects.select_related("japanese_signatory", "signed_by").prefetch_related(
            "counterpart_organizations", "sectors", "documents"
        )

    def related(self, record, user):
        agreements = Agreement.objects.visible_to(user)
        return {
            "projects": list(record.projects.visible_to(user).order_by("name", "id")),
            "signed_at": Meeting.objects.visible_to(user)
            .filter(pk=record.signed_at_meeting_id)
            .first()
            if record.signed_at_meeting_id
            else None,
            "supersedes": agreements.filter(pk=record.supersedes_id).first()
            if record.supersedes_id
            else None,
            "superseded_by": agreements.filter(supersedes=record).first(),
        }


class ProjectDetailView(RecordDetailView):
    model = Project
    url_name = "reports:project-detail"
    list_name = "reports:project-list"
    template_name = "reports/records/project.html"

    def queryset(self, user):
        return Project.objects.select_related("owner", "awarded_to").prefetch_related(
            Prefetch(
                "participations",
                queryset=ProjectParticipant.objects.select_related("organization").order_by(
                    "role", "organization__name", "id"
                ),
            ),
            Prefetch(
                "watch_list_entries",
                queryset=WatchListEntry.objects.select_related("watch_list").order_by(
                    "watch_list__edition_year"
                ),
            ),
        )

    def related(self, record, user):
        return {
            "meetings": list(
                record.meetings.visible_to(user)
                .select_related("mission", "principal")
                .order_by("date", "id")
            ),
            "agreements": list(record.agreements.visible_to(user).order_by("signed_on", "id")),
        }


RECORD_PAGES = {
    view.model: view
    for view in (MissionDetailView, MeetingDetailView, AgreementDetailView, ProjectDetailView)
}
