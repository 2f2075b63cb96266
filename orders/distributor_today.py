"""The distributor's "today" panel: what waits for someone to act on it, oldest first.

Orders to accept (placed), to pick (accepted), to ship (processing, or
partially shipped with units allocated); stock items at or below their
reorder level; invoices past their due date and still unpaid. Each section
holds its count and its first few rows. Eight queries whatever the number of
orders, items or invoices.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from inventory.selectors import stock_at_or_below_reorder_level
from invoicing.models import Invoice, balance_due_expression
from invoicing.selectors import overdue_q

from .models import Order, OrderItem, OrderStatus

TODAY_ROWS = 5


@dataclass
class TodaySection:
    key: str
    title: str
    count: int
    rows: list = field(default_factory=list)
    url: str = ""  # the page listing them all
    total: Decimal | None = None  # money owed, for invoices

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def _ship_ready():
    """Partially shipped orders still count "to ship" while a line has units allocated."""
    allocated = OrderItem.objects.filter(order=OuterRef("pk"), quantity_allocated__gt=0)
    return Q(status=OrderStatus.PROCESSING) | Q(
        Exists(allocated), status=OrderStatus.PARTIALLY_SHIPPED
    )


def distributor_today(*, distributor: Organization) -> list[TodaySection]:
    """The panel's sections, in the order the work is done."""
    orders = Order.objects.filter(distributor=distributor)
    ship = _ship_ready()
    counts = orders.aggregate(
        accept=Count("pk", filter=Q(status=OrderStatus.PLACED)),
        pick=Count("pk", filter=Q(status=OrderStatus.ACCEPTED)),
        ship=Count("pk", filter=ship),
    )

    def oldest(condition):
        return list(
            orders.filter(condition)
            .select_related("customer", "buyer_organization")
            .order_by("created_at", "pk")[:TODAY_ROWS]
        )

    low = stock_at_or_below_reorder_level(distributor=distributor)
    today = timezone.localdate()
    overdue = Invoice.objects.filter(overdue_q(today), distributor=distributor)
    owed = overdue.aggregate(count=Count("pk"), total=Sum(balance_due_expression()))
    orders_url = reverse("distributor:orders")
    return [
        TodaySection(
            "accept",
            "To accept",
            counts["accept"],
            oldest(Q(status=OrderStatus.PLACED)),
            f"{orders_url}?status=placed&sort=placed",
        ),
        TodaySection(
            "pick",
            "To pick",
            counts["pick"],
            oldest(Q(status=OrderStatus.ACCEPTED)),
            f"{orders_url}?status=accepted&sort=placed",
        ),
        TodaySection(
            "ship",
            "To ship",
            counts["ship"],
            oldest(ship),
            f"{orders_url}?status=processing&sort=placed",
        ),
        TodaySection(
            "low",
            "Low stock",
            low.count(),
            list(low[:TODAY_ROWS]),
            f"{reverse('distributor:inventory')}?low=on",
        ),
        TodaySection(
            "overdue",
            "Overdue invoices",
            owed["count"],
            list(overdue.order_by("due_date", "pk")[:TODAY_ROWS]),
            f"{reverse('invoicing:list')}?status=issued",
            total=owed["total"] or Decimal("0"),
        ),
    ]
