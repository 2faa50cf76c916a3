from django.urls import path

from notes import views

app_name = "notes"
urlpatterns = [
    path("<int:pk>/attachment/", views.attachment_download, name="attachment-download"),
]
