"""Forms of the distributor's order pages: the list's filters and the status moves.

They parse what was typed; which moves are legal and what each needs (a
reason to reject or cancel, a tracking reference to ship) are the rules of
orders.transitions.order_move_by_distributor.
"""

from django import forms

from .models import OrderStatus
from .selectors import DISTRIBUTOR_ORDER_SORTS
from .transitions import DISTRIBUTOR_MOVES, TRACKING_REFERENCE_MAX_LENGTH

NOTE_MAX_LENGTH = 1000
SEARCH_MAX_LENGTH = 100


class DistributorOrderFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Order number, buyer or SKU"}
        ),
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (label, _) in DISTRIBUTOR_ORDER_SORTS.items()],
    )
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


class ShipmentForm(forms.Form):
    """Ship chosen lines of an order: units per line (up to what is allocated), tracking, a note.

    One `qty_<product id>` field per line with units allocated, starting at
    all of them. A delivery needs a tracking reference; a pickup is handed
    over without one. The rules (at least one unit, no more than allocated)
    are orders.shipments' and come back as errors on `lines`.
    """

    tracking_reference = forms.CharField(
        label="Tracking reference", required=False, max_length=TRACKING_REFERENCE_MAX_LENGTH
    )
    note = forms.CharField(
        label="Note to the buyer (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.pickup = order.fulfillment_type == "pickup"
        self.lines = [item for item in order.items.all() if item.quantity_allocated]
        for item in self.lines:
            self.fields[f"qty_{item.product_id}"] = forms.IntegerField(
                label=f"{item.product_name} ({item.sku})",
                min_value=0,
                max_value=item.quantity_allocated,
                initial=item.quantity_allocated,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )
        field = self.fields["tracking_reference"]
        if self.pickup:
            field.label = "Reference (optional)"
        else:
            field.required = True
            field.widget.attrs["placeholder"] = "e.g. BLUEDART 7788123456"

    def line_fields(self):
        return [(item, self[f"qty_{item.product_id}"]) for item in self.lines]

    def quantities(self) -> dict[int, int]:
        return {item.product_id: self.cleaned_data[f"qty_{item.product_id}"] for item in self.lines}
