"""Password-reset e-mails and sign-ups are rate limited (#20)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User

from .factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "a-Strong-passw0rd"


@pytest.fixture
def rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "register": "3/hour",
            "password_reset_client": "5/hour",
            "password_reset_address": "2/hour",
        },
    }


def reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_password_reset_is_throttled_per_address(rates):
    UserFactory(email="victim@example.test")
    for n in range(2):
        # From different clients: the address's own limit applies.
        response = reset(Client(REMOTE_ADDR=f"10.0.0.{n + 1}"), "victim@example.test")
        assert response.status_code == 302
    assert len(mail.outbox) == 2
    refused = reset(Client(REMOTE_ADDR="10.0.0.9"), "VICTIM@example.test")
    assert refused.status_code == 429
    assert "Too many reset requests" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_password_reset_is_throttled_per_client(rates):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for n in range(5):
        UserFactory(email=f"user{n}@example.test")
        assert reset(client, f"user{n}@example.test").status_code == 302
    UserFactory(email="one-more@example.test")
    assert reset(client, "one-more@example.test").status_code == 429
    assert len(mail.outbox) == 5
    # Another client is not affected.
    assert reset(Client(REMOTE_ADDR="10.0.0.2"), "one-more@example.test").status_code == 302


def test_unknown_addresses_count_too_so_the_limit_reveals_nothing(rates):
    client = Client(REMOTE_ADDR="10.0.0.1")
    UserFactory(email="known@example.test")
    statuses = [reset(Client(REMOTE_ADDR="10.0.0.1"), "nobody@example.test").status_code]
    statuses += [reset(client, "nobody@example.test").status_code for _ in range(2)]
    assert statuses == [302, 302, 429]


def register(client, n):
    return client.post(
        reverse("auth-register"),
        {"email": f"new{n}@example.test", "password": STRONG, "name": "N", "role": "customer"},
    )


def test_api_registration_is_throttled_per_client(rates):
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    assert [register(client, n).status_code for n in range(3)] == [201, 201, 201]
    refused = register(client, 3)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert not User.objects.filter(email="new3@example.test").exists()
    assert register(APIClient(REMOTE_ADDR="10.0.0.2"), 4).status_code == 201


def test_signup_page_shares_the_registration_limit(rates):
    api = APIClient(REMOTE_ADDR="10.0.0.1")
    for n in range(3):
        assert register(api, n).status_code == 201
    page = Client(REMOTE_ADDR="10.0.0.1")
    response = page.post(
        reverse("accounts:signup"),
        {
            "name": "Late",
            "email": "late@example.test",
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert response.status_code == 429
    assert "Too many sign-ups" in response.content.decode()
    assert not User.objects.filter(email="late@example.test").exists()
