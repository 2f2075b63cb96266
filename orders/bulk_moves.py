"""Moving many of a distributor's orders at once (accept, start processing) from its list.

One transaction for the batch, in a fixed number of queries whatever its
size: the orders are locked in one query (pk order), each is checked by the
state machine's rules (orders.transitions.move_refusal, as one move is), and
those that may move are written together (orders.transitions.record_changes:
one UPDATE, one INSERT of history rows, one `orders_status_changed` whose
receivers queue the buyers' messages in one pass). An order that cannot move
(the buyer cancelled it since the page was drawn, someone else accepted it)
is reported and the others still move.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User

from .models import Order, OrderStatus
from .transitions import distributor_move_check, move_refusal, record_changes

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
    distributor's orders is reported as not found, never moved.
    One transaction for the batch; an order that cannot move is reported.
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
    distributor_move_check(to_status=to_status, note="", tracking_reference="")
    done = BULK_MOVES[to_status]
    results = []
    with transaction.atomic():
        orders = {
            order.number: order
            for order in Order.objects.select_for_update()
            .filter(distributor_id=by.organization_id, number__in=numbers)
            .order_by("pk")
        }
        movable = []
        for number in numbers:
            order = orders.get(number)
            if order is None:
                results.append(BulkResult(number, False, f"Order {number} is not one of yours."))
            elif order.status == to_status:  # someone did it first: say so plainly
                results.append(BulkResult(number, False, f"Order {number} was already {done}."))
            elif (refusal := move_refusal(order, to_status)) is not None:
                results.append(BulkResult(number, False, str(refusal)))
            else:
                movable.append(order)
                results.append(BulkResult(number, True, f"Order {number} {done}."))
        record_changes(movable, to_status=to_status, by=by)
    return results
