"""Hostile inputs found by the adversarial run of #20: each is a 4xx, and nothing is written."""

import base64

import anymail.urls
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from notifications.models import OutboundMessage
from orders.models import Order

pytestmark = pytest.mark.django_db

DEPTHS = [40, 5_000, 200_000]  # past the limit, and past Python's recursion limit


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def post_raw(client, path, body):
    return client.post(path, data=body, content_type="application/json")


def assert_too_deep(response):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "json_too_deep"
    assert "nested" in body["detail"]


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("make", [nested, deep_object])
def test_deeply_nested_json_on_login_and_register_is_a_400(make, depth):
    client = APIClient()
    assert_too_deep(post_raw(client, reverse("auth-login"), make(depth)))
    assert_too_deep(post_raw(client, reverse("auth-register"), make(depth)))
    # As the value of a field, too.
    body = '{"email": "x@example.test", "password": "a-Strong-passw0rd", "name": ' + make(depth)
    assert_too_deep(post_raw(client, reverse("auth-register"), body + ', "role": "customer"}'))
    assert not User.objects.exists()


@pytest.mark.parametrize("depth", DEPTHS)
def test_deeply_nested_json_on_an_order_is_a_400_and_writes_nothing(depth):
    DistributorUserFactory(organization__is_default_store=True)
    client = APIClient()
    client.force_authenticate(CustomerFactory())
    body = '{"items": [{"product": 1, "quantity": ' + nested(depth) + "}]}"
    assert_too_deep(post_raw(client, reverse("api-order-list"), body))
    assert not Order.objects.exists()


def test_ordinary_nesting_is_untouched():
    client = APIClient()
    # Four levels: parsed and validated as usual (a field error, not json_too_deep).
    response = post_raw(client, reverse("auth-login"), '{"email": [[["x"]]]}')
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert post_raw(client, reverse("auth-login"), "{not json").json()["code"] == "parse_error"


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/accounts/login/", "/customer-portal/", "/admin/", "/api/auth/me"]
)
def test_a_bad_host_header_is_a_400_not_a_500(path):
    client = Client(raise_request_exception=False)
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    post = client.post("/api/auth/login", {}, HTTP_HOST="evil.example")
    assert post.status_code == 400


# --- ESP tracking webhooks ---------------------------------------------------------

ESP_PATHS = [
    "/anymail/" + p.pattern.regex.pattern.lstrip("^").rstrip("$").replace("(_mime)?", "")
    for p in anymail.urls.urlpatterns
]
BODIES = [
    ("{}", "application/json"),
    ("[]", "application/json"),
    ('{"RecordType": "Bounce", "MessageID": "<m@x>"}', "application/json"),
    ("garbage", "text/plain"),
    ("event=bounced", "application/x-www-form-urlencoded"),
]


def basic(auth):
    return "Basic " + base64.b64encode(auth.encode()).decode()


def sent_message():
    from notifications.tests.test_channels import _sent_message

    return _sent_message()


def test_without_a_webhook_secret_no_esp_webhook_is_mounted(settings):
    settings.ANYMAIL = {k: v for k, v in settings.ANYMAIL.items() if k != "WEBHOOK_SECRET"}
    message = sent_message()
    client = Client(raise_request_exception=False)
    forged = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": message.provider_message_id,
        "Email": "asha@example.com",
        "BouncedAt": "2026-11-21T10:00:00Z",
    }
    response = client.post("/anymail/postmark/tracking/", forged, content_type="application/json")
    assert response.status_code == 404
    for path in ESP_PATHS:
        for body, content_type in BODIES:
            assert client.post(path, body, content_type=content_type).status_code == 404, path
    message.refresh_from_db()
    assert message.status == "sent"


@pytest.mark.parametrize("auth", [None, "anymail:wrong", "anymail:s3cret"])
def test_every_esp_endpoint_answers_4xx_never_500(settings, auth):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "anymail:s3cret"}
    message = sent_message()
    client = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": basic(auth)} if auth else {}
    statuses = {}
    for path in ESP_PATHS:
        for body, content_type in BODIES:
            response = client.post(path, body, content_type=content_type, **headers)
            statuses[(path, body)] = response.status_code
        statuses[(path, "GET")] = client.get(path, **headers).status_code
    server_errors = {key: code for key, code in statuses.items() if code >= 500}
    assert server_errors == {}
    # The inbound endpoints are not mounted at all; with a wrong or no secret nothing passes.
    assert all(code == 404 for (path, _), code in statuses.items() if "tracking" not in path)
    if auth != "anymail:s3cret":
        assert all(code >= 400 for code in statuses.values())
    message.refresh_from_db()
    assert message.status == "sent"
    assert OutboundMessage.objects.count() == 1
