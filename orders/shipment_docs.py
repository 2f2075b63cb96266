"""The warehouse's paper: a pick list for the orders a distributor chooses, a packing slip.

Reads only. A pick list names what to take off the shelf: each product's
allocated units across the chosen orders, by SKU, with each order's share.
A packing slip goes in the box: the shipment's lines and where it goes, no
prices.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q

from accounts.models import Organization
from auromart.pdf import render_pdf

from .models import OPEN_STATUSES, Order, OrderItem, Shipment, ShipmentLine

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
