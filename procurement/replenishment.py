"""The replenishment screen's reads (like Odoo's Replenishment report), for pages, export and API.

Which items: every stock item whose available stock (on hand - allocated -
held) is at or below its reorder point (procurement.item_policy), filtered in SQL,
the set the sweep evaluates. Items already on order stay listed, with their
request or PO, until the goods arrive: the screen answers "is every low item
covered?", and an item whose position (with incoming) is already above the
reorder point shows why nothing new is suggested.

`replenishment_items` is one query for a page (plus the paginator's count);
`replenishment_rows` fills a page's rows in a fixed number of queries (eight),
however many rows: incoming (open PO lines, and inbound transfers), backordered,
open requests and POs, reasons, demand, and the supplier each item would go to (two).
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organization
from catalog.models import SupplierLine
from inventory.models import StockItem
from orders.models import OPEN_STATUSES, DemandLine, OrderItem
from transfers.selectors import incoming_by_transfer

from .item_policy import POLICY_FIELDS, ItemPolicy, item_policies, reorder_point_expression
from .models import (
    OPEN_PO_STATUSES,
    ItemReplenishment,
    NotOrderedReason,
    ProcurementRequest,
    PurchaseOrderLine,
    RequestStatus,
)
from .monitoring import reorder_quantity_compute
from .suppliers import supplier_choices_preview

DEMAND_WINDOW_DAYS = 30
ANY_REASON = "any"
ROW_FIELDS = (
    "on_hand",
    "allocated",
    "held",
    "reorder_level_override",
    "reorder_quantity_override",
    "product_id",
    "distributor_id",
    "product__sku",
    "product__name",
    "product__reorder_level",
    "product__reorder_quantity",
    "product__order_up_to_level",
    "product__is_active",
    "product__manufacturer_id",
    "distributor__name",
    "distributor__kind",
)


@dataclass(frozen=True)
class ReplenishmentFilters:
    distributor_id: int | None = None
    supplier_id: int | None = None
    reason: str = ""  # a NotOrderedReason value, ANY_REASON, or "" for all
    search: str = ""


@dataclass
class OpenOrder:
    """An open request, or the PO an approved request went onto (not received yet)."""

    request_id: int
    request_number: str
    request_status: str
    po_id: int | None = None
    po_number: str = ""
    po_status: str = ""


@dataclass
class ReplenishmentRow:
    item: StockItem
    policy: ItemPolicy
    incoming: int = 0
    backordered: int = 0
    suggested: int | None = None
    rule: str = ""
    supplier: Organization | None = None
    supplier_line_id: int | None = None
    unit_cost: Decimal | None = None
    daily_demand: Decimal | None = None
    days_of_cover: Decimal | None = None
    orders: list[OpenOrder] = field(default_factory=list)
    reason: str = ""
    reason_label: str = ""
    reason_detail: str = ""
    snoozed_until: datetime.date | None = None

    @property
    def position(self) -> int:
        item = self.item
        return item.on_hand - item.allocated - item.held + self.incoming - self.backordered

    @property
    def open_request(self) -> OpenOrder | None:
        return next((o for o in self.orders if o.request_status == RequestStatus.OPEN), None)


def replenishment_items(
    *, filters: ReplenishmentFilters, distributor: Organization | None = None
) -> QuerySet[StockItem]:
    """Stock items at or below their reorder point, by product name, with product and distributor.

    `distributor` scopes it to one distributor's own items (its portal);
    `filters` narrow it further: a distributor, a supplier (items with an
    active line from it), a reason (NotOrderedReason, or ANY_REASON for any),
    a search on SKU or product name.
    """
    items = (
        StockItem.objects.annotate(
            available_qty=F("on_hand") - F("allocated") - F("held"),
            reorder_point=reorder_point_expression(),
        )
        .filter(available_qty__lte=F("reorder_point"))
        .select_related("product", "distributor", "replenishment_policy")
        # Only what a row shows: a product's description (TEXT) in the sorted rows made
        # MariaDB sort on disk (bench/replenishment_screen.py).
        .only(*ROW_FIELDS, *POLICY_FIELDS)
    )
    if distributor is not None:
        items = items.filter(distributor=distributor)
    if filters.distributor_id:
        items = items.filter(distributor_id=filters.distributor_id)
    if filters.supplier_id:
        items = items.filter(
            Exists(
                SupplierLine.objects.filter(
                    product_id=OuterRef("product_id"),
                    supplier_id=filters.supplier_id,
                    is_active=True,
                )
            )
        )
    if filters.reason:
        states = ItemReplenishment.objects.filter(
            product_id=OuterRef("product_id"), distributor_id=OuterRef("distributor_id")
        )
        if filters.reason == ANY_REASON:
            states = states.exclude(reason="")
        else:
            states = states.filter(reason=filters.reason)
        items = items.filter(Exists(states))
    if filters.search:
        items = items.filter(
            Q(product__sku__icontains=filters.search) | Q(product__name__icontains=filters.search)
        )
    return items.order_by("product__name", "distributor_id", "pk")


def replenishment_page(
    items: QuerySet[StockItem], *, number, per_page: int, strict: bool = False
) -> tuple[Page, list[StockItem]]:
    """One page of `items` and its stock items, in two queries.

    The ids of every matching item come first, in order (one pass over the stock table
    serves both the count and the page: with COUNT(*) and LIMIT as two queries MariaDB
    joined 100,000 items to their products twice), then the page's rows by id.
    `strict` raises EmptyPage / PageNotAnInteger (the API's 404) instead of
    falling back to the nearest page (the page's behaviour).
    """
    ids = list(items.values_list("pk", flat=True))
    paginator = Paginator(ids, per_page)
    page = paginator.page(number) if strict else paginator.get_page(number)
    loaded = (
        StockItem.objects.select_related("product", "distributor", "replenishment_policy")
        .only(*ROW_FIELDS, *POLICY_FIELDS)
        .in_bulk(page.object_list)
    )
    return page, [loaded[pk] for pk in page.object_list if pk in loaded]


def _pairs_q(pairs, product="product_id", distributor="distributor_id") -> Q:
    """Rows of these (product, distributor) pairs: IN on both columns, then exact pairs in
    Python (a page's products and distributors, so the IN lists stay short)."""
    return Q(
        **{f"{product}__in": {p for p, _ in pairs}, f"{distributor}__in": {d for _, d in pairs}}
    )


def replenishment_rows(items: Sequence[StockItem]) -> list[ReplenishmentRow]:
    """The screen's figures for a page of items (module docstring): eight queries."""
    items = list(items)
    if not items:
        return []
    pairs = {(item.product_id, item.distributor_id) for item in items}
    incoming = {
        (row["product_id"], row["purchase_order__distributor_id"]): row["n"]
        for row in PurchaseOrderLine.objects.filter(
            _pairs_q(pairs, distributor="purchase_order__distributor_id"),
            purchase_order__status__in=OPEN_PO_STATUSES,
        )
        .values("product_id", "purchase_order__distributor_id")
        .annotate(n=Sum(F("quantity") - F("quantity_received")))
        .order_by()
    }
    for key, units in incoming_by_transfer(pairs).items():
        incoming[key] = incoming.get(key, 0) + units
    backordered = {
        (row["product_id"], row["order__distributor_id"]): row["n"]
        for row in OrderItem.objects.filter(
            _pairs_q(pairs, distributor="order__distributor_id"),
            order__status__in=OPEN_STATUSES,
            quantity_backordered__gt=0,
        )
        .values("product_id", "order__distributor_id")
        .annotate(n=Sum("quantity_backordered"))
        .order_by()
    }
    orders: dict[tuple[int, int], list[OpenOrder]] = defaultdict(list)
    requests = (
        ProcurementRequest.objects.filter(_pairs_q(pairs))
        .filter(
            Q(open_slot=True)
            | Q(status=RequestStatus.APPROVED, po_line__purchase_order__status__in=OPEN_PO_STATUSES)
        )
        .select_related("supplier", "po_line__purchase_order")
        .order_by("created_at", "pk")
    )
    open_requests: dict[tuple[int, int], ProcurementRequest] = {}
    for request in requests:
        po_line = getattr(request, "po_line", None)
        po = po_line.purchase_order if po_line is not None else None
        key = (request.product_id, request.distributor_id)
        orders[key].append(
            OpenOrder(
                request_id=request.pk,
                request_number=request.number,
                request_status=request.status,
                po_id=po.pk if po else None,
                po_number=po.number if po else "",
                po_status=po.status if po else "",
            )
        )
        if request.status == RequestStatus.OPEN:
            open_requests[key] = request
    states = {
        (state.product_id, state.distributor_id): state
        for state in ItemReplenishment.objects.filter(_pairs_q(pairs))
    }
    since = timezone.now() - datetime.timedelta(days=DEMAND_WINDOW_DAYS)
    demand = {
        (row["product_id"], row["distributor_id"]): row["n"]
        for row in DemandLine.objects.filter(_pairs_q(pairs), created_at__gte=since)
        .values("product_id", "distributor_id")
        .annotate(n=Coalesce(Sum("requested"), 0))
        .order_by()
    }
    choices = supplier_choices_preview([p for p in pairs if p not in open_requests])
    policies = item_policies(items)
    today = timezone.localdate()
    rows = []
    for item in items:
        key = (item.product_id, item.distributor_id)
        row = ReplenishmentRow(
            item=item,
            policy=policies[item.pk],
            incoming=incoming.get(key, 0),
            backordered=backordered.get(key, 0),
            orders=orders.get(key, []),
        )
        asked = demand.get(key, 0)
        if asked:
            row.daily_demand = (Decimal(asked) / DEMAND_WINDOW_DAYS).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            row.days_of_cover = (
                Decimal(max(item.available, 0)) * DEMAND_WINDOW_DAYS / asked
            ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        state = states.get(key)
        if state is not None:
            if state.snoozed_until and state.snoozed_until > today:
                row.snoozed_until = state.snoozed_until
            if state.reason:
                row.reason = state.reason
                row.reason_label = NotOrderedReason(state.reason).label
                row.reason_detail = state.detail
        request = open_requests.get(key)
        if request is not None:
            row.suggested, row.rule = request.quantity, request.rule
            row.supplier, row.supplier_line_id = request.supplier, request.supplier_line_id
            row.unit_cost = request.unit_cost
        else:
            choice = choices.get(key)
            if choice is not None and choice.line is not None:
                line = choice.line
                row.supplier, row.supplier_line_id = line.supplier, line.pk
                row.unit_cost = line.unit_cost
                if row.position <= row.policy.reorder_point:
                    computed = reorder_quantity_compute(
                        available=row.position,
                        reorder_quantity=item.reorder_quantity,
                        order_up_to_level=row.policy.order_up_to,
                        pack_size=line.pack_size,
                        minimum_order_quantity=line.minimum_order_quantity,
                    )
                    row.suggested, row.rule = computed.quantity, computed.rule
                else:
                    row.rule = (
                        f"position {row.position} is above the reorder point "
                        f"{row.policy.reorder_point}: nothing more to order"
                    )
            elif choice is not None and not row.reason:
                row.reason = choice.reason
                row.reason_label = NotOrderedReason(choice.reason).label if choice.reason else ""
                row.reason_detail = choice.detail
        rows.append(row)
    return rows


def replenishment_table(rows: Sequence[ReplenishmentRow], *, filters: dict[str, str]):
    """The rows as a reporting ReportTable: what the CSV and XLSX exports write."""
    from reporting.tables import Column, ReportTable

    def order_text(row: ReplenishmentRow) -> str:
        return "; ".join(
            f"{o.request_number} ({o.request_status})"
            + (f", {o.po_number} ({o.po_status})" if o.po_number else "")
            for o in row.orders
        )

    return ReportTable(
        title="Replenishment",
        subtitle="Items at or below their reorder point.",
        columns=[
            Column("sku", "SKU"),
            Column("product", "Product"),
            Column("distributor", "Distributor"),
            Column("on_hand", "On hand", "int"),
            Column("allocated", "Allocated", "int"),
            Column("held", "Held", "int"),
            Column("incoming", "Incoming", "int"),
            Column("backordered", "Backordered", "int"),
            Column("position", "Position", "int"),
            Column("reorder_point", "Reorder point", "int"),
            Column("order_up_to", "Order-up-to", "int"),
            Column("policy", "Policy"),
            Column("suggested", "Suggested", "int"),
            Column("supplier", "Supplier"),
            Column("unit_cost", "Unit cost", "money"),
            Column("days_of_cover", "Days of cover", "days"),
            Column("on_order", "Request / PO"),
            Column("reason", "Not ordered because"),
            Column("snoozed_until", "Snoozed until", "date"),
        ],
        rows=[
            {
                "sku": row.item.product.sku,
                "product": row.item.product.name,
                "distributor": row.item.distributor.name,
                "on_hand": row.item.on_hand,
                "allocated": row.item.allocated,
                "held": row.item.held,
                "incoming": row.incoming,
                "backordered": row.backordered,
                "position": row.position,
                "reorder_point": row.policy.reorder_point,
                "order_up_to": row.policy.order_up_to,
                "policy": row.policy.name,
                "suggested": row.suggested,
                "supplier": row.supplier.name if row.supplier else "",
                "unit_cost": row.unit_cost,
                "days_of_cover": row.days_of_cover,
                "on_order": order_text(row),
                "reason": row.reason_label,
                "snoozed_until": row.snoozed_until,
            }
            for row in rows
        ],
        filters=filters,
    )
