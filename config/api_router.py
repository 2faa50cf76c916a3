"""Every resource of /api/v1/, in one place."""

from rest_framework.routers import DefaultRouter

from missions.api.views import MeetingViewSet, MissionViewSet

router = DefaultRouter()
router.register("missions", MissionViewSet, basename="mission")
router.register("meetings", MeetingViewSet, basename="meeting")

app_name = "api"
urlpatterns = router.urls
