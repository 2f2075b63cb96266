from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.agreements import agreement_accept, agreement_end
from accounts.models import Organization
from accounts.tests.factories import (
    DistributorUserFactory,
    OrganizationFactory,
    SupplyAgreementFactory,
    UserFactory,
    supplies,
)
from catalog.tests.factories import ProductFactory
from inventory import services
from inventory.exceptions import InsufficientStock, LedgerAppendOnly
from inventory.models import StockItem, StockMovement
from inventory.selectors import (
    ledger_sum,
    stock_at_or_below_reorder_level,
    stock_for_distributor,
)
from inventory.services import stock_adjust, stock_assign, stock_item_set_reorder_overrides
from inventory.tests.factories import DistributorFactory, StockItemFactory

pytestmark = pytest.mark.django_db


def test_stock_assign_creates_the_item_and_writes_a_movement():
    product, distributor, user = ProductFactory(), DistributorFactory(), UserFactory()

    item = stock_assign(
        product=product, distributor=distributor, quantity=40, by=user, note="first batch"
    )

    assert item.on_hand == 40
    movement = item.movements.get()
    assert movement.kind == StockMovement.Kind.ASSIGNMENT
    assert (movement.quantity, movement.balance_after) == (40, 40)
    assert (movement.created_by, movement.note) == (user, "first batch")
    assert ledger_sum(item) == item.on_hand


def test_stock_assign_adds_to_the_existing_item():
    product, distributor = ProductFactory(), DistributorFactory()

    stock_assign(product=product, distributor=distributor, quantity=40)
    item = stock_assign(product=product, distributor=distributor, quantity=15, reference="po:7")

    assert StockItem.objects.count() == 1
    assert item.on_hand == 55
    assert ledger_sum(item) == 55
    latest = item.movements.order_by("-id").first()
    assert (latest.balance_after, latest.reference) == (55, "po:7")


@pytest.mark.parametrize("kind", [Organization.Kind.MANUFACTURER, Organization.Kind.RETAILER])
def test_stock_assign_only_to_distributors(kind):
    with pytest.raises(ValidationError) as exc:
        stock_assign(
            product=ProductFactory(), distributor=OrganizationFactory(kind=kind), quantity=5
        )

    assert "distributor" in exc.value.message_dict
    assert not StockItem.objects.exists()


@pytest.mark.parametrize("quantity", [0, -3, 2.5, True])
def test_stock_assign_needs_a_positive_whole_quantity(quantity):
    with pytest.raises(ValidationError) as exc:
        stock_assign(product=ProductFactory(), distributor=DistributorFactory(), quantity=quantity)

    assert "quantity" in exc.value.message_dict
    assert not StockMovement.objects.exists()


def test_stock_adjust_writes_an_adjustment():
    item = StockItemFactory(on_hand=20)

    item = stock_adjust(stock_item=item, delta=-5, note="Two damaged, three missing")

    assert item.on_hand == 15
    movement = item.movements.order_by("-id").first()
    assert (movement.kind, movement.quantity, movement.balance_after) == ("adjustment", -5, 15)
    assert ledger_sum(item) == 15


def test_stock_adjust_can_take_stock_to_zero():
    item = StockItemFactory(on_hand=7)

    item = stock_adjust(stock_item=item, delta=-7, note="Stock-take: none left")

    assert item.on_hand == 0
    assert ledger_sum(item) == 0


def test_stock_adjust_below_zero_raises_and_writes_nothing():
    item = StockItemFactory(on_hand=3)

    with pytest.raises(InsufficientStock) as exc:
        stock_adjust(stock_item=item, delta=-4, note="Stock-take")

    assert (exc.value.available, exc.value.requested) == (3, 4)
    assert item.product.sku in str(exc.value)
    assert "3 available" in str(exc.value)
    item.refresh_from_db()
    assert item.on_hand == 3
    assert item.movements.count() == 1


def test_stock_adjust_cannot_remove_held_stock():
    item = StockItemFactory(on_hand=10, held=8)

    with pytest.raises(InsufficientStock) as exc:
        stock_adjust(stock_item=item, delta=-3, note="Stock-take")

    assert exc.value.available == 2
    item.refresh_from_db()
    assert (item.on_hand, item.held) == (10, 8)


def test_stock_adjust_backstop_turns_the_check_constraint_into_insufficient_stock(monkeypatch):
    item = StockItemFactory(on_hand=5)
    # A stale read that believes there is more stock than there is: the CHECK
    # constraint must still refuse, and the caller must see the domain error.
    stale = StockItem.objects.get(pk=item.pk)
    stale.on_hand = 50
    monkeypatch.setattr(services, "_lock", lambda pk: stale)

    with pytest.raises(InsufficientStock) as exc:
        stock_adjust(stock_item=item, delta=-8, note="Stock-take")

    assert exc.value.available == 5
    item.refresh_from_db()
    assert item.on_hand == 5
    assert item.movements.count() == 1


@pytest.mark.parametrize(("delta", "note", "field"), [(0, "x", "delta"), (-1, " ", "note")])
def test_stock_adjust_validates_its_input(delta, note, field):
    item = StockItemFactory(on_hand=5)

    with pytest.raises(ValidationError) as exc:
        stock_adjust(stock_item=item, delta=delta, note=note)

    assert field in exc.value.message_dict


def test_database_refuses_negative_on_hand_even_through_a_raw_update():
    item = StockItemFactory(on_hand=5)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(pk=item.pk).update(on_hand=-1)


def test_database_refuses_more_allocated_and_held_than_on_hand():
    item = StockItemFactory(on_hand=5)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(pk=item.pk).update(held=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(pk=item.pk).update(held=3, allocated=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(pk=item.pk).update(allocated=-1)


def test_database_refuses_a_second_item_for_the_same_product_and_distributor():
    item = StockItemFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.create(product=item.product, distributor=item.distributor)


def test_database_refuses_a_zero_movement():
    item = StockItemFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(
            stock_item=item, kind="adjustment", quantity=0, balance_after=5
        )


def test_ledger_rows_cannot_be_updated():
    movement = StockItemFactory().movements.get()
    movement.quantity = 1000

    with pytest.raises(LedgerAppendOnly):
        movement.save()
    with pytest.raises(LedgerAppendOnly):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=1000)

    movement.refresh_from_db()
    assert movement.quantity == 100


def test_ledger_rows_cannot_be_deleted():
    movement = StockItemFactory().movements.get()

    with pytest.raises(LedgerAppendOnly):
        movement.delete()
    with pytest.raises(LedgerAppendOnly):
        StockMovement.objects.all().delete()

    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_deleting_a_user_keeps_their_movements():
    user = UserFactory()
    item = stock_assign(
        product=ProductFactory(), distributor=DistributorFactory(), quantity=3, by=user
    )

    user.delete()

    movement = item.movements.get()
    assert movement.created_by is None
    assert movement.quantity == 3


def test_set_reorder_overrides_does_not_write_a_stale_on_hand():
    item = StockItemFactory(on_hand=30)
    stale = StockItem.objects.get(pk=item.pk)
    stock_adjust(stock_item=item, delta=-10, note="Sold at the counter")

    stock_item_set_reorder_overrides(
        stock_item=stale, reorder_level_override=4, reorder_quantity_override=None
    )

    fresh = StockItem.objects.get(pk=item.pk)
    assert (fresh.on_hand, fresh.reorder_level_override) == (20, 4)
    assert fresh.reorder_level == 4
    assert fresh.reorder_quantity == fresh.product.reorder_quantity


def test_set_reorder_overrides_refuses_negative_values():
    with pytest.raises(ValidationError) as exc:
        stock_item_set_reorder_overrides(
            stock_item=StockItemFactory(), reorder_level_override=-1, reorder_quantity_override=5
        )

    assert "reorder_level_override" in exc.value.message_dict


def test_stock_at_or_below_reorder_level_uses_available_and_overrides():
    distributor = DistributorFactory()
    low = StockItemFactory(distributor=distributor, on_hand=10, product__reorder_level=10)
    held = StockItemFactory(distributor=distributor, on_hand=30, held=25, product__reorder_level=10)
    overridden = StockItemFactory(
        distributor=distributor, on_hand=30, reorder_level_override=30, product__reorder_level=10
    )
    StockItemFactory(distributor=distributor, on_hand=11, product__reorder_level=10)
    StockItemFactory(on_hand=0)  # another distributor's

    found = list(stock_at_or_below_reorder_level(distributor=distributor))

    assert {i.pk for i in found} == {low.pk, held.pk, overridden.pk}
    assert all(i.is_low for i in found)
    assert {(i.available_qty, i.reorder_point) for i in found} == {(10, 10), (5, 10), (30, 30)}


def test_stock_for_distributor_loads_products_in_one_query(django_assert_num_queries):
    distributor = DistributorFactory()
    for _ in range(3):
        StockItemFactory(distributor=distributor)
    StockItemFactory()

    with django_assert_num_queries(1):
        items = list(stock_for_distributor(distributor))
        names = [(i.product.name, i.product.category.name) for i in items]

    assert len(names) == 3
    assert [i.product.name for i in items] == sorted(i.product.name for i in items)


@pytest.mark.django_db
def test_a_manufacturer_cannot_assign_a_deactivated_product():
    product = ProductFactory(is_active=False)
    distributor = DistributorFactory()
    supplies(product.manufacturer, distributor)
    with pytest.raises(ValidationError) as info:
        services.stock_assign_by_manufacturer(
            product=product, distributor=distributor, quantity=5, by=UserFactory()
        )
    assert "deactivated" in info.value.message_dict["product_id"][0]
    assert not StockItem.objects.filter(product=product).exists()
    product.is_active = True
    product.save()
    item = services.stock_assign_by_manufacturer(
        product=product, distributor=distributor, quantity=5, by=UserFactory()
    )
    assert item.on_hand == 5 and item.movements.get().kind == "assignment"


def test_a_manufacturer_assigns_only_where_an_agreement_was_accepted():
    product = ProductFactory()
    distributor = DistributorFactory()
    agreement = SupplyAgreementFactory(
        manufacturer=product.manufacturer, distributor=distributor, status="requested"
    )
    member = DistributorUserFactory(organization=distributor)
    assign = partial(
        services.stock_assign_by_manufacturer,
        product=product,
        distributor=distributor,
        quantity=5,
        by=UserFactory(),
    )
    with pytest.raises(PermissionDenied):
        assign()
    agreement_accept(agreement=agreement, by=member)
    assert assign().on_hand == 5
    agreement_end(agreement=agreement, by=member, reason="")
    with pytest.raises(PermissionDenied):
        assign()
    assert StockItem.objects.get(product=product).on_hand == 5  # what is there stays
