"""The statistics as JSON under /api/v1/reports/: the same selectors as the
dashboard, the same parameters as the list endpoints.

Two answers are a contract other tools rely on: engagements (`engagements`,
`countries`, `asean_engagements`) and watch-list-transition (`previous_total`,
`won_japanese`, `won_foreign`, `removed`, `continued`, `added`, `total`)."""

import dataclasses

from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.choices import AgreementKind
from core.regions import Region
from core.sectors import SectorCode
from missions.choices import LeaderRank
from projects.choices import ProjectStatus
from projects.models import WatchList
from reports import selectors
from reports.sentences import engagement_sentence


class CanReadReports(permissions.BasePermission):
    """Statistics summarise every record: Analyst and above (anyone who may view them)."""

    required = ("missions.view_meeting", "agreements.view_agreement", "projects.view_project")

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perms(self.required))


class PeriodParameters(serializers.Serializer):
    """`year` (calendar), `fiscal_year` (April–March), or `start`/`end`; none = all time."""

    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    fiscal_year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):
        given = [name for name in ("year", "fiscal_year") if name in attrs]
        if len(given) > 1 or (given and ("start" in attrs or "end" in attrs)):
            raise serializers.ValidationError(_("Give one of year, fiscal_year, or start and end."))
        if ("start" in attrs) != ("end" in attrs):
            raise serializers.ValidationError({"end": _("Give both start and end.")})
        if "start" in attrs and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end cannot be before the start.")})
        return attrs

    def period(self):
        data = self.validated_data
        if "year" in data:
            return selectors.Period.calendar_year(data["year"])
        if "fiscal_year" in data:
            return selectors.Period.fiscal_year(data["fiscal_year"])
        if "start" in data:
            return selectors.Period.between(data["start"], data["end"])
        return None


def _choices(vocabulary):
    return serializers.ListField(child=serializers.ChoiceField(choices=vocabulary), required=False)


class EngagementParameters(PeriodParameters):
    country = _choices(list(countries))
    region = _choices(Region.choices)
    leader_rank = _choices(LeaderRank.choices)
    leader = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    asean = serializers.BooleanField(required=False, allow_null=True, default=None)


class ReportView(APIView):
    permission_classes = (permissions.IsAuthenticated, CanReadReports)
    parameters_class = PeriodParameters

    def parameters(self, request):
        parameters = self.parameters_class(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        return parameters

    @staticmethod
    def answer(result, **extra):
        return Response({**dataclasses.asdict(result), **extra})


class EngagementsView(ReportView):
    """Top-sales engagements (mission × counterpart country) in a period."""

    parameters_class = EngagementParameters

    @extend_schema(
        parameters=[EngagementParameters],
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
                "by_leader": serializers.JSONField(),
                "by_year": serializers.JSONField(),
                "sentence": inline_serializer(
                    "EngagementSentence",
                    {"ja": serializers.CharField(), "en": serializers.CharField()},
                ),
            },
        ),
    )
    def get(self, request):
        parameters = self.parameters(request)
        data, period = parameters.validated_data, parameters.period()
        stats = selectors.engagement_statistics(
            period=period,
            countries=data.get("country"),
            regions=data.get("region"),
            leader_ranks=data.get("leader_rank"),
            leader_ids=data.get("leader"),
            asean=data.get("asean"),
        )
        sentence = {
            language: engagement_sentence(stats, period, language) for language in ("ja", "en")
        }
        return self.answer(stats, sentence=sentence)


class EditionParameters(serializers.Serializer):
    edition = serializers.IntegerField(min_value=1900, max_value=2200)


class WatchListTransitionView(ReportView):
    """From the previous edition of the watch list to `edition` (its year)."""

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
            },
        ),
    )
    def get(self, request):
        edition = self.parameters(request).validated_data["edition"]
        try:
            return self.answer(selectors.watch_list_transition(edition=edition))
        except WatchList.DoesNotExist as error:
            raise NotFound(_("There is no watch list of that year.")) from error


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
        edition = self.parameters(request).validated_data["edition"]
        try:
            return self.answer(selectors.edition_breakdown(edition=edition))
        except WatchList.DoesNotExist as error:
            raise NotFound(_("There is no watch list of that year.")) from error


class AgreementParameters(PeriodParameters):
    country = _choices(list(countries))
    sector = _choices(SectorCode.choices)
    kind = _choices(AgreementKind.choices)
    expiring_within = serializers.IntegerField(
        required=False, min_value=0, max_value=3650, default=180
    )


class AgreementsView(ReportView):
    """Agreements (signed in the period) by status, country, sector and kind, and those
    expiring within `expiring_within` days."""

    parameters_class = AgreementParameters

    @extend_schema(
        parameters=[AgreementParameters],
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
        parameters = self.parameters(request)
        data = parameters.validated_data
        stats = selectors.agreement_statistics(
            period=parameters.period(),
            countries=data.get("country"),
            sectors=data.get("sector"),
            kinds=data.get("kind"),
        )
        expiring = [
            {
                "id": agreement.pk,
                "display": str(agreement),
                "counterpart_country": agreement.counterpart_country.code,
                "status": agreement.status,
                "expires_on": agreement.expires_on,
            }
            for agreement in selectors.agreements_expiring(within_days=data["expiring_within"])
        ]
        return self.answer(stats, expiring=expiring)


class PipelineParameters(serializers.Serializer):
    country = _choices(list(countries))
    region = _choices(Region.choices)
    sector = _choices(SectorCode.choices)
    status = _choices(ProjectStatus.choices)


class PipelineView(ReportView):
    """Projects by stage × sector × region × status."""

    parameters_class = PipelineParameters

    @extend_schema(
        parameters=[PipelineParameters],
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
        data = self.parameters(request).validated_data
        return self.answer(
            selectors.project_pipeline(
                countries=data.get("country"),
                regions=data.get("region"),
                sectors=data.get("sector"),
                statuses=data.get("status"),
            )
        )


class TopSalesEffectView(ReportView):
    """Of the projects promoted at top-sales meetings in the period, what became of them."""

    @extend_schema(
        parameters=[PeriodParameters],
        responses=inline_serializer(
            "TopSalesEffect",
            {
                "projects": serializers.IntegerField(),
                "won_japanese": serializers.IntegerField(),
                "won_foreign": serializers.IntegerField(),
                "dropped": serializers.IntegerField(),
                "still_open": serializers.IntegerField(),
                "project_ids": serializers.JSONField(),
            },
        ),
    )
    def get(self, request):
        period = self.parameters(request).period()
        return self.answer(selectors.top_sales_effect(period=period))


class OrderFiguresView(ReportView):
    """Orders won by Japanese firms against the government's target."""

    @extend_schema(
        responses=inline_serializer(
            "OrderFiguresAgainstTarget",
            {
                "actuals": serializers.JSONField(),
                "targets": serializers.JSONField(),
                "latest_actual": serializers.JSONField(allow_null=True),
                "target": serializers.JSONField(allow_null=True),
                "ratio": serializers.FloatField(allow_null=True),
            },
        )
    )
    def get(self, request):
        return self.answer(selectors.order_figures_against_target())
