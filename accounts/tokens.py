"""JWTs that die with the password.

Every token carries the user's `token_version` (claim `ver`). Setting a new
password (change, reset, the admin, `changepassword`) or deactivating the user
bumps the version (`User.save`) and blacklists every outstanding refresh token
(`tokens_revoke`), so a token issued before no longer authenticates nor
refreshes, even after the user is reactivated. A token without the claim
(minted by tools with simplejwt's own classes) counts as version 0: it dies at
the user's first change.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions, serializers
from rest_framework_simplejwt import authentication, tokens
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

VERSION_CLAIM = "ver"

STALE = "This token was issued before a password change or a deactivation; log in again."


class RefreshToken(tokens.RefreshToken):
    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token[VERSION_CLAIM] = user.token_version
        return token


def token_is_current(token, user) -> bool:
    return token.get(VERSION_CLAIM, 0) == user.token_version


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's authentication, refusing tokens older than the user's last change."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if not token_is_current(validated_token, user):
            raise exceptions.AuthenticationFailed(STALE, code="token_not_valid")
        return user


class TokenRefreshSerializer(serializers.Serializer):
    """A new access token for a current refresh token of an active user."""

    refresh = serializers.CharField(write_only=True)
    access = serializers.CharField(read_only=True)

    def validate(self, attrs):
        refresh = RefreshToken(attrs["refresh"])  # TokenError: the view answers 401
        user = (
            get_user_model()
            .objects.filter(**{api_settings.USER_ID_FIELD: refresh.get(api_settings.USER_ID_CLAIM)})
            .first()
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                "No active account found for the given token.", code="no_active_account"
            )
        if not token_is_current(refresh, user):
            raise exceptions.AuthenticationFailed(STALE, code="token_not_valid")
        return {"access": str(refresh.access_token)}


def tokens_revoke(*, user) -> int:
    """Blacklist every refresh token the user holds; returns how many were newly blacklisted."""
    outstanding = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).only("pk")
    rows = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of our authentication class: simplejwt's `jwtAuth`."""

    target_class = JWTAuthentication
