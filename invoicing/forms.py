"""Invoice forms: the list's filters (GET), a payment, a bounced cheque, a statement period."""

import datetime
from decimal import Decimal

from django import forms

from .models import InvoiceStatus, PaymentMethod
from .receipts import MAX_PAYMENT, REASON_MAX_LENGTH, REFERENCE_MAX_LENGTH

# People record money they received; "online" payments come from the gateway only.
RECORDABLE_METHODS = [(m.value, m.label) for m in PaymentMethod if m != PaymentMethod.ONLINE]

SEARCH_MAX_LENGTH = 100


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Invoice, order or party",
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *InvoiceStatus.choices, ("overdue", "Overdue")],
    )
    issued_after = forms.DateField(
        label="Issued from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    issued_before = forms.DateField(
        label="Issued to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_q(self):
        return self.cleaned_data["q"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("issued_after"), cleaned.get("issued_before")
        if start and end and start > end:
            self.add_error("issued_before", "The range ends before it starts.")
        return cleaned

    def filters(self) -> dict:
        """The fields that are valid, as invoice_list's keyword arguments (call after is_valid)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status", ""),
            "issued_after": data.get("issued_after"),
            "issued_before": data.get("issued_before"),
            "search": data.get("q", ""),
        }


class PaymentForm(forms.Form):
    """Money received against an invoice; the service checks it against the balance due."""

    amount = forms.DecimalField(
        label="Amount (₹)",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_PAYMENT,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    method = forms.ChoiceField(label="Method", choices=RECORDABLE_METHODS)
    received_on = forms.DateField(
        label="Received on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(
        label="Reference",
        max_length=REFERENCE_MAX_LENGTH,
        required=False,
        help_text="The UTR, cheque number or UPI reference, if there is one.",
    )


class BounceForm(forms.Form):
    reason = forms.CharField(
        label="Why it bounced",
        max_length=REASON_MAX_LENGTH,
        help_text="Told to the buyer, e.g. “Insufficient funds”.",
    )


class StatementPeriodForm(forms.Form):
    """The statement's period: both dates optional (from the first invoice, to today)."""

    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The period ends before it starts.")
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day and not (datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31)):
                self.add_error(name, "Choose a date between 2000 and 2100.")
        return cleaned
