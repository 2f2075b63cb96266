"""Reads for transfers: what pages, the API, messages and other apps need."""

from collections.abc import Iterable

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from accounts.models import User

from .models import IN_TRANSIT_STATUSES, TransferLine, TransferOrder


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
