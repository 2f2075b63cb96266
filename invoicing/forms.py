"""The invoice list's filters (a GET form): a date that does not parse is a form error."""

from django import forms

from .models import InvoiceStatus

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
        label="Status", required=False, choices=[("", "All statuses"), *InvoiceStatus.choices]
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
