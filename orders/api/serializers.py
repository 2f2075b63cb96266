from rest_framework import serializers

from accounts.api.fields import distributor_from_id
from accounts.gst import ADDRESS_STATE_CHOICES
from accounts.models import Organization
from auromart.api.fields import MAX_ID, StrictIntegerField
from catalog.selectors import default_store
from loyalty.models import MAX_POINTS

from ..delivery_dates import MAX_REQUEST_AHEAD_DAYS
from ..models import (
    FulfillmentType,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Shipment,
    ShipmentLine,
)
from ..services import MAX_BUYER_REFERENCE, MAX_LINES, MAX_QUANTITY, repeated_products
from ..tracking import tracking_url

# --- Input -------------------------------------------------------------------


class OrderLineInputSerializer(serializers.Serializer):
    product_id = StrictIntegerField(min_value=1, max_value=MAX_ID)
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


class OrderLinesField(serializers.ListField):
    """The order's lines: type errors and repeated products reported in one answer."""

    def run_child_validation(self, data):
        lines, errors = {}, {}
        for index, item in enumerate(data):
            try:
                lines[index] = self.child.run_validation(item)
            except serializers.ValidationError as exc:
                errors[index] = exc.detail
        repeated = repeated_products((i, line["product_id"]) for i, line in lines.items())
        for index, message in repeated.items():
            errors[index] = {"product_id": [message]}
        if errors:
            raise serializers.ValidationError(errors)
        return list(lines.values())


class OrderCreateSerializer(serializers.Serializer):
    # Types and ranges are checked here, every line at once; the other rules
    # of an order (products for sale, an address for a delivery) are
    # order_place's, whose ValidationError answers 400 the same way.
    items = OrderLinesField(
        child=OrderLineInputSerializer(),
        allow_empty=False,
        min_length=1,
        max_length=MAX_LINES,
        error_messages={"empty": "Add at least one product to the order."},
        help_text=f"One line per product, at most {MAX_LINES} lines.",
    )
    distributor_id = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="The distributor to buy from. Default: the store.",
    )
    fulfillment_type = serializers.ChoiceField(
        choices=FulfillmentType.choices, default=FulfillmentType.DELIVERY
    )
    shipping_address = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        default="",
        help_text="Required for delivery; ignored for pickup.",
    )
    shipping_state = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2,
        default="",
        help_text='The delivery address\'s GST state code (e.g. "27"); absent: the state named '
        "in shipping_address, else your organization's. It decides CGST + SGST or IGST.",
    )
    buyer_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_BUYER_REFERENCE,
        default="",
        help_text=f"Your own PO number (at most {MAX_BUYER_REFERENCE} characters), printed "
        "on the invoice.",
    )
    requested_delivery_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The day you want the goods (YYYY-MM-DD): a working day of the "
        "distributor's calendar, at least its lead days ahead, at most "
        f"{MAX_REQUEST_AHEAD_DAYS} days ahead. Absent: as soon as possible.",
    )
    loyalty_points = StrictIntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_POINTS,
        help_text="Loyalty points to redeem (the store's customers, while the programme "
        "runs): a discount before GST, within the programme's cap per order.",
    )
    backorder = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "true: ship what is available and backorder the rest; false: ship complete "
            "(409 when a line is short). Absent or null: your account's setting "
            "(a retailer's: its organization's)."
        ),
    )
    payment = serializers.ChoiceField(
        choices=["online", "on_delivery"],
        required=False,
        default="",
        allow_blank=True,
        help_text=(
            '"online": the order is `awaiting_payment` until paid (POST /api/payments); '
            '"on_delivery" where the distributor allows it. Absent: on delivery if allowed.'
        ),
    )

    def validate_shipping_state(self, value):
        if value and value not in dict(ADDRESS_STATE_CHOICES):
            raise serializers.ValidationError(
                f"“{value}” is not a GST state code of an address (01-38, e.g. 27 for Maharashtra)."
            )
        return value

    def validate_distributor_id(self, value):
        return None if value is None else distributor_from_id(value)

    def validate(self, attrs):
        attrs["distributor"] = attrs.pop("distributor_id", None) or default_store()
        if attrs["distributor"] is None:
            raise serializers.ValidationError(
                {"distributor_id": "The shop has no default store; choose a distributor."}
            )
        return attrs


class OrderListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, required=False, help_text="Only orders in this status."
    )


# --- Output ------------------------------------------------------------------


class OrderDistributorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]
        read_only_fields = fields


class OrderItemSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="product_name", read_only=True)
    allocated = serializers.IntegerField(
        source="quantity_allocated",
        read_only=True,
        help_text="Units set aside for this line on the distributor's shelf, not yet shipped.",
    )
    shipped = serializers.IntegerField(source="quantity_shipped", read_only=True)
    backordered = serializers.IntegerField(
        source="quantity_backordered",
        read_only=True,
        help_text="Units owed, waiting for stock (allocated first in, first out).",
    )
    cancelled = serializers.IntegerField(source="quantity_cancelled", read_only=True)

    class Meta:
        model = OrderItem
        fields = [
            "product_id",
            "sku",
            "name",
            "quantity",
            "allocated",
            "shipped",
            "backordered",
            "cancelled",
            "unit_price",
            "line_total",
            "discount",
            "prices_include_tax",
            "hsn_code",
            "tax_rate",
            "cgst",
            "sgst",
            "igst",
        ]
        read_only_fields = fields


class OrderStatusChangeSerializer(serializers.ModelSerializer):
    # Plain strings in the schema: as enums they would repeat Order.status's choice
    # set under two more names, which drf-spectacular warns about (see ENUM_NAME_OVERRIDES).
    from_status = serializers.CharField(
        read_only=True, help_text="The order status before this step; empty for the first."
    )
    to_status = serializers.CharField(read_only=True, help_text="The order status after it.")

    class Meta:
        model = OrderStatusChange
        fields = ["from_status", "to_status", "note", "created_at"]
        read_only_fields = fields


class ShipmentLineSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(source="order_item.product_id", read_only=True)
    sku = serializers.CharField(source="order_item.sku", read_only=True)
    name = serializers.CharField(source="order_item.product_name", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = ["product_id", "sku", "name", "quantity"]
        read_only_fields = fields


TRACKING_URL_HELP = (
    "The carrier's tracking page for `tracking_reference`, when the reference starts with "
    'the name of a carrier in the CARRIERS setting (e.g. "Blue Dart 7788123456"); '
    "null otherwise."
)


class ShipmentSerializer(serializers.ModelSerializer):
    """One shipment of an order: what left together, its tracking and its tax invoice."""

    lines = ShipmentLineSerializer(many=True, read_only=True)
    invoice_number = serializers.SerializerMethodField(
        help_text="The shipment's tax invoice, issued at dispatch; null only for a shipment "
        "from before invoices per shipment, until its order is delivered."
    )
    tracking_url = serializers.SerializerMethodField(help_text=TRACKING_URL_HELP)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "sequence",
            "method",
            "status",
            "tracking_reference",
            "tracking_url",
            "note",
            "dispatched_at",
            "delivered_at",
            "lines",
            "invoice_number",
        ]
        read_only_fields = fields

    def get_invoice_number(self, shipment: Shipment) -> str | None:
        invoice = getattr(shipment, "invoice", None)
        return invoice.number if invoice is not None else None

    def get_tracking_url(self, shipment: Shipment) -> str | None:
        return tracking_url(shipment.tracking_reference)


class OrderSerializer(serializers.ModelSerializer):
    """An order as its buyer sees it: lines and money are snapshots taken when it was placed."""

    distributor = OrderDistributorSerializer(read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)
    status_history = OrderStatusChangeSerializer(source="status_changes", many=True, read_only=True)
    shipments = ShipmentSerializer(many=True, read_only=True)
    tracking_url = serializers.SerializerMethodField(help_text=TRACKING_URL_HELP)
    # Plain strings (a GST state code, "" when none), not a third copy of the state enum.
    shipping_state = serializers.CharField(
        read_only=True, help_text="The delivery address's GST state code; empty for a pickup."
    )
    place_of_supply = serializers.CharField(
        read_only=True,
        help_text="The GST state code of the place of supply: equal to the seller's state, "
        "CGST + SGST are charged; otherwise IGST.",
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "fulfillment_type",
            "backorder",
            "shipping_address",
            "shipping_state",
            "place_of_supply",
            "buyer_reference",
            "requested_delivery_date",
            "distributor",
            "items",
            "loyalty_points_redeemed",
            "loyalty_discount",
            "subtotal",
            "tax",
            "cgst",
            "sgst",
            "igst",
            "total",
            "estimated_delivery",
            "tracking_reference",
            "tracking_url",
            "created_at",
            "status_history",
            "shipments",
        ]
        read_only_fields = fields

    def get_tracking_url(self, order) -> str | None:
        return tracking_url(order.tracking_reference)
