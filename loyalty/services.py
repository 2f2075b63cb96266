"""Writes of the loyalty programme: earn, redeem, return, claw back, expire (#18 §5).

Every change of a balance is one new `PointsEntry` written under the
account's row lock, after the balance (the ledger's sum) was read under that
lock: two writers for one customer are served one after the other, and no
debit ever takes the balance below zero. Each event has a `dedup_key`, so a
receiver or task that runs twice writes once.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Organization, Role, User

from .models import CREDITS, MAX_POINTS, EntryKind, LoyaltyAccount, LoyaltySettings, PointsEntry

CENT = Decimal("0.01")
FIELD = "loyalty_points"


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return day.replace(
        year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
    )


def is_member(*, customer: User, distributor: Organization) -> bool:
    """The programme is the store's, for its customers (not retailers, not other distributors)."""
    return customer.role == Role.CUSTOMER and bool(distributor.is_default_store)


def points_balance(*, user_id: int) -> int:
    """The ledger's sum: the balance, always."""
    total = PointsEntry.objects.filter(account__user_id=user_id).aggregate(s=Sum("points"))["s"]
    return total or 0


def _account_locked(user_id: int) -> LoyaltyAccount:
    LoyaltyAccount.objects.get_or_create(user_id=user_id)
    return LoyaltyAccount.objects.select_for_update().get(user_id=user_id)


def _balance_of(account: LoyaltyAccount) -> int:
    return account.entries.aggregate(s=Sum("points"))["s"] or 0


def _write(*, account, kind, points, dedup_key, when=None, **fields) -> PointsEntry | None:
    """One entry; None when its event was already written (or it moves no points)."""
    if points == 0:
        return None
    if dedup_key and PointsEntry.objects.filter(dedup_key=dedup_key).exists():
        return None
    settings = fields.pop("settings", None)
    when = when or timezone.now()
    expires_on = None
    if kind in CREDITS:
        settings = settings or LoyaltySettings.load()
        expires_on = add_months(timezone.localdate(when), settings.expiry_months)
    try:
        with transaction.atomic():
            return PointsEntry.objects.create(
                account=account,
                kind=kind,
                points=points,
                dedup_key=dedup_key,
                created_at=when,
                expires_on=expires_on,
                **fields,
            )
    except IntegrityError:
        if dedup_key and PointsEntry.objects.filter(dedup_key=dedup_key).exists():
            return None  # a concurrent run wrote it
        raise


@dataclass(frozen=True)
class Redemption:
    points: int
    discount: Decimal
    cap: Decimal  # the most this order may take off


def redemption_cap(*, taxable: Decimal, settings: LoyaltySettings) -> Decimal:
    """The most points may take off an order of this taxable value: % and absolute, the lower."""
    by_share = (taxable * settings.max_redeem_percent / 100).quantize(CENT, rounding=ROUND_DOWN)
    return max(Decimal("0"), min(by_share, settings.max_redeem_amount, taxable))


def max_redeemable_points(*, taxable: Decimal, balance: int, settings: LoyaltySettings) -> int:
    cap = redemption_cap(taxable=taxable, settings=settings)
    return max(0, min(balance, int(cap / settings.point_value)))


def redemption_check(
    *, customer: User, distributor: Organization, points: int, taxable: Decimal
) -> Redemption:
    """What `points` take off an order of `taxable` value; ValidationError on `loyalty_points`
    when the programme is off, the buyer not a member, the balance short or the cap passed."""
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise ValidationError({FIELD: "Enter a whole number of points, 0 or more."})
    if points > MAX_POINTS:
        raise ValidationError({FIELD: f"At most {MAX_POINTS:,} points."})
    settings = LoyaltySettings.load()
    if points == 0:
        return Redemption(0, Decimal("0.00"), Decimal("0.00"))
    if not settings.enabled:
        raise ValidationError({FIELD: "The loyalty programme is not running."})
    if not is_member(customer=customer, distributor=distributor):
        raise ValidationError({FIELD: "Points are for the store's customers."})
    balance = points_balance(user_id=customer.pk)
    if points > balance:
        raise ValidationError({FIELD: f"You have {balance:,} points."})
    cap = redemption_cap(taxable=taxable, settings=settings)
    discount = _money(points * settings.point_value)
    if discount > cap:
        most = max_redeemable_points(taxable=taxable, balance=balance, settings=settings)
        raise ValidationError(
            {FIELD: f"This order can take at most ₹{cap:,} off: use at most {most:,} points."}
        )
    return Redemption(points, discount, cap)


def points_redeem(*, customer: User, order_id: int, points: int, discount: Decimal) -> PointsEntry:
    """Take the points an order redeemed, inside order_place's transaction (the account locked)."""
    account = _account_locked(customer.pk)
    balance = _balance_of(account)
    if points > balance:
        raise ValidationError({FIELD: f"You have {balance:,} points."})
    return _write(
        account=account,
        kind=EntryKind.REDEEM,
        points=-points,
        order_id=order_id,
        amount=discount,
        dedup_key=f"redeem:{order_id}",
        note="Taken off the order before GST",
    )


def points_return_for_order(*, order_id: int, when: datetime.datetime | None = None):
    """An order was cancelled or rejected: the points it redeemed come back (once)."""
    redeemed = (
        PointsEntry.objects.filter(order_id=order_id, kind=EntryKind.REDEEM)
        .select_related("account")
        .first()
    )
    if redeemed is None:
        return None
    account = _account_locked(redeemed.account.user_id)
    return _write(
        account=account,
        kind=EntryKind.REFUND,
        points=-redeemed.points,
        order_id=order_id,
        amount=redeemed.amount,
        dedup_key=f"refund:{order_id}",
        note="Order cancelled: redeemed points returned",
        when=when,
    )


def points_earn_for_shipment(*, shipment_id: int, when: datetime.datetime | None = None):
    """A shipment was delivered: its buyer earns points on the taxable value of its lines.

    Only a store's customer, only while the programme runs; the points are
    rounded down to whole points. Once per shipment.
    """
    from orders.models import Shipment

    settings = LoyaltySettings.load()
    if not settings.enabled:
        return None
    shipment = (
        Shipment.objects.select_related("order__customer", "order__distributor")
        .prefetch_related("lines__order_item")
        .get(pk=shipment_id)
    )
    order = shipment.order
    if not is_member(customer=order.customer, distributor=order.distributor):
        return None
    taxable = sum(
        (
            line.order_item.line_total
            if line.quantity == line.order_item.quantity
            else _money(line.order_item.line_total * line.quantity / line.order_item.quantity)
            for line in shipment.lines.all()
        ),
        Decimal("0.00"),
    )
    points = int(taxable * settings.points_per_100 / 100)
    account = _account_locked(order.customer_id)
    return _write(
        account=account,
        kind=EntryKind.EARN,
        points=points,
        order_id=order.pk,
        amount=taxable,
        dedup_key=f"earn:shipment:{shipment_id}",
        note=f"Delivered: {shipment.number}",
        when=when,
        settings=settings,
    )


def points_clawback(
    *, order_id: int, taxable_returned: Decimal, reference: str, when=None
) -> PointsEntry | None:
    """Goods of a delivered order came back (#17): take back the points they earned.

    The order's earned points in proportion to the taxable value returned,
    never more than the order earned less what was already taken back, and
    never more than the balance (points already spent stay spent). Once per
    `reference` (the return's).
    """
    if taxable_returned <= 0:
        raise ValidationError({"taxable_returned": "Enter a value above 0."})
    earned = PointsEntry.objects.filter(order_id=order_id, kind=EntryKind.EARN)
    first = earned.select_related("account").first()
    if first is None:
        return None
    sums = PointsEntry.objects.filter(order_id=order_id).aggregate(
        earned=Sum("points", filter=Q(kind=EntryKind.EARN)),
        earned_on=Sum("amount", filter=Q(kind=EntryKind.EARN)),
        clawed=Sum("points", filter=Q(kind=EntryKind.CLAWBACK)),
    )
    earned, earned_on = sums["earned"], sums["earned_on"]
    due = int(earned * min(taxable_returned, earned_on) / earned_on) if earned_on else earned
    due = min(due, earned + (sums["clawed"] or 0))
    account = _account_locked(first.account.user_id)
    due = min(due, _balance_of(account))
    return _write(
        account=account,
        kind=EntryKind.CLAWBACK,
        points=-due,
        order_id=order_id,
        amount=taxable_returned,
        dedup_key=f"clawback:{reference}"[:100],
        note=f"Returned goods ({reference})"[:200],
        when=when,
    )


def points_clawback_for_credit_note(*, credit_note_id: int) -> PointsEntry | None:
    """A credit note lowered what a delivered order's buyer paid: take back the points
    that value earned (`points_clawback`, once per credit note). Nothing when the order
    earned no points (not a member, or the programme was off)."""
    from invoicing.models import CreditNote

    note = CreditNote.objects.select_related("invoice").get(pk=credit_note_id)
    if note.subtotal <= 0:
        return None
    return points_clawback(
        order_id=note.invoice.order_id,
        taxable_returned=note.subtotal,
        reference=f"cn:{note.pk}",
        when=None,
    )


def account_expire(*, account_id: int, today: datetime.date) -> PointsEntry | None:
    """Write off what is left of credits that expired by `today`, oldest points spent first.

    Spending takes the oldest points first, so what expires is the credits
    due by today less everything ever debited, never more than the balance.
    """
    with transaction.atomic():
        account = LoyaltyAccount.objects.select_for_update().get(pk=account_id)
        sums = account.entries.aggregate(
            due=Sum("points", filter=Q(points__gt=0, expires_on__lte=today)),
            debits=Sum("points", filter=Q(points__lt=0)),
            balance=Sum("points"),
        )
        lapsed = (sums["due"] or 0) + (sums["debits"] or 0)
        lapsed = min(lapsed, sums["balance"] or 0)
        if lapsed <= 0:
            return None
        return _write(
            account=account,
            kind=EntryKind.EXPIRE,
            points=-lapsed,
            dedup_key=f"expire:{account.pk}:{today.isoformat()}",
            note="Unused points past their expiry date",
        )


def points_expire(*, today: datetime.date | None = None) -> int:
    """The beat task's work: every account with credits due by today; returns the points expired.

    One transaction per account, so a long run never holds many locks.
    """
    today = today or timezone.localdate()
    accounts = (
        PointsEntry.objects.filter(points__gt=0, expires_on__lte=today)
        .values_list("account_id", flat=True)
        .distinct()
    )
    expired = 0
    for account_id in sorted(set(accounts)):
        entry = account_expire(account_id=account_id, today=today)
        if entry is not None:
            expired -= entry.points
    return expired
