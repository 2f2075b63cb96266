"""Replay one request through the app and hold its response to the OpenAPI schema.

The fuzz test (test_api_fuzz.py) and the regression tests of what it found use
the same checks: no 5xx, a documented status code, content type and headers,
and a body that matches the schema.
"""

import threading
from contextlib import contextmanager
from functools import cache

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import RefreshToken

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


_schema_lock = threading.Lock()


def api_schema():
    """/api/schema/ as the app serves it (it reads no rows).

    Built once under a lock: threads of a concurrency test checking their
    first responses at the same moment raced drf-spectacular's lazy loading
    of its extensions (an AttributeError in every thread but one).
    """
    with _schema_lock:
        return _api_schema()


@cache
def _api_schema():
    with keep_test_connection():
        return schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


_depth = 0


@contextmanager
def keep_test_connection():
    """As Django's test client does: a request must not close the test's transaction.

    Re-entrant: only the outermost block reconnects Django's handlers."""
    global _depth
    if _depth == 0:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def call_and_validate(method: str, path: str, *, user=None, **case_fields):
    """Send the request (path is the schema's template, e.g. /api/invoices/{id}); fail on any
    check; return the response (`.status_code`, `.json()`, `.headers`)."""
    case = api_schema()[path][method.upper()].Case(**case_fields)
    with keep_test_connection():
        return case.call_and_validate(headers=bearer(user) if user else {}, checks=CHECKS)
