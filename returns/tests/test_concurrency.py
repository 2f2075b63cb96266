"""Two people act on the same return, or two requests claim the same units, at the same
moment: the row locks make one win. Real threads, each with its own connection, on
committed data (SQLite serializes the writers; MariaDB queues them on the row lock)."""

import pytest
from django.core.exceptions import ValidationError

from inventory.models import StockMovement
from invoicing.models import CreditNote
from orders.models import DemandLine
from orders.tests.test_concurrency import run_concurrently
from returns.models import ReturnRequest, ReturnStatus
from returns.services import RequestedLine, return_receive, return_request_create

from .factories import approved, delivered

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_receipts_of_one_return_at_once_book_the_units_once():
    order = delivered(quantity=5, on_hand=20)
    rma = approved(order, quantity=3)
    line_id = rma.lines.get().pk

    def receive():
        fresh = ReturnRequest.objects.get(pk=rma.pk)  # both read it approved
        return return_receive(return_request=fresh, by=None, received={line_id: (2, 1)})

    results = run_concurrently([receive, receive])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [r.status for r in results] == [ReturnStatus.RECEIVED] * 2
    kinds = sorted(
        StockMovement.objects.filter(reference=f"rma:{rma.pk}").values_list("kind", flat=True)
    )
    assert kinds == ["customer_return", "damaged_return", "scrap"]
    assert DemandLine.objects.get(order_item__order=order).returned == 3
    assert CreditNote.objects.filter(reference=f"rma:{rma.pk}").count() == 1
    assert rma.status_changes.filter(to_status="received").count() == 1


def test_two_requests_for_the_same_units_at_once_make_one_return():
    order = delivered(quantity=4)
    item = order.items.get()

    def ask():
        return return_request_create(
            order=order, by=order.customer, lines=[RequestedLine(item.pk, 3, "defective")]
        )

    results = run_concurrently([ask, ask])
    made = [r for r in results if isinstance(r, ReturnRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert "from 1 to 1" in refused[0].message_dict[f"quantity_{item.pk}"][0]
    assert ReturnRequest.objects.count() == 1
