from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce

from accounts.gst import STATE_CHOICES, normalize_gstin, state_name, state_of_gstin, validate_gstin
from accounts.models import Organization
from catalog.models import Product

from .exceptions import LedgerAppendOnly


def reorder_point_expression():
    """An item's effective reorder point in SQL (over StockItem).

    The nightly figure of a `dynamic` replenishment policy
    (procurement.ReplenishmentPolicy) when it has one, else the item's
    override or the product's level: what StockItem.reorder_level and
    procurement.monitoring.item_levels say for one loaded item.
    """
    return Case(
        When(
            replenishment_policy__policy="dynamic",
            replenishment_policy__reorder_point__isnull=False,
            then=F("replenishment_policy__reorder_point"),
        ),
        default=Coalesce("reorder_level_override", "product__reorder_level"),
    )


class StockItemQuerySet(models.QuerySet):
    def with_levels(self):
        """Annotate `available_qty` and the effective `reorder_point`.

        The reorder point is the nightly figure of a `dynamic` replenishment
        policy (procurement.ReplenishmentPolicy) when it has one, else the
        item's override or the product's level.
        """
        return self.annotate(
            available_qty=F("on_hand") - F("allocated") - F("held"),
            reorder_point=reorder_point_expression(),
        )

    def with_dynamic_level(self):
        """Annotate `dynamic_reorder_point`: the nightly figure of the item's `dynamic`
        replenishment policy (procurement.ReplenishmentPolicy), else None.

        A subquery, not a join: under FOR UPDATE it locks no policy row.
        `reorder_level` then answers with it, so `is_low` (and the `stock_low`
        signal) follows the item's policy without another query.
        """
        policy_model = self.model._meta.get_field("replenishment_policy").related_model
        return self.annotate(
            dynamic_reorder_point=Subquery(
                policy_model.objects.filter(stock_item_id=OuterRef("pk"), policy="dynamic").values(
                    "reorder_point"
                )[:1]
            )
        )

    def at_or_below_reorder_level(self):
        return self.with_levels().filter(available_qty__lte=F("reorder_point"))


class StockItem(models.Model):
    """How much of a product one distributor holds.

    `on_hand` only changes through inventory.services, which write a
    StockMovement for every change, so on_hand always equals the ledger's sum.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_items")
    distributor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="stock_items"
    )
    # The stock figures (docs/architecture.md, "Stock figures"): on_hand is the
    # shelf, what a count finds; allocated is promised to open orders (taken at
    # placement, consumed at dispatch); held is the distributor's own hold
    # (damaged goods awaiting inspection, units promised by phone). What can
    # still be sold is available = on_hand - allocated - held.
    on_hand = models.IntegerField(default=0, help_text="Units on the shelf.")
    allocated = models.IntegerField(
        default=0, help_text="Units on the shelf promised to open orders, not yet dispatched."
    )
    held = models.IntegerField(
        default=0, help_text="Units on the shelf held back from sale by the distributor."
    )
    reorder_level_override = models.PositiveIntegerField(
        null=True, blank=True, help_text="This distributor's reorder level. Empty: the product's."
    )
    reorder_quantity_override = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="This distributor's reorder quantity. Empty: the product's.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = StockItemQuerySet.as_manager()

    class Meta:
        # No default ordering: one through product/distributor would join those
        # tables into every SELECT ... FOR UPDATE, and MariaDB would lock their
        # rows too. Selectors and the admin order explicitly.
        permissions = [("import_stockitem", "Can import stock counts and reorder settings")]
        indexes = [
            # Covers the replenishment screen's "at or below the reorder point" filter
            # (procurement.replenishment): the join from each product reads its items'
            # figures from this index alone, not from the table's rows; about half the
            # time on 100,000 items (bench/replenishment_screen.py).
            models.Index(
                fields=[
                    "product",
                    "distributor",
                    "on_hand",
                    "allocated",
                    "held",
                    "reorder_level_override",
                ],
                name="stockitem_levels_cover",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "distributor"], name="stockitem_unique_product_distributor"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="stockitem_on_hand_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(held__gte=0) & Q(allocated__gte=0),
                name="stockitem_held_allocated_non_negative",
            ),
            # Nothing is promised or held that is not on the shelf.
            models.CheckConstraint(
                condition=Q(on_hand__gte=F("allocated") + F("held")),
                name="stockitem_allocated_held_within_on_hand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} at {self.distributor}"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated - self.held

    @property
    def reserved(self) -> int:
        """Deprecated name of `held` (the API's read-only alias for one release)."""
        return self.held

    def count_effects(self, counted: int) -> tuple[int, int]:
        """What a count of `counted` does to the promises on this shelf: (allocated units it
        does not cover, the hold after it). Holds are kept first; allocations beyond what
        is left become backorders, and a hold larger than the shelf shrinks to it."""
        short = max(self.allocated - max(counted - self.held, 0), 0)
        return short, min(self.held, counted)

    @property
    def reorder_level(self) -> int:
        dynamic = getattr(self, "dynamic_reorder_point", None)
        if dynamic is not None:
            return dynamic
        if self.reorder_level_override is not None:
            return self.reorder_level_override
        return self.product.reorder_level

    @property
    def reorder_quantity(self) -> int:
        if self.reorder_quantity_override is not None:
            return self.reorder_quantity_override
        return self.product.reorder_quantity

    @property
    def is_low(self) -> bool:
        return self.available <= self.reorder_level


MAX_WAREHOUSE_PRIORITY = 999


class Warehouse(models.Model):
    """One of a distributor's stock locations (a godown); docs/architecture.md, "Warehouses".

    Orders allocate from a distributor's active warehouses by `priority`
    (lower first, then pk). A shipment leaves from one warehouse, and its
    invoice's seller state and GSTIN are the warehouse's.
    """

    distributor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="warehouses"
    )
    name = models.CharField(max_length=100)
    code = models.CharField(
        max_length=20, help_text="A short name unique among the distributor's warehouses."
    )
    address = models.CharField(max_length=255, blank=True)
    state = models.CharField(
        max_length=2,
        choices=STATE_CHOICES,
        blank=True,
        default="",
        help_text="The GST state of the warehouse's address (a shipment's seller state).",
    )
    gstin = models.CharField(
        "GSTIN",
        max_length=15,
        blank=True,
        validators=[validate_gstin],
        help_text="The distributor's GSTIN in this state. Empty: the distributor's own GSTIN "
        "(only when the warehouse is in the distributor's state).",
    )
    priority = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(MAX_WAREHOUSE_PRIORITY)],
        help_text="Orders take stock from the lowest number first.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive: orders no longer allocate from it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["distributor", "code"], name="warehouse_unique_distributor_code"
            ),
            models.UniqueConstraint(
                fields=["distributor", "name"], name="warehouse_unique_distributor_name"
            ),
            models.CheckConstraint(
                condition=Q(priority__lte=MAX_WAREHOUSE_PRIORITY),
                name="warehouse_priority_bounded",
            ),
        ]
        indexes = [models.Index(fields=["distributor", "priority"], name="warehouse_by_priority")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        self.code = (self.code or "").strip().upper()
        self.gstin = normalize_gstin(self.gstin)
        registered = state_of_gstin(self.gstin)
        if registered and not self.state:
            self.state = registered
        elif registered and self.state != registered:
            raise ValidationError(
                {
                    "gstin": f"This GSTIN is registered in {registered} {state_name(registered)}, "
                    f"not in the warehouse's state ({self.state} {state_name(self.state)}): "
                    "a GSTIN belongs to one state."
                }
            )

    @property
    def gst_state(self) -> str:
        """The warehouse's state; else its distributor's (a warehouse with no state given)."""
        return self.state or state_of_gstin(self.gstin) or self.distributor.gst_state

    @property
    def seller_gstin(self) -> str:
        """The GSTIN a shipment from here is invoiced under: its own, else the distributor's
        when the warehouse is in the distributor's state, else none."""
        if self.gstin:
            return self.gstin
        distributor = self.distributor
        if not self.state or self.state == distributor.gst_state:
            return distributor.gstin
        return ""


class WarehouseStock(models.Model):
    """A stock item's figures in one warehouse.

    The distributor's StockItem keeps the totals; inventory.services change
    both in the same transaction, under the StockItem's row lock, so that the
    sum over a distributor's warehouses equals the item's figures.
    """

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    stock_item = models.ForeignKey(
        StockItem, on_delete=models.PROTECT, related_name="warehouse_stock"
    )
    on_hand = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)
    held = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # No default ordering (see StockItem): FOR UPDATE locks only these rows.
        constraints = [
            models.UniqueConstraint(
                fields=["stock_item", "warehouse"], name="warehousestock_unique_item_warehouse"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="warehousestock_on_hand_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(held__gte=0) & Q(allocated__gte=0),
                name="warehousestock_held_allocated_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=F("allocated") + F("held")),
                name="warehousestock_allocated_held_within_on_hand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stock_item_id} in {self.warehouse_id}"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated - self.held


class StockMovementQuerySet(models.QuerySet):
    # Bulk UPDATE and DELETE skip Model.save()/delete(); refuse them here too.
    # Deleting a user still nulls created_by: Django does that through the
    # base manager, which is a plain one.
    def update(self, **kwargs):
        raise LedgerAppendOnly("Stock movements cannot be updated; record a correcting movement.")

    def delete(self):
        raise LedgerAppendOnly("Stock movements cannot be deleted; record a correcting movement.")


class StockMovement(models.Model):
    """One change of a stock item's on_hand; the append-only ledger.

    `quantity` is signed: positive adds stock, negative removes it.
    `balance_after` is the item's on_hand right after this movement.
    """

    class Kind(models.TextChoices):
        ASSIGNMENT = "assignment", "Assignment"
        RECEIPT = "receipt", "Receipt"
        ADJUSTMENT = "adjustment", "Adjustment"
        COUNT = "count", "Count"
        SHIPMENT = "shipment", "Shipment"
        # Returns (#17, inventory.customer_returns; reference rma:<id>). Restockable
        # units come back as `customer_return`; damaged ones as `damaged_return`
        # followed at once by a `scrap` of the same units, so the ledger shows both
        # and on_hand ends as it was. Never netted with a cancellation's release.
        CUSTOMER_RETURN = "customer_return", "Customer return (back on sale)"
        DAMAGED_RETURN = "damaged_return", "Customer return, damaged"
        SCRAP = "scrap", "Scrapped"
        # A transfer order (transfers app, #23): units leave the source's shelf into
        # transit, and arrive on the destination's shelf (reference transfer:<id>).
        TRANSFER_OUT = "transfer_out", "Transfer out"
        TRANSFER_IN = "transfer_in", "Transfer in"
        # Before allocations (#12) an order took its units at placement: a
        # `sale`, given back by a `return` when it was cancelled. Kept for the
        # history; the migration reversed open orders' sales with one
        # `allocation_migrated` each, which turned them into allocations.
        SALE = "sale", "Sale (before allocations)"
        RETURN = "return", "Return of a cancelled order (before allocations)"
        ALLOCATION_MIGRATED = "allocation_migrated", "Sale turned into an allocation"

    stock_item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="movements")
    # Which shelf moved. Null only on a database where the warehouses migration has
    # not run yet: it gives every earlier movement its distributor's default warehouse.
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="movements", null=True
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.IntegerField()
    balance_after = models.IntegerField()
    reference = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="What caused it, e.g. order:12 or po:7.",
    )
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_movements",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="stockmovement_quantity_not_zero"
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="stockmovement_balance_after_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} → {self.balance_after}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerAppendOnly(
                f"Stock movement {self.pk} is already recorded and cannot be changed; "
                "record a correcting movement instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerAppendOnly(
            f"Stock movement {self.pk} cannot be deleted; record a correcting movement instead."
        )
