"""Rate limits on the account endpoints that send e-mail or create rows.

The rates are DRF throttle rates (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`),
shared by the API and the pages: counters live in the cache (Redis in
production, so every host counts together), one fixed window per key.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from auromart.net import client_ip


def _rate(scope: str) -> tuple[int, int]:
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    return SimpleRateThrottle.parse_rate(None, rate)


def throttle_hit(*, scope: str, ident: str) -> bool:
    """Count one attempt for (scope, ident); False once the scope's rate is exceeded."""
    limit, window = _rate(scope)
    digest = hashlib.sha256(ident.encode()).hexdigest()
    key = f"throttle:{scope}:{digest}"
    if cache.add(key, 1, window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return True
    return count <= limit


def password_reset_allowed(request, email: str) -> bool:
    """Per client and per address (whether or not it has an account: no enumeration)."""
    by_client = throttle_hit(scope="password_reset_client", ident=client_ip(request))
    by_address = throttle_hit(scope="password_reset_address", ident=email.strip().lower())
    return by_client and by_address


def registration_allowed(request) -> bool:
    return throttle_hit(scope="register", ident=client_ip(request))


class RegisterThrottle(SimpleRateThrottle):
    """The API's registration, per client, on the same counter as the sign-up page."""

    scope = "register"

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return registration_allowed(request._request)

    def wait(self):
        return _rate(self.scope)[1]
