"""Payment pages: pay an order or an invoice, the checkout hand-off, the return, the
offline test gateway, the provider's webhook, and the settlement report."""

import csv

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from invoicing.selectors import invoices_visible_to
from orders.models import Order

from . import services
from .forms import SettlementFilterForm, TestGatewayForm
from .gateway import GatewayError
from .models import Payment, PaymentStatus
from .offline_gateway import offline_gateway_decide
from .selectors import (
    may_see_settlements,
    payments_visible_to,
    sees_all_payments,
    settlement_rows,
)

BUYER_ROLES = ("customer", "retailer")
VIEWER_ROLES = ("customer", "retailer", "distributor")


def _buyers_only(user):
    if user.role not in BUYER_ROLES:
        raise PermissionDenied("Only buyers pay for orders and invoices.")


def _orders_visible_to(user):
    if user.role == "retailer":
        return Order.objects.filter(buyer_organization_id=user.organization_id)
    return Order.objects.filter(customer=user, buyer_organization__isnull=True)


def _start(request, start, **target):
    try:
        payment = start(by=request.user, **target)
    except PermissionDenied:
        raise
    except services.NothingToPay as exc:
        messages.info(request, str(exc))
        return None
    except GatewayError:
        messages.error(
            request, "The payment provider is not answering. Nothing was charged; try again soon."
        )
        return None
    return redirect("payments:checkout", payment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def order_pay(request, number):
    """An order awaiting payment: what is due and the button to pay it."""
    _buyers_only(request.user)
    order = get_object_or_404(
        _orders_visible_to(request.user).select_related("distributor"), number=number
    )
    if request.method == "POST":
        response = _start(request, services.payment_start_for_order, order=order)
        if response is not None:
            return response
    payment = order.payments.order_by("-pk").first()
    return render(
        request,
        "payments/order_pay.html",
        {"order": order, "payment": payment, "timeout": settings.PAYMENT_TIMEOUT_MINUTES},
    )


@login_required
@require_POST
def invoice_pay(request, invoice_id):
    """ "Pay now" on an invoice: start paying its balance due."""
    _buyers_only(request.user)
    invoice = get_object_or_404(invoices_visible_to(request.user), pk=invoice_id)
    response = _start(request, services.payment_start_for_invoice, invoice=invoice)
    return response or redirect("invoicing:detail", invoice.seller_slug, invoice.number)


def _own_payment(request, pk) -> Payment:
    _buyers_only(request.user)
    payment = get_object_or_404(payments_visible_to(request.user), pk=pk)
    if payment.payer_id != request.user.pk and not services.may_pay(
        request.user,
        customer_id=payment.payer_id,
        buyer_organization_id=payment.buyer_organization_id,
    ):
        raise PermissionDenied("Only the buyer pays.")
    return payment


@login_required
@csp_update({"form-action": ["https://api.razorpay.com"]})
def checkout(request, pk):
    """Hand the buyer to the provider's hosted checkout (or the offline test gateway)."""
    payment = _own_payment(request, pk)
    if payment.status != PaymentStatus.CREATED:
        return redirect("payments:detail", payment.pk)
    if payment.gateway == "test":
        return redirect("payments:test_gateway", payment.pk)
    return render(
        request,
        "payments/checkout.html",
        {
            "payment": payment,
            "key_id": settings.RAZORPAY_KEY_ID,
            "action": settings.RAZORPAY_BASE_URL.rstrip("/") + "/v1/checkout/embedded",
            "callback_url": request.build_absolute_uri(
                reverse("payments:return", args=[payment.pk])
            ),
        },
    )


@csrf_exempt  # the provider's checkout posts here from its own site; it only triggers a fetch
@require_http_methods(["GET", "POST"])
def payment_return(request, pk):
    """The buyer is back from the checkout. Never trusted alone: it asks the provider."""
    payment = get_object_or_404(Payment, pk=pk)
    provider_payment_id = request.POST.get("razorpay_payment_id", "")[:64]
    if provider_payment_id and payment.status == PaymentStatus.CREATED:
        try:
            services.payment_confirm(
                provider_payment_id=provider_payment_id,
                provider_order_id=payment.provider_order_id,
            )
        except services.PaymentRejected:
            messages.error(request, "The provider does not confirm this payment.")
    return redirect("payments:detail", payment.pk)


@login_required
def payment_detail(request, pk):
    """Where a payment stands, as the provider told us."""
    if request.user.role not in VIEWER_ROLES and not sees_all_payments(request.user):
        raise PermissionDenied("Your account has no payments.")
    payment = get_object_or_404(payments_visible_to(request.user), pk=pk)
    return render(request, "payments/payment_detail.html", {"payment": payment})


@login_required
@require_http_methods(["GET", "POST"])
def test_gateway(request, pk):
    """The offline test gateway (PAYMENT_GATEWAY=test): approve or decline, as a person would."""
    if settings.PAYMENT_GATEWAY != "test":
        raise Http404("The test gateway is off.")
    payment = _own_payment(request, pk)
    if payment.gateway != "test" or payment.status != PaymentStatus.CREATED:
        return redirect("payments:detail", payment.pk)
    form = TestGatewayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        offline_gateway_decide(payment=payment, approve=form.cleaned_data["decision"] == "approve")
        return redirect("payments:detail", payment.pk)
    return render(request, "payments/test_gateway.html", {"payment": payment, "form": form})


@csrf_exempt  # the provider calls it; the SDK's signature check is the authentication
@require_POST
def webhook(request):
    """The provider's webhook: 200 when handled (or a replay), 400 when it must change nothing."""
    try:
        services.webhook_receive(
            body=request.body,
            signature=request.headers.get("X-Razorpay-Signature", ""),
            event_id=request.headers.get("X-Razorpay-Event-Id", ""),
        )
    except services.PaymentRejected as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@login_required
def settlements(request):
    """What the operator collected online for each distributor in a period (page or CSV)."""
    if not may_see_settlements(request.user):
        raise PermissionDenied("Distributors and finance staff see settlements.")
    today = timezone.localdate()
    form = SettlementFilterForm(request.GET or None)
    start, end = today.replace(day=1), today
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    rows = settlement_rows(user=request.user, start=start, end=end)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="settlements-{start}-{end}.csv"'
        writer = csv.writer(response)
        writer.writerow(["Distributor", "Payments", "Collected", "Refunded", "Net"])
        for row in rows:
            writer.writerow(
                [row["distributor"], row["payments"], row["collected"], row["refunded"], row["net"]]
            )
        return response
    return render(
        request,
        "payments/settlements.html",
        {"form": form, "rows": rows, "start": start, "end": end, "today": today},
    )
