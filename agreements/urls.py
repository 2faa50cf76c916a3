from django.urls import path

from agreements import views

app_name = "agreements"
urlpatterns = [
    path("documents/<int:pk>/download/", views.document_download, name="document-download"),
]
