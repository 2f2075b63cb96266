"""seed_demo's history (auromart/demo_history.py): months of orders through the real services.

Most tests use the small history of settings_test (DEMO_HISTORY_ORDERS/DAYS);
`test_the_default_history_fills_the_reports` runs the default size once and
checks the reports' acceptance figures.
"""

import datetime
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from auromart.demo_history import CUSTOMER_DOMAIN
from inventory.models import StockItem, StockMovement
from invoicing.models import Invoice, InvoicePayment, InvoiceStatus, PaymentMethod
from notifications.as_sent import HISTORY_BODY
from notifications.models import MessageStatus, Notification, OutboundMessage
from orders.models import Order, OrderStatus, Shipment
from procurement.models import GoodsReceipt, PurchaseOrder

pytestmark = pytest.mark.django_db

MODELS = [
    Order,
    Shipment,
    StockMovement,
    PurchaseOrder,
    GoodsReceipt,
    InvoicePayment,
    OutboundMessage,
    Notification,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def history_orders():
    return Order.objects.filter(customer__email__endswith=CUSTOMER_DOMAIN) | Order.objects.filter(
        customer__email__startswith="buyer@"
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small history, seeded once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        mail.outbox = []
        call_command("seed_demo", quiet=True)
        yield {"counts": counts(), "mail": list(mail.outbox)}
        transaction.set_rollback(True)


def test_orders_are_spread_over_the_past_days_and_went_through_their_lifecycle(seeded, settings):
    orders = history_orders()
    today = timezone.localdate()
    days = set(
        orders.annotate(day=TruncDate("created_at")).values_list("day", flat=True).distinct()
    )
    assert orders.count() >= settings.DEMO_HISTORY_ORDERS * 0.8
    assert len(days) >= settings.DEMO_HISTORY_DAYS * 0.7
    assert min(days) >= today - datetime.timedelta(days=settings.DEMO_HISTORY_DAYS)
    assert max(days) < today
    statuses = set(orders.values_list("status", flat=True))
    assert {OrderStatus.DELIVERED, OrderStatus.SHIPPED} <= statuses
    delivered = orders.filter(status=OrderStatus.DELIVERED).first()
    changes = list(
        delivered.status_changes.order_by("created_at").values_list("to_status", flat=True)
    )
    assert changes == ["placed", "accepted", "processing", "shipped", "delivered"]
    assert delivered.shipments.get().tracking_reference.startswith("BD")
    assert delivered.invoices.exists()


def test_notifications_of_the_history_are_written_as_sent_and_nothing_is_delivered(seeded):
    history = OutboundMessage.objects.filter(recipient__endswith=CUSTOMER_DOMAIN)
    assert history.exists()
    assert set(history.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert not history.exclude(body_text=HISTORY_BODY).exists()
    assert not history.filter(sent_at__isnull=True).exists()
    assert history.filter(template="order_confirmation").exists()
    # Sent in the past, when the order was placed, not at the end of seeding.
    first = history.order_by("sent_at").first()
    assert first.sent_at < timezone.now() - datetime.timedelta(days=2)
    sent_to = {address for message in seeded["mail"] for address in message.to}
    assert not {a for a in sent_to if a.endswith(CUSTOMER_DOMAIN) or a.startswith("buyer@")}
    # In-app notices of the history are read; the distributor's new-order notices too.
    members = User.objects.filter(email="distributor@auromart.local")
    old = Notification.objects.filter(
        user__in=members, created_at__lt=timezone.now() - datetime.timedelta(days=1)
    )
    assert old.exists() and not old.filter(read_at__isnull=True).exists()


def test_the_stock_ledger_reads_the_same_as_the_shelves(seeded):
    """Everything was dated inside the history: the ledger's last balance is the shelf."""
    items = StockItem.objects.annotate(total=Sum("movements__quantity"))
    assert not items.exclude(on_hand=F("total")).exists()
    for item in StockItem.objects.filter(movements__isnull=False).distinct()[:50]:
        last = item.movements.order_by("-created_at", "-pk").first()
        assert last.balance_after == item.on_hand, item


def test_buyers_paid_their_invoices_through_the_ledger(seeded):
    """Private customers pay on delivery; each payment is dated inside the history."""
    payments = InvoicePayment.objects.select_related("invoice__order", "invoice__shipment")
    assert payments.exists()
    today = timezone.localdate()
    for payment in payments:
        invoice = payment.invoice
        assert payment.received_on <= today
        assert payment.received_on >= timezone.localdate(invoice.order.created_at)
        if invoice.order.buyer_organization_id is None:
            assert payment.method == PaymentMethod.UPI
            assert payment.received_on >= timezone.localdate(invoice.shipment.delivered_at)
        else:
            assert payment.method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE)
    for invoice in Invoice.objects.filter(payments__isnull=False).distinct():
        assert invoice.balance_due == 0 and invoice.status == InvoiceStatus.PAID, invoice
    # A history customer's invoice for a delivered shipment is paid.
    delivered = Invoice.objects.filter(
        order__customer__email__endswith=CUSTOMER_DOMAIN,
        order__buyer_organization__isnull=True,
        shipment__delivered_at__isnull=False,
    )
    assert delivered.exists()
    assert not delivered.exclude(status=InvoiceStatus.PAID).exists()


def test_procurement_ran_too(seeded):
    assert PurchaseOrder.objects.exists()
    assert PurchaseOrder.objects.filter(responded_at__isnull=False).exists()


def test_a_second_run_adds_nothing(seeded):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == seeded["counts"]
    assert "history orders" not in out.getvalue()


def _days_with_orders(svg: str) -> int:
    """Points of the orders-per-day line above its zero line."""
    zero = re.search(r'y1="([\d.]+)" y2="\1" stroke="#6c757d"', svg).group(1)
    points = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    return sum(1 for point in points if point.split(",")[1] != zero)


def test_the_plan_spreads_the_orders_by_weekday_and_season():
    import random

    from auromart.demo_history import orders_per_day

    first = datetime.date(2026, 6, 4)
    days = [first + datetime.timedelta(days=i) for i in range(182)]
    plan = orders_per_day(days, 3_000, random.Random(1))
    assert 2_950 <= sum(plan.values()) <= 3_000  # what rounding carries over stays within a day
    by_weekday = {w: sum(n for d, n in plan.items() if d.weekday() == w) for w in range(7)}
    assert by_weekday[5] > 2 * by_weekday[6]  # Saturday against Sunday
    october_peak = sum(plan[datetime.date(2026, 10, 24) + datetime.timedelta(i)] for i in range(14))
    july = sum(plan[datetime.date(2026, 7, 6) + datetime.timedelta(i)] for i in range(14))
    assert october_peak > 1.5 * july
