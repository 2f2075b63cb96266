"""django-axes hooks: how a login attempt is named and how a lockout answers."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from auromart.api.exceptions import error_body


def client_username(request, credentials) -> str:
    """The e-mail being tried, normalised as logins are (case-insensitive)."""
    value = ""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    if not value:
        value = request.POST.get("username", "") or request.POST.get("email", "")
    return str(value).strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed login attempts. This account is locked for {minutes} "
        "minutes from this address; try again later or reset your password."
    )
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(message, "locked_out"), status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = retry_after
    return response
