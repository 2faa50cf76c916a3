from django.urls import path

from reports.api import views

urlpatterns = [
    path("engagements/", views.EngagementsView.as_view(), name="report-engagements"),
    path(
        "watch-list-transition/",
        views.WatchListTransitionView.as_view(),
        name="report-watch-list-transition",
    ),
    path(
        "watch-list-breakdown/",
        views.WatchListBreakdownView.as_view(),
        name="report-watch-list-breakdown",
    ),
    path("agreements/", views.AgreementsView.as_view(), name="report-agreements"),
    path("pipeline/", views.PipelineView.as_view(), name="report-pipeline"),
    path("top-sales-effect/", views.TopSalesEffectView.as_view(), name="report-top-sales-effect"),
    path("order-figures/", views.OrderFiguresView.as_view(), name="report-order-figures"),
]
