"""The customer's points through the API: the balance, and the ledger page by page."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import role_permission
from auromart.api import schema

from .. import selectors, services
from ..models import LoyaltySettings, PointsEntry
from .serializers import PointsEntrySerializer, PointsSummarySerializer

IsCustomer = role_permission(Role.CUSTOMER)


class PointsSummaryView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        summary="Your loyalty points",
        description="The balance (always the sum of your ledger) and what it is worth.",
        responses={
            200: PointsSummarySerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
        },
    )
    def get(self, request):
        settings = LoyaltySettings.load()
        balance = services.points_balance(user_id=request.user.pk)
        data = {
            "enabled": settings.enabled,
            "balance": balance,
            "point_value": settings.point_value,
            "value": balance * settings.point_value,
        }
        return Response(PointsSummarySerializer(data).data)


class PointsHistoryView(generics.ListAPIView):
    """Your points entries, newest first: earned, redeemed, returned, expired, taken back."""

    serializer_class = PointsEntrySerializer
    permission_classes = [IsCustomer]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return PointsEntry.objects.none()
        return selectors.points_history(user_id=self.request.user.pk)

    @extend_schema(
        summary="Your loyalty points history, newest first",
        responses={
            200: PointsEntrySerializer(many=True),
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
