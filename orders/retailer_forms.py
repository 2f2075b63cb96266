"""Forms of the retailer's ordering pages that the customer portal's do not cover."""

from django import forms

from accounts.models import Organization

from .forms import OrderFilterForm


class RetailerOrderFilterForm(OrderFilterForm):
    """The customer's status filter, plus the distributor ordered from."""

    distributor = forms.ModelChoiceField(
        label="Distributor",
        required=False,
        empty_label="All distributors",
        queryset=Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR).order_by(
            "name", "pk"
        ),
    )
