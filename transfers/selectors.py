"""Reads for transfers: what pages, the API, messages and other apps need."""

from collections.abc import Iterable

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from accounts.models import User

from .models import IN_TRANSIT_STATUSES, TransferLine, TransferOrder, TransferStatus

# The units a transfer line still owes its destination: ordered, less what arrived and
# what was written off (a transfer ships every line in full, so before the receipt this
# is the line's quantity and after it the shortfall still in transit).
OUTSTANDING_UNITS = F("quantity") - F("received") - F("written_off")

# Once the source has allocated the units, a transfer counts for its destination.
_COMMITTED = (TransferStatus.CONFIRMED, TransferStatus.SHIPPED, TransferStatus.RECEIVED_SHORT)


def transfers_visible_to(user: User) -> QuerySet[TransferOrder]:
    """The transfers `user` may see: both sides' members see theirs (staff: the admin)."""
    queryset = TransferOrder.objects.select_related(
        "source", "destination", "purchase_order", "source_warehouse", "destination_warehouse"
    ).annotate(
        line_count=Count("lines"),
        units=Sum("lines__quantity"),
    )
    if user.organization_id is None:
        return queryset.none()
    return queryset.filter(
        Q(source_id=user.organization_id) | Q(destination_id=user.organization_id)
    ).order_by("-created_at", "-pk")


def transfer_detail(*, user: User, number: str) -> TransferOrder | None:
    """One transfer the user may see, with its lines; None for anyone else's (a 404)."""
    queryset = TransferOrder.objects.select_related(
        "source",
        "destination",
        "source_warehouse",
        "destination_warehouse",
        "purchase_order",
        "created_by",
        "confirmed_by",
        "shipped_by",
        "received_by",
        "cancelled_by",
        "closed_by",
    ).prefetch_related(
        Prefetch("lines", queryset=TransferLine.objects.select_related("product", "po_line"))
    )
    if user.organization_id is None:
        return None
    queryset = queryset.filter(
        Q(source_id=user.organization_id) | Q(destination_id=user.organization_id)
    )
    return queryset.filter(number=number).first()


def transfer_for_message(*, transfer_id: int) -> TransferOrder:
    return (
        TransferOrder.objects.select_related(
            "source", "destination", "purchase_order", "source_warehouse", "destination_warehouse"
        )
        .prefetch_related("lines")
        .get(pk=transfer_id)
    )


def in_transit(
    *, distributor_ids: Iterable[int] | None = None, product_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], int]:
    """{(product_id, destination_id): units shipped and not yet received or written off}.

    The units in transit belong to no shelf; the network total is
    sum(on_hand) + sum(in transit). One query.
    """
    lines = TransferLine.objects.filter(transfer__status__in=IN_TRANSIT_STATUSES)
    if distributor_ids is not None:
        lines = lines.filter(transfer__destination_id__in=list(distributor_ids))
    if product_ids is not None:
        lines = lines.filter(product_id__in=list(product_ids))
    rows = (
        lines.values("product_id", "transfer__destination_id")
        .annotate(units=Sum(F("shipped") - F("received") - F("written_off")))
        .order_by()
    )
    return {
        (row["product_id"], row["transfer__destination_id"]): row["units"]
        for row in rows
        if row["units"]
    }


def incoming_transfer_lines() -> QuerySet[TransferLine]:
    """The transfer lines whose outstanding units (`OUTSTANDING_UNITS`) count in their
    destination's `incoming`, hence in its inventory position (docs/architecture.md,
    "Transfers": inbound transfers in the position).

    - Between two distributors: from the request (the destination asked for the units,
      as a purchase order counts from its sending, before the supplier answers; a
      source's draft counts once confirmed) until received, written off or cancelled.
    - Between one distributor's own warehouses: from confirmation only. The allocation
      at the source warehouse lowers the distributor's available by what the line adds
      to its incoming, `transfer_out` then lowers on_hand and allocated together, and
      `transfer_in` raises on_hand as the line stops counting: the distributor's
      position stays as it was at every step.
    - Never a purchase order's transfer: its PO line is counted instead (once).
    """
    return TransferLine.objects.filter(transfer__purchase_order__isnull=True).filter(
        Q(transfer__status__in=_COMMITTED)
        | (
            Q(transfer__status=TransferStatus.REQUESTED)
            & ~Q(transfer__source_id=F("transfer__destination_id"))
        )
    )


def incoming_by_transfer(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], int]:
    """{(product_id, destination_id): units} of `incoming_transfer_lines` for these pairs,
    one query (the IN lists are a page's products and distributors)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = (
        incoming_transfer_lines()
        .filter(
            product_id__in={p for p, _ in pairs},
            transfer__destination_id__in={d for _, d in pairs},
        )
        .values("product_id", "transfer__destination_id")
        .annotate(units=Sum(OUTSTANDING_UNITS))
        .order_by()
    )
    found = {(row["product_id"], row["transfer__destination_id"]): row["units"] for row in rows}
    return {pair: units for pair, units in found.items() if pair in pairs and units}


def allocated_to_transfers(*, distributor_id: int) -> dict[int, int]:
    """{product_id: units} confirmed transfers hold allocated at `distributor_id`'s shelf."""
    rows = (
        TransferLine.objects.filter(
            transfer__source_id=distributor_id, transfer__status="confirmed"
        )
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return {row["product_id"]: row["units"] for row in rows}
