from django.views.i18n import set_language as django_set_language


def set_language(request):
    """Django's language switch, remembered on the user so that it follows them
    from one browser to the next."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if (
        request.method == "POST"
        and user.is_authenticated
        and language in dict(user._meta.get_field("language").choices)
        and user.language != language
    ):
        user.language = language
        user.save(update_fields=["language"])
    return response
