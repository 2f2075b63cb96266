"""Writes for standing orders: define, edit, pause, resume, skip the next run, end.

Running them (placing the orders, the reminders) is in standing_orders.runs.
"""

import calendar
import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import BUYER_ROLES, Organization, Role, User
from catalog.models import Product

from .models import (
    MAX_DAY_OF_MONTH,
    MAX_INTERVAL_WEEKS,
    MAX_LINE_QUANTITY,
    MAX_LINES,
    Frequency,
    RunOutcome,
    StandingOrder,
    StandingOrderLine,
    StandingOrderRun,
    StandingOrderStatus,
)

# How far ahead the first run may be set.
MAX_DAYS_AHEAD = 366


def _add_months(day: datetime.date, months: int, day_of_month: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def date_after(standing_order: StandingOrder, day: datetime.date) -> datetime.date:
    """The run date that follows a run on `day`, by the standing order's frequency."""
    if standing_order.frequency == Frequency.MONTHLY:
        return _add_months(day, 1, standing_order.day_of_month)
    weeks = (
        standing_order.interval_weeks if standing_order.frequency == Frequency.EVERY_N_WEEKS else 1
    )
    return day + datetime.timedelta(weeks=weeks)


def first_date_after(standing_order: StandingOrder, after: datetime.date) -> datetime.date:
    """The first run date after `after`, stepping from the current next run date.

    A beat that was down for weeks resumes with the next date to come, not a
    burst of the missed ones. Bounded: a run date moves at least a week.
    """
    day = standing_order.next_run_date
    for _ in range(2000):
        if day > after:
            return day
        day = date_after(standing_order, day)
    raise AssertionError("unreachable: 2000 steps cover 38 years")  # pragma: no cover


def _check_buyer(buyer: User) -> None:
    if buyer.role not in BUYER_ROLES:
        raise PermissionDenied("Only customers and retailers have standing orders.")


def _validated(
    *,
    frequency: str,
    interval_weeks: int | None,
    day_of_month: int | None,
    next_run_date: datetime.date,
    lines: Sequence[tuple[Product, int]],
    shipping_address: str,
    distributor: Organization,
    today: datetime.date,
) -> dict:
    errors: dict[str, str] = {}
    if frequency not in Frequency.values:
        errors["frequency"] = f"Choose one of: {', '.join(Frequency.values)}."
    interval = interval_weeks or 1
    if frequency == Frequency.EVERY_N_WEEKS and not 1 <= interval <= MAX_INTERVAL_WEEKS:
        errors["interval_weeks"] = f"Choose a number of weeks from 1 to {MAX_INTERVAL_WEEKS}."
    if frequency != Frequency.EVERY_N_WEEKS:
        interval = 1
    if frequency == Frequency.MONTHLY:
        if day_of_month is None or not 1 <= day_of_month <= MAX_DAY_OF_MONTH:
            errors["day_of_month"] = f"Choose a day of the month from 1 to {MAX_DAY_OF_MONTH}."
        elif next_run_date.day != day_of_month:
            errors["next_run_date"] = f"A monthly order on day {day_of_month} runs on that day."
    else:
        day_of_month = None
    if next_run_date < today:
        errors["next_run_date"] = "Choose today or a later date."
    elif next_run_date > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors["next_run_date"] = "Choose a date within a year."
    shipping_address = (shipping_address or "").strip()
    if not shipping_address:
        errors["shipping_address"] = "Enter the address to deliver to."
    elif len(shipping_address) > 500:
        errors["shipping_address"] = "Use at most 500 characters."
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        errors["distributor"] = f"{distributor} is not a distributor."
    if not lines:
        errors["lines"] = "Add at least one product."
    elif len(lines) > MAX_LINES:
        errors["lines"] = f"A standing order has at most {MAX_LINES} lines."
    else:
        seen = set()
        for product, quantity in lines:
            if product.pk in seen:
                errors["lines"] = f"{product.sku} is on two lines; put its whole quantity on one."
            elif not product.is_active:
                errors["lines"] = f"{product.sku} is no longer sold."
            elif isinstance(quantity, bool) or not 1 <= quantity <= MAX_LINE_QUANTITY:
                errors["lines"] = f"{product.sku}: order 1 to {MAX_LINE_QUANTITY} units."
            seen.add(product.pk)
    if errors:
        raise ValidationError(errors)
    return {
        "frequency": frequency,
        "interval_weeks": interval,
        "day_of_month": day_of_month,
        "next_run_date": next_run_date,
        "shipping_address": shipping_address,
        "distributor": distributor,
    }


def _write_lines(standing_order: StandingOrder, lines) -> None:
    standing_order.lines.all().delete()
    StandingOrderLine.objects.bulk_create(
        StandingOrderLine(standing_order=standing_order, product=product, quantity=quantity)
        for product, quantity in lines
    )


@transaction.atomic
def standing_order_create(
    *,
    buyer: User,
    distributor: Organization,
    shipping_address: str,
    frequency: str,
    next_run_date: datetime.date,
    lines: Sequence[tuple[Product, int]],
    interval_weeks: int | None = 1,
    day_of_month: int | None = None,
    name: str = "",
) -> StandingOrder:
    """Define a standing order: its lines (product, quantity), schedule and first run date.

    Raises ValidationError keyed by field; PermissionDenied for a seller's account.
    """
    _check_buyer(buyer)
    fields = _validated(
        frequency=frequency,
        interval_weeks=interval_weeks,
        day_of_month=day_of_month,
        next_run_date=next_run_date,
        lines=lines,
        shipping_address=shipping_address,
        distributor=distributor,
        today=timezone.localdate(),
    )
    standing_order = StandingOrder.objects.create(
        buyer=buyer,
        buyer_organization=buyer.organization if buyer.role == Role.RETAILER else None,
        name=(name or "").strip()[:80],
        **fields,
    )
    _write_lines(standing_order, lines)
    return standing_order


@transaction.atomic
def standing_order_update(
    *,
    standing_order: StandingOrder,
    shipping_address: str,
    frequency: str,
    next_run_date: datetime.date,
    lines: Sequence[tuple[Product, int]],
    distributor: Organization | None = None,
    interval_weeks: int | None = 1,
    day_of_month: int | None = None,
    name: str = "",
) -> StandingOrder:
    """Change an active or paused standing order: lines, schedule, address. Not an ended one."""
    standing_order = StandingOrder.objects.select_for_update().get(pk=standing_order.pk)
    if standing_order.status == StandingOrderStatus.ENDED:
        raise ValidationError({"status": "This standing order has ended; start a new one."})
    fields = _validated(
        frequency=frequency,
        interval_weeks=interval_weeks,
        day_of_month=day_of_month,
        next_run_date=next_run_date,
        lines=lines,
        shipping_address=shipping_address,
        distributor=distributor or standing_order.distributor,
        today=timezone.localdate(),
    )
    if standing_order.runs.filter(run_date=fields["next_run_date"]).exists():
        raise ValidationError({"next_run_date": "That date has already run; choose another."})
    for field, value in fields.items():
        setattr(standing_order, field, value)
    standing_order.name = (name or "").strip()[:80]
    standing_order.save()
    _write_lines(standing_order, lines)
    return standing_order


def _locked(standing_order: StandingOrder) -> StandingOrder:
    return StandingOrder.objects.select_for_update().get(pk=standing_order.pk)


@transaction.atomic
def standing_order_pause(*, standing_order: StandingOrder) -> StandingOrder:
    """Stop running it until resumed; reminders stop too."""
    standing_order = _locked(standing_order)
    if standing_order.status != StandingOrderStatus.ACTIVE:
        raise ValidationError({"status": "Only an active standing order can be paused."})
    standing_order.status = StandingOrderStatus.PAUSED
    standing_order.save(update_fields=["status", "updated_at"])
    return standing_order


@transaction.atomic
def standing_order_resume(*, standing_order: StandingOrder) -> StandingOrder:
    """Run it again; a next run date that passed while paused moves to the next one to come."""
    standing_order = _locked(standing_order)
    if standing_order.status != StandingOrderStatus.PAUSED:
        raise ValidationError({"status": "Only a paused standing order can be resumed."})
    today = timezone.localdate()
    if standing_order.next_run_date < today:
        standing_order.next_run_date = first_date_after(
            standing_order, today - datetime.timedelta(days=1)
        )
    standing_order.status = StandingOrderStatus.ACTIVE
    standing_order.save(update_fields=["status", "next_run_date", "updated_at"])
    return standing_order


@transaction.atomic
def standing_order_end(*, standing_order: StandingOrder) -> StandingOrder:
    """End it for good: nothing more runs. Its past runs stay."""
    standing_order = _locked(standing_order)
    if standing_order.status == StandingOrderStatus.ENDED:
        raise ValidationError({"status": "This standing order has already ended."})
    standing_order.status = StandingOrderStatus.ENDED
    standing_order.save(update_fields=["status", "updated_at"])
    return standing_order


def standing_order_skip_next(*, standing_order: StandingOrder) -> StandingOrderRun:
    """Skip the next run: a `skipped` run for its date, and the date moves on.

    The skipped run holds the (standing order, date) slot, so a beat running
    at the same moment cannot place that run too.
    """
    try:
        with transaction.atomic():
            standing_order = _locked(standing_order)
            if standing_order.status != StandingOrderStatus.ACTIVE:
                raise ValidationError(
                    {"status": "Only an active standing order's run can be skipped."}
                )
            run = StandingOrderRun.objects.create(
                standing_order=standing_order,
                run_date=standing_order.next_run_date,
                outcome=RunOutcome.SKIPPED,
                message="Skipped by the buyer.",
            )
            standing_order.next_run_date = date_after(standing_order, run.run_date)
            standing_order.save(update_fields=["next_run_date", "updated_at"])
            return run
    except IntegrityError:
        raise ValidationError({"status": "That run has already been placed or skipped."}) from None
