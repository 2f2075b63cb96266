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


def declare_public_operations(result, generator, request, public):
    """Postprocessing hook: an operation open to anyone declares `security: []`.

    drf-spectacular marks an AllowAny view with the empty requirement `{}`
    beside any schemes; the public views here take no authentication at all
    (a stale token is ignored), so their only requirement is the empty one:
    written as `[]`, "no security", which generated clients read as public."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and operation.get("security") == [{}]:
                operation["security"] = []
    return result


def readable_component_names(result, generator, request, public):
    """Postprocessing hook: `PaginatedDistributorOrderListList` becomes `...SummaryList`.

    A serializer for the rows of a list is named `<Model>ListSerializer`, and
    drf-spectacular names its page `Paginated<Component>List`: the row becomes
    `<Model>Summary` and its page `Paginated<Model>SummaryList`, the names a
    generated client's classes take."""
    schemas = result.get("components", {}).get("schemas", {})
    renames = {}
    for name in schemas:
        if name.endswith("List") and f"Paginated{name}List" in schemas:
            summary = name.removesuffix("List") + "Summary"
            renames[name] = summary
            renames[f"Paginated{name}List"] = f"Paginated{summary}List"
    if not renames:
        return result
    clash = set(renames.values()) & (set(schemas) - set(renames))
    assert not clash, f"component names already taken: {clash}"
    result["components"]["schemas"] = {renames.get(k, k): v for k, v in schemas.items()}
    prefix = "#/components/schemas/"
    refs = {prefix + old: prefix + new for old, new in renames.items()}

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and value in refs:
                    node[key] = refs[value]
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(result)
    return result
