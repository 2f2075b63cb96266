"""What every report starts from: who sees what, the filters, shared querysets and statistics.

The definitions of every figure are in reporting/selectors/__init__.py.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Organization
from catalog.models import Category, Product
from catalog.selectors import category_with_descendants
from inventory.models import StockItem
from orders.models import Order, OrderItem, OrderStatus

CENT = Decimal("0.01")
NOT_SOLD = (OrderStatus.REJECTED, OrderStatus.CANCELLED)
SOLD = ~Q(status__in=NOT_SOLD)
GROUP_BY = ("product", "category", "distributor", "region", "day")
US_PER_HOUR = Decimal(3_600_000_000)
US_PER_DAY = Decimal(86_400_000_000)
TOP_PRODUCTS = 10


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _hours(microseconds) -> Decimal:
    return (Decimal(microseconds) / US_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(numerator: int, denominator: int, places: str = "0.0001") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


# --- Who sees what ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What one user's reports cover.

    * `all`: staff with `reporting.view_reports` (the procurement group, superusers);
    * `manufacturer`: order lines and stock of its products, POs addressed to it;
    * `distributor`: its own sales (orders it received), its stock, its POs;
    * `retailer`: its organization's purchases (orders with buyer_organization = it);
      no stock or procurement.
    Customers have no reports: `for_user` raises PermissionDenied.
    """

    kind: str
    organization: Organization | None = None

    ALL = "all"

    @classmethod
    def for_user(cls, user) -> "ReportScope":
        if not (user and user.is_authenticated and user.is_active):
            raise PermissionDenied("Sign in to see reports.")
        if user.is_staff and user.has_perm("reporting.view_reports"):
            return cls(cls.ALL)
        if user.organization_id:
            return cls(user.organization.kind, user.organization)
        raise PermissionDenied("Reports are for organizations and staff; customers have none.")

    @property
    def whole_orders(self) -> bool:
        """Whether each order in view is seen whole (a manufacturer sees only its lines)."""
        return self.kind != Organization.Kind.MANUFACTURER

    def lines(self, qs: QuerySet[OrderItem]) -> QuerySet[OrderItem]:
        org = self.organization
        if self.kind == Organization.Kind.MANUFACTURER:
            return qs.filter(product__manufacturer=org)
        if self.kind == Organization.Kind.DISTRIBUTOR:
            return qs.filter(order__distributor=org)
        if self.kind == Organization.Kind.RETAILER:
            return qs.filter(order__buyer_organization=org)
        return qs

    def orders(self, qs: QuerySet[Order]) -> QuerySet[Order]:
        org = self.organization
        if self.kind == Organization.Kind.MANUFACTURER:
            return qs.filter(
                pk__in=OrderItem.objects.filter(product__manufacturer=org).values("order_id")
            )
        if self.kind == Organization.Kind.DISTRIBUTOR:
            return qs.filter(distributor=org)
        if self.kind == Organization.Kind.RETAILER:
            return qs.filter(buyer_organization=org)
        return qs

    def stock(self, qs: QuerySet[StockItem], prefix: str = "") -> QuerySet:
        org = self.organization
        if self.kind == Organization.Kind.MANUFACTURER:
            return qs.filter(**{f"{prefix}product__manufacturer": org})
        if self.kind == Organization.Kind.DISTRIBUTOR:
            return qs.filter(**{f"{prefix}distributor": org})
        if self.kind == Organization.Kind.RETAILER:
            return qs.none()
        return qs

    def procurement(self, qs: QuerySet) -> QuerySet:
        """Purchase orders or procurement requests (both have supplier and distributor)."""
        org = self.organization
        if self.kind == Organization.Kind.MANUFACTURER:
            return qs.filter(supplier=org)
        if self.kind == Organization.Kind.DISTRIBUTOR:
            return qs.filter(distributor=org)
        if self.kind == Organization.Kind.RETAILER:
            return qs.none()
        return qs


@dataclass(frozen=True)
class ReportFilters:
    """The range (local dates, both inclusive) and the optional narrowing filters."""

    start: datetime.date
    end: datetime.date
    product: Product | None = None
    category: Category | None = None
    distributor: Organization | None = None
    region: str = ""

    @property
    def start_at(self) -> datetime.datetime:
        return _start_of(self.start)

    @property
    def end_before(self) -> datetime.datetime:
        """The first moment after the range: the day after `end`, 00:00 local."""
        return _start_of(self.end + datetime.timedelta(days=1))

    @property
    def narrows_lines(self) -> bool:
        return self.product is not None or self.category is not None

    def category_ids(self) -> list[int]:
        return category_with_descendants(self.category) if self.category is not None else []

    def labels(self) -> dict[str, str]:
        shown = {"From": self.start.isoformat(), "To": self.end.isoformat()}
        if self.product is not None:
            shown["Product"] = f"{self.product.name} ({self.product.sku})"
        if self.category is not None:
            shown["Category"] = self.category.name
        if self.distributor is not None:
            shown["Distributor"] = self.distributor.name
        if self.region:
            shown["Region"] = self.region
        return shown

    def product_q(self, prefix: str, category_ids: list[int]) -> Q:
        """Product and category filters on a relation `<prefix>product`."""
        q = Q()
        if self.product is not None:
            q &= Q(**{f"{prefix}product": self.product})
        if self.category is not None:
            q &= Q(**{f"{prefix}product__category_id__in": category_ids})
        return q

    def distributor_q(self, prefix: str) -> Q:
        """Distributor and region filters on a relation `<prefix>distributor`."""
        q = Q()
        if self.distributor is not None:
            q &= Q(**{f"{prefix}distributor": self.distributor})
        if self.region:
            q &= Q(**{f"{prefix}distributor__region": self.region})
        return q


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def last_month_with_sales(
    *, scope: ReportScope, today: datetime.date | None = None
) -> tuple[int, int] | None:
    """(year, month) the monthly report opens on: the latest complete month with a sold order in
    view, else the current month when only it has some; None with no sales at all. One query."""
    today = today or timezone.localdate()
    this_month = _start_of(today.replace(day=1))
    found = (
        scope.orders(Order.objects.filter(SOLD))
        .order_by()
        .aggregate(
            before=Max("created_at", filter=Q(created_at__lt=this_month)),
            current=Max("created_at", filter=Q(created_at__gte=this_month)),
        )
    )
    latest = found["before"] or found["current"]
    if latest is None:
        return None
    local = timezone.localtime(latest)
    return local.year, local.month


def month_filters(year: int, month: int, **narrowing) -> ReportFilters:
    first = datetime.date(year, month, 1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return ReportFilters(start=first, end=following - datetime.timedelta(days=1), **narrowing)


# --- Querysets every report starts from ---------------------------------------------------


def _sold_lines(scope: ReportScope, filters: ReportFilters, category_ids) -> QuerySet[OrderItem]:
    lines = scope.lines(OrderItem.objects.all()).filter(
        ~Q(order__status__in=NOT_SOLD),
        order__created_at__gte=filters.start_at,
        order__created_at__lt=filters.end_before,
    )
    return lines.filter(
        filters.product_q("", category_ids) & filters.distributor_q("order__")
    ).order_by()


def _orders(
    scope: ReportScope, filters: ReportFilters, category_ids, *, sold_only: bool = True
) -> QuerySet[Order]:
    orders = scope.orders(Order.objects.all()).filter(
        created_at__gte=filters.start_at, created_at__lt=filters.end_before
    )
    if sold_only:
        orders = orders.filter(SOLD)
    orders = orders.filter(filters.distributor_q(""))
    if filters.narrows_lines:
        orders = orders.filter(
            pk__in=OrderItem.objects.filter(filters.product_q("", category_ids)).values("order_id")
        )
    return orders.order_by()


def _span(end: str, start: str) -> ExpressionWrapper:
    """end - start in microseconds, as an integer on every backend."""
    return ExpressionWrapper(F(end) - F(start), output_field=BigIntegerField())


# --- Duration statistics -----------------------------------------------------------------


@dataclass(frozen=True)
class DurationStats:
    """Count, mean, median and p90 of a set of durations, in hours (see the module docstring)."""

    count: int
    mean_hours: Decimal | None
    median_hours: Decimal | None
    p90_hours: Decimal | None


def _duration_stats(qs: QuerySet, span: ExpressionWrapper) -> DurationStats:
    """Two queries: count and sum, then the values at the middle and p90 ranks (a window)."""
    qs = qs.order_by().annotate(span_us=span)
    totals = qs.aggregate(n=Count("pk"), total=Sum("span_us"))
    n = totals["n"]
    if not n:
        return DurationStats(0, None, None, None)
    low, high, p90 = (n + 1) // 2, (n + 2) // 2, math.ceil(n * 9 / 10)
    ranked = (
        qs.annotate(rank=Window(RowNumber(), order_by=[F("span_us").asc(), F("pk").asc()]))
        .filter(rank__in={low, high, p90})
        .values_list("rank", "span_us")
    )
    at = {rank: int(span_us) for rank, span_us in ranked}
    return DurationStats(
        count=n,
        mean_hours=_hours(Decimal(totals["total"]) / n),
        median_hours=_hours(Decimal(at[low] + at[high]) / 2),
        p90_hours=_hours(at[p90]),
    )
