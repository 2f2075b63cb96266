import json

import pytest
from rest_framework import exceptions

from auromart.api.exceptions import _flatten, exception_handler
from auromart.api.pagination import PageNumberPagination

pytestmark = pytest.mark.django_db


def test_nested_errors_are_flattened_with_dotted_names():
    detail = exceptions.ValidationError(
        {"items": [{}, {"quantity": ["Must be at least 1."]}], "email": ["Bad."]}
    ).detail
    assert _flatten(detail) == {"items.1.quantity": ["Must be at least 1."], "email": ["Bad."]}


def test_a_single_non_field_error_becomes_the_detail():
    response = exception_handler(exceptions.ValidationError("Out of stock."), {})
    assert response.data == {
        "detail": "Out of stock.",
        "code": "invalid",
        "errors": {"non_field_errors": ["Out of stock."]},
    }


def test_django_errors_map_to_api_errors():
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    assert exception_handler(Http404(), {}).status_code == 404
    assert exception_handler(PermissionDenied(), {}).status_code == 403
    response = exception_handler(ValidationError({"price": ["Too low."]}), {})
    assert response.status_code == 400
    assert response.data["errors"] == {"price": ["Too low."]}


@pytest.mark.parametrize(("asked", "served"), [(None, 25), ("10", 10), ("1000", 100)])
def test_page_size_defaults_to_25_and_is_capped_at_100(asked, served):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    query = {"page_size": asked} if asked else {}
    request = Request(APIRequestFactory().get("/api/x", query))
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(list(range(250)), request)
    assert len(page) == served
    assert paginator.get_paginated_response(page).data["count"] == 250


def test_schema_is_openapi_3_and_documents_auth(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("register", "login", "refresh", "logout", "me"):
        assert f"/api/auth/{path}" in schema["paths"]
    login = schema["paths"]["/api/auth/login"]["post"]
    assert {"200", "400", "401", "429"} <= set(login["responses"])
    assert "Error" in schema["components"]["schemas"]


def test_swagger_ui_loads_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "https://" not in html.replace("https://swagger.io", "")


def test_health_check(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_server_errors_show_no_internals(rf):
    from auromart.views import server_error

    page = server_error(rf.get("/retailer/"))
    assert page.status_code == 500
    assert b"Something went wrong" in page.content
    api = server_error(rf.get("/api/auth/me"))
    assert api.status_code == 500
    assert json.loads(api.content) == {
        "detail": "Server error; it has been logged.",
        "code": "server_error",
        "errors": {},
    }
