"""The distributor's shipment API: ship all or part of an order, deliver a shipment, and the
packing slip and pick list PDFs.

Distributors only, scoped to the caller's organization (another's order or
shipment is 404). Writes go through orders.shipments: bad lines or a missing
tracking reference are 400 with field errors; an order that cannot ship now,
or a shipment already delivered, is 409 `illegal_transition`.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsDistributor
from auromart.api import schema
from auromart.api.exceptions import error_response
from auromart.api.fields import MAX_ID
from auromart.api.pdf import PdfApiView, pdf_responses
from auromart.pdf import pdf_response

from ..exceptions import IllegalTransition
from ..models import Shipment
from ..shipment_docs import (
    PICK_LIST_MAX_ORDERS,
    packing_slip_ensure,
    pick_list_for_distributor,
    pick_list_pdf,
    shipment_for_distributor,
)
from ..shipments import (
    NOTE_MAX_LENGTH,
    TRACKING_MAX_LENGTH,
    shipment_create,
    shipment_mark_delivered,
)
from .distributor_views import ILLEGAL_TRANSITION, distributor_order
from .serializers import ShipmentSerializer

MAX_UNITS = 1_000_000


class ShipmentLineInSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=0, max_value=MAX_UNITS)


class ShipmentCreateSerializer(serializers.Serializer):
    lines = ShipmentLineInSerializer(
        many=True,
        required=False,
        max_length=500,
        help_text="The units to ship per order line; leave out to ship everything allocated.",
    )
    tracking_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TRACKING_MAX_LENGTH,
        help_text="Required for a delivery; optional for a pickup (handed over).",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )

    def validate_lines(self, lines):
        products = [line["product_id"] for line in lines]
        if len(set(products)) != len(products):
            raise serializers.ValidationError("Name each product once.")
        return lines


def _shipment(request, pk: int) -> Shipment:
    """The caller's organization's shipment `pk`; else 404."""
    shipment = None
    if pk <= MAX_ID:
        shipment = shipment_for_distributor(distributor=request.user.organization, pk=pk)
    if shipment is None:
        raise NotFound()
    return shipment


class OrderShipmentsView(APIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="An order's shipments",
        description="Each shipment with its lines, tracking and the number of its invoice.",
        responses={
            200: ShipmentSerializer(many=True),
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, pk: int):
        order = distributor_order(request, pk)
        return Response(ShipmentSerializer(order.shipments.all(), many=True).data)

    @extend_schema(
        summary="Ship all or part of an order",
        description=(
            "One shipment of the chosen units (each at most what the line has allocated), "
            "or of everything allocated when `lines` is left out. The units leave the "
            "shelf, the shipment's tax invoice is issued, and the buyer gets one e-mail "
            "with both. The order becomes `partially_shipped` while units stay allocated "
            "or backordered, else `shipped`; a pickup is handed over (delivered at once). "
            "Only a `processing` or `partially_shipped` order ships (409 otherwise)."
        ),
        request=ShipmentCreateSerializer,
        responses={
            201: ShipmentSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
            409: ILLEGAL_TRANSITION,
        },
        examples=[
            OpenApiExample(
                "Part of a line",
                value={
                    "lines": [{"product_id": 12, "quantity": 5}],
                    "tracking_reference": "BLUEDART 7788123456",
                },
            )
        ],
    )
    def post(self, request, pk: int):
        order = distributor_order(request, pk)
        body = ShipmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        lines = data.get("lines")
        try:
            shipment = shipment_create(
                order=order,
                by=request.user,
                lines=None if lines is None else {x["product_id"]: x["quantity"] for x in lines},
                tracking_reference=data["tracking_reference"],
                note=data["note"],
            )
        except IllegalTransition as exc:
            return error_response(str(exc), "illegal_transition", status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(
            ShipmentSerializer(_shipment(request, shipment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ShipmentDeliverView(APIView):
    permission_classes = [IsDistributor]

    @extend_schema(
        summary="Mark a shipment delivered",
        description=(
            "The order becomes `delivered` when this was its last shipment on the way and "
            "nothing is left to ship. A shipment already delivered answers 409."
        ),
        request=None,
        responses={
            200: ShipmentSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
            409: ILLEGAL_TRANSITION,
        },
    )
    def post(self, request, pk: int):
        shipment = _shipment(request, pk)
        try:
            shipment_mark_delivered(shipment=shipment, by=request.user)
        except IllegalTransition as exc:
            return error_response(str(exc), "illegal_transition", status.HTTP_409_CONFLICT)
        return Response(ShipmentSerializer(_shipment(request, pk)).data)


class PackingSlipView(PdfApiView):
    permission_classes = [IsDistributor]

    @extend_schema(
        summary="A shipment's packing slip (PDF)",
        description="What is in the box and where it goes; no prices.",
        responses=pdf_responses("The packing slip."),
    )
    def get(self, request, pk: int):
        shipment = _shipment(request, pk)
        return pdf_response(
            packing_slip_ensure(shipment=shipment), f"packing-slip-{shipment.number}.pdf"
        )


class PickListView(PdfApiView):
    permission_classes = [IsDistributor]

    @extend_schema(
        summary="A pick list for chosen orders (PDF)",
        description=(
            "The allocated units of the named open orders, by SKU, with each order's "
            f"share. At most {PICK_LIST_MAX_ORDERS} orders; none of yours is 404."
        ),
        parameters=[
            OpenApiParameter(
                "orders",
                str,
                required=True,
                description="Comma-separated order ids, e.g. `12,15,19`.",
            )
        ],
        responses={
            **pdf_responses("The pick list."),
            (400, "application/json"): schema.VALIDATION_ERROR,
        },
    )
    def get(self, request):
        raw = request.query_params.get("orders", "")
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        if not parts or not all(part.isdigit() and int(part) <= MAX_ID for part in parts):
            raise ValidationError({"orders": ["Give order ids separated by commas, e.g. 12,15."]})
        if len(parts) > PICK_LIST_MAX_ORDERS:
            raise ValidationError({"orders": [f"At most {PICK_LIST_MAX_ORDERS} orders."]})
        pick_list = pick_list_for_distributor(
            distributor=request.user.organization, pks=[int(part) for part in parts]
        )
        if not pick_list.orders:
            raise NotFound()
        return pdf_response(pick_list_pdf(pick_list), "pick-list.pdf")
