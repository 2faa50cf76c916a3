from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("search/", views.SearchPageView.as_view(), name="search"),
    path("saved-filters/", views.SavedFiltersView.as_view(), name="saved-filters"),
    path(
        "saved-filters/<int:pk>/", views.SavedFilterChangeView.as_view(), name="saved-filter-change"
    ),
]
