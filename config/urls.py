from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import set_language

admin.site.site_header = _("MLIT overseas infrastructure records")
admin.site.site_title = _("Overseas infrastructure records")
admin.site.index_title = _("Records")


def favicon(request):
    """Browsers ask /favicon.ico of every site: the icon among the static files (a page
    names it too, with <link rel="icon">), rather than a 404 logged on every page."""
    response = HttpResponseRedirect(static("core/favicon.ico"))
    response["Cache-Control"] = "max-age=86400"
    return response


urlpatterns = [
    path("favicon.ico", favicon),
    # The analysts' pages; staff reach the admin at /admin/.
    path("", RedirectView.as_view(pattern_name="reports:dashboard", permanent=False)),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="reports/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reports/", include("search.urls")),
    path("reports/", include("reports.urls")),
    # Django's language switch, also remembered on the signed-in user.
    path("i18n/setlang/", set_language, name="set_language"),
    path("agreements/", include("agreements.urls")),
    path("notes/", include("notes.urls")),
    path("api/v1/", include("config.api_router", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own, which the
    # Content-Security-Policy allows, where the plain view inlines it.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api-auth/", include("rest_framework.urls")),
]

# Unknown addresses under /api/ answer JSON like the rest of the API.
handler404 = "core.api.errors.page_not_found"
handler400 = "core.api.errors.bad_request"
