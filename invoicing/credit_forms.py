"""The distributor's credit terms form: a buyer (when new), net days, a limit, active."""

from django import forms

from .models import MAX_CREDIT_LIMIT, MAX_PAYMENT_TERMS_DAYS


class CreditTermsForm(forms.Form):
    """Bounded numbers; the rules themselves are invoicing.credit.credit_terms_set's."""

    buyer = forms.ModelChoiceField(
        label="Buyer organization", queryset=None, empty_label="Choose a retailer"
    )
    payment_terms_days = forms.IntegerField(
        label="Payment terms (net days)",
        min_value=0,
        max_value=MAX_PAYMENT_TERMS_DAYS,
        initial=30,
        help_text=f"Invoices fall due this many days after issue (0 to {MAX_PAYMENT_TERMS_DAYS}).",
    )
    credit_limit = forms.DecimalField(
        label="Credit limit (₹)",
        required=False,
        min_value=0,
        max_value=MAX_CREDIT_LIMIT,
        max_digits=12,
        decimal_places=2,
        help_text="Unpaid invoices plus open orders above this hold new orders for your "
        "approval. Empty: no limit.",
    )
    active = forms.BooleanField(
        label="Terms in force",
        required=False,
        initial=True,
        help_text="Untick to keep the terms but stop applying them.",
    )

    def __init__(self, *args, buyers=None, **kwargs):
        """`buyers`: the organizations to choose from; None for an edit (the buyer is fixed)."""
        super().__init__(*args, **kwargs)
        if buyers is None:
            del self.fields["buyer"]
        else:
            self.fields["buyer"].queryset = buyers
