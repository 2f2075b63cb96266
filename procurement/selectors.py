"""Reads for procurement: what pages, the API, messages and other apps need."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization
from transfers.selectors import OUTSTANDING_UNITS, incoming_by_transfer, incoming_transfer_lines

from .models import (
    OPEN_PO_STATUSES,
    POStatus,
    ProcurementRequest,
    PurchaseOrder,
    PurchaseOrderLine,
    RequestStatus,
)


def incoming_quantity(*, product_id: int, distributor_id: int) -> int:
    """Units of a product coming to a distributor and not received yet: its open purchase
    orders' lines and its inbound transfers (transfers.selectors.incoming_transfer_lines;
    a PO's transfer is its PO line, counted once)."""
    on_pos = PurchaseOrderLine.objects.filter(
        product_id=product_id,
        purchase_order__distributor_id=distributor_id,
        purchase_order__status__in=OPEN_PO_STATUSES,
    ).aggregate(n=Coalesce(Sum(F("quantity") - F("quantity_received")), 0))["n"]
    by_transfer = (
        incoming_transfer_lines()
        .filter(product_id=product_id, transfer__destination_id=distributor_id)
        .aggregate(n=Coalesce(Sum(OUTSTANDING_UNITS), 0))["n"]
    )
    return on_pos + by_transfer


def procurement_requests() -> QuerySet[ProcurementRequest]:
    """Requests with everything a list shows, newest first."""
    return ProcurementRequest.objects.select_related(
        "product", "distributor", "supplier", "decided_by", "po_line__purchase_order"
    ).order_by("-created_at", "-pk")


def request_for_message(*, request_id: int) -> ProcurementRequest:
    return ProcurementRequest.objects.select_related("product", "distributor", "supplier").get(
        pk=request_id
    )


def purchase_orders() -> QuerySet[PurchaseOrder]:
    return (
        PurchaseOrder.objects.select_related("supplier", "distributor", "approved_by")
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-pk")
    )


def _with_lines(queryset: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
    return queryset.select_related(
        "supplier", "distributor", "approved_by", "second_approved_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=PurchaseOrderLine.objects.select_related("request").order_by("pk"),
        )
    )


def purchase_order_detail(*, pk: int) -> PurchaseOrder | None:
    return _with_lines(PurchaseOrder.objects.filter(pk=pk)).first()


def purchase_orders_for_supplier(*, organization: Organization) -> QuerySet[PurchaseOrder]:
    """POs addressed to an organization, for its members; not those awaiting approval."""
    return (
        purchase_orders().filter(supplier=organization).exclude(status=POStatus.AWAITING_APPROVAL)
    )


def purchase_order_for_supplier(*, organization: Organization, number: str) -> PurchaseOrder | None:
    return _with_lines(
        PurchaseOrder.objects.filter(supplier=organization, number=number).exclude(
            status=POStatus.AWAITING_APPROVAL
        )
    ).first()


def purchase_orders_due_reminder(*, sent_before: datetime.datetime) -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.filter(
        status=POStatus.SENT, sent_at__lte=sent_before, reminder_sent_at__isnull=True
    ).order_by("pk")


def purchase_order_for_message(*, purchase_order_id: int) -> PurchaseOrder:
    po = purchase_order_detail(pk=purchase_order_id)
    if po is None:
        raise PurchaseOrder.DoesNotExist(purchase_order_id)
    return po


def supplier_dashboard_counts(*, organization: Organization) -> dict[str, int]:
    """A supplier's POs waiting for its answer and those confirmed but not delivered in full."""
    return PurchaseOrder.objects.filter(supplier=organization).aggregate(
        awaiting_answer=Count("pk", filter=Q(status=POStatus.SENT)),
        to_deliver=Count(
            "pk", filter=Q(status__in=[POStatus.CONFIRMED, POStatus.PARTIALLY_RECEIVED])
        ),
    )


def staff_dashboard_counts() -> dict[str, int]:
    """Procurement staff's work: open requests, POs awaiting approval, confirmation or receipt."""
    counts = PurchaseOrder.objects.aggregate(
        awaiting_second_approval=Count("pk", filter=Q(status=POStatus.AWAITING_APPROVAL)),
        awaiting_confirmation=Count("pk", filter=Q(status__in=[POStatus.SENT, POStatus.PROPOSED])),
        awaiting_receipt=Count(
            "pk", filter=Q(status__in=[POStatus.CONFIRMED, POStatus.PARTIALLY_RECEIVED])
        ),
    )
    counts["open_requests"] = ProcurementRequest.objects.filter(status=RequestStatus.OPEN).count()
    return counts


def on_order_for_items(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], tuple[int, ProcurementRequest | None]]:
    """{(product_id, distributor_id): (units incoming on open POs and inbound transfers, the
    open request or None)} for a page of items, in three queries however many (the
    distributor's inventory page)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    products, distributors = {p for p, _ in pairs}, {d for _, d in pairs}
    incoming = {
        (row["product_id"], row["purchase_order__distributor_id"]): row["n"]
        for row in PurchaseOrderLine.objects.filter(
            product_id__in=products,
            purchase_order__distributor_id__in=distributors,
            purchase_order__status__in=OPEN_PO_STATUSES,
        )
        .values("product_id", "purchase_order__distributor_id")
        .annotate(n=Sum(F("quantity") - F("quantity_received")))
        .order_by()
    }
    requests = {
        (r.product_id, r.distributor_id): r
        for r in ProcurementRequest.objects.filter(
            product_id__in=products, distributor_id__in=distributors, open_slot=True
        )
    }
    transfers = incoming_by_transfer(pairs)
    return {
        pair: (incoming.get(pair, 0) + transfers.get(pair, 0), requests.get(pair)) for pair in pairs
    }
