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
