"""Moving many of a distributor's orders at once (accept, start processing) from its list.

Each order moves through orders.services.order_move_by_distributor in its own
transaction, so an order that cannot move (the buyer cancelled it since the
page was drawn, someone else accepted it) is reported and the others still
move. The orders are read in one query; after that each order costs the same
fixed number of queries (its lock, its history row, the buyer's message),
whatever the batch size or the number of lines.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User

from .exceptions import IllegalTransition
from .models import Order, OrderStatus
from .services import order_move_by_distributor

# The moves that need nothing typed per order (no reason, no tracking reference).
BULK_MOVES = {
    OrderStatus.ACCEPTED: "accepted",
    OrderStatus.PROCESSING: "moved to processing",
}
BULK_MAX_ORDERS = 100


@dataclass(frozen=True)
class BulkResult:
    number: str
    moved: bool
    message: str


def orders_move_in_bulk(*, numbers: list[str], to_status: str, by: User) -> list[BulkResult]:
    """Move each of the distributor's orders named by `numbers` to `to_status`; one result each.

    `to_status` is one of BULK_MOVES and `numbers` holds 1 to BULK_MAX_ORDERS
    order numbers (ValidationError otherwise, before anything is read).
    Repeated numbers count once. A number that is not one of `by`'s
    distributor's orders is reported as not found, never moved. Not atomic
    as a whole, on purpose: one transaction per order.
    """
    if to_status not in BULK_MOVES:
        raise ValidationError({"status": f"Choose one of: {', '.join(BULK_MOVES)}."})
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not numbers:
        raise ValidationError({"order": "Tick at least one order."})
    if len(numbers) > BULK_MAX_ORDERS:
        raise ValidationError({"order": f"Move at most {BULK_MAX_ORDERS} orders at once."})
    if by.organization_id is None:
        raise PermissionDenied("Only a distributor's member can move its orders.")
    orders = {
        order.number: order
        for order in Order.objects.filter(distributor_id=by.organization_id, number__in=numbers)
    }
    done = BULK_MOVES[to_status]
    results = []
    for number in numbers:
        order = orders.get(number)
        if order is None:
            results.append(BulkResult(number, False, f"Order {number} is not one of yours."))
            continue
        try:
            with transaction.atomic():
                order_move_by_distributor(order=order, to_status=to_status, by=by)
        except IllegalTransition as exc:
            if exc.order.status == to_status:  # someone did it first: say so plainly
                results.append(BulkResult(number, False, f"Order {number} was already {done}."))
            else:
                results.append(BulkResult(number, False, str(exc)))
        except PermissionDenied as exc:
            results.append(BulkResult(number, False, str(exc)))
        except ValidationError as exc:
            results.append(BulkResult(number, False, " ".join(exc.messages)))
        else:
            results.append(BulkResult(number, True, f"Order {number} {done}."))
    return results
