"""The application's URLs plus the plain-way reference viewsets (bench.plain)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from bench import plain
from config.urls import urlpatterns as application_urls

router = SimpleRouter()
router.register("meetings", plain.MeetingViewSet, basename="plain-meeting")
router.register("projects", plain.ProjectViewSet, basename="plain-project")
router.register("agreements", plain.AgreementViewSet, basename="plain-agreement")

urlpatterns = [path("bench/plain/", include(router.urls)), *application_urls]
