"""Forms of the return pages: the buyer's request, the distributor's decision and receipt.

Every number has an upper bound (what may still be returned; what the line
announced), and the service's errors land on the same field names.
"""

from django import forms
from django.core.exceptions import ValidationError

from .models import MAX_NOTE, ReturnReason

REASON_CHOICES = [("", "Choose a reason"), *ReturnReason.choices]


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: keyed fields on theirs, the rest on top."""
    for key, messages in exc.message_dict.items():
        form.add_error(key if key in form.fields else None, messages)


class ReturnRequestForm(forms.Form):
    """One quantity, reason and note per returnable order line, and a note for the request."""

    note = forms.CharField(
        label="Anything else the distributor should know",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for item, most in lines:
            self.fields[f"quantity_{item.pk}"] = forms.IntegerField(
                label="Units to return",
                min_value=0,
                max_value=most,
                initial=0,
                required=False,
                help_text=f"Up to {most}.",
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )
            self.fields[f"reason_{item.pk}"] = forms.ChoiceField(
                label="Reason", choices=REASON_CHOICES, required=False
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label="What is wrong (optional)", required=False, max_length=MAX_NOTE
            )
            self.lines.append(
                {
                    "item": item,
                    "most": most,
                    "quantity": self[f"quantity_{item.pk}"],
                    "reason": self[f"reason_{item.pk}"],
                    "note": self[f"note_{item.pk}"],
                }
            )

    def clean(self):
        data = super().clean()
        chosen = 0
        for line in self.lines:
            pk = line["item"].pk
            quantity = data.get(f"quantity_{pk}") or 0
            if quantity:
                chosen += 1
                if not data.get(f"reason_{pk}"):
                    self.add_error(f"reason_{pk}", "Say why you return it.")
        if not chosen and not self.errors:
            raise ValidationError("Enter how many units of at least one line you return.")
        return data

    def requested_lines(self):
        from .services import RequestedLine

        data = self.cleaned_data
        return [
            RequestedLine(
                order_item_id=line["item"].pk,
                quantity=data[f"quantity_{line['item'].pk}"],
                reason=data[f"reason_{line['item'].pk}"],
                note=data.get(f"note_{line['item'].pk}", ""),
            )
            for line in self.lines
            if data.get(f"quantity_{line['item'].pk}")
        ]


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="Note to the buyer",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label="Why the return is refused",
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The buyer reads this.",
    )


class ReceiveForm(forms.Form):
    """Per return line: units back on sale and units damaged (scrapped), each 0..announced."""

    note = forms.CharField(label="Note", required=False, max_length=MAX_NOTE)

    def __init__(self, *args, rma, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for line in rma.lines.all():
            for field, label, initial in (
                ("restock", "Restockable", line.quantity),
                ("damaged", "Damaged", 0),
            ):
                # The line's fieldset names the product.
                self.fields[f"{field}_{line.pk}"] = forms.IntegerField(
                    label=label,
                    min_value=0,
                    max_value=line.quantity,
                    initial=initial,
                    widget=forms.NumberInput(
                        attrs={"class": "form-control", "inputmode": "numeric"}
                    ),
                )
            self.lines.append(
                {
                    "line": line,
                    "restock": self[f"restock_{line.pk}"],
                    "damaged": self[f"damaged_{line.pk}"],
                }
            )

    def clean(self):
        data = super().clean()
        for entry in self.lines:
            line = entry["line"]
            restock, damaged = data.get(f"restock_{line.pk}"), data.get(f"damaged_{line.pk}")
            if restock is not None and damaged is not None and restock + damaged > line.quantity:
                self.add_error(
                    f"damaged_{line.pk}",
                    f"Restockable and damaged add up to more than the {line.quantity} announced.",
                )
        return data

    def received(self) -> dict[int, tuple[int, int]]:
        data = self.cleaned_data
        return {
            entry["line"].pk: (
                data[f"restock_{entry['line'].pk}"],
                data[f"damaged_{entry['line'].pk}"],
            )
            for entry in self.lines
        }
