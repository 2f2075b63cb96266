"""Writes for inventory: every change of on_hand goes through here and into the ledger.

The shelf side lives here (assignments, receipts, adjustments, counts, reorder
settings); the order side (allocation, the lean stock take, release, dispatch,
deallocation) in inventory.allocation, whose names stay importable from here.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.agreements import agreement_is_accepted
from accounts.models import Organization, User
from catalog.models import Product

from . import warehouses as wh

# The order side, re-exported: orders and other apps import these from inventory.services.
from .allocation import (  # noqa: F401
    Allocation,
    LeavingUnits,
    stock_allocate_for_order,
    stock_deallocate,
    stock_release,
    stock_ship,
    stock_ship_many,
    stock_take_expected,
    stock_take_for_order,
    stock_take_warehouse,
)
from .exceptions import InsufficientStock
from .models import StockItem, StockMovement, Warehouse, WarehouseStock
from .signals import reorder_settings_changed, stock_short
from .stock_locks import send_available, send_stock_low

STOCK_FIGURES = ["on_hand", "allocated", "held"]
# The most any stock figure may reach: an assignment, receipt or count that
# would pass it is refused before the write (the column is a signed 32-bit
# integer on MariaDB, so an overflow would otherwise be a database error).
MAX_STOCK = 1_000_000_000


def _lock(stock_item_pk: int) -> StockItem:
    # No select_related here: MariaDB has no FOR UPDATE OF, so a join would
    # lock the product and organization rows as well.
    return StockItem.objects.with_dynamic_level().select_for_update().get(pk=stock_item_pk)


def _record_movement(
    item: StockItem,
    *,
    warehouse: Warehouse,
    kind: str,
    quantity: int,
    by: User | None,
    note: str,
    reference: str,
) -> StockItem:
    """Apply a signed change to a locked stock item and write its ledger row.

    A removal may take only what is available in that warehouse: units
    allocated to orders or held stay on the shelf (a count, which may find
    less, is stock_count's). The warehouse's row changes with the item.
    """
    row = wh.row_locked(item, warehouse)
    if item.on_hand + quantity > MAX_STOCK:
        raise ValidationError(
            {
                "quantity": f"That would put {item.on_hand + quantity:,} units on the shelf; "
                f"a stock item holds at most {MAX_STOCK:,}."
            }
        )
    if quantity < 0 and -quantity > min(item.available, row.available):
        raise InsufficientStock(
            item.product,
            available=min(item.available, row.available),
            requested=-quantity,
            distributor=item.distributor,
        )
    try:
        # The database does the arithmetic, so the CHECK constraints see the
        # real result even for a row changed behind the lock (a raw UPDATE).
        # A savepoint, so that a refused UPDATE leaves the transaction usable.
        with transaction.atomic():
            StockItem.objects.filter(pk=item.pk).update(
                on_hand=F("on_hand") + quantity, updated_at=timezone.now()
            )
            WarehouseStock.objects.filter(pk=row.pk).update(
                on_hand=F("on_hand") + quantity, updated_at=timezone.now()
            )
    except IntegrityError as exc:
        item.refresh_from_db(fields=STOCK_FIGURES)
        raise InsufficientStock(
            item.product,
            available=item.available,
            requested=-quantity,
            distributor=item.distributor,
        ) from exc
    item.refresh_from_db(fields=[*STOCK_FIGURES, "updated_at"])
    StockMovement.objects.create(
        stock_item=item,
        warehouse=warehouse,
        kind=kind,
        quantity=quantity,
        balance_after=item.on_hand,
        reference=reference,
        note=note,
        created_by=by,
    )
    return item


@transaction.atomic
def stock_assign(
    *,
    product: Product,
    distributor: Organization,
    quantity: int,
    by: User | None = None,
    note: str = "",
    reference: str = "",
    warehouse: Warehouse | None = None,
) -> StockItem:
    """Put `quantity` units of `product` into `distributor`'s stock (a manufacturer's assignment).

    Creates the stock item on first assignment, locks it, raises on_hand (of
    the item and of `warehouse`, None: the distributor's default) and
    writes an `assignment` movement; `reference` names its cause (e.g.
    "po:7"). Returns the updated stock item.
    Raises ValidationError keyed by field when the organization is not a
    distributor or the quantity is not a whole number of at least 1.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError(
            {"distributor": f"{distributor} is not a distributor; stock is held by distributors."}
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": "Assign a whole number of at least 1 unit."})
    warehouse = wh.warehouse_of_distributor(distributor_id=distributor.pk, warehouse=warehouse)
    item, _ = StockItem.objects.get_or_create(product=product, distributor=distributor)
    item = _lock(item.pk)
    # Already loaded by the caller: spare the queries an error message would make.
    item.product = product
    item.distributor = distributor
    item = _record_movement(
        item,
        warehouse=warehouse,
        kind=StockMovement.Kind.ASSIGNMENT,
        quantity=quantity,
        by=by,
        note=note.strip(),
        reference=reference,
    )
    send_available([item], reference)
    return item


def stock_assign_by_manufacturer(
    *,
    product: Product,
    distributor: Organization,
    quantity: int,
    by: User,
    note: str = "",
) -> StockItem:
    """A manufacturer puts units of one of its products on sale at a distributor.

    Like stock_assign, and refuses a deactivated product (its stock could not
    be sold): ValidationError keyed "product_id". Only into a distributor that
    has accepted a supply agreement with the product's manufacturer:
    PermissionDenied otherwise (a manufacturer writes into no other
    organization's stock uninvited). Scoping the product to the caller's
    organization is the caller's lookup (another's product is 404).
    """
    if not product.is_active:
        raise ValidationError(
            {"product_id": f"{product} is deactivated; put it back on sale first."}
        )
    if not agreement_is_accepted(
        manufacturer_id=product.manufacturer_id, distributor_id=distributor.pk
    ):
        raise PermissionDenied(
            f"{distributor} has not accepted a supply agreement with you: request one under "
            "Agreements, and assign stock once the distributor accepts it."
        )
    return stock_assign(
        product=product, distributor=distributor, quantity=quantity, by=by, note=note
    )


@transaction.atomic
def stock_receive(
    *,
    product: Product,
    distributor: Organization,
    quantity: int,
    reference: str,
    by: User | None = None,
    note: str = "",
    warehouse: Warehouse | None = None,
) -> StockItem:
    """Book goods received from a supplier (a purchase order's delivery) into stock.

    Like stock_assign, but the ledger row is a `receipt`; `reference` names
    the purchase order (e.g. "po:7"); `warehouse` where it arrived (None: the
    distributor's default). Returns the updated stock item. Raises
    ValidationError keyed by field when the organization is not a distributor
    or the quantity is not a whole number of at least 1.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor": f"{distributor} is not a distributor."})
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": "Receive a whole number of at least 1 unit."})
    warehouse = wh.warehouse_of_distributor(distributor_id=distributor.pk, warehouse=warehouse)
    item, _ = StockItem.objects.get_or_create(product=product, distributor=distributor)
    item = _lock(item.pk)
    item.product = product
    item.distributor = distributor
    item = _record_movement(
        item,
        warehouse=warehouse,
        kind=StockMovement.Kind.RECEIPT,
        quantity=quantity,
        by=by,
        note=note.strip(),
        reference=reference,
    )
    send_available([item], reference)
    return item


@transaction.atomic
def stock_adjust(
    *,
    stock_item: StockItem,
    delta: int,
    note: str,
    by: User | None = None,
    reference: str = "",
    warehouse: Warehouse | None = None,
) -> StockItem:
    """Correct on_hand by `delta` (a stock-take, damage, shrinkage) and record why.

    Locks the item, applies the signed change in `warehouse` (None: the
    distributor's default) and writes an `adjustment` movement. Returns the
    updated stock item (a fresh instance; the one passed in is not changed).
    Raises ValidationError keyed by field when delta is 0 or not a whole number, or the note
    is empty; InsufficientStock when removing `-delta` units would take more than is
    available (on hand less allocated and held). Nothing is written when it raises.
    """
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise ValidationError({"delta": "Adjust by a whole number of units other than 0."})
    if not note.strip():
        raise ValidationError({"note": "Say why the stock is adjusted."})
    warehouse = wh.warehouse_of_distributor(
        distributor_id=stock_item.distributor_id, warehouse=warehouse
    )
    item = _lock(stock_item.pk)
    item = _record_movement(
        item,
        warehouse=warehouse,
        kind=StockMovement.Kind.ADJUSTMENT,
        quantity=delta,
        by=by,
        note=note.strip(),
        reference=reference,
    )
    _announce_change(item, delta, reference)
    return item


@transaction.atomic
def stock_count(
    *,
    stock_item: StockItem,
    counted: int,
    note: str = "",
    by: User | None = None,
    reference: str = "",
    warehouse: Warehouse | None = None,
    of_total: bool = False,
) -> StockItem:
    """Set one warehouse's on_hand to what a count found there: one `count` movement for
    the difference. `warehouse` None: the distributor's default. `of_total`: `counted`
    is the distributor's total (a spreadsheet of totals): the other warehouses keep
    theirs and the difference is booked in `warehouse` (ValidationError keyed
    "counted" when they alone hold more than was counted).

    Allocated and held units are on the shelf, so they are part of what a
    count finds: a shelf with 67 on it and 10 allocated counts 67 and
    nothing is written. Under the row lock, so an order placed since the
    sheet was read is not counted twice. A count below what is allocated in
    that warehouse: `stock_short` makes the newest allocations there
    backorders (orders' receiver) until they fit; a hold larger than what is
    left shrinks to it. Sends stock_low after a count down that leaves the
    item low, stock_available after a count up. Returns the item (a fresh
    instance).
    """
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise ValidationError({"counted": "Enter the whole number of units counted (0 or more)."})
    if counted > MAX_STOCK:
        raise ValidationError({"counted": f"A stock item holds at most {MAX_STOCK:,} units."})
    warehouse = wh.warehouse_of_distributor(
        distributor_id=stock_item.distributor_id, warehouse=warehouse
    )
    item = _lock(stock_item.pk)
    row = wh.row_locked(item, warehouse)
    if of_total:
        elsewhere = item.on_hand - row.on_hand
        if counted < elsewhere:
            raise ValidationError(
                {
                    "counted": f"The other warehouses hold {elsewhere:,} units, more than the "
                    f"{counted:,} counted: count each warehouse on the inventory page."
                }
            )
        counted -= elsewhere
    if counted < row.allocated + row.held:
        short, held_after = shelf_count_effects(row.allocated, row.held, counted)
        if short:
            stock_short.send(
                sender=StockItem,
                stock_item_id=item.pk,
                product_id=item.product_id,
                distributor_id=item.distributor_id,
                warehouse_id=warehouse.pk,
                units=short,
            )
            item.refresh_from_db(fields=STOCK_FIGURES)
            row.refresh_from_db(fields=STOCK_FIGURES)
        # Every allocation belongs to an open order line, so the receiver covers the
        # shortfall; if it could not, nothing is written.
        if row.allocated + held_after > counted:
            raise InsufficientStock(
                stock_item.product,
                available=row.available,
                requested=row.on_hand - counted,
                distributor=stock_item.distributor,
            )
        if row.held != held_after:
            # What the hold covered is no longer there: the hold shrinks to the shelf.
            shrink = row.held - held_after
            row.held = held_after
            item.held -= shrink
            WarehouseStock.objects.filter(pk=row.pk).update(held=F("held") - shrink)
            StockItem.objects.filter(pk=item.pk).update(held=F("held") - shrink)
    item.product = stock_item.product
    item.distributor = stock_item.distributor
    delta = counted - row.on_hand
    if not delta:
        return item
    item = _record_movement(
        item,
        warehouse=warehouse,
        kind=StockMovement.Kind.COUNT,
        quantity=delta,
        by=by,
        note=(note or "Stock count").strip(),
        reference=reference,
    )
    _announce_change(item, delta, reference)
    return item


def shelf_count_effects(allocated: int, held: int, counted: int) -> tuple[int, int]:
    """What a count of `counted` does to the promises on one shelf: (allocated units it does
    not cover, the hold after it). Holds are kept first; allocations beyond what is left
    become backorders, and a hold larger than the shelf shrinks to it."""
    short = max(allocated - max(counted - held, 0), 0)
    return short, min(held, counted)


@transaction.atomic
def stock_item_set_reorder_overrides(
    *,
    stock_item: StockItem,
    reorder_level_override: int | None,
    reorder_quantity_override: int | None,
) -> StockItem:
    """Set a distributor's own reorder level and quantity for one item (None: the product's).

    Writes only these two columns, so a form that loaded the item earlier
    cannot write a stale on_hand back. Raises ValidationError keyed by field
    for a negative value.
    """
    errors = {
        name: "Enter a number of 0 or more, or leave it empty."
        for name, value in [
            ("reorder_level_override", reorder_level_override),
            ("reorder_quantity_override", reorder_quantity_override),
        ]
        if value is not None and value < 0
    }
    if errors:
        raise ValidationError(errors)
    stock_item.reorder_level_override = reorder_level_override
    stock_item.reorder_quantity_override = reorder_quantity_override
    stock_item.save(
        update_fields=["reorder_level_override", "reorder_quantity_override", "updated_at"]
    )
    reorder_settings_changed.send(
        sender=StockItem,
        stock_item_id=stock_item.pk,
        product_id=stock_item.product_id,
        distributor_id=stock_item.distributor_id,
    )
    return stock_item


def _announce_change(item: StockItem, delta: int, reference: str) -> None:
    """After an adjustment or a count: stock_low when it left the item low, stock_available
    when it rose."""
    if delta < 0 and item.is_low:
        send_stock_low(item, item.reorder_level, reference)
    elif delta > 0:
        send_available([item], reference)
