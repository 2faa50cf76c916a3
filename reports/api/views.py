"""The statistics as JSON under /api/v1/reports/: the same selectors as the
dashboard, the same parameters as the list endpoints.

Two answers are a contract other tools rely on: engagements (`engagements`,
`countries`, `asean_engagements`) and watch-list-transition (`previous_total`,
`won_japanese`, `won_foreign`, `removed`, `continued`, `added`, `total`)."""

import dataclasses

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings

from agreements.choices import AgreementStatus
from agreements.filters import (
    EXPIRING_WITHIN_DAYS,
    MAX_EXPIRING_WITHIN_DAYS,
    AgreementFilterSet,
)
from agreements.models import Agreement
from core.api.export import EXPORT_RENDERERS
from core.api.views import ParametersMixin
from core.fiscal import FIRST_YEAR, LAST_YEAR
from missions.filters import MeetingFilterSet
from missions.models import Meeting
from projects.filters import OrderFigureFilterSet, ProjectFilterSet
from projects.models import OrderFigure, Project, WatchList
from reports import oc4ids, selectors, spreadsheets
from reports.sentences import engagement_sentence


class CanReadReports(permissions.BasePermission):
    """Statistics summarise every record: Analyst and above (anyone who may view them)."""

    required = ("missions.view_meeting", "agreements.view_agreement", "projects.view_project")

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perms(self.required))


def report_filterset(list_filterset):
    """A list's FilterSet as the parameters of a report on its records: the same names,
    values and error messages as the list endpoint's, less `ordering` (a report has no
    rows to order)."""
    return type(
        f"Report{list_filterset.__name__}",
        (list_filterset,),
        {"ordering": None, "__module__": __name__, "__doc__": list_filterset.__doc__},
    )


class ReportView(ParametersMixin, GenericAPIView):
    """A report validates its parameters with the FilterSet of the records it counts
    (`filterset_class`), or with `parameters_class` (a serializer) when it counts no
    list's records. A wrong value is a 400 naming the parameter, as the list answers;
    so is a parameter the report does not take, rather than an answer that silently
    ignores it."""

    permission_classes = (permissions.IsAuthenticated, CanReadReports)
    # `?format=csv|xlsx`: the report's tables as a spreadsheet (reports.spreadsheets).
    renderer_classes = (*api_settings.DEFAULT_RENDERER_CLASSES, *EXPORT_RENDERERS)
    pagination_class = None
    filterset_class = None
    parameters_class = None
    # What the report counts, the title row of its spreadsheet.
    what = ""

    @classmethod
    def parameter_names(cls) -> list[str]:
        if cls.filterset_class is not None:
            return list(cls.filterset_class.base_filters)
        return list(cls.parameters_class().fields)

    def known_parameters(self) -> set[str]:
        return {*self.parameter_names(), api_settings.URL_FORMAT_OVERRIDE}

    def parameters(self, request) -> dict:
        """The parameters given, cleaned; those left empty are not given, as in a list.
        The FilterSet is kept as self.filterset, for filtered()."""
        # Reported together with the wrong values, not one kind after the other.
        errors = self.unknown_parameter_errors()
        if self.filterset_class is not None:
            self.filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
            valid = self.filterset.is_valid()
            errors |= {} if valid else translate_validation(self.filterset.errors).detail
            data = self.filterset.form.cleaned_data if valid else {}
        else:
            parameters = self.parameters_class(data=request.query_params)
            valid = parameters.is_valid()
            errors |= {} if valid else parameters.errors
            data = parameters.validated_data if valid else {}
        if errors:
            raise serializers.ValidationError(errors)
        self.given_labels = self._given_labels()
        # Records chosen by id come as a QuerySet, an empty one when none was given: as
        # a list, it is an empty value like the others.
        data = {
            name: list(value) if isinstance(value, QuerySet) else value
            for name, value in data.items()
        }
        self.given = {name: value for name, value in data.items() if value not in EMPTY_VALUES}
        return self.given

    def get_queryset(self):
        # What the reader may see (core.classification); the selectors are given the
        # reader too, for the counts read without a filter.
        queryset = super().get_queryset()
        visible_to = getattr(queryset, "visible_to", None)
        return queryset if visible_to is None else visible_to(self.request.user)

    def filtered(self, given: dict, leave_out=()) -> QuerySet | None:
        """The view's records narrowed by the filters given, but those of `leave_out`,
        each as the list applies it; None when there is none (count them all)."""
        names = sorted(set(given) - set(leave_out))
        if not names:
            return None
        records = self.get_queryset()
        for name in names:
            records = self.filterset.filters[name].filter(records, given[name])
        return records

    def _given_labels(self) -> list[tuple[str, str, list[str]]]:
        """The parameters given, as the spreadsheet's filters row names them."""
        query = self.request.query_params
        labels = {}
        if self.filterset_class is not None:
            labels = {name: f.label for name, f in self.filterset_class.base_filters.items()}
        return [
            (name, str(labels.get(name) or name), [value for value in query.getlist(name) if value])
            for name in query
            if name != api_settings.URL_FORMAT_OVERRIDE
        ]

    def spreadsheet_format(self) -> str | None:
        wanted = getattr(self.request.accepted_renderer, "format", None)
        return wanted if wanted in spreadsheets.SPREADSHEET_FORMATS else None

    def answer(self, result, **extra):
        data = {**dataclasses.asdict(result), **extra}
        export_format = self.spreadsheet_format()
        if export_format is None:
            return Response(data)
        return spreadsheets.sheet_response(self.sheet(data), export_format)

    def sheet(self, data: dict) -> spreadsheets.Sheet:
        """The report's tables, under a title row saying what and for which period."""
        return spreadsheets.Sheet(
            spreadsheets.titled(self.what, self.period_label()),
            self.tables(data),
            notes=[*self.notes(data), spreadsheets.as_of(), *self.filters_row()],
            name=self.request.path.rstrip("/").rsplit("/", 1)[-1],
        )

    def period_label(self) -> str:
        """The period the figures cover: `year`, `fiscal_year`, a range of dates or of
        years, or all the records."""
        given = getattr(self, "given", {})
        if "year" in given:
            return selectors.year_label(given["year"], fiscal=False)
        if "fiscal_year" in given:
            return selectors.year_label(given["fiscal_year"], fiscal=True)
        if "date_after" in given and "date_before" in given:
            return selectors.Period.between(given["date_after"], given["date_before"]).label
        for low, high in (("date_after", "date_before"), ("year_min", "year_max")):
            if low in given or high in given:
                return f"{given.get(low, '')} – {given.get(high, '')}"
        return spreadsheets.all_time()

    def filters_row(self) -> list[str]:
        return spreadsheets.conditions(
            (label, values)
            for name, label, values in self.given_labels
            if name not in PERIOD_LABELLED
        )

    def notes(self, data: dict) -> list[str]:
        return []

    def tables(self, data: dict) -> list[spreadsheets.Table]:
        raise NotImplementedError


# The period of a report on meetings, in the meetings list's own parameters.
PERIOD_PARAMETERS = ("year", "fiscal_year", "date_after", "date_before")
# The parameters a spreadsheet's title row names as its period, not as a filter.
PERIOD_LABELLED = {*PERIOD_PARAMETERS, "year_min", "year_max", "edition"}


def period_of(given: dict) -> selectors.Period | None:
    """`year` (calendar), `fiscal_year` (April to March), or `date_after` and
    `date_before` (both ends included); none of them = all time."""
    ranged = [name for name in ("date_after", "date_before") if name in given]
    if len([name for name in ("year", "fiscal_year") if name in given] + ranged[:1]) > 1:
        raise serializers.ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY: [
                    _("Give one of year, fiscal_year, or date_after and date_before.")
                ]
            }
        )
    if "year" in given:
        return selectors.Period.calendar_year(given["year"])
    if "fiscal_year" in given:
        return selectors.Period.fiscal_year(given["fiscal_year"])
    if not ranged:
        return None
    if len(ranged) == 1:
        missing = "date_before" if ranged == ["date_after"] else "date_after"
        raise serializers.ValidationError({missing: [_("Give both date_after and date_before.")]})
    if given["date_before"] < given["date_after"]:
        raise serializers.ValidationError(
            {"date_before": [_("The end cannot be before the start.")]}
        )
    return selectors.Period.between(given["date_after"], given["date_before"])


class EngagementsView(ReportView):
    """Top-sales engagements (mission × the official who held the meetings ×
    counterpart country) in a period, with the meetings' parameters: the period is
    `year`, `fiscal_year`, or `date_after` and `date_before` (not more than one of
    these); country, region, principal, principal_rank (who held the meetings), leader,
    leader_rank (who led the mission) and asean narrow the engagements themselves
    (asean: the country's membership on the engagement's first day); every other
    parameter keeps the engagements that have at least one such meeting within the
    period (a project promoted, a sector, a counterpart...). `meetings` counts all the
    meetings of the engagements counted; `by_rank` and `by_principal` count the
    officials who held them."""

    queryset = Meeting.objects.all()
    filterset_class = report_filterset(MeetingFilterSet)
    what = _("Top-sales engagements")
    # What the engagements record, and the argument of engagement_statistics() for it.
    NATIVE = {
        "country": "countries",
        "region": "regions",
        "principal_rank": "principal_ranks",
        "principal": "principal_ids",
        "leader_rank": "leader_ranks",
        "leader": "leader_ids",
        "asean": "asean",
    }

    @extend_schema(
        filters=True,
        responses=inline_serializer(
            "EngagementStatistics",
            {
                "engagements": serializers.IntegerField(),
                "countries": serializers.IntegerField(),
                "asean_engagements": serializers.IntegerField(),
                "meetings": serializers.IntegerField(),
                "by_country": serializers.JSONField(),
                "by_region": serializers.JSONField(),
                "by_rank": serializers.JSONField(),
                "by_principal": serializers.JSONField(),
                "by_year": serializers.JSONField(),
                "sentence": inline_serializer(
                    "EngagementSentence",
                    {"ja": serializers.CharField(), "en": serializers.CharField()},
                ),
            },
        ),
    )
    def get(self, request):
        given = self.parameters(request)
        period = period_of(given)
        native = {argument: given[name] for name, argument in self.NATIVE.items() if name in given}
        for people in ("principal_ids", "leader_ids"):
            if people in native:
                native[people] = [person.pk for person in native[people]]
        meetings = self.filtered(given, leave_out={*self.NATIVE, *PERIOD_PARAMETERS})
        stats = selectors.engagement_statistics(
            period=period, meetings=meetings, user=request.user, **native
        )
        sentence = {
            language: engagement_sentence(stats, period, language) for language in ("ja", "en")
        }
        return self.answer(stats, sentence=sentence)

    def notes(self, data):
        # The annual report's sentence, in the reader's language.
        return [data["sentence"]["en" if get_language() == "en" else "ja"]]

    def tables(self, data):
        return spreadsheets.engagements_tables(data)


class EditionParameters(serializers.Serializer):
    edition = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


class WatchListTransitionView(ReportView):
    """From the previous edition of the watch list to `edition` (its year). `balanced`
    is false when the figures do not add up (an outcome not recorded yet, or one that
    contradicts the new edition's list), and `problems` says why, one sentence each."""

    parameters_class = EditionParameters

    @extend_schema(
        parameters=[EditionParameters],
        responses=inline_serializer(
            "WatchListTransition",
            {
                "edition": serializers.JSONField(),
                "previous": serializers.JSONField(allow_null=True),
                "previous_total": serializers.IntegerField(),
                "won_japanese": serializers.IntegerField(),
                "won_foreign": serializers.IntegerField(),
                "removed": serializers.IntegerField(),
                "continued": serializers.IntegerField(),
                "pending": serializers.IntegerField(),
                "added": serializers.IntegerField(),
                "total": serializers.IntegerField(),
                "projects": serializers.JSONField(),
                "balanced": serializers.BooleanField(),
                "problems": serializers.ListField(child=serializers.CharField()),
            },
        ),
    )
    def get(self, request):
        edition = self.parameters(request)["edition"]
        try:
            return self.answer(selectors.watch_list_transition(edition=edition, user=request.user))
        except WatchList.DoesNotExist as error:
            raise NotFound(_("There is no watch list of that year.")) from error

    def sheet(self, data):
        return spreadsheets.transition_sheet(data)


class WatchListBreakdownView(WatchListTransitionView):
    """One edition of the watch list by region (as printed) and by sector."""

    @extend_schema(
        parameters=[EditionParameters],
        responses=inline_serializer(
            "EditionBreakdown",
            {
                "edition": serializers.JSONField(),
                "total": serializers.IntegerField(),
                "by_region": serializers.JSONField(),
                "by_sector": serializers.JSONField(),
            },
        ),
    )
    def get(self, request):
        edition = self.parameters(request)["edition"]
        try:
            return self.answer(selectors.edition_breakdown(edition=edition, user=request.user))
        except WatchList.DoesNotExist as error:
            raise NotFound(_("There is no watch list of that year.")) from error

    def sheet(self, data):
        return spreadsheets.breakdown_sheet(data)


class AgreementsView(ReportView):
    """Agreements by status, country, sector and kind, with the agreements list's
    parameters (`year` and `fiscal_year` by the date of signing), and those of them
    expiring within `expiring_within` days: here not a filter of the statistics but
    the window of `expiring` (180 days when not given)."""

    queryset = Agreement.objects.all()
    filterset_class = report_filterset(AgreementFilterSet)
    what = _("Agreements")

    @extend_schema(
        filters=True,
        parameters=[
            OpenApiParameter(
                "expiring_within",
                int,
                description="The window of `expiring`, in days from today (default "
                f"{EXPIRING_WITHIN_DAYS}, at most {MAX_EXPIRING_WITHIN_DAYS}); it does not "
                "narrow the statistics.",
            )
        ],
        responses=inline_serializer(
            "AgreementStatistics",
            {
                "total": serializers.IntegerField(),
                "by_status": serializers.JSONField(),
                "by_country": serializers.JSONField(),
                "by_sector": serializers.JSONField(),
                "by_kind": serializers.JSONField(),
                "expiring": serializers.JSONField(),
            },
        ),
    )
    def get(self, request):
        given = self.parameters(request)
        agreements = self.filtered(given, leave_out={"expiring_within"})
        # by_sector shows only the sectors asked for.
        stats = selectors.agreement_statistics(
            agreements=agreements, sectors=given.get("sector"), user=request.user
        )
        expiring = [
            {
                "id": agreement.pk,
                "display": str(agreement),
                "counterpart_country": agreement.counterpart_country.code,
                "status": agreement.status,
                "expires_on": agreement.expires_on,
            }
            for agreement in selectors.agreements_expiring(
                within_days=given.get("expiring_within", EXPIRING_WITHIN_DAYS),
                agreements=agreements,
                user=request.user,
            )
        ]
        return self.answer(stats, expiring=expiring)

    def tables(self, data):
        statuses = dict(AgreementStatus.choices)
        expiring = [
            {
                "display": row["display"],
                "country": countries.name(row["counterpart_country"]),
                "status": str(statuses.get(row["status"], row["status"])),
                "expires_on": row["expires_on"],
            }
            for row in data["expiring"]
        ]
        return [*spreadsheets.agreements_tables(data), spreadsheets.expiring_table(expiring)]


class PipelineView(ReportView):
    """Projects by stage × sector × region × status, with the projects list's
    parameters."""

    queryset = Project.objects.all()
    filterset_class = report_filterset(ProjectFilterSet)
    what = _("Project pipeline")

    @extend_schema(
        filters=True,
        responses=inline_serializer(
            "ProjectPipeline",
            {
                "total": serializers.IntegerField(),
                "by_stage": serializers.JSONField(),
                "rows": serializers.JSONField(),
            },
        ),
    )
    def get(self, request):
        given = self.parameters(request)
        return self.answer(
            selectors.project_pipeline(projects=self.filtered(given), user=request.user)
        )

    def tables(self, data):
        return spreadsheets.pipeline_tables(data)


class TopSalesEffectView(ReportView):
    """Of the projects promoted at the top-sales meetings the meetings list's
    parameters select (`year`, `fiscal_year`, `date_after`, `date_before` by the
    meeting's date), how many were won afterwards by Japanese or foreign firms, were
    dropped, or are still open; those already won when first promoted are counted
    apart (`won_before_promotion`)."""

    queryset = Meeting.objects.all()
    filterset_class = report_filterset(MeetingFilterSet)
    what = _("Projects promoted at top sales and what became of them")

    @extend_schema(
        filters=True,
        responses=inline_serializer(
            "TopSalesEffect",
            {
                "projects": serializers.IntegerField(),
                "won_japanese": serializers.IntegerField(),
                "won_foreign": serializers.IntegerField(),
                "dropped": serializers.IntegerField(),
                "still_open": serializers.IntegerField(),
                "won_before_promotion": serializers.IntegerField(),
                "project_ids": serializers.JSONField(),
            },
        ),
    )
    def get(self, request):
        given = self.parameters(request)
        # The period as the engagements report reads it (one of year, fiscal_year, or
        # both ends of a range), the other filters as the meetings list applies them.
        period = period_of(given)
        meetings = self.filtered(given, leave_out=PERIOD_PARAMETERS)
        return self.answer(
            selectors.top_sales_effect(period=period, meetings=meetings, user=request.user)
        )

    def tables(self, data):
        return spreadsheets.top_sales_effect_tables(data)


class OrderFiguresView(ReportView):
    """Orders won by Japanese firms against the government's target, with the order
    figures list's parameters."""

    queryset = OrderFigure.objects.all()
    filterset_class = report_filterset(OrderFigureFilterSet)
    what = _("Orders won by Japanese firms against the target")

    @extend_schema(
        filters=True,
        responses=inline_serializer(
            "OrderFiguresAgainstTarget",
            {
                "actuals": serializers.JSONField(),
                "targets": serializers.JSONField(),
                "latest_actual": serializers.JSONField(allow_null=True),
                "target": serializers.JSONField(allow_null=True),
                "ratio": serializers.FloatField(allow_null=True),
            },
        ),
    )
    def get(self, request):
        given = self.parameters(request)
        return self.answer(selectors.order_figures_against_target(figures=self.filtered(given)))

    def tables(self, data):
        return spreadsheets.order_figures_tables(data)


class OC4IDSView(ReportView):
    """The projects as an OC4IDS 0.9 project package (the Open Contracting for
    Infrastructure Data Standard), filtered with the projects list's parameters:
    identifiers, title, status and sector in OC4IDS codes, country as location,
    parties with their roles, budget, periods, the agreements as documents and the
    top-sales meetings that promoted each project as `lobbyingMeetings`; only records of
    機密性1 (may be published). Streamed: any number of projects."""

    queryset = Project.objects.all()
    filterset_class = ProjectFilterSet
    renderer_classes = api_settings.DEFAULT_RENDERER_CLASSES  # a JSON package only

    @extend_schema(
        filters=True,
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="An OC4IDS project package (project-package-schema.json, 0.9.5).",
            )
        },
    )
    def get(self, request):
        given = self.parameters(request)
        projects = self.filtered(given)
        if projects is None:
            projects = self.get_queryset()
        uri = request.build_absolute_uri()
        base_url = request.build_absolute_uri("/").rstrip("/")
        return StreamingHttpResponse(
            oc4ids.project_package(projects, uri=uri, base_url=base_url),
            content_type="application/json",
        )
