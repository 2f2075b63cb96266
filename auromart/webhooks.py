"""The ESP tracking webhooks (anymail), mounted only with ANYMAIL_WEBHOOK_SECRET.

anymail's own URLconf mounts every ESP's inbound and tracking views, and
without a webhook secret it accepts unauthenticated posts (a forged "bounce"
marked a sent message bounced). Many of its views also answer 500 to a post
they cannot parse, or when their ESP's own signing key is not configured.
Here: only the tracking views (AuroMart reads no inbound mail), each answering
404 unless `ANYMAIL["WEBHOOK_SECRET"]` is set (read per request, so a test or a
reload sees the current setting), and 400 for anything its ESP's parser or
configuration refuses. Database errors still propagate (a 500 makes the ESP
retry later).
"""

import functools
import logging

import anymail.urls
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError
from django.http import Http404, HttpResponseBadRequest
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

app_name = "anymail"


def webhook_secret_configured() -> bool:
    return bool(getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"))


def guarded(view):
    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not webhook_secret_configured():
            raise Http404("ESP webhooks are not enabled (no ANYMAIL_WEBHOOK_SECRET).")
        try:
            return view(request, *args, **kwargs)
        except (SuspiciousOperation, DatabaseError, Http404):
            raise  # anymail's validation failure is a SuspiciousOperation: a 400 already
        except Exception:
            # A payload the ESP's parser cannot read, or the ESP's own signing
            # key missing: the caller's problem or a setup problem, never a 500.
            logger.warning("ESP webhook %s refused", request.path, exc_info=True)
            return HttpResponseBadRequest("This webhook call could not be processed.")

    return wrapped


urlpatterns = [
    re_path(pattern.pattern.regex.pattern, guarded(pattern.callback), name=pattern.name)
    for pattern in anymail.urls.urlpatterns
    if pattern.name.endswith("tracking_webhook")
]
