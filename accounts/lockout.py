"""Login lockout (django-axes): the address failed logins are counted against, and the
page a locked-out person sees instead of the login form."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def client_ip(request):
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the X-Forwarded-For
    entry the outermost proxy appended. A client can prepend entries of its own to that
    header but not append them, so counting from the right cannot be spoofed; counting
    from the left could, and would let an attacker pick a fresh address per attempt."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request, original_response=None, credentials=None):
    """429 in the admin's look, saying for how long; axes calls it for any login form."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {**admin.site.each_context(request), "title": _("Login locked"), "minutes": minutes}
    return render(request, "accounts/locked_out.html", context, status=429)
