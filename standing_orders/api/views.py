"""The buyer's standing orders through the API: list, create, read, change, and the actions.

Another buyer's standing order answers 404. A retailer sees its organization's.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization, Role
from auromart.api import schema
from catalog.selectors import default_store
from orders.api.views import IsBuyer

from .. import services
from ..selectors import standing_order_for, standing_orders_for
from .serializers import (
    StandingOrderDetailSerializer,
    StandingOrderSerializer,
    StandingOrderWriteSerializer,
)

ERRORS = {
    400: schema.VALIDATION_ERROR,
    401: schema.UNAUTHORIZED,
    403: schema.FORBIDDEN,
    404: schema.NOT_FOUND,
}


def _distributor(user, distributor_id: int | None, current: Organization | None = None):
    if user.role == Role.RETAILER:
        if distributor_id is None:
            if current is not None:
                return current
            raise serializers.ValidationError({"distributor_id": ["Choose the distributor."]})
        return get_object_or_404(
            Organization, pk=distributor_id, kind=Organization.Kind.DISTRIBUTOR
        )
    store = current or default_store()
    if store is None:
        raise serializers.ValidationError({"non_field_errors": ["The shop is not open yet."]})
    return store


def _service_kwargs(request, data, current=None) -> dict:
    return {
        "name": data.get("name", ""),
        "distributor": _distributor(request.user, data.get("distributor_id"), current),
        "frequency": data["frequency"],
        "interval_weeks": data.get("interval_weeks", 1),
        "day_of_month": data.get("day_of_month"),
        "next_run_date": data["next_run_date"],
        "shipping_address": data["shipping_address"],
        "lines": data["lines"],
    }


class StandingOrderListView(generics.ListAPIView):
    permission_classes = [IsBuyer]
    serializer_class = StandingOrderSerializer
    parser_classes = [JSONParser]
    filter_backends = []

    def get_queryset(self):
        return (
            standing_orders_for(self.request.user)
            .prefetch_related("lines__product")
            .order_by("next_run_date", "pk")
        )

    @extend_schema(
        summary="Your standing orders",
        responses={
            200: StandingOrderSerializer(many=True),
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.error("No such page of the list."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Set up a standing order",
        request=StandingOrderWriteSerializer,
        responses={201: StandingOrderDetailSerializer, **ERRORS},
    )
    def post(self, request):
        body = StandingOrderWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        standing_order = services.standing_order_create(
            buyer=request.user, **_service_kwargs(request, body.validated_data)
        )
        standing_order = standing_order_for(request.user, standing_order.pk)
        return Response(
            StandingOrderDetailSerializer(standing_order).data, status=status.HTTP_201_CREATED
        )


class StandingOrderDetailView(APIView):
    permission_classes = [IsBuyer]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="One standing order, with its past runs",
        responses={
            200: StandingOrderDetailSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, pk):
        return Response(StandingOrderDetailSerializer(standing_order_for(request.user, pk)).data)

    def _update(self, request, pk, *, partial: bool):
        standing_order = standing_order_for(request.user, pk)
        body = StandingOrderWriteSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        data = {
            "name": standing_order.name,
            "frequency": standing_order.frequency,
            "interval_weeks": standing_order.interval_weeks,
            "day_of_month": standing_order.day_of_month,
            "next_run_date": standing_order.next_run_date,
            "shipping_address": standing_order.shipping_address,
            "lines": [(line.product, line.quantity) for line in standing_order.lines.all()],
            **body.validated_data,
        }
        kwargs = _service_kwargs(request, data, current=standing_order.distributor)
        services.standing_order_update(standing_order=standing_order, **kwargs)
        return Response(StandingOrderDetailSerializer(standing_order_for(request.user, pk)).data)

    @extend_schema(
        summary="Replace a standing order's schedule, address and lines",
        request=StandingOrderWriteSerializer,
        responses={200: StandingOrderDetailSerializer, **ERRORS},
    )
    def put(self, request, pk):
        return self._update(request, pk, partial=False)

    @extend_schema(
        summary="Change some of a standing order's fields",
        request=StandingOrderWriteSerializer(partial=True),
        responses={200: StandingOrderDetailSerializer, **ERRORS},
    )
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)


ACTIONS = {
    "pause": services.standing_order_pause,
    "resume": services.standing_order_resume,
    "end": services.standing_order_end,
    "skip": services.standing_order_skip_next,
}


class StandingOrderActionView(APIView):
    permission_classes = [IsBuyer]
    parser_classes = [JSONParser]
    action = ""

    @extend_schema(
        request=None,
        responses={200: StandingOrderDetailSerializer, **ERRORS},
        description="pause: stop running until resumed. resume: run again (a missed date moves "
        "to the next one). skip: skip the next run only. end: nothing more runs. "
        "400 when the standing order's status does not allow it.",
    )
    def post(self, request, pk):
        standing_order = standing_order_for(request.user, pk)
        ACTIONS[self.action](standing_order=standing_order)
        return Response(StandingOrderDetailSerializer(standing_order_for(request.user, pk)).data)
