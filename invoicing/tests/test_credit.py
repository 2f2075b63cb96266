"""B2B credit terms (#16 part 2): holding over the limit, releasing, exposure, due dates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Organization
from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory
from inventory.models import StockItem
from invoicing.credit import (
    credit_exposure,
    credit_exposures,
    credit_terms_for,
    credit_terms_set,
)
from invoicing.models import CreditTerms, Invoice
from invoicing.receipts import invoice_payment_record
from notifications.models import Notification, OutboundMessage
from orders.exceptions import IllegalTransition
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order, stocked_product
from orders.transitions import (
    order_cancel_by_retailer,
    order_credit_release,
    order_move_by_distributor,
    order_transition,
)

from .factories import deliver, invoice_owing

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller_member():
    return DistributorUserFactory(organization__name="Depot Credit")


@pytest.fixture
def seller(seller_member):
    return seller_member.organization


@pytest.fixture
def buyer_user():
    return RetailerUserFactory(organization__name="Retail Credit")


@pytest.fixture
def buyer(buyer_user):
    return buyer_user.organization


def terms(seller, buyer, *, days=30, limit=None, active=True):
    return CreditTerms.objects.create(
        seller=seller, buyer=buyer, payment_terms_days=days, credit_limit=limit, active=active
    )


# --- Acceptance: held over the limit, released, ships and invoices ----------------------


def test_an_order_over_the_limit_is_held_then_released_and_ships_normally(
    seller, seller_member, buyer, buyer_user, django_capture_on_commit_callbacks
):
    product = stocked_product(distributor=seller, on_hand=50)
    first = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    assert first.status == OrderStatus.PLACED  # no terms yet: nothing is held
    # A limit that the first order plus one more unit goes over.
    terms(seller, buyer, days=45, limit=first.total + first.total / 2)

    with django_capture_on_commit_callbacks(execute=True):
        held = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])

    assert held.status == OrderStatus.CREDIT_HOLD
    history = list(held.status_changes.all())
    assert [c.to_status for c in history] == [OrderStatus.CREDIT_HOLD]
    assert "credit limit" in history[0].note
    # Held, not refused: the stock stays allocated while it waits.
    stock = StockItem.objects.get(product=product, distributor=seller)
    assert stock.allocated == 2 and held.items.get().quantity_allocated == 1
    # The buyer is told it is held; the distributor's members that it needs approval.
    confirmation = OutboundMessage.objects.get(
        user=buyer_user, template="order_confirmation", channel="email", dedup_key__contains=held.pk
    )
    assert "held for credit approval" in confirmation.subject
    assert "held for credit approval" in confirmation.body_text.lower()
    received = OutboundMessage.objects.get(
        user=seller_member, template="order_received", channel="email", dedup_key__contains=held.pk
    )
    assert received.subject.startswith("Credit approval needed: order " + held.number)
    assert Notification.objects.filter(user=seller_member, event="order_received").count() == 2

    # Accepting is not a move a held order has: it must be released first.
    with pytest.raises(IllegalTransition):
        order_move_by_distributor(order=held, to_status=OrderStatus.ACCEPTED, by=seller_member)

    with django_capture_on_commit_callbacks(execute=True):
        released = order_credit_release(order=held, by=seller_member)
    assert released.status == OrderStatus.PLACED
    assert [c.to_status for c in released.status_changes.all()] == [
        OrderStatus.CREDIT_HOLD,
        OrderStatus.PLACED,
    ]
    told = OutboundMessage.objects.get(
        user=buyer_user, template="order_status", channel="email", dedup_key__contains=held.pk
    )
    assert "released" in told.subject and "approved the credit" in told.body_text

    # From placed it goes on as any order: shipped, delivered, invoiced on the buyer's terms.
    delivered = deliver(released, by=seller_member)
    assert delivered.status == OrderStatus.DELIVERED
    invoice = Invoice.objects.get(order=held)
    assert invoice.total == held.total
    assert invoice.due_date == invoice.issue_date + datetime.timedelta(days=45)
    stock.refresh_from_db()
    assert stock.allocated == 1 and stock.on_hand == 49


def test_releasing_only_moves_a_held_order_and_only_by_its_distributor(
    seller, seller_member, buyer, buyer_user
):
    product = stocked_product(distributor=seller)
    placed = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    with pytest.raises(IllegalTransition):
        order_credit_release(order=placed, by=seller_member)
    terms(seller, buyer, limit=Decimal("0.00"))
    held = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    assert held.status == OrderStatus.CREDIT_HOLD
    with pytest.raises(PermissionDenied):
        order_credit_release(order=held, by=DistributorUserFactory())
    held.refresh_from_db()
    assert held.status == OrderStatus.CREDIT_HOLD


def test_rejecting_a_held_order_gives_its_stock_back(seller, seller_member, buyer, buyer_user):
    product = stocked_product(distributor=seller, on_hand=10)
    terms(seller, buyer, limit=Decimal("1.00"))
    held = place_order(customer=buyer_user, distributor=seller, lines=[(product, 3)])
    assert held.status == OrderStatus.CREDIT_HOLD
    assert StockItem.objects.get(product=product, distributor=seller).allocated == 3
    order_move_by_distributor(
        order=held, to_status=OrderStatus.REJECTED, by=seller_member, note="Pay first."
    )
    stock = StockItem.objects.get(product=product, distributor=seller)
    assert stock.allocated == 0 and stock.on_hand == 10


def test_the_buyer_may_cancel_a_held_order(seller, buyer, buyer_user):
    product = stocked_product(distributor=seller)
    terms(seller, buyer, limit=Decimal("0.00"))
    held = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    cancelled = order_cancel_by_retailer(order=held, by=buyer_user)
    assert cancelled.status == OrderStatus.CANCELLED
    assert StockItem.objects.get(product=product, distributor=seller).allocated == 0


def test_another_distributors_limit_does_not_apply(seller, buyer, buyer_user):
    other = DistributorUserFactory().organization
    terms(other, buyer, limit=Decimal("0.00"))  # the other depot gives no credit at all
    product = stocked_product(distributor=seller)
    order = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    assert order.status == OrderStatus.PLACED
    # ...while at the other depot the same buyer's order is held.
    at_other = place_order(
        customer=buyer_user, distributor=other, lines=[(stocked_product(distributor=other), 1)]
    )
    assert at_other.status == OrderStatus.CREDIT_HOLD


def test_a_private_customer_and_terms_without_a_limit_are_never_held(seller, buyer, buyer_user):
    product = stocked_product(distributor=seller)
    terms(seller, buyer, limit=None)
    assert place_order(customer=buyer_user, distributor=seller, lines=[(product, 5)]).status == (
        OrderStatus.PLACED
    )
    assert place_order(distributor=seller, lines=[(product, 5)]).status == OrderStatus.PLACED


def test_inactive_terms_neither_hold_nor_set_the_due_date(seller, buyer, buyer_user, settings):
    settings.INVOICE_DUE_DAYS = 14
    terms(seller, buyer, days=90, limit=Decimal("0.00"), active=False)
    assert credit_terms_for(seller=seller, buyer=buyer) is None
    product = stocked_product(distributor=seller)
    order = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    assert order.status == OrderStatus.PLACED
    invoice = deliver(order).invoices.get()
    assert invoice.due_date == invoice.issue_date + datetime.timedelta(days=14)


def test_an_order_exactly_at_the_limit_is_not_held(seller, buyer, buyer_user):
    product = stocked_product(distributor=seller)
    first = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    terms(seller, buyer, limit=first.total * 2)
    second = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    assert second.status == OrderStatus.PLACED
    third = place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    assert third.status == OrderStatus.CREDIT_HOLD


# --- Due dates -----------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 7, 60, 180])
def test_the_due_date_follows_the_buyers_terms(seller, buyer, buyer_user, days, settings):
    settings.INVOICE_DUE_DAYS = 30
    terms(seller, buyer, days=days)
    product = stocked_product(distributor=seller)
    invoice = deliver(
        place_order(customer=buyer_user, distributor=seller, lines=[(product, 1)])
    ).invoices.get()
    assert invoice.issue_date == timezone.localdate()
    assert invoice.due_date == invoice.issue_date + datetime.timedelta(days=days)
    # Another buyer of the same seller, without terms, keeps the default.
    other = deliver(place_order(distributor=seller, lines=[(product, 1)])).invoices.get()
    assert other.due_date == other.issue_date + datetime.timedelta(days=30)


# --- Exposure, to the paisa ------------------------------------------------------------


def test_exposure_counts_unpaid_invoices_and_open_orders_exactly(seller, buyer, buyer_user):
    """Hand-computed:

    invoices (open):  1,234.56 unpaid in full
                      2,000.00 less a payment of 750.25 -> 1,249.75 (and overdue)
                      paid in full (500.00) -> 0; void (300.00) -> 0
    orders (open):    placed 410.10 -> 410.10
                      accepted 99.99 -> 99.99
                      held 1,000.01 -> 1,000.01
                      partially shipped 800.00 with 300.40 invoiced -> 499.60
                      (its 300.40 invoice is unpaid: counted with the invoices)
                      cancelled 5,000.00, rejected 6,000.00, delivered -> 0
    unpaid   = 1,234.56 + 1,249.75 + 300.40          = 2,784.71
    on order = 410.10 + 99.99 + 1,000.01 + 499.60    = 2,009.70
    total                                            = 4,794.41
    overdue  = 1,249.75
    """
    today = timezone.localdate()
    lines = lambda: [(stocked_product(distributor=seller), 1)]  # noqa: E731
    common = {"customer": buyer_user, "distributor": seller}
    invoice_owing("1234.56", due_date=today + datetime.timedelta(days=5), lines=lines(), **common)
    part_paid = invoice_owing(
        "2000.00", due_date=today - datetime.timedelta(days=3), lines=lines(), **common
    )
    invoice_payment_record(
        invoice=part_paid,
        amount="750.25",
        method="bank_transfer",
        reference="UTR1",
        received_on=today,
    )
    paid = invoice_owing("500.00", lines=lines(), **common)
    invoice_payment_record(
        invoice=paid, amount="500.00", method="cash", reference="", received_on=today
    )
    void = invoice_owing("300.00", lines=lines(), **common)
    Invoice.objects.filter(pk=void.pk).update(status="void", voided_at=timezone.now())

    def order_at(total, status=None):
        order = place_order(lines=lines(), **common)
        Order.objects.filter(pk=order.pk).update(
            total=Decimal(total), **({"status": status} if status else {})
        )
        return order

    order_at("410.10")
    order_at("99.99", OrderStatus.ACCEPTED)
    order_at("1000.01", OrderStatus.CREDIT_HOLD)
    order_at("5000.00", OrderStatus.CANCELLED)
    order_at("6000.00", OrderStatus.REJECTED)
    # Partially shipped: 2 of 3 units allocated, 1 backordered; ship the 2.
    short = stocked_product(distributor=seller, on_hand=2)
    partial = place_order(lines=[(short, 3)], backorder=True, **common)
    order_transition(order=partial, to_status=OrderStatus.ACCEPTED, by=None)
    order_transition(order=partial, to_status=OrderStatus.PROCESSING, by=None)
    partial = order_transition(order=partial, to_status=OrderStatus.SHIPPED, by=None)
    assert partial.status == OrderStatus.PARTIALLY_SHIPPED
    Order.objects.filter(pk=partial.pk).update(total=Decimal("800.00"))
    Invoice.objects.filter(order=partial).update(total=Decimal("300.40"), tax=0, subtotal=0)
    # Another buyer's and another seller's figures stay out.
    invoice_owing("999.00", distributor=seller, lines=lines())
    other_seller = DistributorUserFactory().organization
    invoice_owing(
        "888.00",
        customer=buyer_user,
        distributor=other_seller,
        lines=[(stocked_product(distributor=other_seller), 1)],
    )

    exposure = credit_exposure(seller=seller, buyer=buyer)
    assert exposure.unpaid == Decimal("2784.71")
    assert exposure.on_order == Decimal("2009.70")
    assert exposure.total == Decimal("4794.41")
    assert exposure.overdue == Decimal("1249.75")


def test_exposures_of_many_buyers_take_two_queries(seller, django_assert_num_queries):
    buyers = [RetailerUserFactory() for _ in range(4)]
    for user in buyers:
        invoice_owing("10.00", customer=user, distributor=seller)
        place_order(customer=user, distributor=seller)
    ids = [user.organization_id for user in buyers]
    with django_assert_num_queries(2):
        exposures = credit_exposures(seller=seller, buyer_ids=ids)
    assert all(exposures[i].unpaid == Decimal("10.00") for i in ids)
    assert all(exposures[i].on_order > 0 for i in ids)


def test_a_buyer_with_nothing_owed_has_zero_exposure(seller, buyer):
    exposure = credit_exposure(seller=seller, buyer=buyer)
    assert exposure.total == Decimal("0.00") and exposure.overdue == Decimal("0.00")


# --- Setting terms -----------------------------------------------------------------------


def test_credit_terms_set_creates_then_replaces(seller, seller_member, buyer):
    created = credit_terms_set(
        seller=seller,
        buyer=buyer,
        payment_terms_days=30,
        credit_limit=Decimal("50000"),
        by=seller_member,
    )
    changed = credit_terms_set(
        seller=seller,
        buyer=buyer,
        payment_terms_days=15,
        credit_limit=None,
        active=False,
        by=seller_member,
    )
    assert changed.pk == created.pk and CreditTerms.objects.count() == 1
    changed.refresh_from_db()
    assert (changed.payment_terms_days, changed.credit_limit, changed.active) == (15, None, False)
    assert changed.updated_by == seller_member


@pytest.mark.parametrize(
    ("days", "limit", "field"),
    [
        (-1, "10", "payment_terms_days"),
        (181, "10", "payment_terms_days"),
        (True, "10", "payment_terms_days"),
        (30, "-0.01", "credit_limit"),
        (30, "100000000.01", "credit_limit"),
        (30, "1.001", "credit_limit"),
        (30, "NaN", "credit_limit"),
        (30, "lots", "credit_limit"),
    ],
)
def test_credit_terms_are_bounded(seller, seller_member, buyer, days, limit, field):
    with pytest.raises(ValidationError) as exc:
        credit_terms_set(
            seller=seller,
            buyer=buyer,
            payment_terms_days=days,
            credit_limit=limit,
            by=seller_member,
        )
    assert field in exc.value.message_dict
    assert not CreditTerms.objects.exists()


def test_only_the_sellers_members_set_terms_and_only_for_retailers(seller, seller_member, buyer):
    stranger = DistributorUserFactory()
    with pytest.raises(PermissionDenied):
        credit_terms_set(
            seller=seller, buyer=buyer, payment_terms_days=30, credit_limit=None, by=stranger
        )
    distributor_buyer = DistributorUserFactory().organization
    with pytest.raises(ValidationError) as exc:
        credit_terms_set(
            seller=seller,
            buyer=distributor_buyer,
            payment_terms_days=30,
            credit_limit=None,
            by=seller_member,
        )
    assert "buyer_id" in exc.value.message_dict
    assert distributor_buyer.kind == Organization.Kind.DISTRIBUTOR
