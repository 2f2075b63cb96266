"""Warehouses: a distributor's stock locations, and the per-warehouse rows of its stock.

Writes for the Warehouse rows (create, update, the default one) and the
helpers inventory.services uses to keep `WarehouseStock` in step with
`StockItem`: every change of a stock item's figures is made under the stock
item's row lock and applied to one warehouse row as well, so the sum over a
distributor's warehouses is always the item's figures (docs/architecture.md,
"Warehouses").
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from accounts.models import Organization

from .models import StockItem, Warehouse, WarehouseStock

DEFAULT_WAREHOUSE_NAME = "Main warehouse"
DEFAULT_WAREHOUSE_CODE = "MAIN"
# What a form may change; the distributor is fixed at creation.
WAREHOUSE_FIELDS = ["name", "code", "address", "state", "gstin", "priority", "is_active"]


def _check_unique(warehouse: Warehouse) -> None:
    others = Warehouse.objects.filter(distributor_id=warehouse.distributor_id).exclude(
        pk=warehouse.pk
    )
    errors = {}
    if others.filter(code__iexact=warehouse.code).exists():
        errors["code"] = f"Another of your warehouses has the code {warehouse.code}."
    if others.filter(name__iexact=warehouse.name).exists():
        errors["name"] = f"Another of your warehouses is named {warehouse.name}."
    if errors:
        raise ValidationError(errors)


def _check_gstin(warehouse: Warehouse) -> None:
    """A warehouse in another state than its distributor's needs that state's GSTIN when the
    distributor is registered: a GSTIN belongs to one state."""
    distributor = warehouse.distributor
    if (
        not warehouse.gstin
        and distributor.gstin
        and warehouse.state
        and warehouse.state != distributor.gst_state
    ):
        raise ValidationError(
            {
                "gstin": "This warehouse is in another state than your GSTIN's: enter your "
                "GSTIN registered in its state."
            }
        )


@transaction.atomic
def warehouse_create(*, distributor: Organization, **fields) -> Warehouse:
    """Add a warehouse to a distributor. `fields`: WAREHOUSE_FIELDS.

    Raises ValidationError keyed by field: a name or code another of its
    warehouses has, a GSTIN of another state, a warehouse in another state
    than a registered distributor's without its GSTIN there, a priority over
    999. The state defaults to the distributor's.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor": f"{distributor} is not a distributor."})
    unknown = set(fields) - set(WAREHOUSE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown warehouse fields: {sorted(unknown)}")
    warehouse = Warehouse(distributor=distributor, **fields)
    if not warehouse.state and not warehouse.gstin:
        warehouse.state = distributor.gst_state
    warehouse.full_clean(exclude=["distributor"], validate_unique=False)
    _check_unique(warehouse)
    _check_gstin(warehouse)
    warehouse.save()
    return warehouse


@transaction.atomic
def warehouse_update(*, warehouse: Warehouse, **fields) -> Warehouse:
    """Change a warehouse's name, code, address, state, GSTIN, priority or activity.

    Same checks as warehouse_create; and a distributor keeps at least one
    active warehouse (ValidationError keyed "is_active").
    """
    unknown = set(fields) - set(WAREHOUSE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown warehouse fields: {sorted(unknown)}")
    locked = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["distributor"], validate_unique=False)
    _check_unique(locked)
    _check_gstin(locked)
    if not locked.is_active:
        others = Warehouse.objects.filter(distributor_id=locked.distributor_id, is_active=True)
        if not others.exclude(pk=locked.pk).exists():
            raise ValidationError(
                {"is_active": "A distributor keeps at least one active warehouse."}
            )
    locked.save()
    return locked


def warehouse_default(distributor: Organization | int) -> Warehouse:
    """The distributor's first active warehouse by priority, created ("Main warehouse",
    in the distributor's state) when it has none yet.

    Where a write names no warehouse (a receipt, an assignment, an import
    without one) its stock goes here. One query when it exists.
    """
    distributor_id = distributor if isinstance(distributor, int) else distributor.pk
    first = (
        Warehouse.objects.filter(distributor_id=distributor_id, is_active=True)
        .order_by("priority", "pk")
        .first()
    )
    if first is not None:
        return first
    if isinstance(distributor, int):
        distributor = Organization.objects.get(pk=distributor_id)
    return warehouse_create_default(distributor=distributor)


def warehouse_create_default(*, distributor: Organization) -> Warehouse:
    """The distributor's first warehouse (a new distributor, or one that had none)."""
    try:
        with transaction.atomic():
            return Warehouse.objects.create(
                distributor=distributor,
                name=DEFAULT_WAREHOUSE_NAME,
                code=DEFAULT_WAREHOUSE_CODE,
                address=", ".join(p for p in [distributor.address, distributor.city] if p),
                state=distributor.gst_state,
                priority=1,
            )
    except IntegrityError:
        # Another transaction created it meanwhile (or an inactive one holds the code).
        existing = Warehouse.objects.filter(distributor=distributor).order_by(
            "-is_active", "priority", "pk"
        )
        return existing.first()


def warehouse_of_distributor(*, distributor_id: int, warehouse: Warehouse | int | None):
    """The warehouse a write names (None: the default), checked to be the distributor's.

    ValidationError keyed "warehouse" for another distributor's warehouse.
    """
    if warehouse is None:
        return warehouse_default(distributor_id)
    if isinstance(warehouse, int):
        warehouse = Warehouse.objects.filter(pk=warehouse).first()
    if warehouse is None or warehouse.distributor_id != distributor_id:
        raise ValidationError({"warehouse": "Choose one of the distributor's warehouses."})
    return warehouse


def warehouses_by_priority(distributor_id: int) -> list[Warehouse]:
    """The distributor's active warehouses in allocation order, the default first, one
    query; a distributor with none yet gets its default (warehouse_default)."""
    found = list(
        Warehouse.objects.filter(distributor_id=distributor_id, is_active=True).order_by(
            "priority", "pk"
        )
    )
    return found or [warehouse_default(distributor_id)]


def allocation_order(distributor_id: int) -> list[int]:
    """The distributor's active warehouses' ids in the order orders allocate from them."""
    return list(
        Warehouse.objects.filter(distributor_id=distributor_id, is_active=True)
        .order_by("priority", "pk")
        .values_list("pk", flat=True)
    )


# --- Rows of stock per warehouse (inventory.services, under the item's lock) ---


def row_locked(item: StockItem, warehouse: Warehouse) -> WarehouseStock:
    """The item's row in this warehouse, created when missing, locked. The caller holds
    the stock item's lock, so no other writer creates or changes it meanwhile."""
    row, _ = WarehouseStock.objects.get_or_create(stock_item=item, warehouse=warehouse)
    return WarehouseStock.objects.select_for_update().get(pk=row.pk)


def rows_locked(
    stock_item_ids: Iterable[int], warehouse_ids: Iterable[int] | None = None
) -> dict[int, dict[int, WarehouseStock]]:
    """Lock the rows of these stock items (in pk order): {stock_item_id: {warehouse_id: row}}.

    Called after the stock items are locked, always in that order. No join:
    MariaDB would lock the warehouse rows too.
    """
    rows = WarehouseStock.objects.select_for_update().filter(stock_item_id__in=list(stock_item_ids))
    if warehouse_ids is not None:
        rows = rows.filter(warehouse_id__in=list(warehouse_ids))
    found: dict[int, dict[int, WarehouseStock]] = {}
    for row in rows.order_by("pk"):
        found.setdefault(row.stock_item_id, {})[row.warehouse_id] = row
    return found


def rows_apply(**columns: Mapping[int, int]) -> None:
    """One UPDATE adding, per column, {row pk: delta} to these warehouse rows."""
    pks = {pk for deltas in columns.values() for pk in deltas}
    if not pks:
        return
    changes = {
        column: F(column)
        + Case(
            *[When(pk=pk, then=Value(delta)) for pk, delta in deltas.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
        for column, deltas in columns.items()
    }
    WarehouseStock.objects.filter(pk__in=sorted(pks)).update(**changes, updated_at=timezone.now())
