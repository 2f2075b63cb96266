"""The procurement API for procurement staff: requests, approval, purchase orders, receipts.

Everyone else gets 403. A request that is not open, or a purchase order in a
state that refuses the action, is 409 and nothing is written.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsProcurementStaff
from auromart.api import schema
from auromart.api.exceptions import error_response

from .. import selectors, services
from ..exceptions import ProcurementConflict
from ..models import ProcurementRequest, PurchaseOrder
from .serializers import (
    ProcurementRequestSerializer,
    PurchaseOrderListQuerySerializer,
    PurchaseOrderListSerializer,
    PurchaseOrderSerializer,
    ReceiptResultSerializer,
    ReceiptSerializer,
    RejectSerializer,
    RequestListQuerySerializer,
)

COMMON = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN}


def conflict(exc: ProcurementConflict) -> Response:
    return error_response(exc.message, exc.code, status.HTTP_409_CONFLICT)


def _request(pk: int) -> ProcurementRequest:
    return get_object_or_404(selectors.procurement_requests(), pk=pk)


class ProcurementRequestListView(generics.ListAPIView):
    serializer_class = ProcurementRequestSerializer
    permission_classes = [IsProcurementStaff]
    filter_backends = []

    def get_queryset(self):
        return selectors.procurement_requests()

    def filter_queryset(self, queryset):
        query = RequestListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = {
            f"{key}_id": data[key] for key in ("product", "supplier", "distributor") if key in data
        }
        if "status" in data:
            filters["status"] = data["status"]
        return queryset.filter(**filters)

    @extend_schema(
        summary="Procurement requests, newest first",
        description="Each with the figures its quantity was computed from. Paginated.",
        parameters=[RequestListQuerySerializer],
        responses={
            200: ProcurementRequestSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            **COMMON,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProcurementRequestApproveView(APIView):
    permission_classes = [IsProcurementStaff]

    @extend_schema(
        summary="Approve an open request: its purchase order is issued",
        request=None,
        responses={
            200: ProcurementRequestSerializer,
            404: schema.NOT_FOUND,
            409: schema.error("`request_not_open`: the request is not open; nothing changed."),
            **COMMON,
        },
    )
    def put(self, request, pk: int):
        procurement_request = _request(pk)
        try:
            services.procurement_request_approve(request=procurement_request, by=request.user)
        except ProcurementConflict as exc:
            return conflict(exc)
        return Response(ProcurementRequestSerializer(_request(pk)).data)


class ProcurementRequestRejectView(APIView):
    permission_classes = [IsProcurementStaff]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Reject an open request with a reason",
        request=RejectSerializer,
        responses={
            200: ProcurementRequestSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            409: schema.error("`request_not_open`: the request is not open; nothing changed."),
            **COMMON,
        },
    )
    def put(self, request, pk: int):
        procurement_request = _request(pk)
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.procurement_requests_reject(
                request_ids=[procurement_request.pk],
                by=request.user,
                reason=body.validated_data["reason"],
            )
        except ProcurementConflict as exc:
            return conflict(exc)
        return Response(ProcurementRequestSerializer(_request(pk)).data)


class PurchaseOrderListView(generics.ListAPIView):
    serializer_class = PurchaseOrderListSerializer
    permission_classes = [IsProcurementStaff]
    filter_backends = []

    def get_queryset(self):
        return selectors.purchase_orders()

    def filter_queryset(self, queryset):
        query = PurchaseOrderListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if "status" in data:
            queryset = queryset.filter(status=data["status"])
        if "supplier" in data:
            queryset = queryset.filter(supplier_id=data["supplier"])
        if "distributor" in data:
            queryset = queryset.filter(distributor_id=data["distributor"])
        return queryset

    @extend_schema(
        summary="Purchase orders, newest first",
        parameters=[PurchaseOrderListQuerySerializer],
        responses={
            200: PurchaseOrderListSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            **COMMON,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _purchase_order(pk: int) -> PurchaseOrder:
    po = selectors.purchase_order_detail(pk=pk)
    if po is None:
        raise Http404("No such purchase order.")
    return po


class PurchaseOrderDetailView(APIView):
    permission_classes = [IsProcurementStaff]

    @extend_schema(
        summary="One purchase order with its lines",
        responses={200: PurchaseOrderSerializer, 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request, pk: int):
        return Response(PurchaseOrderSerializer(_purchase_order(pk)).data)


class PurchaseOrderApproveView(APIView):
    permission_classes = [IsProcurementStaff]

    @extend_schema(
        summary="Second approval of a PO above PROCUREMENT_APPROVAL_LIMIT; sends it",
        description="The second approver must differ from the first (403 otherwise).",
        request=None,
        responses={
            200: PurchaseOrderSerializer,
            404: schema.NOT_FOUND,
            409: schema.error("`purchase_order_state`: the PO is not awaiting approval."),
            **COMMON,
        },
    )
    def put(self, request, pk: int):
        po = _purchase_order(pk)
        try:
            services.purchase_order_second_approve(purchase_order=po, by=request.user)
        except ProcurementConflict as exc:
            return conflict(exc)
        return Response(PurchaseOrderSerializer(_purchase_order(pk)).data)


class PurchaseOrderReceiveView(APIView):
    permission_classes = [IsProcurementStaff]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Book goods received against a PO (partial or full)",
        description=(
            "Each line raises the distributor's stock (a `receipt` in the ledger) in the "
            "warehouse named by `warehouse` (one of the buyer's; default: its default). "
            "More than is outstanding is refused (400, `lines.N.quantity`); all or nothing."
        ),
        request=ReceiptSerializer,
        responses={
            201: ReceiptResultSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            409: schema.error("`purchase_order_state`: the PO cannot take goods now."),
            **COMMON,
        },
    )
    def post(self, request, pk: int):
        po = _purchase_order(pk)
        body = ReceiptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            receipt = services.purchase_order_receive(
                purchase_order=po,
                lines=[
                    (line["product_id"], line["quantity"]) for line in body.validated_data["lines"]
                ],
                by=request.user,
                note=body.validated_data["note"],
                warehouse=body.validated_data["warehouse"],
            )
        except ProcurementConflict as exc:
            return conflict(exc)
        return Response(
            {
                "receipt_id": receipt.pk,
                "purchase_order": PurchaseOrderSerializer(_purchase_order(pk)).data,
            },
            status=status.HTTP_201_CREATED,
        )
