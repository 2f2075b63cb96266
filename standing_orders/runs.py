"""Running standing orders: each due run through order_place, and the reminders before them.

A run is one StandingOrderRun row per (standing order, run date) under a
unique constraint, inserted first in the transaction that places the order.
Two runs at once both insert; the second waits for the first to commit
(MariaDB holds the key's lock; SQLite takes one writer at a time), then fails
on the key, its savepoint rolls back and it places nothing.

Lines out of stock follow the buyer's backorder setting (#12,
`User.buyer_backorder_policy`): "backorder" places every line and order_place
backorders what is short; "ship complete" leaves a short line out of the run
(listed as refused in the confirmation) and places the rest complete.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import BackorderPolicy
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem
from orders.demand import demand_refused_record
from orders.services import order_place

from . import notices
from .models import RunOutcome, StandingOrder, StandingOrderRun, StandingOrderStatus
from .services import first_date_after

logger = logging.getLogger(__name__)


def _plan(standing_order: StandingOrder, *, backorder: bool):
    """(items to place as (product id, quantity), refused lines as dicts, the (product id,
    quantity) of the lines refused for short stock: demand to record) for this run."""
    lines = list(standing_order.lines.select_related("product"))
    available = dict(
        StockItem.objects.with_levels()
        .filter(
            distributor_id=standing_order.distributor_id,
            product_id__in=[line.product_id for line in lines],
        )
        .values_list("product_id", "available_qty")
    )
    items, refused, short = [], [], []
    for line in lines:
        product = line.product
        reason = ""
        if not product.is_active:
            reason = "no longer sold"
        elif not backorder and available.get(product.pk, 0) < line.quantity:
            reason = f"only {max(available.get(product.pk, 0), 0)} available (you ship complete)"
            short.append((product.pk, line.quantity))
        if reason:
            refused.append(
                {
                    "sku": product.sku,
                    "name": product.name,
                    "quantity": line.quantity,
                    "reason": reason,
                }
            )
        else:
            items.append((product.pk, line.quantity))
    return items, refused, short


def _backorders(buyer) -> bool:
    """Whether the buyer's setting backorders short lines (else ship complete)."""
    return buyer.buyer_backorder_policy == BackorderPolicy.BACKORDER


def standing_order_run(
    *, standing_order_id: int, today: datetime.date | None = None
) -> StandingOrderRun | None:
    """Place the due run of one standing order; None when none is due or it already ran.

    Records the run (placed, or failed with the reason), moves the next run
    date on by the frequency past `today`, and queues the confirmation
    e-mail, all in one transaction with the order.
    """
    today = today or timezone.localdate()
    standing_order = StandingOrder.objects.select_related("buyer__organization", "distributor").get(
        pk=standing_order_id
    )
    if standing_order.status != StandingOrderStatus.ACTIVE or standing_order.next_run_date > today:
        return None
    run_date = standing_order.next_run_date
    buyer = standing_order.buyer
    backorder = _backorders(buyer)
    with transaction.atomic():
        # The standing order's row lock first (as the skip does): on MariaDB the
        # run row's foreign key check would otherwise share-lock it, and the
        # winner's update of the next date would deadlock with the loser's wait.
        # The run date stays the one read above; the unique key decides.
        status = (
            StandingOrder.objects.select_for_update()
            .filter(pk=standing_order.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status != StandingOrderStatus.ACTIVE:
            return None
        try:
            with transaction.atomic():
                run = StandingOrderRun.objects.create(
                    standing_order=standing_order, run_date=run_date, outcome=RunOutcome.FAILED
                )
        except IntegrityError:
            # Another run of this date got there first. Should the date still be
            # current (set back onto a date that ran), move it on, or it would stick.
            StandingOrder.objects.filter(pk=standing_order.pk, next_run_date=run_date).update(
                next_run_date=first_date_after(standing_order, today), updated_at=timezone.now()
            )
            return None
        items, refused, short = _plan(standing_order, backorder=backorder)
        run.refused = refused
        if short:
            # Asked for and turned away: demand all the same (orders.demand).
            demand_refused_record(
                customer=buyer, distributor=standing_order.distributor, lines=short
            )
        if not items:
            run.message = "Nothing could be placed: every line was left out."
        else:
            try:
                # order_place writes in its own savepoint: a refusal leaves the run row.
                order = order_place(
                    customer=buyer,
                    items=items,
                    distributor=standing_order.distributor,
                    shipping_address=standing_order.shipping_address,
                    backorder=backorder,
                )
            except InsufficientStock as exc:
                run.message = f"Nothing placed: {exc}"
            except (ValidationError, PermissionDenied) as exc:
                messages = getattr(exc, "messages", None) or [str(exc)]
                run.message = "Nothing placed: " + " ".join(messages)
            else:
                run.order = order
                run.outcome = RunOutcome.PLACED
                run.lines_placed = len(items)
                run.units_backordered = sum(i.quantity_backordered for i in order.items.all())
        run.save()
        following = first_date_after(standing_order, today)
        StandingOrder.objects.filter(pk=standing_order.pk, next_run_date=run_date).update(
            next_run_date=following, updated_at=timezone.now()
        )
        standing_order.next_run_date = following
        notices.run_confirmation_queue(run=run)
    return run


def standing_orders_due(*, today: datetime.date) -> list[int]:
    return list(
        StandingOrder.objects.filter(
            status=StandingOrderStatus.ACTIVE, next_run_date__lte=today
        ).values_list("pk", flat=True)
    )


def standing_orders_run_due(*, today: datetime.date | None = None) -> int:
    """Place every run due on or before `today`; returns the runs this call recorded."""
    today = today or timezone.localdate()
    done = 0
    for pk in standing_orders_due(today=today):
        try:
            done += standing_order_run(standing_order_id=pk, today=today) is not None
        except Exception:
            # One standing order's failure must not stop the others; the next beat tries again.
            logger.exception("Standing order %s could not run", pk)
    return done


def standing_order_reminders_send(
    *, today: datetime.date | None = None, days: int | None = None
) -> int:
    """Remind buyers of runs within `days` (STANDING_ORDER_REMINDER_DAYS); once per run date."""
    from django.conf import settings

    today = today or timezone.localdate()
    days = settings.STANDING_ORDER_REMINDER_DAYS if days is None else days
    candidates = (
        StandingOrder.objects.filter(
            status=StandingOrderStatus.ACTIVE,
            next_run_date__gt=today,
            next_run_date__lte=today + datetime.timedelta(days=days),
        )
        .exclude(reminded_for=F("next_run_date"))
        .values_list("pk", "next_run_date")
    )
    sent = 0
    for pk, run_date in list(candidates):
        with transaction.atomic():
            # The conditional update is the "once": a second sender updates nothing.
            claimed = (
                StandingOrder.objects.filter(
                    pk=pk, status=StandingOrderStatus.ACTIVE, next_run_date=run_date
                )
                .exclude(reminded_for=run_date)
                .update(reminded_for=run_date)
            )
            if claimed:
                notices.reminder_queue(standing_order_id=pk, run_date=run_date)
                sent += 1
    return sent
