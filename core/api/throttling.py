from rest_framework import throttling

from accounts.models import APIToken


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Each API token has its own budget (API_THROTTLE_TOKEN)."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, APIToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserRateThrottle(throttling.UserRateThrottle):
    """People signed in (API_THROTTLE_USER); token requests count against the token."""

    def get_cache_key(self, request, view):
        if isinstance(request.auth, APIToken):
            return None
        return super().get_cache_key(request, view)
