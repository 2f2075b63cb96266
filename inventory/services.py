"""Writes for inventory: every change of on_hand goes through here and into the ledger."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization, User
from catalog.models import Product

from .exceptions import InsufficientStock
from .models import StockItem, StockMovement


def _lock(stock_item_pk: int) -> StockItem:
    # No select_related here: MariaDB has no FOR UPDATE OF, so a join would
    # lock the product and organization rows as well.
    return StockItem.objects.select_for_update().get(pk=stock_item_pk)


def _record_movement(
    item: StockItem,
    *,
    kind: str,
    quantity: int,
    by: User | None,
    note: str,
    reference: str,
) -> StockItem:
    """Apply a signed change to a locked stock item and write its ledger row."""
    if item.on_hand + quantity < item.reserved:
        raise InsufficientStock(
            item.product,
            available=item.available,
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
    except IntegrityError as exc:
        item.refresh_from_db(fields=["on_hand", "reserved"])
        raise InsufficientStock(
            item.product,
            available=item.available,
            requested=-quantity,
            distributor=item.distributor,
        ) from exc
    item.refresh_from_db(fields=["on_hand", "reserved", "updated_at"])
    StockMovement.objects.create(
        stock_item=item,
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
) -> StockItem:
    """Put `quantity` units of `product` into `distributor`'s stock (a manufacturer's assignment).

    Creates the stock item on first assignment, locks it, raises on_hand and
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
    item, _ = StockItem.objects.get_or_create(product=product, distributor=distributor)
    item = _lock(item.pk)
    # Already loaded by the caller: spare the queries an error message would make.
    item.product = product
    item.distributor = distributor
    return _record_movement(
        item,
        kind=StockMovement.Kind.ASSIGNMENT,
        quantity=quantity,
        by=by,
        note=note.strip(),
        reference=reference,
    )


@transaction.atomic
def stock_adjust(
    *,
    stock_item: StockItem,
    delta: int,
    note: str,
    by: User | None = None,
    reference: str = "",
) -> StockItem:
    """Correct on_hand by `delta` (a stock-take, damage, shrinkage) and record why.

    Locks the item, applies the signed change and writes an `adjustment`
    movement. Returns the updated stock item (a fresh instance; the one passed
    in is not changed). Raises ValidationError keyed by field when delta is 0
    or not a whole number, or the note is empty; InsufficientStock when
    removing `-delta` units would take more than is available (on hand less
    reserved). Nothing is written when it raises.
    """
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise ValidationError({"delta": "Adjust by a whole number of units other than 0."})
    if not note.strip():
        raise ValidationError({"note": "Say why the stock is adjusted."})
    item = _lock(stock_item.pk)
    return _record_movement(
        item,
        kind=StockMovement.Kind.ADJUSTMENT,
        quantity=delta,
        by=by,
        note=note.strip(),
        reference=reference,
    )


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
    return stock_item
