"""Reads of the loyalty programme: a customer's history, the programme's totals."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .models import EntryKind, LoyaltySettings, PointsEntry


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def points_history(*, user_id: int) -> QuerySet[PointsEntry]:
    """The customer's entries, newest first, with their orders (one query a page)."""
    return PointsEntry.objects.filter(account__user_id=user_id).select_related("order")


def points_totals(*, start: datetime.date | None = None, end: datetime.date | None = None) -> dict:
    """Points per kind over [start, end) (all time when open), the outstanding balance and
    its rupee value at today's point value: one aggregate query and the settings row."""
    window = Q()
    # Datetime bounds, no __date: MariaDB without time-zone tables cannot convert.
    if start is not None:
        window &= Q(created_at__gte=_start_of(start))
    if end is not None:
        window &= Q(created_at__lt=_start_of(end))
    sums = {kind.value: Sum("points", filter=window & Q(kind=kind)) for kind in EntryKind}
    row = PointsEntry.objects.aggregate(
        **sums,
        balance=Sum("points"),
        discount=Sum("amount", filter=window & Q(kind=EntryKind.REDEEM)),
        refunded=Sum("amount", filter=window & Q(kind=EntryKind.REFUND)),
        members=Count("account", distinct=True),
    )
    settings = LoyaltySettings.load()
    balance = row["balance"] or 0
    return {
        "earned": row["earn"] or 0,
        "redeemed": -(row["redeem"] or 0),
        "returned": row["refund"] or 0,
        "expired": -(row["expire"] or 0),
        "clawed_back": -(row["clawback"] or 0),
        "discount": (row["discount"] or 0) - (row["refunded"] or 0),
        "outstanding": balance,
        "liability": balance * settings.point_value,
        "members": row["members"],
        "enabled": settings.enabled,
    }


def loyalty_offer(*, customer, distributor, taxable: Decimal | None) -> dict | None:
    """What checkout offers: None unless the programme runs and the buyer is the store's
    customer with points; else the balance and the most points this order may use."""
    from . import services

    settings = LoyaltySettings.load()
    if not settings.enabled or distributor is None:
        return None
    if not services.is_member(customer=customer, distributor=distributor):
        return None
    balance = services.points_balance(user_id=customer.pk)
    if balance <= 0:
        return None
    most = services.max_redeemable_points(
        taxable=taxable or Decimal("0"), balance=balance, settings=settings
    )
    return {"balance": balance, "most": most, "point_value": settings.point_value}
