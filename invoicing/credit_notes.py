"""Credit notes: what goes back to the buyer on an invoice, as a GST document of its own.

`credit_note_issue` is the one way a credit note is made: a received return
(returns app, kind "return", reference "rma:<id>"), a price correction or a
full cancellation typed by the distributor (pages, API).

Rules:
- The invoice row is locked first, so two credit notes on one invoice queue
  and each sees what the other credited: never more than was invoiced, per
  line in units and in value.
- Each credited line carries its invoice line's rate and the invoice's split
  (CGST + SGST or IGST, by its seller state and place of supply), rounded
  half-up per line (auromart.tax). The part of a line that remains after
  earlier credits is what a credit is cut from: n of the m units still on a
  line are worth n/m of its remaining taxable value; the last units (or the
  whole remaining value) take the remainder exactly, tax included, so the
  credit notes of a fully credited invoice add up to it to the paisa.
- The number is CN-YYYY-NNNNNN, gap-free per seller key (the invoice's) and
  financial year of the credit note's date (auromart.numbering).
- The invoice's `amount_credited` and status follow (invoicing.receipts._settle);
  a fully credited invoice stops being its shipment's current invoice, so the
  shipment can be invoiced again (invoicing.reissue).
- The buyer's e-mail, the PDF attached, is queued in the outbox inside the
  transaction (sent after commit; nothing if it rolls back).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from auromart.formatting import money_display
from auromart.numbering import counter_next
from auromart.tax import CENT, ZERO, LineTax, is_intra_state, tax_on, tax_totals

from .models import (
    CreditNote,
    CreditNoteKind,
    CreditNoteLine,
    CreditNoteSequence,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
)
from .numbering import financial_year
from .signals import credit_note_issued

PREFIX = "CN"
WIDTH = 6
REASON_MAX_LENGTH = CreditNote._meta.get_field("reason").max_length
REFERENCE_MAX_LENGTH = CreditNote._meta.get_field("reference").max_length


@dataclass
class LineRemaining:
    """What of an invoice line is not credited yet."""

    line: InvoiceLine
    quantity: int
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst

    def whole(self) -> LineTax:
        return LineTax(
            taxable=self.taxable,
            rate=self.line.tax_rate,
            cgst=self.cgst,
            sgst=self.sgst,
            igst=self.igst,
        )


def credit_note_number_next(*, seller_key: str, day: datetime.date) -> tuple[str, int]:
    """(number, financial year) of the seller's next credit note dated `day`.

    Inside the credit note's transaction: the counter row stays locked until
    it ends (auromart.numbering.counter_next), so numbers are consecutive and
    a rolled back credit note gives its number back.
    """
    year = financial_year(day)
    serial = counter_next(CreditNoteSequence, seller_key=seller_key, financial_year=year)
    return f"{PREFIX}-{year}-{serial:0{WIDTH}d}", year


def lines_remaining(invoice: Invoice) -> dict[int, LineRemaining]:
    """Per invoice line id, what is left to credit (two queries)."""
    credited = {
        row["invoice_line_id"]: row
        for row in CreditNoteLine.objects.filter(credit_note__invoice=invoice)
        .values("invoice_line_id")
        .annotate(
            quantity=Sum("quantity"),
            taxable=Sum("line_total"),
            cgst=Sum("cgst"),
            sgst=Sum("sgst"),
            igst=Sum("igst"),
        )
    }
    remaining = {}
    for line in invoice.lines.all():
        done = credited.get(line.pk, {})
        remaining[line.pk] = LineRemaining(
            line=line,
            quantity=line.quantity - (done.get("quantity") or 0),
            taxable=line.line_total - (done.get("taxable") or ZERO),
            cgst=line.cgst - (done.get("cgst") or ZERO),
            sgst=line.sgst - (done.get("sgst") or ZERO),
            igst=line.igst - (done.get("igst") or ZERO),
        )
    return remaining


def _units(left: LineRemaining, quantity: int, intra_state: bool) -> LineTax:
    """`quantity` of the units still on the line, at their share of its remaining value."""
    if quantity == left.quantity:
        return left.whole()
    taxable = (left.taxable * quantity / left.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    return tax_on(taxable=taxable, rate=left.line.tax_rate, intra_state=intra_state)


def _value(left: LineRemaining, amount: Decimal, intra_state: bool) -> LineTax:
    if amount == left.taxable:
        return left.whole()
    return tax_on(taxable=amount, rate=left.line.tax_rate, intra_state=intra_state)


def _whole_number(value, field: str) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise ValidationError({field: "Enter a whole number of units."}) from None
    return number


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Enter the amount as a number, e.g. 250.50."}) from None
    if not amount.is_finite():
        raise ValidationError({field: "Enter the amount as a number, e.g. 250.50."})
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _credited_lines(
    *, kind: str, remaining: dict[int, LineRemaining], lines, amounts, intra_state: bool
) -> list[tuple[LineRemaining, int, LineTax]]:
    """(what was left, units credited, the credit's tax) per line; ValidationError naming
    the field ("lines" / "amounts", or "line_<id>") when it asks for too much."""
    chosen: list[tuple[LineRemaining, int, LineTax]] = []
    if kind == CreditNoteKind.CANCELLATION:
        if lines or amounts:
            raise ValidationError({"kind": "A cancellation credits the whole invoice; no lines."})
        for left in remaining.values():
            if left.taxable > 0 or left.tax > 0 or left.quantity > 0:
                chosen.append((left, max(left.quantity, 0), left.whole()))
        return chosen
    if kind == CreditNoteKind.RETURN:
        if amounts or not lines:
            raise ValidationError({"lines": "Name the returned units: {invoice line id: units}."})
        for line_id, value in lines.items():
            left = remaining.get(int(line_id))
            if left is None:
                raise ValidationError({"lines": f"Line {line_id} is not on this invoice."})
            quantity = _whole_number(value, f"line_{line_id}")
            if quantity <= 0:
                if quantity == 0:
                    continue
                raise ValidationError({f"line_{line_id}": "Units cannot be negative."})
            if quantity > left.quantity:
                raise ValidationError(
                    {
                        f"line_{line_id}": f"Only {max(left.quantity, 0)} unit(s) of "
                        f"{left.line.description} are left to credit; {quantity} is more."
                    }
                )
            chosen.append((left, quantity, _units(left, quantity, intra_state)))
        return chosen
    if kind == CreditNoteKind.PRICE:
        if lines or not amounts:
            raise ValidationError(
                {"amounts": "Name the value to credit: {invoice line id: taxable amount}."}
            )
        for line_id, value in amounts.items():
            left = remaining.get(int(line_id))
            if left is None:
                raise ValidationError({"amounts": f"Line {line_id} is not on this invoice."})
            amount = _amount(value, f"line_{line_id}")
            if amount <= 0:
                if amount == 0:
                    continue
                raise ValidationError({f"line_{line_id}": "The amount cannot be negative."})
            if amount > left.taxable:
                raise ValidationError(
                    {
                        f"line_{line_id}": f"{money_display(left.taxable)} of "
                        f"{left.line.description} is left to credit; "
                        f"{money_display(amount)} is more."
                    }
                )
            chosen.append((left, 0, _value(left, amount, intra_state)))
        return chosen
    raise ValidationError({"kind": f"Choose one of: {', '.join(CreditNoteKind.values)}."})


@transaction.atomic
def credit_note_issue(
    *,
    invoice: Invoice,
    by: User | None,
    kind: str,
    lines: dict[int, int] | None = None,
    amounts: dict[int, Decimal] | None = None,
    reason: str = "",
    reference: str = "",
    today: datetime.date | None = None,
) -> CreditNote:
    """Issue a credit note against `invoice`; returns it (see the module docstring).

    kind "return": `lines` {invoice_line_id: units}; "price": `amounts`
    {invoice_line_id: taxable value to credit}; "cancellation": everything
    not credited yet. ValidationError (naming the field) for more than is
    left, nothing to credit, or a void invoice. Runs inside the caller's
    transaction (a savepoint).
    """
    reason = (reason or "").strip()
    reference = (reference or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"At most {REASON_MAX_LENGTH} characters, please."})
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError({"reference": f"At most {REFERENCE_MAX_LENGTH} characters."})
    if kind not in CreditNoteKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(CreditNoteKind.values)}."})
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status == InvoiceStatus.VOID:
        raise ValidationError({"invoice": f"Invoice {locked.number} is void; nothing to credit."})
    intra_state = is_intra_state(seller_state=locked.seller_state, place=locked.place_of_supply)
    chosen = _credited_lines(
        kind=kind,
        remaining=lines_remaining(locked),
        lines=lines,
        amounts=amounts,
        intra_state=intra_state,
    )
    totals = tax_totals(tax for _, _, tax in chosen)
    if not chosen or totals.total <= 0:
        raise ValidationError({"kind": f"Nothing is left to credit on {locked.number}."})
    today = today or timezone.localdate()
    if today < locked.issue_date:
        raise ValidationError({"issue_date": "A credit note cannot predate its invoice."})
    number, year = credit_note_number_next(seller_key=locked.seller_key, day=today)
    note = CreditNote.objects.create(
        number=number,
        seller_key=locked.seller_key,
        financial_year=year,
        invoice=locked,
        kind=kind,
        issue_date=today,
        reason=reason,
        reference=reference,
        subtotal=totals.subtotal,
        tax=totals.tax,
        cgst=totals.cgst,
        sgst=totals.sgst,
        igst=totals.igst,
        total=totals.total,
        created_by=by,
    )
    CreditNoteLine.objects.bulk_create(
        [
            CreditNoteLine(
                credit_note=note,
                invoice_line=left.line,
                position=position,
                sku=left.line.sku,
                description=left.line.description,
                hsn_code=left.line.hsn_code,
                quantity=quantity,
                unit_price=left.line.unit_price,
                line_total=tax.taxable,
                tax_rate=left.line.tax_rate,
                cgst=tax.cgst,
                sgst=tax.sgst,
                igst=tax.igst,
            )
            for position, (left, quantity, tax) in enumerate(chosen, 1)
        ]
    )
    _apply_to_invoice(locked, note)
    credit_note_issued.send(
        sender=CreditNote,
        credit_note_id=note.pk,
        invoice_id=locked.pk,
        kind=kind,
        reference=reference,
        total=str(note.total),
    )
    from notifications.credit_note_notices import credit_note_messages_queue

    credit_note_messages_queue(credit_note_id=note.pk)
    from .credit_note_pdf import credit_note_pdf_schedule

    credit_note_pdf_schedule(credit_note_id=note.pk)
    invoice.amount_credited, invoice.status = locked.amount_credited, locked.status
    invoice.current_for_shipment_id = locked.current_for_shipment_id
    return note


def _apply_to_invoice(locked: Invoice, note: CreditNote) -> None:
    """Add the credit to the invoice (its row locked); status and current-ness follow."""
    from .receipts import _settle

    locked.amount_credited += note.total
    fields = ["amount_credited"]
    if locked.fully_credited and locked.current_for_shipment_id is not None:
        # Fully credited: no longer the shipment's invoice; it may be invoiced again.
        locked.current_for_shipment = None
        fields.append("current_for_shipment")
    locked.save(update_fields=[*fields, "updated_at"])
    _settle(locked, by=None, reference="")
