"""Transfers through the API, for a distributor's members: both sides of a transfer see it;
anyone else's answers 404. Steps refused by the transfer's status answer 409."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from accounts.permissions import IsDistributor
from auromart.api import schema
from auromart.api.exceptions import ConflictError
from catalog.models import Product
from inventory.exceptions import InsufficientStock

from .. import services
from ..exceptions import TransferStateError
from ..models import TransferStatus
from ..selectors import transfer_detail, transfers_visible_to
from .serializers import (
    ReasonSerializer,
    ReceiveSerializer,
    ShipSerializer,
    TransferCreateSerializer,
    TransferSerializer,
)

ERRORS = {
    400: schema.VALIDATION_ERROR,
    401: schema.UNAUTHORIZED,
    403: schema.FORBIDDEN,
    404: schema.NOT_FOUND,
    409: schema.CONFLICT,
}


def _transfer(request, number):
    transfer = transfer_detail(user=request.user, number=number)
    if transfer is None:
        raise Http404
    return transfer


class TransferListView(generics.ListAPIView):
    permission_classes = [IsDistributor]
    serializer_class = TransferSerializer
    parser_classes = [JSONParser]
    filter_backends = []

    def get_queryset(self):
        transfers = transfers_visible_to(self.request.user).prefetch_related("lines")
        params, own = self.request.query_params, self.request.user.organization_id
        if params.get("status") in TransferStatus.values:
            transfers = transfers.filter(status=params["status"])
        if params.get("direction") == "out":
            transfers = transfers.filter(source_id=own)
        elif params.get("direction") == "in":
            transfers = transfers.filter(destination_id=own)
        return transfers

    @extend_schema(
        summary="Your organization's transfers, both ways",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=TransferStatus.values),
            OpenApiParameter("direction", OpenApiTypes.STR, enum=["in", "out"]),
        ],
        responses={
            200: TransferSerializer(many=True),
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.error("No such page of the list."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Write a transfer (send from yours, or ask another distributor)",
        request=TransferCreateSerializer,
        responses={201: TransferSerializer, **ERRORS},
        description="One of `source_id` and `destination_id` is your organization (both: "
        "between your own locations). Sent by you it is a draft you confirm; asked of "
        "another distributor it is requested, for them to confirm. 404 for an unknown "
        "distributor or product.",
    )
    def post(self, request):
        body = TransferCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        distributors = Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR)
        source = get_object_or_404(distributors, pk=data["source_id"])
        destination = get_object_or_404(distributors, pk=data["destination_id"])
        ids = [line["product_id"] for line in data["lines"]]
        products = Product.objects.in_bulk(ids)
        if len(products) != len(set(ids)):
            raise Http404("No such product.")
        transfer = services.transfer_create(
            source=source,
            destination=destination,
            lines=[(products[line["product_id"]], line["quantity"]) for line in data["lines"]],
            by=request.user,
            note=data["note"],
            source_warehouse=data["source_warehouse_id"],
            destination_warehouse=data["destination_warehouse_id"],
        )
        return Response(
            TransferSerializer(_transfer(request, transfer.number)).data,
            status=status.HTTP_201_CREATED,
        )


class TransferDetailView(APIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="One transfer with its lines (shipped, received, in transit, written off)",
        responses={
            200: TransferSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, number):
        return Response(TransferSerializer(_transfer(request, number)).data)


class TransferActionView(APIView):
    """confirm, ship, receive, cancel, write-off."""

    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]
    action = ""

    def run(self, request, transfer):
        by = request.user
        if self.action == "confirm":
            return services.transfer_confirm(transfer=transfer, by=by)
        if self.action == "ship":
            body = ShipSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            return services.transfer_ship(transfer=transfer, by=by, **body.validated_data)
        if self.action == "receive":
            body = ReceiveSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            lines = body.validated_data["lines"]
            return services.transfer_receive(
                transfer=transfer,
                by=by,
                received={line["line_id"]: line["received"] for line in lines},
                reasons={line["line_id"]: line["reason"] for line in lines},
            )
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        if self.action == "cancel":
            return services.transfer_cancel(transfer=transfer, by=by, reason=reason)
        return services.transfer_write_off(transfer=transfer, by=by, reason=reason)

    def post(self, request, number):
        transfer = _transfer(request, number)
        try:
            self.run(request, transfer)
        except (TransferStateError, InsufficientStock) as exc:
            raise ConflictError(str(exc)) from exc
        return Response(TransferSerializer(_transfer(request, number)).data)


def _action_view(action: str, body, description: str):
    @extend_schema(
        summary=f"Transfer: {action}",
        request=body,
        responses={200: TransferSerializer, **ERRORS},
        description=description + " 409 when the transfer's status does not allow it.",
    )
    def post(self, request, number):
        return TransferActionView.post(self, request, number)

    return type(
        f"Transfer{action.title().replace('-', '')}View",
        (TransferActionView,),
        {"post": post, "action": action},
    )


ACTION_VIEWS = {
    "confirm": _action_view(
        "confirm", None, "The source allocates every line at its shelf (409 when short)."
    ),
    "ship": _action_view(
        "ship", ShipSerializer, "The source ships it: the units leave its shelf, in transit."
    ),
    "receive": _action_view(
        "receive",
        ReceiveSerializer,
        "The destination books the units that arrived per line; a short line needs a reason "
        "and its rest stays in transit.",
    ),
    "cancel": _action_view(
        "cancel", ReasonSerializer, "Either side, before it ships; a confirmed one releases."
    ),
    "write-off": _action_view(
        "write-off",
        ReasonSerializer,
        "The destination writes off what a short receipt left in transit (a transit loss).",
    ),
}
