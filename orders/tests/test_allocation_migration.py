"""Migrations inventory 0006 and orders 0002/0003 on data written the old way (#12).

Before #12 placing an order took its units off on_hand (a `sale` movement) and
a cancellation gave them back (a `return`). The database is migrated back to
that state, orders are written as the old code wrote them, then it is migrated
forward: every item's available must be what it was, open orders must hold
their units as allocations, and cancelling a migrated order must release
exactly its allocation and return nothing twice.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum
from django.utils import timezone

from inventory.models import StockItem, StockMovement
from invoicing.models import Invoice
from orders.models import DemandLine, Order, OrderItem, OrderStatus, Shipment, ShipmentLine
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db(transaction=True)

BACK_TO = {
    "orders": "0001_initial",
    "inventory": "0005_supply_agreements_from_stock",
    "procurement": "0003_numbersequence_moved",
    "invoicing": "0002_finance_group",
    # Apps whose first migration needs later orders/invoicing: not there yet.
    "payments": None,
    "standing_orders": None,
    "transfers": None,
    "returns": None,
}


def _before(leaves):
    """Every app at its latest migration but these three, just before #12's stock figures."""
    return [(app, BACK_TO.get(app, name)) for app, name in leaves]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # An app taken back to nothing (None) has no state to read.
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _old_world(apps):
    """Stock and orders as the code before #12 left them."""
    Organization = apps.get_model("accounts", "Organization")
    User = apps.get_model("accounts", "User")
    Category = apps.get_model("catalog", "Category")
    Product = apps.get_model("catalog", "Product")
    StockItem = apps.get_model("inventory", "StockItem")
    Movement = apps.get_model("inventory", "StockMovement")
    Order = apps.get_model("orders", "Order")
    OrderItem = apps.get_model("orders", "OrderItem")
    now = timezone.now()
    maker = Organization.objects.create(name="Old Maker", kind="manufacturer")
    depot = Organization.objects.create(name="Old Depot", kind="distributor")
    buyer = User.objects.create(email="old@example.test", name="Old Buyer", password="!")
    category = Category.objects.create(name="Old", slug="old")
    tea, rice = (
        Product.objects.create(
            sku=sku,
            name=sku,
            slug=sku.lower(),
            category=category,
            price="10.00",
            manufacturer=maker,
            supplier=maker,
        )
        for sku in ("TEA", "RICE")
    )
    items = {}
    for product, start in ((tea, 67), (rice, 30)):
        item = StockItem.objects.create(product=product, distributor=depot, on_hand=start)
        Movement.objects.create(
            stock_item=item, kind="assignment", quantity=start, balance_after=start
        )
        items[product.sku] = item

    def order(status, lines, returned=False, tracking=""):
        placed = Order.objects.create(
            tracking_reference=tracking,
            number=f"AM-OLD-{Order.objects.count():03d}",
            customer=buyer,
            distributor=depot,
            status=status,
            shipping_address="1 Old Street",
            estimated_delivery=now.date(),
            subtotal="0",
            tax_rate="0.18",
            tax="0",
            total="0",
        )
        for product, quantity in lines:
            OrderItem.objects.create(
                order=placed,
                product=product,
                sku=product.sku,
                product_name=product.name,
                quantity=quantity,
                unit_price="10.00",
                line_total="0",
            )
            item = items[product.sku]
            item.on_hand -= quantity
            item.save()
            Movement.objects.create(
                stock_item=item,
                kind="sale",
                quantity=-quantity,
                balance_after=item.on_hand,
                reference=f"order:{placed.pk}",
            )
            if returned:
                item.on_hand += quantity
                item.save()
                Movement.objects.create(
                    stock_item=item,
                    kind="return",
                    quantity=quantity,
                    balance_after=item.on_hand,
                    reference=f"order:{placed.pk}",
                )
        return placed.pk

    ids = {
        "open": order("placed", [(tea, 10), (rice, 4)]),
        "accepted": order("accepted", [(tea, 5)]),
        "delivered": order("delivered", [(tea, 2)], tracking="DTDC-1"),
        "shipped": order("shipped", [(tea, 3)], tracking="DTDC-2"),
        "cancelled": order("cancelled", [(rice, 6)], returned=True),
    }
    # The delivered order was invoiced at delivery, one invoice per order.
    apps.get_model("invoicing", "Invoice").objects.create(
        number="INV-2025-000001",
        order_id=ids["delivered"],
        customer=buyer,
        distributor=depot,
        issue_date=now.date(),
        due_date=now.date(),
        seller_name=depot.name,
        buyer_name=buyer.name,
        subtotal="20.00",
        tax_rate="0.18",
        tax="3.60",
        total="23.60",
    )
    # Before: available = on_hand - reserved.
    available = {sku: item.on_hand - item.reserved for sku, item in items.items()}
    return ids, available


def test_migrating_turns_open_sales_into_allocations_with_available_unchanged():
    from django.db.migrations.loader import MigrationLoader

    leaves = MigrationLoader(connection).graph.leaf_nodes()
    ids, available_before = _old_world(_migrate(_before(leaves)))
    assert available_before == {"TEA": 67 - 10 - 5 - 2 - 3, "RICE": 30 - 4}

    _migrate(leaves)

    items = {i.product.sku: i for i in StockItem.objects.select_related("product")}
    assert {sku: i.available for sku, i in items.items()} == available_before
    # The shelf holds the open orders' units again, as allocations.
    assert (items["TEA"].on_hand, items["TEA"].allocated) == (67 - 2 - 3, 15)
    assert (items["RICE"].on_hand, items["RICE"].allocated) == (30, 4)
    for item in items.values():
        ledger = item.movements.aggregate(total=Sum("quantity"))["total"]
        assert item.on_hand == ledger
    migrated = StockMovement.objects.filter(kind="allocation_migrated")
    assert sorted(migrated.values_list("reference", "quantity")) == sorted(
        [
            (f"order:{ids['open']}", 10),
            (f"order:{ids['open']}", 4),
            (f"order:{ids['accepted']}", 5),
        ]
    )
    figures = {
        (line.order_id, line.product.sku): (
            line.quantity_allocated,
            line.quantity_shipped,
            line.quantity_cancelled,
        )
        for line in OrderItem.objects.select_related("product")
    }
    assert figures == {
        (ids["open"], "TEA"): (10, 0, 0),
        (ids["open"], "RICE"): (4, 0, 0),
        (ids["accepted"], "TEA"): (5, 0, 0),
        (ids["delivered"], "TEA"): (0, 2, 0),
        (ids["shipped"], "TEA"): (0, 3, 0),
        (ids["cancelled"], "RICE"): (0, 0, 6),
    }
    # Every past line is recorded as demand filled when it was placed.
    assert DemandLine.objects.aggregate(n=Sum("requested"))["n"] == 10 + 4 + 5 + 2 + 3 + 6

    # What shipped before shipments existed is one shipment per order, and the
    # invoice issued at delivery belongs to it.
    shipments = {
        shipment.order_id: (shipment.number, shipment.status, shipment.tracking_reference)
        for shipment in Shipment.objects.all()
    }
    assert shipments == {
        ids["delivered"]: ("AM-OLD-002-S1", "delivered", "DTDC-1"),
        ids["shipped"]: ("AM-OLD-003-S1", "dispatched", "DTDC-2"),
    }
    assert list(ShipmentLine.objects.values_list("shipment__order_id", "quantity")) == [
        (ids["delivered"], 2),
        (ids["shipped"], 3),
    ]
    old_invoice = Invoice.objects.get()
    assert old_invoice.shipment == Shipment.objects.get(order_id=ids["delivered"])
    # The shipped order gets its invoice when it is delivered.
    delivered = order_transition(
        order=Order.objects.get(pk=ids["shipped"]), to_status=OrderStatus.DELIVERED, by=None
    )
    late = delivered.invoices.get()
    assert late.shipment.order_id == ids["shipped"] and late.lines.get().quantity == 3
    assert delivered.shipments.get().status == "delivered"

    # Cancelling a migrated order releases exactly its allocation, with no movement.
    movements = StockMovement.objects.count()
    order_transition(
        order=Order.objects.get(pk=ids["open"]), to_status=OrderStatus.CANCELLED, by=None
    )
    items = {i.product.sku: i for i in StockItem.objects.select_related("product")}
    assert (items["TEA"].allocated, items["TEA"].available) == (5, 67 - 2 - 3 - 5)
    assert (items["RICE"].allocated, items["RICE"].available) == (0, 30)
    assert StockMovement.objects.count() == movements
