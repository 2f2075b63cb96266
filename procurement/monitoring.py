"""Continuous monitoring: every change to an item's inventory position re-evaluates the item.

inventory position = on_hand - allocated - held + incoming - backordered

`incoming` is the open PO lines' outstanding units plus the inbound transfers'
(transfers.selectors.incoming_transfer_lines: between distributors from the
request, within one distributor from confirmation; a PO's transfer never, its
PO line counts), so a distributor a transfer is coming to is not ordered for
as well.

`item_evaluate` runs inside the transaction that changed the item (an
allocation, a count, a change of reorder settings, a rejected request, a
cancelled PO, a PO closed short, a receipt) and either opens a request or
records why not, from the closed list NotOrderedReason. `replenishment_sweep`
(beat, and `manage.py replenishment_sweep` for cron) evaluates every item at
or below its reorder point that is not covered (nothing open, position still
at or below the point: found set-based, in one query) and every item with a
reason, catching anything a change did not announce (a product's own reorder
level edited in the catalog, say).
"""

import contextlib
import datetime
import functools
import math
from typing import NamedTuple

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from auromart.numbering import number_next
from catalog.models import SupplierLine
from inventory.models import StockItem
from orders.models import OPEN_STATUSES, OrderItem
from transfers.selectors import OUTSTANDING_UNITS, incoming_transfer_lines

from . import selectors
from .models import (
    OPEN_PO_STATUSES,
    ItemReplenishment,
    NotOrderedReason,
    ProcurementRequest,
    PurchaseOrderLine,
    RequestStatus,
)
from .signals import procurement_requested
from .suppliers import supplier_choose


class ReorderQuantity(NamedTuple):
    quantity: int
    rule: str


def reorder_quantity_compute(
    *,
    available: int,
    reorder_quantity: int,
    order_up_to_level: int | None,
    pack_size: int,
    minimum_order_quantity: int,
) -> ReorderQuantity:
    """How many units to ask for, and the rule in words so staff see why.

    max(reorder quantity, order-up-to level - available), rounded up to whole
    packs, and at least the minimum order quantity (itself in whole packs).
    `available` is the inventory position. Pack size and minimum order are
    the chosen supplier line's.
    """
    pack_size = max(pack_size, 1)
    steps = [f"reorder quantity {reorder_quantity}"]
    need = reorder_quantity
    if order_up_to_level is not None:
        top_up = order_up_to_level - available
        steps.append(f"up to {order_up_to_level} - available {available} = {top_up}")
        need = max(need, top_up)
    rule = f"max({'; '.join(steps)}) = {need}" if len(steps) > 1 else f"{steps[0]}"
    quantity = math.ceil(need / pack_size) * pack_size
    if pack_size > 1:
        rule += f"; {quantity // pack_size} packs of {pack_size} = {quantity}"
    if quantity < minimum_order_quantity:
        quantity = math.ceil(minimum_order_quantity / pack_size) * pack_size
        rule += f"; raised to the minimum order of {minimum_order_quantity}"
        if quantity != minimum_order_quantity:
            rule += f" in whole packs = {quantity}"
    return ReorderQuantity(max(quantity, 1), rule)


class Levels(NamedTuple):
    reorder_level: int
    reorder_quantity: int
    order_up_to_level: int | None
    policy: str  # "fixed" or "dynamic"


def item_levels(item: StockItem) -> Levels:
    """The item's reorder point, quantity and order-up-to level under its policy.

    A `dynamic` policy with nightly figures (procurement.policy_nightly) gives
    its reorder point and order-up-to level (the quantity is then whatever
    tops the position up to it); otherwise the levels typed on the item or
    product. No query when `replenishment_policy` was selected with the item.
    """
    policy = None
    if item.pk is not None:
        with contextlib.suppress(ObjectDoesNotExist):
            policy = item.replenishment_policy
    if policy is not None and policy.uses_dynamic_figures:
        return Levels(policy.reorder_point, 0, policy.order_up_to_level, "dynamic")
    return Levels(
        item.reorder_level, item.reorder_quantity, item.product.order_up_to_level, "fixed"
    )


class Position(NamedTuple):
    on_hand: int
    allocated: int
    held: int
    incoming: int
    backordered: int

    @property
    def value(self) -> int:
        return self.on_hand - self.allocated - self.held + self.incoming - self.backordered


def backordered_quantity(*, product_id: int, distributor_id: int) -> int:
    """Units of the product owed to the distributor's open orders (waiting for stock)."""
    return OrderItem.objects.filter(
        product_id=product_id,
        order__distributor_id=distributor_id,
        order__status__in=OPEN_STATUSES,
        quantity_backordered__gt=0,
    ).aggregate(n=Coalesce(Sum("quantity_backordered"), 0))["n"]


def _summed(queryset, expression) -> Subquery:
    """SUM(expression) over `queryset` (already filtered on OuterRef), 0 when no row."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("product_id").annotate(n=Sum(expression)).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def with_position(items):
    """Annotate a StockItem queryset with what an evaluation reads besides the item itself:
    `request_is_open` (the item's open slot is taken), `incoming_units` (open PO lines
    not received, and inbound transfers: `incoming_transfer_lines`) and
    `backordered_units` (owed to open orders). One query for the item and all of them,
    instead of one each."""
    same_item = {"product_id": OuterRef("product_id")}
    return items.annotate(
        request_is_open=Exists(
            ProcurementRequest.objects.filter(
                **same_item, distributor_id=OuterRef("distributor_id"), open_slot=True
            )
        ),
        incoming_units=_summed(
            PurchaseOrderLine.objects.filter(
                **same_item,
                purchase_order__distributor_id=OuterRef("distributor_id"),
                purchase_order__status__in=OPEN_PO_STATUSES,
            ),
            F("quantity") - F("quantity_received"),
        )
        + _summed(
            incoming_transfer_lines().filter(
                **same_item, transfer__destination_id=OuterRef("distributor_id")
            ),
            OUTSTANDING_UNITS,
        ),
        backordered_units=_summed(
            OrderItem.objects.filter(
                **same_item,
                order__distributor_id=OuterRef("distributor_id"),
                order__status__in=OPEN_STATUSES,
                quantity_backordered__gt=0,
            ),
            F("quantity_backordered"),
        ),
    )


def annotated_position(item: StockItem) -> Position:
    """The position of an item loaded through `with_position` (no query)."""
    return Position(
        on_hand=item.on_hand,
        allocated=item.allocated,
        held=item.held,
        incoming=item.incoming_units,
        backordered=item.backordered_units,
    )


def inventory_position(item: StockItem) -> Position:
    """The item's position from its figures, open POs, inbound transfers and backorders
    (3 queries)."""
    return Position(
        on_hand=item.on_hand,
        allocated=item.allocated,
        held=item.held,
        incoming=selectors.incoming_quantity(
            product_id=item.product_id, distributor_id=item.distributor_id
        ),
        backordered=backordered_quantity(
            product_id=item.product_id, distributor_id=item.distributor_id
        ),
    )


def request_open(
    *,
    item: StockItem,
    line: SupplierLine,
    position: Position,
    quantity: int | None,
    trigger: str,
    reference: str,
    note: str = "",
    by: User | None = None,
) -> ProcurementRequest:
    """Write an open request for the item from the chosen supplier line and announce it.

    In a savepoint: losing the race for the open slot (IntegrityError) leaves
    the caller's transaction (an order) usable.
    """
    product = item.product
    levels = item_levels(item)
    computed = reorder_quantity_compute(
        available=position.value,
        reorder_quantity=levels.reorder_quantity,
        order_up_to_level=levels.order_up_to_level,
        pack_size=line.pack_size,
        minimum_order_quantity=line.minimum_order_quantity,
    )
    rule = computed.rule if levels.policy == "fixed" else f"dynamic: {computed.rule}"
    if quantity is None:
        quantity = computed.quantity
    else:
        rule = f"set by hand to {quantity} (the rule gives {computed.quantity}: {computed.rule})"
    with transaction.atomic():
        request = ProcurementRequest.objects.create(
            number=number_next(prefix="PR", width=5),
            product=product,
            distributor_id=item.distributor_id,
            supplier_id=line.supplier_id,
            supplier_line=line,
            unit_cost=line.unit_cost,
            quantity=quantity,
            status=RequestStatus.OPEN,
            trigger=trigger,
            reference=reference,
            note=note,
            on_hand=position.on_hand,
            allocated=position.allocated,
            held=position.held,
            incoming=position.incoming,
            backordered=position.backordered,
            available=position.value,
            reorder_level=levels.reorder_level,
            reorder_quantity=levels.reorder_quantity,
            order_up_to_level=levels.order_up_to_level,
            pack_size=line.pack_size,
            minimum_order_quantity=line.minimum_order_quantity,
            rule=rule[:255],
            created_by=by,
        )
    procurement_requested.send(
        sender=ProcurementRequest,
        request_id=request.pk,
        product_id=product.pk,
        distributor_id=item.distributor_id,
        supplier_id=line.supplier_id,
        trigger=trigger,
    )
    return request


def _reason_set(item: StockItem, state: ItemReplenishment | None, reason: str, detail: str) -> None:
    if state is None:
        try:
            with transaction.atomic():
                ItemReplenishment.objects.create(
                    product_id=item.product_id,
                    distributor_id=item.distributor_id,
                    reason=reason,
                    detail=detail[:255],
                )
        except IntegrityError:
            pass  # a concurrent evaluation recorded the item first; the sweep refreshes it
    elif (state.reason, state.detail) != (reason, detail[:255]):
        state.reason, state.detail = reason, detail[:255]
        state.save(update_fields=["reason", "detail", "evaluated_at"])


def _reason_clear_item(*, product_id: int, distributor_id: int) -> None:
    ItemReplenishment.objects.filter(product_id=product_id, distributor_id=distributor_id).exclude(
        reason=""
    ).update(reason="", detail="", evaluated_at=timezone.now())


@functools.cache
def _evaluation_items():
    """StockItems with everything `item_evaluate` reads: the product and policy, the
    position's figures (`with_position`) and the item's recorded reason. Built once
    (the expressions cost more to build than the query takes); callers filter it."""
    return with_position(
        StockItem.objects.select_related("product", "replenishment_policy")
    ).annotate(
        state_reason=Coalesce(
            Subquery(
                ItemReplenishment.objects.filter(
                    product_id=OuterRef("product_id"), distributor_id=OuterRef("distributor_id")
                ).values("reason")[:1]
            ),
            Value(""),
        )
    )


def _reason_clear(state: ItemReplenishment | None) -> None:
    if state is not None and state.reason:
        ItemReplenishment.objects.filter(pk=state.pk).update(
            reason="", detail="", evaluated_at=timezone.now()
        )


def item_evaluate(
    *, product_id: int, distributor_id: int, reference: str = ""
) -> ProcurementRequest | None:
    """Re-evaluate one item: open a request when its position is at or below its reorder
    level and nothing is open, else record why not (NotOrderedReason).

    Runs in the caller's transaction; a constant number of queries: one when
    nothing is to be done (the item with its open slot, incoming, backorders and
    recorded reason in one row: `_evaluation_items`), about eight when it opens a
    request. Returns the new request, or None.
    """
    item = _evaluation_items().filter(product_id=product_id, distributor_id=distributor_id).first()
    if item is None:
        return None
    position = annotated_position(item)
    if item.request_is_open or position.value > item_levels(item).reorder_level:
        if item.state_reason:
            _reason_clear_item(product_id=product_id, distributor_id=distributor_id)
        return None
    state = ItemReplenishment.objects.filter(
        product_id=product_id, distributor_id=distributor_id
    ).first()
    today = timezone.localdate()
    if state is not None and state.snoozed_until and state.snoozed_until > today:
        _reason_set(
            item, state, NotOrderedReason.SNOOZED, f"Snoozed until {state.snoozed_until:%d %b %Y}."
        )
        return None
    if not item.product.is_active:
        _reason_set(item, state, NotOrderedReason.PRODUCT_INACTIVE, "The product is not sold.")
        return None
    choice = supplier_choose(product=item.product, distributor_id=distributor_id)
    if choice.line is None:
        if choice.reason:
            _reason_set(item, state, choice.reason, choice.detail)
        return None
    try:
        request = request_open(
            item=item,
            line=choice.line,
            position=position,
            quantity=None,
            trigger=ProcurementRequest.Trigger.AUTO,
            reference=reference,
        )
    except IntegrityError:
        # Another transaction opened the request first (the UNIQUE open slot).
        return None
    _reason_clear(state)
    return request


def item_snooze(*, product_id: int, distributor_id: int, until: datetime.date | None) -> None:
    """Keep an item from being ordered automatically until `until` (None lifts the snooze)."""
    if until is not None and until > timezone.localdate() + datetime.timedelta(days=366):
        raise ValueError("Snooze for at most a year.")
    with transaction.atomic():
        ItemReplenishment.objects.update_or_create(
            product_id=product_id, distributor_id=distributor_id, defaults={"snoozed_until": until}
        )
        item_evaluate(product_id=product_id, distributor_id=distributor_id, reference="snooze")


class SweepResult(NamedTuple):
    evaluated: int
    opened: int
    reasons: dict[str, int]


def sweep_candidates() -> list[tuple[int, int]]:
    """The (product_id, distributor_id) pairs an evaluation could change, set-based.

    Items at or below their reorder point on available stock whose open slot is
    free and whose position (with incoming and backorders) is still at or below
    it, found in one query (`with_position`), plus every item with a reason
    (to refresh or clear it). A low item already on order needs nothing, nor
    does one whose incoming lifts it above its point: they cost no evaluation.
    """
    uncovered = (
        with_position(StockItem.objects.at_or_below_reorder_level())
        .filter(request_is_open=False)
        .annotate(position_units=F("available_qty") + F("incoming_units") - F("backordered_units"))
        .filter(position_units__lte=F("reorder_point"))
        .values_list("product_id", "distributor_id")
    )
    flagged = ItemReplenishment.objects.exclude(reason="").values_list(
        "product_id", "distributor_id"
    )
    return sorted(set(uncovered) | set(flagged))


def replenishment_sweep() -> SweepResult:
    """Evaluate every item that needs it (`sweep_candidates`): each in its own short
    transaction, so one sweep never holds locks for long. Returns what it did and the
    count of each reason left.
    """
    pairs = sweep_candidates()
    opened = 0
    for product_id, distributor_id in pairs:
        with transaction.atomic():
            if item_evaluate(
                product_id=product_id, distributor_id=distributor_id, reference="sweep"
            ):
                opened += 1
    return SweepResult(len(pairs), opened, reason_counts())


def reason_counts() -> dict[str, int]:
    """{reason: items} of the items left unordered, every reason of the closed list (one query)."""
    counts = dict(
        ItemReplenishment.objects.exclude(reason="")
        .values_list("reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {choice.value: counts.get(choice.value, 0) for choice in NotOrderedReason}
