"""Every resource of /api/v1/, in one place."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from agreements.api.views import AgreementDocumentViewSet, AgreementViewSet
from audit.api.views import ReadEventViewSet
from contacts.api.views import OrganizationViewSet, PersonViewSet, PostViewSet
from core.api.tags import TagViewSet
from exports.api.views import ExportJobViewSet
from followups.api.views import FollowUpViewSet
from imports.api.views import ImportJobViewSet
from missions.api.views import MeetingViewSet, MissionViewSet
from notes.api.views import NoteViewSet
from projects.api.views import (
    OrderFigureViewSet,
    ProjectParticipantViewSet,
    ProjectViewSet,
    WatchListEntryViewSet,
    WatchListViewSet,
)
from reports.api.views import OC4IDSView
from search.api import SavedFilterViewSet, SearchView

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("posts", PostViewSet, basename="post")
router.register("projects", ProjectViewSet, basename="project")
router.register("project-participants", ProjectParticipantViewSet, basename="projectparticipant")
router.register("watch-lists", WatchListViewSet, basename="watchlist")
router.register("watch-list-entries", WatchListEntryViewSet, basename="watchlistentry")
router.register("order-figures", OrderFigureViewSet, basename="orderfigure")
router.register("missions", MissionViewSet, basename="mission")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("agreement-documents", AgreementDocumentViewSet, basename="agreementdocument")
router.register("follow-ups", FollowUpViewSet, basename="followup")
router.register("notes", NoteViewSet, basename="note")
# Background exports of any list above (not a record: webhooks and exports skip it).
router.register("exports", ExportJobViewSet, basename="exportjob")
# Spreadsheets imported into the lists above (not a record either).
router.register("imports", ImportJobViewSet, basename="importjob")

app_name = "api"
urlpatterns = [
    path("reports/", include("reports.api.urls")),
    path("search/", SearchView.as_view(), name="search"),
    # The user's saved filters of the lists below: not records (no history, no webhooks,
    # no export), so not in the router, whose resources are.
    path(
        "saved-filters/",
        SavedFilterViewSet.as_view({"get": "list", "post": "create"}),
        name="savedfilter-list",
    ),
    path(
        "saved-filters/<int:pk>/",
        SavedFilterViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
        ),
        name="savedfilter-detail",
    ),
    # The tags of the records below: labels, not records (no export, no webhooks).
    path("tags/", TagViewSet.as_view({"get": "list"}), name="tag-list"),
    path(
        "tags/<int:pk>/",
        TagViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"}),
        name="tag-detail",
    ),
    path("tags/<int:pk>/merge/", TagViewSet.as_view({"post": "merge"}), name="tag-merge"),
    # The read audit, for administrators: a log to read and export, not a record.
    path(
        "audit/reads/",
        ReadEventViewSet.as_view({"get": "list"}, basename="readevent"),
        name="readevent-list",
    ),
    path("oc4ids/", OC4IDSView.as_view(), name="oc4ids"),
    *router.urls,
]
