"""Invoice numbers: INV-YYYY-NNNNNN, gap-free per seller and financial year.

A GST invoice series belongs to the seller's registration (its GSTIN); a
seller without one gets its own series too ("org:<id>"). The financial year
runs April to March and YYYY is the year it starts: 31 March 2027 is in
INV-2026-…, 1 April 2027 starts INV-2027-000001.
"""

import datetime

from django.db import connection
from django.db.models import F

from accounts.models import Organization

from .models import InvoiceSequence

PREFIX = "INV"
WIDTH = 6


def financial_year(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def seller_key(seller: Organization) -> str:
    return seller.gstin or f"org:{seller.pk}"


def invoice_number_next(*, seller: Organization, day: datetime.date) -> tuple[str, str, int]:
    """(number, seller key, financial year) of the seller's next invoice issued on `day`.

    Call it inside the invoice's transaction: the counter row is upserted
    (which takes its exclusive lock at once, as auromart.numbering does),
    then locked with SELECT ... FOR UPDATE and incremented, so concurrent
    invoices of one seller take numbers one after the other, and a rolled
    back invoice gives its number back.
    """
    key, year = seller_key(seller), financial_year(day)
    target = (
        ["seller_key", "financial_year"]
        if connection.features.supports_update_conflicts_with_target
        else None
    )
    InvoiceSequence.objects.bulk_create(
        [InvoiceSequence(seller_key=key, financial_year=year)],
        update_conflicts=True,
        unique_fields=target,
        update_fields=["seller_key"],  # a no-op update: only the lock is wanted
    )
    sequence = InvoiceSequence.objects.select_for_update().get(seller_key=key, financial_year=year)
    InvoiceSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    return f"{PREFIX}-{year}-{sequence.last + 1:0{WIDTH}d}", key, year
