"""Shared OpenAPI pieces: the error body, and the responses every endpoint documents."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Field name -> messages; `{}` when the error is not about fields.",
        ),
    },
)


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


VALIDATION_ERROR = error("Invalid input; `errors` names each field.")
UNAUTHORIZED = error("Not authenticated, or the token is invalid.")
FORBIDDEN = error("Your role may not do this.")
NOT_FOUND = error("No such object, or not yours.")
CONFLICT = error("The current state refuses the request.")
THROTTLED = error("Too many requests, or the account is locked out for a while.")
UNSUPPORTED_MEDIA_TYPE = error("The body is not JSON: send `Content-Type: application/json`.")


def document_unsupported_media_type(result, generator, request, public):
    """Postprocessing hook: every operation that takes a body answers 415 to a non-JSON one.

    All request bodies are JSON only (JSONParser), so the 415 is documented once here
    rather than on each view."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["responses"].setdefault(
                    "415",
                    {
                        "description": UNSUPPORTED_MEDIA_TYPE.description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
