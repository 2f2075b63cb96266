"""The OpenAPI schema as a generated client reads it (#20), and the behaviour it promises."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from auromart.tests.openapi import call_and_validate
from notifications.models import Notification

pytestmark = pytest.mark.django_db

PUBLIC = [
    ("post", "/api/auth/login"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/refresh"),
    ("post", "/api/auth/logout"),
    ("get", "/api/categories"),
    ("get", "/api/categories/{id}"),
    ("get", "/api/customer/products"),
]


@pytest.fixture(scope="module")
def schema():
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


def test_public_operations_declare_no_security_and_the_rest_need_a_token(schema):
    for method, path in PUBLIC:
        assert schema["paths"][path][method]["security"] == [], path
        assert "401" not in schema["paths"][path][method]["responses"] or path in (
            "/api/auth/login",
            "/api/auth/refresh",
            "/api/auth/logout",
        )
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if (method, path) not in PUBLIC:
                assert {"jwtAuth": []} in operation["security"], (method, path)
                assert {} not in operation["security"], (method, path)


@pytest.mark.parametrize("token", ["not.a.token", "stale"])
def test_public_endpoints_ignore_a_stale_bearer_token(token):
    user = UserFactory(email="u@example.test")
    login = APIClient().post(
        reverse("auth-login"), {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    tokens = login.json()
    if token == "stale":
        user.set_password("Another-passw0rd")
        user.save()
        fresh = APIClient().post(
            reverse("auth-login"), {"email": user.email, "password": "Another-passw0rd"}
        )
        token = tokens["access"]  # revoked by the password change
        tokens = fresh.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(reverse("auth-me")).status_code == 401  # a private endpoint refuses it
    assert client.get(reverse("api-category-list")).status_code == 200
    assert client.get(reverse("api-product-list")).status_code == 200
    assert client.post(reverse("auth-refresh"), {"refresh": tokens["refresh"]}).status_code == 200
    again = client.post(reverse("auth-login"), {"email": user.email, "password": "wrong-one"})
    assert again.json()["code"] == "invalid_credentials"
    assert client.post(reverse("auth-logout"), {"refresh": tokens["refresh"]}).status_code == 204


def test_the_refresh_response_is_documented_and_conforms(schema):
    ok = schema["paths"]["/api/auth/refresh"]["post"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][ref]["required"] == ["access"]
    user = UserFactory()
    refresh = APIClient().post(
        reverse("auth-login"), {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    response = call_and_validate(
        "post", "/api/auth/refresh", body={"refresh": refresh.json()["refresh"]}
    )
    assert response.status_code == 200 and response.json()["access"]


def test_csv_reports_are_their_own_operations(schema):
    for name in ("monthly", "sales"):
        json_op = schema["paths"][f"/api/reports/{name}"]["get"]
        csv_op = schema["paths"][f"/api/reports/{name}.csv"]["get"]
        assert list(json_op["responses"]["200"]["content"]) == ["application/json"]
        assert list(csv_op["responses"]["200"]["content"]) == ["text/csv"]
        assert csv_op["operationId"] == f"reports_{name}_csv"
        assert "format" not in [p["name"] for p in json_op.get("parameters", [])]


NULLABLE = [
    ("User", "organization"),
    ("DistributorOrder", "buyer_organization"),
    ("DistributorOrderSummary", "buyer_organization"),
    ("ManufacturerOrder", "buyer_organization"),
    ("DistributorStatusChange", "changed_by"),
    ("ProcurementRequest", "purchase_order"),
]


@pytest.mark.parametrize(("component", "field"), NULLABLE)
def test_nullable_references_are_declared_nullable(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field]["nullable"] is True


def test_component_names_read_well(schema):
    names = set(schema["components"]["schemas"])
    assert not [name for name in names if name.endswith("ListList")]
    assert {
        "PaginatedDistributorOrderSummaryList",
        "PaginatedInvoiceSummaryList",
        "PaginatedPurchaseOrderSummaryList",
    } <= names
    text = json.dumps(schema)
    for ref in set(__import__("re").findall(r"#/components/schemas/(\w+)", text)):
        assert ref in names


def test_no_path_ends_with_a_slash_and_the_old_notifications_path_redirects(schema):
    assert [p for p in schema["paths"] if p.endswith("/")] == []
    assert "/api/notifications" in schema["paths"]
    user = UserFactory()
    Notification.objects.create(user=user, event="test", title="Hello")
    client = Client()
    client.force_login(user)
    old = client.get("/api/notifications/?page_size=5")
    assert old.status_code == 301
    assert old["Location"] == "/api/notifications?page_size=5"
    assert client.get(old["Location"]).json()["results"][0]["title"] == "Hello"


def test_the_strict_response_check_catches_a_body_that_does_not_match():
    from django.http import JsonResponse

    from auromart.tests.strict_api import ENABLED, check_response

    assert ENABLED  # on unless AUROMART_STRICT_API_RESPONSES=0
    assert "GET /api/auth/me 200" in check_response(
        "get", "/api/auth/me", JsonResponse({"id": "x"})
    )
    assert check_response("get", "/api/categories", JsonResponse([], safe=False)) is None
    assert check_response("get", "/api/no-such-path", JsonResponse({})) is None
