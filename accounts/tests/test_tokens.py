"""Tokens die with the password: change, reset and deactivation revoke every JWT issued before."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User

from .factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-new-passw0rd"


def issue_tokens(email, password=DEFAULT_PASSWORD):
    response = APIClient().post(reverse("auth-login"), {"email": email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def me(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get(reverse("auth-me"))


def refresh(token):
    return APIClient().post(reverse("auth-refresh"), {"refresh": token})


def assert_tokens_dead(tokens):
    old_me = me(tokens["access"])
    assert old_me.status_code == 401, old_me.content
    assert old_me.json()["code"] in ("token_not_valid", "user_inactive")
    old_refresh = refresh(tokens["refresh"])
    assert old_refresh.status_code == 401, old_refresh.content


def change_password_on_the_page(user):
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content


def reset_password_by_email(user):
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    page = client.get(link, follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")


def deactivate(user):
    user = User.objects.get(pk=user.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])


@pytest.mark.parametrize(
    "change", [change_password_on_the_page, reset_password_by_email, deactivate]
)
def test_old_tokens_are_refused_after_the_change(change):
    user = UserFactory(email="holder@example.test")
    tokens = issue_tokens(user.email)
    second_device = issue_tokens(user.email)
    assert me(tokens["access"]).status_code == 200
    assert refresh(tokens["refresh"]).status_code == 200

    change(user)

    assert_tokens_dead(tokens)
    assert_tokens_dead(second_device)


def test_every_refresh_token_is_blacklisted_and_reactivation_does_not_revive_them():
    user = UserFactory(email="holder@example.test")
    tokens = issue_tokens(user.email)
    deactivate(user)
    user.refresh_from_db()
    assert user.outstandingtoken_set.filter(blacklistedtoken__isnull=True).count() == 0
    user.is_active = True
    user.save()
    assert me(tokens["access"]).json()["code"] == "token_not_valid"
    assert_tokens_dead(tokens)
    # A fresh login works again.
    fresh = issue_tokens(user.email)
    assert me(fresh["access"]).status_code == 200
    assert refresh(fresh["refresh"]).status_code == 200


def test_new_tokens_after_a_password_change_work():
    user = UserFactory(email="holder@example.test")
    change_password_on_the_page(user)
    tokens = issue_tokens(user.email, NEW_PASSWORD)
    assert me(tokens["access"]).status_code == 200
    refreshed = refresh(tokens["refresh"])
    assert refreshed.status_code == 200
    assert me(refreshed.json()["access"]).status_code == 200


def test_a_token_without_the_version_claim_dies_at_the_first_change():
    user = User.objects.create_user("holder@example.test", DEFAULT_PASSWORD, name="Holder")
    assert user.token_version == 0
    legacy = str(AccessToken.for_user(user))  # simplejwt's own class: no `ver` claim
    assert me(legacy).status_code == 200
    change_password_on_the_page(user)
    assert me(legacy).status_code == 401


def test_a_hash_upgrade_at_login_does_not_revoke_tokens(settings):
    user = UserFactory(email="holder@example.test")
    tokens = issue_tokens(user.email)
    # A new preferred hasher: the next login re-hashes the same password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    issue_tokens(user.email)
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert me(tokens["access"]).status_code == 200


def test_refresh_token_of_a_deleted_user_is_401_not_500():
    user = UserFactory(email="holder@example.test")
    tokens = issue_tokens(user.email)
    user.delete()
    response = refresh(tokens["refresh"])
    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"
