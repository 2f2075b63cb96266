"""Forms of the portal's cart, checkout and order pages.

They only parse what the user typed; the rules (stock, who may buy, what a
delivery needs) are the services' (orders.services, orders.services_cart).
"""

import secrets

from django import forms
from django.utils.dateformat import format as date_format

from accounts.gst import ADDRESS_STATE_CHOICES, state_from_text
from loyalty.models import MAX_POINTS
from payments.checkout import CHOICES as payment_choices
from payments.checkout import ON_DELIVERY, ONLINE, pay_on_delivery_allowed

from .delivery_dates import earliest_delivery_date
from .models import FulfillmentType, OrderStatus
from .services import MAX_BUYER_REFERENCE, estimate_delivery
from .services_cart import MAX_CART_QUANTITY


class AddToCartForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_CART_QUANTITY, initial=1)


class CartLineForm(forms.Form):
    """A cart line's new quantity; 0 removes the line."""

    quantity = forms.IntegerField(min_value=0, max_value=MAX_CART_QUANTITY)


def new_checkout_token() -> str:
    return secrets.token_urlsafe(24)


class CheckoutForm(forms.Form):
    fulfillment_type = forms.ChoiceField(
        label="How do you want it?",
        choices=FulfillmentType.choices,
        initial=FulfillmentType.DELIVERY,
        widget=forms.RadioSelect,
    )
    shipping_address = forms.CharField(
        label="Delivery address",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        help_text="Not needed for pickup.",
    )
    shipping_state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "Choose the state"), *ADDRESS_STATE_CHOICES],
        help_text="The delivery address's state: it decides CGST + SGST or IGST.",
    )
    backorder = forms.TypedChoiceField(
        label="If something is short",
        choices=[
            ("", "Ship complete: don't place the order"),
            ("1", "Ship what is available now and backorder the rest"),
        ],
        coerce=bool,
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
        help_text="Backordered units ship as soon as stock comes in, first ordered first served.",
    )
    buyer_reference = forms.CharField(
        label="Your PO number (optional)",
        required=False,
        max_length=MAX_BUYER_REFERENCE,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Your own purchase order number: printed on the invoice for your accounts.",
    )
    requested_delivery_date = forms.DateField(
        label="Requested delivery date (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    loyalty_points = forms.IntegerField(
        label="Points to use",
        required=False,
        min_value=0,
        max_value=MAX_POINTS,
        initial=0,
    )
    # Online now or on delivery; the choice is offered where the distributor
    # allows paying on delivery (payments.checkout decides what it means).
    payment = forms.ChoiceField(
        label="How do you want to pay?",
        required=False,
        choices=payment_choices,
        widget=forms.RadioSelect,
    )
    # Drawn when the form is rendered and sent as order_place's
    # idempotency_key: a second submit of this form gets the first order back.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, store=None, loyalty=None, **kwargs):
        super().__init__(*args, **kwargs)
        if store is not None:
            earliest = earliest_delivery_date(store)
            field = self.fields["requested_delivery_date"]
            field.widget.attrs["min"] = earliest.isoformat()
            field.help_text = (
                f"A working day of {store.name}, {date_format(earliest, 'D j M')} or later. "
                "Empty: as soon as possible."
            )
        if loyalty is None:
            del self.fields["loyalty_points"]
        else:
            field = self.fields["loyalty_points"]
            # The balance and the cap are order_place's to check (loyalty.services).
            field.widget.attrs["max"] = loyalty["most"]
            field.help_text = (
                f"You have {loyalty['balance']:,} points; this order can use up to "
                f"{loyalty['most']:,} (₹{loyalty['point_value']} each, taken off before GST)."
            )
        # The choice shown ticked is what an unticked form means (payment_required):
        # on delivery where the distributor allows it, else online.
        self.fields["payment"].initial = ON_DELIVERY
        if store is not None and not pay_on_delivery_allowed(store):
            self.fields["payment"].initial = ONLINE
            self.fields["payment"].choices = [payment_choices[0]]
            self.fields["payment"].help_text = f"{store.name} takes payment online at checkout."
        delivery = estimate_delivery(FulfillmentType.DELIVERY)
        pickup = estimate_delivery(FulfillmentType.PICKUP)
        where = f" at {store.name}" if store is not None else ""
        self.fields["fulfillment_type"].choices = [
            (
                FulfillmentType.DELIVERY,
                f"Delivery to your address, by {date_format(delivery, 'D j M')}",
            ),
            (FulfillmentType.PICKUP, f"Pickup{where}, ready {date_format(pickup, 'D j M')}"),
        ]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("fulfillment_type") == FulfillmentType.DELIVERY
            and not (cleaned.get("shipping_address") or "").strip()
        ):
            self.add_error("shipping_address", "Enter the address to deliver to.")
        if cleaned.get("fulfillment_type") == FulfillmentType.DELIVERY and not cleaned.get(
            "shipping_state"
        ):
            # Else the state the address names; none: the buyer's or the seller's
            # (auromart.tax), as the API does.
            cleaned["shipping_state"] = state_from_text(cleaned.get("shipping_address") or "")
        cleaned["loyalty_points"] = cleaned.get("loyalty_points") or 0
        return cleaned


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All orders"), *OrderStatus.choices]
    )


class CancelOrderForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "e.g. ordered the wrong size"}),
    )
