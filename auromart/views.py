"""Error pages (HTML for people, the API's JSON body under /api/) and the health probes."""

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from auromart.api.exceptions import error_body
from auromart.readiness import readiness


def _error(request, status, template, detail, code):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(detail, code), status=status)
    return render(request, template, status=status)


def bad_request(request, exception=None):
    if isinstance(exception, DisallowedHost) and not request.path.startswith("/api/"):
        # The page's context (links, the user's menu) asks for the host again,
        # which raises again: a 500. Render it without the request.
        return HttpResponseBadRequest(loader.get_template("400.html").render())
    return _error(request, 400, "400.html", "Bad request.", "bad_request")


def permission_denied(request, exception=None):
    return _error(
        request, 403, "403.html", "You do not have permission to do this.", "permission_denied"
    )


def page_not_found(request, exception=None):
    return _error(request, 404, "404.html", "Not found.", "not_found")


def server_error(request):
    # No template context processors here: a failing database must not break the 500 page.
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("Server error; it has been logged.", "server_error"), status=500
        )
    return HttpResponseServerError(loader.get_template("500.html").render())


def healthz(request):
    """Liveness: this process answers. No dependency is checked, so a database or
    Redis outage never gets healthy processes restarted; /readyz tells those."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: database, cache, broker (when configured) and storage, each with a
    time limit; 200 when all answer, else 503 naming the failing checks."""
    ready, body = readiness()
    response = JsonResponse(body, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response
