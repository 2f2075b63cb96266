"""The payment API: start paying an order or an invoice, and read a payment.

Only the buyer (the customer, or a member of the buying retailer) starts a
payment; another party's order, invoice or payment is 404. The outcome is
never posted by the client: it comes from the provider's webhook
(/payments/webhook/razorpay/) and a server-side fetch.
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from auromart.api import schema
from auromart.api.exceptions import ConflictError, error_response
from auromart.api.fields import MAX_ID
from invoicing.selectors import invoices_visible_to
from orders.models import Order

from .. import services
from ..gateway import GatewayError
from ..selectors import payments_visible_to, sees_all_payments
from .serializers import OnlinePaymentSerializer, OnlinePaymentStartSerializer


def _buyer_orders(user):
    if user.role == Role.RETAILER:
        return Order.objects.filter(buyer_organization_id=user.organization_id)
    if user.role == Role.CUSTOMER:
        return Order.objects.filter(customer=user, buyer_organization__isnull=True)
    return Order.objects.none()


class IsBuyer(BasePermission):
    message = "Only customers and retailers pay for orders and invoices."

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.role in (
            Role.CUSTOMER,
            Role.RETAILER,
        )


class MayViewPayments(BasePermission):
    message = "Your account has no payments."

    def has_permission(self, request, view):
        user = request.user
        return user.is_authenticated and (
            user.role in (Role.CUSTOMER, Role.RETAILER, Role.DISTRIBUTOR) or sees_all_payments(user)
        )


class PaymentStartView(APIView):
    parser_classes = [JSONParser]
    permission_classes = [IsBuyer]

    @extend_schema(
        summary="Start paying an order awaiting payment, or an invoice's balance",
        description=(
            "Opens a payment with the provider (or returns the one already open) and answers "
            "with its provider order id and the checkout page. Give `order_id` (an order "
            "awaiting payment) or `invoice_id` (an unpaid invoice you owe). Only the buyer; "
            "another party's order or invoice is 404; nothing to pay is 409."
        ),
        request=OnlinePaymentStartSerializer,
        responses={
            201: OnlinePaymentSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
            409: schema.CONFLICT,
            503: schema.error("The payment provider did not answer; nothing was charged."),
        },
    )
    def post(self, request):
        data = OnlinePaymentStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            if "order_id" in data.validated_data:
                order = _buyer_orders(request.user).filter(pk=data.validated_data["order_id"])
                if (order := order.first()) is None:
                    raise NotFound()
                payment = services.payment_start_for_order(order=order, by=request.user)
            else:
                invoice = invoices_visible_to(request.user).filter(
                    pk=data.validated_data["invoice_id"]
                )
                if (invoice := invoice.first()) is None:
                    raise NotFound()
                payment = services.payment_start_for_invoice(invoice=invoice, by=request.user)
        except services.NothingToPay as exc:
            raise ConflictError(str(exc)) from None
        except PermissionDenied:
            raise
        except GatewayError:
            return error_response(
                "The payment provider did not answer; nothing was charged.",
                "gateway_unavailable",
                status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response(OnlinePaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class PaymentDetailView(APIView):
    permission_classes = [MayViewPayments]

    @extend_schema(
        summary="A payment and its status",
        description="The status is the provider's, as its webhook and our fetch reported it.",
        responses={
            200: OnlinePaymentSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, pk: int):
        payment = None
        if pk <= MAX_ID:
            payment = payments_visible_to(request.user).filter(pk=pk).first()
        if payment is None:
            raise NotFound()
        return Response(OnlinePaymentSerializer(payment).data)
