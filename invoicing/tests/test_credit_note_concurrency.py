"""Twenty credit notes issued at the same moment, for each of two sellers: each seller's
get twenty consecutive numbers, no gap, no duplicate (issue 24 acceptance, "Numbering").

Real threads, each with its own connection. On MariaDB the seller's counter row
(auromart.numbering.counter_next, upserted so first users do not deadlock) hands the
numbers out one after the other; on SQLite IMMEDIATE transactions queue the writers.
"""

import pytest
from django.db import connection

from inventory.tests.factories import DistributorFactory
from invoicing.credit_notes import credit_note_issue
from invoicing.models import CreditNote, Invoice
from orders.tests.factories import place_order, stocked_product
from orders.tests.test_concurrency import run_concurrently

from .factories import deliver
from .test_gst_invoice import gstin

pytestmark = pytest.mark.django_db(transaction=True)

PER_SELLER = 20


def issue(invoice_id):
    def job():
        invoice = Invoice.objects.get(pk=invoice_id)
        return credit_note_issue(invoice=invoice, by=None, kind="cancellation").number

    return job


def test_twenty_concurrent_credit_notes_per_seller_get_consecutive_numbers():
    sellers = [
        DistributorFactory(state="27", gstin=gstin("27", "A")),
        DistributorFactory(state="29", gstin=gstin("29", "B")),
    ]
    invoices = []
    for seller in sellers:
        product = stocked_product(distributor=seller, on_hand=100)
        for _ in range(PER_SELLER):
            order = place_order(distributor=seller, lines=[(product, 1)], fulfillment_type="pickup")
            invoices.append(deliver(order).invoices.get())
    # Interleave the sellers so their transactions really overlap.
    pairs = zip(invoices[:PER_SELLER], invoices[PER_SELLER:], strict=True)
    jobs = [issue(invoice.pk) for pair in pairs for invoice in pair]

    results = run_concurrently(jobs)

    assert all(isinstance(r, str) for r in results), results
    year = invoices[0].financial_year
    expected = [f"CN-{year}-{n:06d}" for n in range(1, PER_SELLER + 1)]
    for seller in sellers:
        numbers = sorted(
            CreditNote.objects.filter(seller_key=seller.gstin).values_list("number", flat=True)
        )
        assert numbers == expected, (connection.vendor, numbers)
    assert CreditNote.objects.count() == 2 * PER_SELLER
    assert not Invoice.objects.filter(current_for_shipment__isnull=False).exists()
