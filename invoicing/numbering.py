"""Invoice numbers: INV-YYYY-NNNNNN, gap-free per seller and financial year.

A GST invoice series belongs to the seller's registration (its GSTIN); a
seller without one gets its own series too ("org:<id>"). The financial year
runs April to March and YYYY is the year it starts: 31 March 2027 is in
INV-2026-…, 1 April 2027 starts INV-2027-000001.
"""

import datetime

from accounts.models import Organization
from auromart.numbering import counter_next

from .models import InvoiceSequence

PREFIX = "INV"
WIDTH = 6


def financial_year(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def seller_key(seller: Organization) -> str:
    return seller.gstin or f"org:{seller.pk}"


def invoice_number_next(
    *, seller: Organization, day: datetime.date, gstin: str = ""
) -> tuple[str, str, int]:
    """(number, seller key, financial year) of the seller's next invoice issued on `day`.

    `gstin`: the registration the invoice is issued under when it is not the
    seller's own (a warehouse registered in another state has its own series).

    Call it inside the invoice's transaction: the seller's counter for the
    year (auromart.numbering.counter_next) stays locked until it ends, so
    concurrent invoices of one seller take numbers one after the other, and a
    rolled back invoice gives its number back.
    """
    key, year = gstin or seller_key(seller), financial_year(day)
    serial = counter_next(InvoiceSequence, seller_key=key, financial_year=year)
    return f"{PREFIX}-{year}-{serial:0{WIDTH}d}", key, year
