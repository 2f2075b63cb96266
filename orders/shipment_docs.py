"""The warehouse's paper: a pick list for the orders a distributor chooses, a packing slip.

Reads only. A pick list names what to take off the shelf: each product's
allocated units across the chosen orders, by SKU, with each order's share.
A packing slip goes in the box: the shipment's lines and where it goes, no
prices.

The packing slip never changes once the shipment is dispatched (its lines,
addresses, tracking reference and note are written then), so it is rendered
once, off the request: after the dispatch commits, in the worker
(orders.tasks.render_packing_slip, queued by the `shipment_dispatched`
receiver below), and a download serves the stored file
(packing_slip_ensure; a missing file, e.g. without a broker, renders on that
first download and is stored). A pick list is rendered on demand: it is a
one-off for the orders ticked at that moment and shows their allocation now,
so a stored copy would be stale (docs/architecture.md, "PDF documents").
"""

import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.dispatch import receiver

from accounts.models import Organization
from auromart.pdf import render_pdf

from .models import OPEN_STATUSES, Order, OrderItem, Shipment, ShipmentLine
from .signals import shipment_dispatched

logger = logging.getLogger(__name__)

PICK_LIST_MAX_ORDERS = 100
STYLESHEETS = ("auromart/pdf/document.css",)


@dataclass
class PickRow:
    sku: str
    name: str
    total: int = 0
    orders: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class PickList:
    distributor: Organization
    orders: list[Order]
    rows: list[PickRow]

    @property
    def units(self) -> int:
        return sum(row.total for row in self.rows)


def pick_list_for_distributor(
    *, distributor: Organization, numbers: list[str] = (), pks: list[int] = ()
) -> PickList:
    """The allocated units of `distributor`'s open orders named by number or id, by SKU.

    Two queries. Orders of other distributors and closed orders are left out;
    at most PICK_LIST_MAX_ORDERS of each are read.
    """
    chosen = Q(number__in=list(dict.fromkeys(numbers))[:PICK_LIST_MAX_ORDERS]) | Q(
        pk__in=list(dict.fromkeys(pks))[:PICK_LIST_MAX_ORDERS]
    )
    orders = list(
        Order.objects.filter(chosen, distributor=distributor, status__in=OPEN_STATUSES)
        .select_related("customer", "buyer_organization")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=OrderItem.objects.filter(quantity_allocated__gt=0).order_by("sku"),
                to_attr="to_pick",
            )
        )
        .order_by("created_at", "pk")
    )
    rows: dict[str, PickRow] = {}
    for order in orders:
        for item in order.to_pick:
            row = rows.setdefault(item.sku, PickRow(sku=item.sku, name=item.product_name))
            row.total += item.quantity_allocated
            row.orders.append((order.number, item.quantity_allocated))
    return PickList(
        distributor=distributor, orders=orders, rows=[rows[sku] for sku in sorted(rows)]
    )


def pick_list_pdf(pick_list: PickList) -> bytes:
    return render_pdf(
        "orders/pick_list_pdf.html",
        {"pick_list": pick_list, "site_name": settings.SITE_NAME},
        stylesheets=STYLESHEETS,
    )


def shipment_for_distributor(
    *, distributor: Organization, number: str | None = None, pk: int | None = None
) -> Shipment | None:
    """One of `distributor`'s shipments by number or id, with its order, lines and invoice.

    None when there is no such shipment or it is another distributor's.
    """
    lookup = {"pk": pk} if pk is not None else {"number": number}
    return (
        Shipment.objects.select_related(
            "order__customer", "order__buyer_organization", "order__distributor", "invoice"
        )
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_item"))
        )
        .filter(order__distributor=distributor, **lookup)
        .first()
    )


def packing_slip_pdf(shipment: Shipment) -> bytes:
    return render_pdf(
        "orders/packing_slip_pdf.html",
        {"shipment": shipment, "order": shipment.order, "site_name": settings.SITE_NAME},
        stylesheets=STYLESHEETS,
    )


def packing_slip_path(shipment: Shipment) -> str:
    # Shipment numbers are unique across distributors.
    return f"packing_slips/{shipment.dispatched_at:%Y}/{shipment.number}.pdf"


def packing_slip_render(*, shipment_id: int) -> str:
    """Render the shipment's packing slip into media storage (once) and return its path.

    A file already there is kept: the slip does not change after dispatch.
    """
    shipment = (
        Shipment.objects.select_related("order__customer", "order__buyer_organization")
        .select_related("order__distributor")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_item"))
        )
        .get(pk=shipment_id)
    )
    path = packing_slip_path(shipment)
    if default_storage.exists(path):
        return path
    return default_storage.save(path, ContentFile(packing_slip_pdf(shipment)))


def packing_slip_ensure(*, shipment: Shipment) -> bytes:
    """The stored packing slip's bytes, rendering and storing it first when it is missing."""
    path = packing_slip_path(shipment)
    if not default_storage.exists(path):
        pdf = packing_slip_pdf(shipment)
        if not default_storage.exists(path):  # another request may have stored it meanwhile
            default_storage.save(path, ContentFile(pdf))
        return pdf
    with default_storage.open(path, "rb") as stored:
        return stored.read()


def _render_after_commit(shipment_id: int) -> None:
    from .tasks import render_packing_slip

    try:
        render_packing_slip.delay(shipment_id)
    except Exception:
        # The broker is down: the first download renders the slip instead.
        logger.warning(
            "Could not queue the packing slip of shipment %s; it renders on first download",
            shipment_id,
            exc_info=True,
        )


@receiver(shipment_dispatched, dispatch_uid="orders.packing_slip_on_dispatch")
def packing_slip_schedule(sender, shipment_id: int, **kwargs) -> None:
    """Render the packing slip in the worker once the dispatch commits (when a broker runs)."""
    if settings.CELERY_BROKER_URL:
        transaction.on_commit(partial(_render_after_commit, shipment_id))
