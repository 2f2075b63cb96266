import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Organization, User
from auromart.tests.openapi import api_schema

from .factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "a-Strong-passw0rd"


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    if code:
        assert body["code"] == code
    return body


def login(api_client, email, password):
    return api_client.post(reverse("auth-login"), {"email": email, "password": password})


def test_register_login_me_refresh_logout(api_client):
    response = api_client.post(
        reverse("auth-register"),
        {
            "email": "Buyer@Shop.test",
            "password": STRONG,
            "name": "Buyer",
            "role": "retailer",
            "organization_name": "Corner Shop",
            "city": "Nagpur",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["email"] == "buyer@shop.test"
    assert created["role"] == "retailer"
    assert created["organization"]["name"] == "Corner Shop"
    assert "password" not in created

    response = login(api_client, "buyer@shop.test", STRONG)
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["user"]["id"] == created["id"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get(reverse("auth-me"))
    assert me.status_code == 200
    assert me.json()["organization"]["kind"] == "retailer"
    api_client.credentials()

    refreshed = api_client.post(reverse("auth-refresh"), {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    assert api_client.get(reverse("auth-me")).status_code == 200
    api_client.credentials()

    out = api_client.post(reverse("auth-logout"), {"refresh": tokens["refresh"]})
    assert out.status_code == 204

    again = api_client.post(reverse("auth-refresh"), {"refresh": tokens["refresh"]})
    assert_error_shape(again, 401, "token_not_valid")
    assert_error_shape(api_client.post(reverse("auth-logout"), {"refresh": tokens["refresh"]}), 401)


def test_register_customer_needs_no_organization(api_client):
    response = api_client.post(
        reverse("auth-register"),
        {"email": "c@example.test", "password": STRONG, "name": "C", "role": "customer"},
    )
    assert response.status_code == 201
    assert response.json()["organization"] is None
    assert not Organization.objects.exists()


def test_register_errors_name_each_field(api_client):
    body = assert_error_shape(
        api_client.post(reverse("auth-register"), {"email": "not-an-email", "role": "pirate"}),
        400,
        "invalid",
    )
    assert set(body["errors"]) == {"email", "password", "name", "role"}
    assert all(isinstance(m, list) and m for m in body["errors"].values())


def test_register_service_errors_are_field_errors(api_client):
    UserFactory(email="taken@example.test")
    body = assert_error_shape(
        api_client.post(
            reverse("auth-register"),
            {"email": "taken@example.test", "password": "short", "name": "T", "role": "customer"},
        ),
        400,
    )
    assert "email" in body["errors"]
    body = assert_error_shape(
        api_client.post(
            reverse("auth-register"),
            {"email": "new@example.test", "password": "short", "name": "T", "role": "customer"},
        ),
        400,
    )
    assert list(body["errors"]) == ["password"]
    body = assert_error_shape(
        api_client.post(
            reverse("auth-register"),
            {"email": "n2@example.test", "password": STRONG, "name": "T", "role": "distributor"},
        ),
        400,
    )
    assert list(body["errors"]) == ["organization_name"]
    assert not User.objects.filter(email__in=["new@example.test", "n2@example.test"]).exists()


def test_wrong_password_is_401_json(api_client):
    UserFactory(email="u@example.test")
    body = assert_error_shape(login(api_client, "u@example.test", "nope"), 401)
    assert body["code"] == "invalid_credentials"


def test_login_validation_errors(api_client):
    body = assert_error_shape(api_client.post(reverse("auth-login"), {}), 400)
    assert set(body["errors"]) == {"email", "password"}


def test_inactive_user_cannot_log_in(api_client):
    UserFactory(email="gone@example.test", is_active=False)
    assert_error_shape(login(api_client, "gone@example.test", DEFAULT_PASSWORD), 401)


def test_five_wrong_passwords_lock_the_account_out(api_client):
    UserFactory(email="victim@example.test")
    for _ in range(4):
        assert login(api_client, "victim@example.test", "wrong").status_code == 401
    fifth = login(api_client, "victim@example.test", "wrong")
    assert_error_shape(fifth, 429, "locked_out")
    # Even the right password is refused while the lock lasts.
    body = assert_error_shape(login(api_client, "VICTIM@example.test", DEFAULT_PASSWORD), 429)
    assert "locked" in body["detail"]
    assert fifth["Retry-After"]
    # The lock is on (account, address): the same account from elsewhere gets in.
    elsewhere = APIClient(REMOTE_ADDR="10.1.2.3")
    assert login(elsewhere, "victim@example.test", DEFAULT_PASSWORD).status_code == 200


def test_successful_login_resets_failures(api_client):
    UserFactory(email="u@example.test")
    for _ in range(4):
        login(api_client, "u@example.test", "wrong")
    assert login(api_client, "u@example.test", DEFAULT_PASSWORD).status_code == 200
    for _ in range(4):
        assert login(api_client, "u@example.test", "wrong").status_code == 401


def test_me_requires_authentication(api_client):
    response = api_client.get(reverse("auth-me"))
    assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_with_a_garbage_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert_error_shape(api_client.get(reverse("auth-me")), 401, "token_not_valid")


def test_me_patch_changes_name_and_phone_only(api_client):
    user = UserFactory(email="me@example.test", name="Old")
    api_client.force_authenticate(user)
    response = api_client.patch(
        reverse("auth-me"), {"name": "New Name", "phone": "+91 98", "email": "x@y.test"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.name, user.phone, user.email) == ("New Name", "+91 98", "me@example.test")


def test_auth_endpoints_are_throttled(api_client, settings):
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**ScopedRateThrottle.THROTTLE_RATES, "auth": "3/minute"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
        for _ in range(3):
            api_client.post(reverse("auth-login"), {})
        assert_error_shape(api_client.post(reverse("auth-login"), {}), 429, "throttled")


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/no-such-thing")
    assert_error_shape(response, 404, "not_found")


def test_session_authenticated_api_needs_csrf(client):
    user = UserFactory()
    client.force_login(user)
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    response = csrf_client.patch(reverse("auth-me"), {"name": "X"}, content_type="application/json")
    assert_error_shape(response, 403)
    assert client.get(reverse("auth-me")).json()["email"] == user.email


@pytest.mark.parametrize(
    ("method", "path"),
    [("patch", "/api/auth/me"), ("post", "/api/auth/login"), ("post", "/api/auth/register")],
)
def test_a_body_that_is_not_json_is_a_documented_415(api_client, method, path):
    # Found by schemathesis: a mangled multipart body to PATCH /api/auth/me answered an
    # undocumented 415; the auth endpoints now take JSON only, like every other endpoint.
    api_client.force_authenticate(UserFactory())
    response = getattr(api_client, method)(path, {"name": "X"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    operation = api_schema().raw_schema["paths"][path][method]
    assert list(operation["requestBody"]["content"]) == ["application/json"]
    assert "415" in operation["responses"]
