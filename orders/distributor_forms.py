"""Forms of the distributor's order pages: the list's filters and the status moves.

They parse what was typed; which moves are legal and what each needs (a
reason to reject or cancel, a tracking reference to ship) are the rules of
orders.services.order_move_by_distributor.
"""

from django import forms

from .models import OrderStatus
from .services import DISTRIBUTOR_MOVES, TRACKING_REFERENCE_MAX_LENGTH

NOTE_MAX_LENGTH = 1000


class DistributorOrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *OrderStatus.choices]
    )
    placed_from = forms.DateField(
        label="Placed from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = forms.DateField(
        label="Placed to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("placed_from"), cleaned.get("placed_to")
        if start and end and start > end:
            self.add_error("placed_to", "The range ends before it starts.")
        return cleaned


class OrderMoveForm(forms.Form):
    """One move of an order: the new status, a note, and for a shipment its tracking reference."""

    status = forms.ChoiceField(
        choices=[(status, OrderStatus(status).label) for status in DISTRIBUTOR_MOVES],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tracking_reference = forms.CharField(
        label="Tracking reference", required=False, max_length=TRACKING_REFERENCE_MAX_LENGTH
    )
