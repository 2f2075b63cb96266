from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings

from accounts.models import PROCUREMENT_GROUP, Organization, SupplyAgreement, User
from accounts.services import organization_set_default_store
from auromart.management.commands.seed_demo import ADMIN_PASSWORD, DEMO_PASSWORD
from catalog.models import Category, Product
from inventory.models import StockItem, StockMovement

pytestmark = pytest.mark.django_db

MODELS = [Organization, User, Category, Product, StockItem, StockMovement]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, in a transaction rolled back at its end.

    Each test runs in a savepoint inside it (pytest-django's django_db), so a
    test that seeds again or changes rows leaves the next one the same data.
    """
    # The base demo data alone: the history is tested in test_demo_history.py.
    with (
        django_db_blocker.unblock(),
        override_settings(DEMO_HISTORY_ORDERS=0),
        transaction.atomic(),
    ):
        call_command("seed_demo", quiet=True)
        yield counts()
        transaction.set_rollback(True)


def test_seed_demo_twice_changes_nothing(seeded):
    on_hand_before = sorted(StockItem.objects.values_list("pk", "on_hand"))

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert counts() == seeded
    assert sorted(StockItem.objects.values_list("pk", "on_hand")) == on_hand_before
    assert (
        "created 0 organizations, 0 users, 0 categories, 0 supply agreements, 0 products"
        in out.getvalue()
    )
    assert "admin@auromart.local" in out.getvalue()


def test_every_stocked_or_supplied_pair_has_an_accepted_agreement(seeded):
    stocked = set(
        StockItem.objects.values_list("product__manufacturer_id", "distributor_id").distinct()
    )
    supplied = set(
        Product.objects.filter(supplier__kind="distributor").values_list(
            "manufacturer_id", "supplier_id"
        )
    )
    accepted = set(
        SupplyAgreement.objects.filter(status="accepted").values_list(
            "manufacturer_id", "distributor_id"
        )
    )
    assert supplied and stocked <= accepted and supplied <= accepted


def test_seed_demo_quiet_prints_nothing(seeded):
    out = StringIO()

    call_command("seed_demo", quiet=True, stdout=out)

    assert out.getvalue() == ""


def test_seed_demo_creates_every_kind_and_one_default_store(seeded):
    kinds = set(Organization.objects.values_list("kind", flat=True))
    store = Organization.objects.get(is_default_store=True)

    assert kinds == set(Organization.Kind.values)
    assert Organization.objects.filter(kind="manufacturer").count() >= 2
    assert Organization.objects.filter(kind="distributor").count() >= 2
    assert Organization.objects.filter(kind="retailer").count() >= 2
    assert store.name == "AuroMart Central Store"
    assert seeded["Product"] >= 300
    assert Category.objects.filter(parent__isnull=False).exists()


def test_seed_demo_keeps_on_hand_equal_to_the_ledger(seeded):
    ledger = dict(
        StockMovement.objects.values("stock_item")
        .annotate(total=Sum("quantity"))
        .values_list("stock_item", "total")
    )
    last_balance = dict(
        StockMovement.objects.order_by("stock_item", "id").values_list(
            "stock_item", "balance_after"
        )
    )  # later rows overwrite earlier ones: the last movement of each item wins

    items = dict(StockItem.objects.values_list("pk", "on_hand"))

    assert len(items) == seeded["StockItem"] > 0
    assert {pk: ledger.get(pk, 0) for pk in items} == items
    assert {pk: last_balance.get(pk, 0) for pk in items} == items


def test_seed_demo_leaves_some_stock_low_and_some_sold_out(seeded):
    total = StockItem.objects.count()
    low = StockItem.objects.at_or_below_reorder_level().count()
    sold_out = StockItem.objects.filter(on_hand=0, distributor__is_default_store=True).count()

    assert 0.05 * total <= low <= 0.2 * total
    assert sold_out >= 3
    assert StockItem.objects.filter(on_hand__gt=0).count() > 0.8 * total


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("customer@auromart.local", DEMO_PASSWORD),
        ("retailer@auromart.local", DEMO_PASSWORD),
        ("distributor@auromart.local", DEMO_PASSWORD),
        ("manufacturer@auromart.local", DEMO_PASSWORD),
        ("procurement@auromart.local", DEMO_PASSWORD),
        ("admin@auromart.local", ADMIN_PASSWORD),
    ],
)
def test_demo_users_log_in_with_the_documented_passwords(seeded, rf, email, password):
    assert DEMO_PASSWORD == "AuroMart-demo-2026"
    assert ADMIN_PASSWORD == "AuroMart-admin-2026"

    user = authenticate(rf.post("/accounts/login/"), username=email, password=password)

    assert user is not None
    assert user.email == email


def test_demo_users_have_their_roles(seeded):
    users = {u.email: u for u in User.objects.all()}

    assert users["customer@auromart.local"].role == "customer"
    assert users["retailer@auromart.local"].role == "retailer"
    assert users["manufacturer@auromart.local"].role == "manufacturer"
    distributor = users["distributor@auromart.local"]
    assert distributor.organization.is_default_store
    assert all(
        users[f"{r}@auromart.local"].is_org_admin
        for r in ("retailer", "distributor", "manufacturer")
    )
    procurement = users["procurement@auromart.local"]
    assert procurement.is_staff
    assert procurement.groups.filter(name=PROCUREMENT_GROUP).exists()
    assert procurement.is_procurement_staff
    assert users["admin@auromart.local"].is_superuser


def test_seed_demo_leaves_a_store_chosen_since_alone(seeded):
    store = organization_set_default_store(
        organization=Organization.objects.get(name="Eastern Distribution Co.")
    )

    call_command("seed_demo", quiet=True)

    assert list(Organization.objects.filter(is_default_store=True)) == [store]


def test_seed_demo_places_a_short_order_history_through_the_ledger(seeded):
    from orders.models import Order, OrderItem

    customer_orders = Order.objects.filter(customer__email="customer@auromart.local")
    assert sorted(customer_orders.values_list("status", flat=True)) == [
        "cancelled",
        "delivered",
        "placed",
        "shipped",
    ]
    assert Order.objects.filter(customer__email="retailer@auromart.local").count() == 3
    # Each shipped or delivered order was invoiced at dispatch (one shipment each), the
    # retailer's to its organization.
    from invoicing.models import Invoice

    assert Order.objects.filter(status="delivered").count() == 2
    gone = Order.objects.filter(status__in=("shipped", "delivered"))
    assert sorted(Invoice.objects.values_list("order_id", flat=True)) == sorted(
        gone.values_list("pk", flat=True)
    )
    assert all(invoice.shipment.order_id == invoice.order_id for invoice in Invoice.objects.all())
    assert Invoice.objects.filter(buyer_organization__name="Lakeside Retail Mart").count() == 1
    # Shipped and delivered orders' units left the shelf (shipment movements); open ones
    # hold allocations; the cancelled one holds nothing and moved nothing.
    for order in Order.objects.all():
        shipped = -sum(
            StockMovement.objects.filter(
                reference=order.stock_reference, kind="shipment"
            ).values_list("quantity", flat=True)
        )
        lines = order.items.all()
        assert shipped == sum(line.quantity_shipped for line in lines)
        if order.status in ("shipped", "delivered"):
            assert all(line.quantity_shipped == line.quantity for line in lines)
        elif order.status == "cancelled":
            assert all(line.quantity_cancelled == line.quantity for line in lines)
        else:
            assert all(line.quantity_allocated == line.quantity for line in lines)
    for item in StockItem.objects.filter(allocated__gt=0):
        assert item.allocated == sum(
            line.quantity_allocated
            for line in OrderItem.objects.filter(
                product=item.product, order__distributor=item.distributor
            )
        )
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "0 orders" in out.getvalue()


def test_seed_demo_gives_commercial_terms(seeded):
    from accounts.gst import validate_gstin
    from catalog.models import HsnRate
    from orders.models import OrderItem
    from pricing.models import PriceList

    retailer_lists = PriceList.objects.filter(assignments__scope="organization").distinct()
    assert retailer_lists.count() == 2
    for plist in retailer_lists:
        assert plist.items.filter(min_quantity__gt=1).exists()  # quantity breaks
    own = PriceList.objects.filter(distributor__name="AuroMart Central Store")
    assert own.count() == 2
    # Its customers' shop list quotes prices with GST inside (an MRP-like list).
    shop = own.get(prices_include_tax=True, assignments__scope="customers")
    assert shop.items.count() == 6
    assert all(str(i.price).endswith("9.00") for i in shop.items.all())
    for org in Organization.objects.all():
        assert org.gstin
        validate_gstin(org.gstin)
    assert HsnRate.objects.count() == 5
    assert not Product.objects.filter(hsn_code="").exists()
    # The retailer's demo orders were priced by its list where it has a line.
    lakeside = OrderItem.objects.filter(order__customer__email="retailer@auromart.local")
    priced = lakeside.exclude(price_list__isnull=True)
    assert priced.count() == lakeside.count() > 0
    for item in priced:
        assert item.unit_price < item.list_price
    assert set(lakeside.values_list("price_list_name", flat=True)) <= {
        "",
        "Lakeside Retail Mart trade terms",
    }
