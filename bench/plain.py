"""The plain way, for comparison: what a competent developer writes first with stock
DRF. ModelViewSet, ModelSerializer with nested serializers, the stock JSON renderer
and page-number pagination, and the select_related / prefetch_related the nesting
needs (no N+1). It prints about what the application's API prints: each related
record by id and names, the counterparts with their posts, the participants with
their roles.

Only the benchmark uses it (bench/urls.py mounts it under /bench/plain/)."""

from django.db.models import Prefetch
from django_countries.serializers import CountryFieldMixin
from rest_framework import pagination, renderers, serializers, viewsets

from agreements.api.serializers import AGREEMENT_FIELDS
from agreements.models import Agreement, AgreementDocument
from contacts.models import Organization, Person, Post
from missions.models import Meeting, Mission
from projects.api.serializers import PROJECT_FIELDS
from projects.models import Project, ProjectParticipant, WatchList, WatchListEntry


class PlainPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


class PlainViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = PlainPagination
    renderer_classes = [renderers.JSONRenderer]
    filter_backends = []


class Model(CountryFieldMixin, serializers.ModelSerializer):
    """Countries as their codes (django-countries' own mixin)."""


class OrganizationBrief(Model):
    class Meta:
        model = Organization
        fields = ["id", "name", "name_ja", "kind", "country"]


class PostBrief(Model):
    organization = OrganizationBrief()

    class Meta:
        model = Post
        fields = ["id", "title", "title_ja", "start_date", "end_date", "organization"]


class PersonWithPosts(Model):
    posts = PostBrief(many=True)

    class Meta:
        model = Person
        fields = ["id", "name", "name_ja", "posts"]


class PersonBrief(Model):
    class Meta:
        model = Person
        fields = ["id", "name", "name_ja"]


class MissionBrief(Model):
    class Meta:
        model = Mission
        fields = ["id", "title", "title_ja", "leader_rank", "status"]


class ProjectBrief(Model):
    class Meta:
        model = Project
        fields = ["id", "name", "name_ja", "country", "sector", "status"]


class MeetingSerializer(Model):
    url = serializers.HyperlinkedIdentityField(view_name="api:meeting-detail")
    mission = MissionBrief()
    principal = PersonBrief()
    counterparts = PersonWithPosts(many=True)
    counterpart_organizations = OrganizationBrief(many=True)
    projects = ProjectBrief(many=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "mission",
            "date",
            "principal",
            "principal_rank",
            "counterpart_country",
            "venue_city",
            "venue_country",
            "counterparts",
            "counterpart_organizations",
            "topics",
            "projects",
            "outcome",
            "created_at",
            "updated_at",
        ]


class MeetingViewSet(PlainViewSet):
    serializer_class = MeetingSerializer
    queryset = Meeting.objects.select_related("mission", "principal").prefetch_related(
        Prefetch(
            "counterparts",
            queryset=Person.objects.prefetch_related(
                Prefetch("posts", queryset=Post.objects.select_related("organization"))
            ),
        ),
        "counterpart_organizations",
        "projects",
    )


class ParticipantSerializer(Model):
    organization = OrganizationBrief()

    class Meta:
        model = ProjectParticipant
        fields = ["id", "organization", "role"]


class WatchListBrief(Model):
    class Meta:
        model = WatchList
        fields = ["id", "name", "edition_year"]


class WatchListEntryBrief(Model):
    watch_list = WatchListBrief()

    class Meta:
        model = WatchListEntry
        fields = ["id", "watch_list", "region", "outcome_at_next_edition"]


class ProjectSerializer(Model):
    url = serializers.HyperlinkedIdentityField(view_name="api:project-detail")
    owner = OrganizationBrief()
    awarded_to = OrganizationBrief()
    participants = ParticipantSerializer(source="participations", many=True)
    watch_list_entries = WatchListEntryBrief(many=True)

    class Meta:
        model = Project
        # The same columns as ours, so that the two are compared on equal output.
        fields = PROJECT_FIELDS


class ProjectViewSet(PlainViewSet):
    serializer_class = ProjectSerializer
    queryset = (
        Project.objects.select_related("owner", "awarded_to")
        .order_by("name", "id")
        .prefetch_related(
            Prefetch(
                "participations", queryset=ProjectParticipant.objects.select_related("organization")
            ),
            Prefetch(
                "watch_list_entries", queryset=WatchListEntry.objects.select_related("watch_list")
            ),
        )
    )


class AgreementBrief(Model):
    class Meta:
        model = Agreement
        fields = ["id", "title", "title_ja", "status"]


class MeetingBrief(Model):
    class Meta:
        model = Meeting
        fields = ["id", "date", "counterpart_country"]


class DocumentBrief(Model):
    class Meta:
        model = AgreementDocument
        fields = ["id", "language", "description"]


class AgreementSerializer(Model):
    url = serializers.HyperlinkedIdentityField(view_name="api:agreement-detail")
    japanese_signatory = OrganizationBrief()
    signed_by = PersonBrief()
    counterpart_organizations = OrganizationBrief(many=True)
    signed_at_meeting = MeetingBrief()
    supersedes = AgreementBrief()
    superseded_by = AgreementBrief()
    projects = ProjectBrief(many=True)
    documents = DocumentBrief(many=True)

    class Meta:
        model = Agreement
        # The same columns as ours, so that the two are compared on equal output.
        fields = AGREEMENT_FIELDS


class AgreementViewSet(PlainViewSet):
    serializer_class = AgreementSerializer
    queryset = Agreement.objects.select_related(
        "japanese_signatory", "signed_by", "signed_at_meeting", "supersedes", "superseded_by"
    ).prefetch_related("counterpart_organizations", "sectors", "projects", "documents")
