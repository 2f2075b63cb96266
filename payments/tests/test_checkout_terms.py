"""Orders on credit terms never go through the gateway (#16 §2 with §1)."""

from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory, DistributorUserFactory, RetailerUserFactory
from invoicing.credit import credit_terms_set
from payments.checkout import ON_DELIVERY, ONLINE, payment_required
from payments.models import PaymentSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller_member():
    return DistributorUserFactory(organization__name="Depot Terms")


def test_a_retailer_on_terms_is_not_sent_to_the_gateway_even_when_it_chose_online(seller_member):
    seller = seller_member.organization
    member = RetailerUserFactory(organization__name="Retail Terms")
    assert payment_required(customer=member, distributor=seller, choice=ONLINE) is True
    credit_terms_set(
        seller=seller,
        buyer=member.organization,
        payment_terms_days=30,
        credit_limit=Decimal("50000.00"),
        by=seller_member,
    )
    assert payment_required(customer=member, distributor=seller, choice=ONLINE) is False
    # Another distributor's terms do not count.
    other = DistributorUserFactory(organization__name="Depot Elsewhere").organization
    assert payment_required(customer=member, distributor=other, choice=ONLINE) is True


def test_inactive_terms_and_private_customers_follow_the_choice(seller_member):
    seller = seller_member.organization
    member = RetailerUserFactory(organization__name="Retail Lapsed")
    credit_terms_set(
        seller=seller,
        buyer=member.organization,
        payment_terms_days=15,
        credit_limit=None,
        active=False,
        by=seller_member,
    )
    assert payment_required(customer=member, distributor=seller, choice=ONLINE) is True
    PaymentSettings.objects.create(distributor=seller, pay_on_delivery=False)
    customer = CustomerFactory()
    assert payment_required(customer=customer, distributor=seller, choice=ON_DELIVERY) is True


def test_a_distributor_cannot_move_an_unpaid_order_to_placed_by_hand():
    """Back to placed is the release of a credit hold only; the payment moves this one."""
    from orders.exceptions import IllegalTransition
    from orders.models import OrderStatus
    from orders.transitions import order_move_by_distributor

    from .factories import awaiting_order

    order = awaiting_order()
    member = DistributorUserFactory(organization=order.distributor)
    with pytest.raises(IllegalTransition):
        order_move_by_distributor(order=order, to_status=OrderStatus.PLACED, by=member)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
