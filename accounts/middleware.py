from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Pages speak the language the signed-in user chose; the API keeps following
    Accept-Language, because a tool's requests should not depend on whose token it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith("/api/")
            and user.language in dict(settings.LANGUAGES)
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
