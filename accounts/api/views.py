from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.views import TokenRefreshView

from auromart.api import schema

from .. import services
from ..models import Organization
from ..throttles import RegisterThrottle
from ..tokens import RefreshToken, TokenRefreshSerializer
from .serializers import (
    LoginSerializer,
    OrganizationQuerySerializer,
    RefreshTokenSerializer,
    RegisterSerializer,
    StaffOrganizationSerializer,
    TokenPairSerializer,
    UserSerializer,
)


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed login attempts; try again later."
    default_code = "locked_out"


class PublicAuthMixin:
    """No authentication on the view, yet a bad credential in the body is a 401, not a 403.

    DRF answers AuthenticationFailed with 403 when the view has no authenticator
    to name in `WWW-Authenticate`; these views name the scheme the API uses."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class AuthEndpoint(PublicAuthMixin, generics.GenericAPIView):
    """Public auth endpoints, throttled per address.

    No authentication at all: no session (so no CSRF), and a stale or garbage
    bearer token a client still sends is ignored rather than answered with 401.
    """

    parser_classes = [JSONParser]  # as every other endpoint: a JSON body, or 415
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterView(AuthEndpoint):
    serializer_class = RegisterSerializer
    throttle_classes = [ScopedRateThrottle, RegisterThrottle]

    @extend_schema(
        summary="Create an account",
        description=(
            "`role` is customer, retailer, distributor or manufacturer; the three "
            "organization roles need `organization_name` and create that organization "
            "with the new user as its administrator."
        ),
        responses={201: UserSerializer, 400: schema.VALIDATION_ERROR, 429: schema.THROTTLED},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(AuthEndpoint):
    serializer_class = LoginSerializer

    @extend_schema(
        summary="Log in: get an access and a refresh token",
        responses={
            200: TokenPairSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            429: schema.THROTTLED,
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request, so that django-axes counts this attempt exactly
        # as it counts one on the login page.
        django_request = request._request
        user = authenticate(
            django_request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise LockedOut()
            raise exceptions.AuthenticationFailed(
                "No active account found with this e-mail and password.",
                code="invalid_credentials",
            )
        refresh = RefreshToken.for_user(user)
        # As a session login does: updates last_login and clears axes' failure count.
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        body = {
            "access": str(refresh.access_token),
            "refresh": str(refresh),
            "user": UserSerializer(user).data,
        }
        return Response(body)


class RefreshView(PublicAuthMixin, TokenRefreshView):
    serializer_class = TokenRefreshSerializer  # the refresh token in the body is the credential
    parser_classes = [JSONParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Exchange a refresh token for a new access token",
        responses={
            200: TokenRefreshSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            429: schema.THROTTLED,
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class LogoutView(AuthEndpoint):
    serializer_class = RefreshTokenSerializer

    @extend_schema(
        summary="Log out: revoke the refresh token",
        description="The refresh token is blacklisted; access tokens expire on their own.",
        responses={
            204: None,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            429: schema.THROTTLED,
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            RefreshToken(serializer.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="token_not_valid") from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = UserSerializer
    parser_classes = [JSONParser]
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        summary="The logged-in user",
        responses={200: UserSerializer, 401: schema.UNAUTHORIZED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Change your name or phone",
        responses={200: UserSerializer, 400: schema.VALIDATION_ERROR, 401: schema.UNAUTHORIZED},
    )
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        user = self.request.user
        data = serializer.validated_data
        services.user_update_profile(
            user=user, name=data.get("name", user.name), phone=data.get("phone", user.phone)
        )


class IsStaff(permissions.BasePermission):
    message = "Only staff manage organizations here."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_active and request.user.is_staff)


class OrganizationListView(generics.ListAPIView):
    serializer_class = StaffOrganizationSerializer
    permission_classes = [IsStaff]
    filter_backends = []

    @extend_schema(
        summary="Organizations (staff)",
        description="Every organization by name, optionally of one `kind`. Paginated.",
        parameters=[OrganizationQuerySerializer],
        responses={
            200: StaffOrganizationSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        query = OrganizationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        organizations = Organization.objects.order_by("name", "pk")
        if "kind" in query.validated_data:
            organizations = organizations.filter(kind=query.validated_data["kind"])
        return organizations


class OrganizationDetailView(generics.RetrieveAPIView):
    serializer_class = StaffOrganizationSerializer
    permission_classes = [IsStaff]
    parser_classes = [JSONParser]
    queryset = Organization.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        summary="One organization (staff)",
        responses={
            200: StaffOrganizationSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Flag the customer portal's store (staff)",
        description=(
            "`is_default_store: true` makes this distributor the store the customer portal "
            "sells from (the previous store stops being it); `false` takes the flag off, and "
            "the portal then lists the catalog as not sold online yet. Only a distributor can "
            "be the store. A distributor never becomes the store by registering."
        ),
        request=StaffOrganizationSerializer(partial=True),
        responses={
            200: StaffOrganizationSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def patch(self, request, *args, **kwargs):
        organization = self.get_object()
        body = StaffOrganizationSerializer(organization, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        if "is_default_store" in body.validated_data:
            if body.validated_data["is_default_store"]:
                services.organization_set_default_store(organization=organization)
            elif organization.is_default_store:
                services.organization_clear_default_store(organization=organization)
        organization.refresh_from_db()
        return Response(StaffOrganizationSerializer(organization).data)
