"""Transfer before purchase (#23 §4): the replenishment screen suggests a transfer from a
distributor with an agreement that holds the product above its order-up-to level, and
"transfer now" writes it."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import OrganizationFactory, supplies
from catalog.models import SupplierLine
from catalog.tests.factories import ProductFactory
from procurement.tests.factories import procurement_staff
from transfers.models import TransferOrder, TransferStatus

from .factories import distributor_with_member, stock

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    maker = OrganizationFactory(kind="manufacturer", name="Gen Mills")
    north, north_clerk = distributor_with_member(name="North Hub")
    south, south_clerk = distributor_with_member(name="South Depot")
    supplies(maker, north, south)
    product = ProductFactory(
        sku="GEN-0101",
        manufacturer=maker,
        supplier=maker,
        reorder_level=10,
        order_up_to_level=50,
        cost_price=Decimal("80.00"),
    )
    stock(product, north, 120)  # 70 above its order-up-to level of 50
    low = stock(product, south, 8)  # below its reorder point of 10
    # The agreement: North is an active supplier of this product (a distributor's line).
    SupplierLine.objects.create(
        product=product, supplier=north, unit_cost=Decimal("85.00"), priority=5
    )
    return {
        "product": product,
        "north": north,
        "south": south,
        "south_clerk": south_clerk,
        "north_clerk": north_clerk,
        "low": low,
    }


def test_the_screen_suggests_a_transfer_and_transfer_now_creates_it(world):
    client = login(world["south_clerk"])
    page = client.get(reverse("distributor:replenishment"))
    assert page.status_code == 200
    [row] = [r for r in page.context["rows"] if r.item.pk == world["low"].pk]
    assert row.transfer is not None
    assert (row.transfer.source, row.transfer.quantity) == (world["north"], 42)  # 50 - 8
    assert "Transfer 42 from North Hub" in page.content.decode()

    response = client.post(reverse("transfers:transfer_now"), {"item": world["low"].pk})
    transfer = TransferOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "transfers:detail", args=[transfer.number]
    )
    assert (transfer.source, transfer.destination) == (world["north"], world["south"])
    assert transfer.status == TransferStatus.REQUESTED  # North confirms it
    assert [(line.product, line.quantity) for line in transfer.lines.all()] == [
        (world["product"], 42)
    ]
    # Asked once: the screen does not suggest it again while it is open.
    again = client.get(reverse("distributor:replenishment"))
    [row] = [r for r in again.context["rows"] if r.item.pk == world["low"].pk]
    assert row.transfer is None


def test_staff_screen_suggests_it_too(world):
    page = login(procurement_staff()).get(reverse("procurement:replenishment"))
    [row] = [r for r in page.context["rows"] if r.item.pk == world["low"].pk]
    assert row.transfer.quantity == 42


def test_no_suggestion_without_an_agreement_or_a_surplus(world):
    client = login(world["south_clerk"])
    SupplierLine.objects.filter(supplier=world["north"]).update(is_active=False)
    page = client.get(reverse("distributor:replenishment"))
    [row] = [r for r in page.context["rows"] if r.item.pk == world["low"].pk]
    assert row.transfer is None
    response = client.post(reverse("transfers:transfer_now"), {"item": world["low"].pk})
    assert response.status_code == 302 and not TransferOrder.objects.exists()

    SupplierLine.objects.filter(supplier=world["north"]).update(is_active=True)
    world["product"].order_up_to_level = 130  # North's 120 is not above it
    world["product"].save()
    page = client.get(reverse("distributor:replenishment"))
    [row] = [r for r in page.context["rows"] if r.item.pk == world["low"].pk]
    assert row.transfer is None


def test_transfer_now_refuses_another_distributors_item(world):
    response = login(world["north_clerk"]).post(
        reverse("transfers:transfer_now"), {"item": world["low"].pk}
    )
    assert response.status_code == 302 and not TransferOrder.objects.exists()


def test_the_donor_ships_from_its_warehouse_with_the_most(world):
    from inventory.services import stock_receive
    from inventory.warehouses import warehouse_create

    back = warehouse_create(distributor=world["north"], name="Back store", code="BK", priority=90)
    stock_receive(
        product=world["product"],
        distributor=world["north"],
        quantity=200,
        reference="t",
        warehouse=back,
    )
    client = login(world["south_clerk"])
    client.post(reverse("transfers:transfer_now"), {"item": world["low"].pk})
    transfer = TransferOrder.objects.get()
    assert transfer.source_warehouse == back
    assert transfer.lines.get().quantity == 42
