"""Returns through the API: the buyer asks and follows its returns; the distributor lists,
approves, refuses and receives them. Another organization's return answers 404."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsDistributor
from auromart.api import schema
from orders.api.views import IsBuyer

from .. import services
from ..models import ReturnRequest
from ..selectors import (
    buyer_orders,
    return_for_buyer,
    return_for_distributor,
    returns_for_buyer,
    returns_for_distributor,
)
from .serializers import (
    ReturnCreateSerializer,
    ReturnDetailSerializer,
    ReturnListQuerySerializer,
    ReturnNoteSerializer,
    ReturnReceiveSerializer,
    ReturnRejectSerializer,
    ReturnSerializer,
)

ERRORS = {
    400: schema.VALIDATION_ERROR,
    401: schema.UNAUTHORIZED,
    403: schema.FORBIDDEN,
    404: schema.NOT_FOUND,
}
LIST_RESPONSES = {
    200: ReturnSerializer(many=True),
    400: schema.VALIDATION_ERROR,
    401: schema.UNAUTHORIZED,
    403: schema.FORBIDDEN,
    404: schema.error("No such page of the list."),
}


class ReturnListView(generics.ListAPIView):
    permission_classes = [IsBuyer]
    serializer_class = ReturnSerializer
    parser_classes = [JSONParser]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReturnRequest.objects.none()
        return returns_for_buyer(self.request.user)

    @extend_schema(summary="Your returns, newest first", responses=LIST_RESPONSES)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Ask to return delivered units of an order",
        description="Each line: an order line of the order (`order_item_id`), 1 to the units "
        "still returnable (delivered within RETURN_WINDOW_DAYS, less what other returns "
        "claim), a reason. 400 names the field (`quantity_<order_item_id>`, `lines`, ...). "
        "404 when the order is not yours.",
        request=ReturnCreateSerializer,
        responses={201: ReturnDetailSerializer, **ERRORS},
    )
    def post(self, request):
        body = ReturnCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        order = get_object_or_404(buyer_orders(request.user), number=data["order_number"])
        rma = services.return_request_create(
            order=order,
            by=request.user,
            lines=[services.RequestedLine(**line) for line in data["lines"]],
            note=data["note"],
        )
        return Response(
            ReturnDetailSerializer(return_for_buyer(request.user, rma.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ReturnDetailView(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(
        summary="One of your returns, with its lines and history",
        responses={
            200: ReturnDetailSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, pk):
        return Response(ReturnDetailSerializer(return_for_buyer(request.user, pk)).data)


class DistributorReturnListView(generics.ListAPIView):
    permission_classes = [IsDistributor]
    serializer_class = ReturnSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReturnRequest.objects.none()
        query = ReturnListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return returns_for_distributor(
            distributor=self.request.user.organization,
            status=query.validated_data.get("status", ""),
            search=query.validated_data.get("q", ""),
        )

    @extend_schema(
        summary="Returns asked of your organization, newest first",
        parameters=[ReturnListQuerySerializer],
        responses=LIST_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DistributorReturnDetailView(APIView):
    permission_classes = [IsDistributor]

    @extend_schema(
        summary="One return asked of your organization",
        responses={
            200: ReturnDetailSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, pk):
        rma = return_for_distributor(distributor=request.user.organization, pk=pk)
        return Response(ReturnDetailSerializer(rma).data)


class DistributorReturnActionView(APIView):
    """One step of a return asked of the caller's organization: the body is checked, the
    service does the step, and the answer is the return as it now is."""

    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]
    body_serializer: type = ReturnNoteSerializer

    def act(self, rma: ReturnRequest, data: dict, user) -> None:
        raise NotImplementedError

    def post(self, request, pk):
        rma = return_for_distributor(distributor=request.user.organization, pk=pk)
        body = self.body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.act(rma, body.validated_data, request.user)
        rma = return_for_distributor(distributor=request.user.organization, pk=pk)
        return Response(ReturnDetailSerializer(rma).data)


@extend_schema_view(
    post=extend_schema(
        summary="Approve a requested return",
        description="Idempotent: an approved return answers as it is. 400 `status` when it "
        "is no longer requested.",
        request=ReturnNoteSerializer,
        responses={200: ReturnDetailSerializer, **ERRORS},
    )
)
class DistributorReturnApproveView(DistributorReturnActionView):
    def act(self, rma, data, user):
        services.return_approve(return_request=rma, by=user, note=data["note"])


@extend_schema_view(
    post=extend_schema(
        summary="Refuse a requested return, saying why",
        description="Idempotent: a refused return answers as it is. 400 `status` when it "
        "is no longer requested.",
        request=ReturnRejectSerializer,
        responses={200: ReturnDetailSerializer, **ERRORS},
    )
)
class DistributorReturnRejectView(DistributorReturnActionView):
    body_serializer = ReturnRejectSerializer

    def act(self, rma, data, user):
        services.return_reject(return_request=rma, by=user, note=data["note"])


@extend_schema_view(
    post=extend_schema(
        summary="Receive an approved return's goods",
        description="Per line: units back on sale (`restocked`, a `customer_return` movement) "
        "and `damaged` units (received and scrapped: `damaged_return` + `scrap`), together "
        "at most the line's quantity. Lines left out received nothing. Idempotent: a "
        "received return answers as it is (nothing is booked twice).",
        request=ReturnReceiveSerializer,
        responses={200: ReturnDetailSerializer, **ERRORS},
    )
)
class DistributorReturnReceiveView(DistributorReturnActionView):
    body_serializer = ReturnReceiveSerializer

    def act(self, rma, data, user):
        received = {}
        for line in data["lines"]:
            if line["line_id"] in received:
                raise ValidationError({"lines": "Each line once."})
            received[line["line_id"]] = (line["restocked"], line["damaged"])
        services.return_receive(return_request=rma, by=user, received=received, note=data["note"])
