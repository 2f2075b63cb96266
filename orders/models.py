from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.gst import STATE_CHOICES
from accounts.models import Organization
from catalog.models import Product


class Cart(models.Model):
    """A signed-in user's cart at one distributor (visitors keep theirs in the session)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carts"
    )
    distributor = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "distributor"], name="cart_unique_user_distributor"
            )
        ]

    def __str__(self) -> str:
        return f"Cart of {self.user} at {self.distributor}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "product"], name="cartitem_unique_cart_product"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cartitem_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    PLACED = "placed", "Placed"
    # Over the buyer's credit limit with the distributor (invoicing.credit):
    # waits for the distributor to release it (-> placed) or reject it.
    CREDIT_HOLD = "credit_hold", "Held for credit approval"
    ACCEPTED = "accepted", "Accepted"
    PROCESSING = "processing", "Processing"
    PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


# The order state machine: each status and the statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.CREDIT_HOLD: (OrderStatus.PLACED, OrderStatus.REJECTED, OrderStatus.CANCELLED),
    # Paid online (payments) -> placed; not paid in time or called off -> cancelled.
    OrderStatus.AWAITING_PAYMENT: (OrderStatus.PLACED, OrderStatus.CANCELLED),
    OrderStatus.PLACED: (OrderStatus.ACCEPTED, OrderStatus.REJECTED, OrderStatus.CANCELLED),
    OrderStatus.ACCEPTED: (OrderStatus.PROCESSING, OrderStatus.CANCELLED),
    OrderStatus.PROCESSING: (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED),
    # Part of the order is on its way; the rest is backordered until stock comes.
    OrderStatus.PARTIALLY_SHIPPED: (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED),
    OrderStatus.SHIPPED: (OrderStatus.DELIVERED,),
    OrderStatus.DELIVERED: (),
    OrderStatus.REJECTED: (),
    OrderStatus.CANCELLED: (),
}
# Moves that give the order's stock back to the distributor.
RETURNS_STOCK = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})
# Statuses in which an order still holds allocations or is owed backordered units.
OPEN_STATUSES = (
    OrderStatus.CREDIT_HOLD,  # a held order keeps its allocation (docs/architecture.md)
    OrderStatus.AWAITING_PAYMENT,
    OrderStatus.PLACED,
    OrderStatus.ACCEPTED,
    OrderStatus.PROCESSING,
    OrderStatus.PARTIALLY_SHIPPED,
)
# Statuses in which the buyer may still call the order off.
BUYER_CANCELLABLE = (OrderStatus.PLACED, OrderStatus.CREDIT_HOLD, OrderStatus.AWAITING_PAYMENT)
# Moves that dispatch what is allocated.
SHIPS_STOCK = frozenset({OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED})


class FulfillmentType(models.TextChoices):
    DELIVERY = "delivery", "Delivery"
    PICKUP = "pickup", "Pickup"


class Order(models.Model):
    """What a customer (or a retailer's member) bought from one distributor.

    Created only by orders.services.order_place, which takes the stock in the
    same transaction. Money is a snapshot: later price changes do not touch it.
    """

    Status = OrderStatus
    FulfillmentType = FulfillmentType

    number = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    buyer_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_bought",
        help_text="The retailer the customer ordered for; empty for a private customer.",
    )
    distributor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="orders_received"
    )
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    fulfillment_type = models.CharField(
        max_length=20, choices=FulfillmentType.choices, default=FulfillmentType.DELIVERY
    )
    shipping_address = models.TextField(blank=True)
    # GST (auromart.tax): the delivery address's state, the seller's state when
    # the order was placed, and the place of supply they gave.
    shipping_state = models.CharField(
        max_length=2,
        choices=STATE_CHOICES,
        blank=True,
        default="",
        help_text="The delivery address's state.",
    )
    seller_state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True, default="")
    place_of_supply = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True, default="")
    estimated_delivery = models.DateField()
    # The buyer's own purchase order number, printed on the invoice for its
    # accounts team (#18 §3), and the day it asked to receive the goods: a
    # business day of the distributor's calendar, its lead days on at least.
    buyer_reference = models.CharField(
        "PO number", max_length=35, blank=True, default="", help_text="The buyer's own PO number."
    )
    requested_delivery_date = models.DateField(null=True, blank=True)
    # Loyalty points redeemed at checkout and their value, taken off the
    # taxable value before GST (spread over the lines: OrderItem.discount).
    loyalty_points_redeemed = models.PositiveIntegerField(default=0)
    loyalty_discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tracking_reference = models.CharField(max_length=100, blank=True)
    backorder = models.BooleanField(
        default=False,
        help_text="Ship what is available and backorder the rest (else: ship complete).",
    )
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4)
    tax = models.DecimalField(max_digits=14, decimal_places=2)
    cgst = models.DecimalField("CGST", max_digits=14, decimal_places=2, default=0)
    sgst = models.DecimalField("SGST", max_digits=14, decimal_places=2, default=0)
    igst = models.DecimalField("IGST", max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    # A client's retry with the same key gets this order back instead of a
    # second one; the fingerprint tells a retry from a different request.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, editable=False)
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="order_customer_created_idx"),
            models.Index(
                fields=["distributor", "status", "-created_at"], name="order_dist_status_idx"
            ),
            models.Index(fields=["created_at"], name="order_created_idx"),
            models.Index(
                fields=["distributor", "requested_delivery_date"], name="order_dist_requested_idx"
            ),
        ]
        constraints = [
            # NULL keys (orders placed without one) never collide, on MariaDB
            # and on SQLite alike.
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"], name="order_unique_customer_idempotency_key"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_non_negative"),
            models.CheckConstraint(
                condition=Q(loyalty_discount__gte=0), name="order_loyalty_discount_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(fulfillment_type="pickup") | ~Q(shipping_address=""),
                name="order_delivery_has_address",
                violation_error_message="A delivery needs a shipping address.",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.items.all())

    @property
    def allowed_next(self) -> tuple[str, ...]:
        """The moves a person can ask for now: a partial shipment is what shipping
        becomes while units stay backordered, not a move of its own."""
        return tuple(s for s in TRANSITIONS[self.status] if s != OrderStatus.PARTIALLY_SHIPPED)

    @property
    def value_before_discount(self) -> Decimal:
        """The taxable value before the loyalty discount came off it."""
        return self.subtotal + self.loyalty_discount

    @property
    def backordered_units(self) -> int:
        return sum(item.quantity_backordered for item in self.items.all())

    @property
    def customer_can_cancel(self) -> bool:
        return self.status in BUYER_CANCELLABLE

    @property
    def stock_reference(self) -> str:
        """How the inventory ledger names this order's movements."""
        return f"order:{self.pk}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    # Snapshots: the order reads the same after the product is renamed.
    sku = models.CharField("SKU", max_length=64)
    product_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    # Price snapshot (pricing.selectors.price_quotes at placement): the list
    # that priced the line, the break applied and the list price, so the line
    # reads the same after the list changes or is deleted.
    list_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_list = models.ForeignKey(
        "pricing.PriceList", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    price_list_name = models.CharField(max_length=120, blank=True)
    price_break_quantity = models.PositiveIntegerField(
        null=True, blank=True, help_text="The quantity break applied (from N units); empty: none."
    )
    # GST snapshot: `line_total` is the taxable value (the quoted amount less
    # its tax when the list's prices include tax); the rate in force for the
    # HSN code the day the order was placed; the line's tax, rounded half-up.
    prices_include_tax = models.BooleanField(default=False)
    # The line's share of the order's loyalty discount, already taken off
    # `line_total` (the taxable value the GST is computed on).
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    hsn_code = models.CharField("HSN/SAC", max_length=8, blank=True)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    cgst = models.DecimalField("CGST", max_digits=14, decimal_places=2, default=0)
    sgst = models.DecimalField("SGST", max_digits=14, decimal_places=2, default=0)
    igst = models.DecimalField("IGST", max_digits=14, decimal_places=2, default=0)
    # Where the ordered units stand; they always add up to `quantity`:
    # allocated (promised from the shelf, not yet dispatched), shipped,
    # backordered (owed, waiting for stock) and cancelled.
    quantity_allocated = models.PositiveIntegerField(default=0)
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_backordered = models.PositiveIntegerField(default=0)
    quantity_cancelled = models.PositiveIntegerField(default=0)
    # Where the allocated units wait: {warehouse id (str): units}, written in the
    # same INSERT/UPDATE as quantity_allocated (no statement of its own on the
    # order path; docs/architecture.md, "Warehouses"). Units it does not cover
    # (lines from before warehouses) are in the distributor's first warehouse.
    allocated_by_warehouse = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="orderitem_unique_product"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orderitem_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    quantity=F("quantity_allocated")
                    + F("quantity_shipped")
                    + F("quantity_backordered")
                    + F("quantity_cancelled")
                ),
                name="orderitem_quantities_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"


class OrderStatusChange(models.Model):
    """One step of an order's history: who moved it, when, from what to what, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order}: {self.from_status or '-'} -> {self.to_status}"


class DemandLine(models.Model):
    """What a buyer asked a distributor for, written when the order line is placed.

    Demand is a record, not a ledger side effect: every line of every order
    attempt is written once, with what was allocated at once, backordered or
    refused (a "ship complete" order that could not be filled is refused
    whole: it has no order, and its lines are recorded as refused in a
    transaction of their own). Reports and forecasting read demand from here;
    backordered units count once, when asked for, not again when they ship.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="demand_lines")
    distributor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="demand_lines"
    )
    buyer_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order_item = models.OneToOneField(
        OrderItem, on_delete=models.CASCADE, null=True, blank=True, related_name="demand"
    )
    requested = models.PositiveIntegerField()
    allocated = models.PositiveIntegerField(default=0)
    backordered = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["distributor", "product", "created_at"], name="demand_item_created_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested=F("allocated") + F("backordered") + F("refused")),
                name="demandline_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requested} x {self.product_id} at {self.distributor_id}"


class ShipmentStatus(models.TextChoices):
    DISPATCHED = "dispatched", "Dispatched"
    DELIVERED = "delivered", "Delivered"


class Shipment(models.Model):
    """Units of one order that left the distributor together, with their own tax invoice.

    Created only by orders.shipments.shipment_dispatch, which takes the units
    off the shelf (`shipment` movements) in the same transaction; invoicing
    issues the shipment's invoice inside it. A pickup is "handed over": it
    is delivered the moment it leaves, and needs no tracking reference.
    """

    Status = ShipmentStatus

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    sequence = models.PositiveIntegerField(help_text="1 for the order's first shipment, 2, …")
    number = models.CharField(max_length=30, unique=True, editable=False)
    method = models.CharField(max_length=20, choices=FulfillmentType.choices)
    tracking_reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.DISPATCHED
    )
    note = models.TextField(blank=True)
    dispatched_at = models.DateTimeField(default=timezone.now)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The warehouse it left from: its invoice's seller state and GSTIN. Null only
    # for shipments from before warehouses whose distributor had none.
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="shipment_unique_sequence"),
            models.CheckConstraint(
                condition=~Q(status=ShipmentStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="shipment_delivered_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unit_count(self) -> int:
        return sum(line.quantity for line in self.lines.all())


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_item = models.ForeignKey(
        OrderItem, on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "order_item"], name="shipmentline_unique_item"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="shipmentline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_item_id}"
