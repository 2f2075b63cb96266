"""Migrations catalog 0007 and procurement 0005 on data written before supplier lines (#13):
every product gets a line from its supplier and cost price, a PO its original date, a
request its line."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("catalog", "0006_product_images_attributes"),
    ("procurement", "0004_request_allocated_held"),
    # Before GST, which needs catalog 0007's HSN rates.
    ("orders", "0005_orderitem_price_snapshot"),
    ("invoicing", "0003_invoice_per_shipment"),
    # Apps whose first migration needs later orders/invoicing: not there yet.
    ("payments", None),
    ("standing_orders", None),
    ("transfers", None),
    ("returns", None),
]
AFTER = [
    ("catalog", "0008_supplier_lines"),
    ("procurement", "0005_supplier_lines_close_short_reasons"),
]


def _targets(overrides):
    """Every app at its latest migration but these."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    wanted = dict(overrides)
    return [(app, wanted.get(app, name)) for app, name in leaves]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # An app taken back to nothing (None) has no state to read.
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def test_products_requests_and_pos_are_filled_in():
    apps = _migrate(_targets(BEFORE))
    Organization = apps.get_model("accounts", "Organization")
    User = apps.get_model("accounts", "User")
    Category = apps.get_model("catalog", "Category")
    Product = apps.get_model("catalog", "Product")
    Request = apps.get_model("procurement", "ProcurementRequest")
    PurchaseOrder = apps.get_model("procurement", "PurchaseOrder")
    maker = Organization.objects.create(name="Old Maker", kind="manufacturer")
    depot = Organization.objects.create(name="Old Depot", kind="distributor")
    staff = User.objects.create(email="old@example.test", name="Old", password="!")
    category = Category.objects.create(name="Old", slug="old")
    costed, _uncosted = (
        Product.objects.create(
            sku=sku,
            name=sku,
            slug=sku.lower(),
            category=category,
            price="100.00",
            cost_price=cost,
            manufacturer=maker,
            supplier=maker,
            pack_size=6,
            minimum_order_quantity=12,
            lead_time_days=9,
        )
        for sku, cost in (("TEA", Decimal("61.00")), ("RICE", None))
    )
    request = Request.objects.create(
        number="PR-OLD-1",
        product=costed,
        distributor=depot,
        supplier=maker,
        quantity=12,
        status="approved",
        open_slot=None,
        on_hand=0,
        held=0,
        incoming=0,
        available=0,
        reorder_level=1,
        reorder_quantity=1,
        pack_size=6,
        minimum_order_quantity=12,
        rule="old",
    )
    due = datetime.date(2026, 1, 10)
    PurchaseOrder.objects.create(
        number="PO-OLD-1",
        supplier=maker,
        distributor=depot,
        status="sent",
        delivery_address="x",
        expected_date=due,
        approved_by=staff,
        approved_at=timezone.now(),
        confirm_nonce="n",
    )

    apps = _migrate(_targets(AFTER))
    SupplierLine = apps.get_model("catalog", "SupplierLine")
    lines = {line.product.sku: line for line in SupplierLine.objects.select_related("product")}
    assert set(lines) == {"TEA", "RICE"}
    tea = lines["TEA"]
    assert (tea.supplier_id, tea.unit_cost, tea.pack_size, tea.minimum_order_quantity) == (
        maker.pk,
        Decimal("61.00"),
        6,
        12,
    )
    assert (tea.lead_time_days, tea.supplier_sku, tea.is_active) == (9, "TEA", True)
    assert lines["RICE"].unit_cost is None  # not known: never ordered automatically
    migrated = apps.get_model("procurement", "ProcurementRequest").objects.get(pk=request.pk)
    assert (migrated.supplier_line_id, migrated.unit_cost) == (tea.pk, Decimal("61.00"))
    po = apps.get_model("procurement", "PurchaseOrder").objects.get(number="PO-OLD-1")
    assert po.original_expected_date == due

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
