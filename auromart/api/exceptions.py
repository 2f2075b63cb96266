"""One error body for every 4xx the API returns.

    {"detail": "Invalid input.", "code": "invalid", "errors": {"email": ["..."]}}

`errors` maps a field to its messages; nested fields are joined with dots
(`items.0.quantity`), errors about the whole body sit under `non_field_errors`.
It is `{}` when the error is not about fields (401, 403, 404, 409, 429...).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def _flatten(data, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"a.0.b": ["message", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(data, list):
        if all(not isinstance(item, (dict, list)) for item in data):
            out[prefix or NON_FIELD] = [str(item) for item in data]
        else:
            for index, item in enumerate(data):
                if item:
                    name = f"{prefix}.{index}" if prefix else str(index)
                    for k, v in _flatten(item, name).items():
                        out.setdefault(k, []).extend(v)
    else:
        out[prefix or NON_FIELD] = [str(data)]
    return out


def error_body(detail: str, code: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "code": code, "errors": errors or {}}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # A service's reason is written for the user; without one, DRF's default.
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a 500: Django's handler500 answers, without internals

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if list(errors) == [NON_FIELD] and len(errors[NON_FIELD]) == 1:
            detail = errors[NON_FIELD][0]
        else:
            detail = "Invalid input."
        response.data = error_body(detail, "invalid", errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        if isinstance(detail, dict):  # e.g. simplejwt's token errors
            code = str(detail.get("code", code))
            detail = detail.get("detail", "")
        elif hasattr(detail, "code") and detail.code:
            code = detail.code
        response.data = error_body(str(detail), code)
    return response


class ConflictError(exceptions.APIException):
    """409: the request is well-formed but the current state refuses it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def error_response(detail: str, code: str, status_code: int, errors=None) -> Response:
    return Response(error_body(detail, code, errors), status=status_code)
