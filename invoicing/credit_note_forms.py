"""Forms of the credit note, refund and reissue pages; the services check the amounts again."""

from decimal import Decimal

from django import forms

from auromart.formatting import money_display

from .credit_notes import REASON_MAX_LENGTH, LineRemaining
from .models import CreditNoteKind, RefundMethod
from .receipts import MAX_PAYMENT, REFERENCE_MAX_LENGTH

# The distributor's own credit notes: returns come from a received RMA (the returns app).
FORM_KINDS = [
    (CreditNoteKind.PRICE, "Price correction (value off some lines)"),
    (CreditNoteKind.CANCELLATION, "Cancel the whole invoice (credit everything left)"),
]


class CreditNoteForm(forms.Form):
    """A price correction (an amount per line, up to what is left on it) or a full cancellation.

    One amount field per invoice line (`line_<id>`), bounded by the line's
    taxable value not credited yet.
    """

    kind = forms.ChoiceField(label="What to credit", choices=FORM_KINDS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_LENGTH,
        help_text="Printed on the credit note and told to the buyer.",
    )

    def __init__(self, *args, remaining: dict[int, LineRemaining], **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line_id, left in remaining.items():
            name = f"line_{line_id}"
            self.fields[name] = forms.DecimalField(
                label=f"{left.line.description} ({left.line.sku})",
                required=False,
                max_digits=14,
                decimal_places=2,
                min_value=Decimal("0.00"),
                max_value=max(left.taxable, Decimal("0.00")),
                help_text=f"Taxable value to credit; up to {money_display(max(left.taxable, 0))}.",
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
            self.line_fields.append(name)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == CreditNoteKind.PRICE:
            amounts = self.amounts()
            if not amounts and not any(self.errors.get(n) for n in self.line_fields):
                self.add_error(None, "Enter the value to credit on at least one line.")
        return cleaned

    def amounts(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix("line_")): self.cleaned_data[name]
            for name in self.line_fields
            if self.cleaned_data.get(name)
        }


def _amount_field(limit: Decimal) -> forms.DecimalField:
    return forms.DecimalField(
        label="Amount (₹)",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=min(limit, MAX_PAYMENT),
        help_text=f"Up to {money_display(limit)}.",
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class RefundForm(forms.Form):
    """A refund of what the buyer is owed: the amount is bounded by what is refundable."""

    amount = _amount_field(MAX_PAYMENT)
    method = forms.ChoiceField(label="How", choices=RefundMethod.choices)
    refunded_on = forms.DateField(
        label="Refunded on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Not for an online refund (today).",
    )
    reference = forms.CharField(
        label="Reference",
        max_length=REFERENCE_MAX_LENGTH,
        required=False,
        help_text="The UTR, cheque number or UPI reference (not for an online refund).",
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, refundable: Decimal, online: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = _amount_field(refundable)
        if not online:
            self.fields["method"].choices = [
                c for c in RefundMethod.choices if c[0] != RefundMethod.GATEWAY
            ]
