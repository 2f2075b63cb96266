"""Credit notes in the sales reports (issue 24 §5): what went back comes off what was sold.

A credit note counts in the range its date falls in (its `issue_date`, a
local date), not in the month of the order it corrects: the month it was
issued reports it, as a GST return does. Its lines' taxable values come off
revenue and their units (a return, a cancellation; 0 for a price
correction) off units, grouped like the sales (product, category,
distributor, region, day); its CGST, SGST and IGST come off the monthly
report's tax by type. Scope and filters are the sales': a distributor its own
invoices' credit notes, a retailer those it received, a manufacturer those of
its products' lines.
"""

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from accounts.models import Organization
from invoicing.models import CreditNote, CreditNoteLine

from .base import ReportFilters, ReportScope, money

ZERO = Decimal("0.00")

# The sales groupings (reporting.selectors.sales._GROUPS) as seen from a credit note line.
KEYS = {
    "product": (
        "invoice_line__product_id",
        "invoice_line__product__sku",
        "invoice_line__product__name",
    ),
    "category": (
        "invoice_line__product__category_id",
        "invoice_line__product__category__slug",
        "invoice_line__product__category__name",
    ),
    "distributor": (
        "credit_note__invoice__distributor_id",
        "credit_note__invoice__distributor__name",
    ),
    "region": ("credit_note__invoice__distributor__region",),
    "day": ("credit_note__issue_date",),
}
# The same groups' key in the sales rows (their `key` column).
SALES_KEY = {
    "product": "invoice_line__product__sku",
    "category": "invoice_line__product__category__slug",
    "distributor": "credit_note__invoice__distributor_id",
    "region": "credit_note__invoice__distributor__region",
    "day": "credit_note__issue_date",
}


def credited_lines(
    scope: ReportScope, filters: ReportFilters, category_ids
) -> QuerySet[CreditNoteLine]:
    """The credit note lines dated in the range that the scope and filters see."""
    lines = CreditNoteLine.objects.filter(
        credit_note__issue_date__gte=filters.start, credit_note__issue_date__lte=filters.end
    )
    org = scope.organization
    if scope.kind == Organization.Kind.MANUFACTURER:
        lines = lines.filter(invoice_line__product__manufacturer=org)
    elif scope.kind == Organization.Kind.DISTRIBUTOR:
        lines = lines.filter(credit_note__invoice__distributor=org)
    elif scope.kind == Organization.Kind.RETAILER:
        lines = lines.filter(credit_note__invoice__buyer_organization=org)
    return lines.filter(
        filters.product_q("invoice_line__", category_ids)
        & filters.distributor_q("credit_note__invoice__")
    ).order_by()


def credits_by(lines: QuerySet[CreditNoteLine], group_by: str) -> dict:
    """{sales key: {"units", "revenue", "label", "values"}} of the credited lines per group."""
    values = KEYS[group_by]
    found = {}
    for row in lines.values(*values).annotate(units=Sum("quantity"), revenue=Sum("line_total")):
        key = row[SALES_KEY[group_by]]
        if group_by == "distributor":
            key = str(key)
        found[key] = {
            "units": row["units"] or 0,
            "revenue": money(row["revenue"] or 0),
            "row": row,
        }
    return found


def credit_totals(lines: QuerySet[CreditNoteLine]) -> dict:
    """Units and taxable value credited (one query)."""
    row = lines.aggregate(units=Sum("quantity"), revenue=Sum("line_total"))
    return {"units": row["units"] or 0, "revenue": money(row["revenue"] or 0)}


def credit_note_totals(scope: ReportScope, filters: ReportFilters) -> dict:
    """Count, tax by type and total of the whole credit notes dated in the range (one query);
    for scopes that see whole documents (not a manufacturer)."""
    notes = CreditNote.objects.filter(issue_date__gte=filters.start, issue_date__lte=filters.end)
    org = scope.organization
    if scope.kind == Organization.Kind.DISTRIBUTOR:
        notes = notes.filter(invoice__distributor=org)
    elif scope.kind == Organization.Kind.RETAILER:
        notes = notes.filter(invoice__buyer_organization=org)
    notes = notes.filter(filters.distributor_q("invoice__")).order_by()
    row = notes.aggregate(
        count=Count("pk"),
        tax=Sum("tax"),
        cgst=Sum("cgst"),
        sgst=Sum("sgst"),
        igst=Sum("igst"),
        total=Sum("total"),
    )
    return {"count": row["count"] or 0} | {
        key: money(row[key] or 0) for key in ("tax", "cgst", "sgst", "igst", "total")
    }
