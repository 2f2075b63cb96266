"""Refuse JSON bodies nested too deeply, before any view parses them.

Python's JSON parser and DRF's serializers recurse once per level: a body of a
few thousand `[` raised RecursionError, a 500. Every API body here is at most a
few levels deep (an order's items), so anything deeper than
API_JSON_MAX_DEPTH is refused with a 400 `json_too_deep`, nothing read further.
A middleware rather than a parser, so that every API view is covered, whichever
parser class it names.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse

from .exceptions import error_body

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def json_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar: 0); no recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


class JSONDepthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in BODY_METHODS
            and request.path.startswith("/api/")
            and request.content_type == "application/json"
        ):
            refused = self.refuse_deep_body(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def refuse_deep_body(self, request):
        limit = settings.API_JSON_MAX_DEPTH
        try:
            data = json.loads(request.body)
        except RequestDataTooBig:
            return None  # the view's parser answers that, as before
        except RecursionError:
            data = None
        except ValueError:
            return None  # not JSON: the parser's 400 parse_error, as before
        else:
            if json_depth(data) <= limit:
                return None
        detail = f"The JSON body is nested more than {limit} levels deep."
        return JsonResponse(error_body(detail, "json_too_deep"), status=400)
