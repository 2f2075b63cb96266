"""Writes for inventory: every change of on_hand goes through here and into the ledger."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.utils import timezone

from accounts.agreements import agreement_is_accepted
from accounts.models import Organization, User
from catalog.models import Product

from .exceptions import InsufficientStock
from .models import StockItem, StockMovement
from .signals import stock_low


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
) -> StockItem:
    """Book goods received from a supplier (a purchase order's delivery) into stock.

    Like stock_assign, but the ledger row is a `receipt`; `reference` names
    the purchase order (e.g. "po:7"). Returns the updated stock item. Raises
    ValidationError keyed by field when the organization is not a distributor
    or the quantity is not a whole number of at least 1.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor": f"{distributor} is not a distributor."})
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": "Receive a whole number of at least 1 unit."})
    item, _ = StockItem.objects.get_or_create(product=product, distributor=distributor)
    item = _lock(item.pk)
    item.product = product
    item.distributor = distributor
    return _record_movement(
        item,
        kind=StockMovement.Kind.RECEIPT,
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
    item = _record_movement(
        item,
        kind=StockMovement.Kind.ADJUSTMENT,
        quantity=delta,
        by=by,
        note=note.strip(),
        reference=reference,
    )
    if delta < 0 and item.is_low:
        _send_stock_low(item, item.reorder_level, reference)
    return item


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


def _send_stock_low(item: StockItem, reorder_level: int, reference: str) -> None:
    stock_low.send(
        sender=StockItem,
        stock_item_id=item.pk,
        product_id=item.product_id,
        distributor_id=item.distributor_id,
        on_hand=item.on_hand,
        reserved=item.reserved,
        reorder_level=reorder_level,
        reference=reference,
    )


def _lock_many(*, distributor_id: int, product_ids: Iterable[int]) -> dict[int, StockItem]:
    """Lock the distributor's items of these products, in pk order; keyed by product id.

    Every writer that locks several items goes through here, so two orders
    over the same products always lock them in the same order and cannot
    deadlock on each other.
    """
    items = (
        StockItem.objects.select_for_update()
        .filter(distributor_id=distributor_id, product_id__in=list(product_ids))
        .order_by("pk")
    )
    return {item.product_id: item for item in items}


def _apply_deltas(items: Mapping[int, StockItem], deltas: Mapping[int, int]) -> None:
    """One UPDATE that adds deltas[product_id] to each locked item's on_hand."""
    by_pk = {items[product_id].pk: delta for product_id, delta in deltas.items()}
    StockItem.objects.filter(pk__in=list(by_pk)).update(
        on_hand=F("on_hand")
        + Case(
            *[When(pk=pk, then=Value(delta)) for pk, delta in by_pk.items()],
            default=Value(0),
            output_field=IntegerField(),
        ),
        updated_at=timezone.now(),
    )


# No savepoint of its own: a short line must roll the caller's whole order back.
@transaction.atomic(savepoint=False)
def stock_take_for_order(
    *,
    distributor_id: int,
    lines: Iterable[tuple[int, int]],
    reference: str,
    by_id: int | None = None,
) -> list[StockItem]:
    """Take an order's units out of the distributor's stock: all lines or none.

    `lines` are (product_id, quantity) pairs, one per product. Locks the items
    in pk order, checks every line against what is available (on hand less
    reserved), lowers on_hand in one UPDATE and writes one `sale` movement per
    line with `reference` (e.g. "order:12"). Sends `stock_low` for each item
    left at or below its reorder level. Raises InsufficientStock for the first
    short line (a product the distributor does not stock has 0 available);
    the caller's transaction then rolls back with nothing taken.
    Returns the updated items. Four queries, whatever the number of lines.
    """
    wanted = dict(lines)
    items = _lock_many(distributor_id=distributor_id, product_ids=wanted)
    # Product names and reorder levels: read without a lock (MariaDB has no
    # FOR UPDATE OF, so joining them above would lock the product rows too).
    products = Product.objects.in_bulk(list(wanted))
    for product_id, quantity in wanted.items():
        item = items.get(product_id)
        available = item.available if item is not None else 0
        if quantity > available:
            raise InsufficientStock(
                products[product_id],
                available=max(available, 0),
                requested=quantity,
                distributor=Organization.objects.filter(pk=distributor_id).first(),
            )
    # Under the locks the check above holds; the on_hand CHECK is the backstop.
    _apply_deltas(items, {pid: -qty for pid, qty in wanted.items()})
    movements = []
    low = []
    for product_id, quantity in wanted.items():
        item = items[product_id]
        item.on_hand -= quantity
        item.product = products[product_id]
        movements.append(
            StockMovement(
                stock_item=item,
                kind=StockMovement.Kind.SALE,
                quantity=-quantity,
                balance_after=item.on_hand,
                reference=reference,
                created_by_id=by_id,
            )
        )
        if item.is_low:
            low.append(item)
    StockMovement.objects.bulk_create(movements)
    for item in sorted(low, key=lambda i: i.pk):
        _send_stock_low(item, item.reorder_level, reference)
    return [items[pid] for pid in wanted]


@transaction.atomic
def stock_return_for_order(
    *,
    distributor_id: int,
    reference: str,
    by_id: int | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Put back what an order took: one `return` movement per item still out.

    Reads the ledger for `reference` (sales are negative, returns positive),
    so it returns exactly what the order's sales took and calling it twice
    returns nothing the second time. Locks the items in pk order. Returns the
    movements written (empty when nothing was out).
    """
    outstanding = {
        row["stock_item__product_id"]: -row["net"]
        for row in (
            StockMovement.objects.filter(
                reference=reference,
                stock_item__distributor_id=distributor_id,
                kind__in=[StockMovement.Kind.SALE, StockMovement.Kind.RETURN],
            )
            .values("stock_item__product_id")
            .annotate(net=Sum("quantity"))
            .order_by()
        )
        if row["net"] < 0
    }
    if not outstanding:
        return []
    items = _lock_many(distributor_id=distributor_id, product_ids=outstanding)
    _apply_deltas(items, outstanding)
    movements = []
    for product_id, quantity in outstanding.items():
        item = items[product_id]
        item.on_hand += quantity
        movements.append(
            StockMovement(
                stock_item=item,
                kind=StockMovement.Kind.RETURN,
                quantity=quantity,
                balance_after=item.on_hand,
                reference=reference,
                note=note,
                created_by_id=by_id,
            )
        )
    return StockMovement.objects.bulk_create(movements)
