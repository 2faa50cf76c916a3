from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("missions/", views.MissionListView.as_view(), name="mission-list"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("missions/<int:pk>/", views.MissionDetailView.as_view(), name="mission-detail"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("countries/", views.CountryPickerView.as_view(), name="country-picker"),
    path("countries/<str:code>/", views.CountryBriefView.as_view(), name="country-brief"),
    path("exports/", views.ExportListView.as_view(), name="export-list"),
    path("watch-list/", views.WatchListTransitionView.as_view(), name="watch-list"),
]
