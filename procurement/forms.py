from decimal import Decimal

from django import forms
from django.utils import timezone

from inventory.models import Warehouse

from .limits import MAX_LINE_QUANTITY, MAX_TOTAL
from .models import PurchaseOrder


class ConfirmForm(forms.Form):
    responded_by = forms.CharField(
        label="Your name", max_length=200, help_text="So we know who confirmed."
    )


class ProposalForm(forms.Form):
    """Another delivery date and/or quantity per line, with a note; one field per PO line."""

    responded_by = forms.CharField(label="Your name", max_length=200)
    proposed_date = forms.DateField(
        label="Delivery date you can make",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, purchase_order: PurchaseOrder, ask_name: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.purchase_order = purchase_order
        if not ask_name:
            del self.fields["responded_by"]
        self.line_fields = []
        for line in purchase_order.lines.all():
            name = f"line_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{line.product_name} ({line.sku})",
                min_value=1,
                max_value=MAX_LINE_QUANTITY,
                initial=line.quantity,
                help_text=f"Ordered: {line.quantity}",
            )
            self.line_fields.append((line, name))

    def clean(self):
        cleaned = super().clean()
        # The total at the proposed quantities must fit the order's columns.
        total = Decimal("0")
        for line, name in self.line_fields:
            quantity = cleaned.get(name) or line.quantity
            line_total = line.unit_cost * quantity
            if line_total > MAX_TOTAL:
                self.add_error(name, f"At this quantity the line would exceed {MAX_TOTAL:,}.")
            total += line_total
        if total > MAX_TOTAL and not self.errors:
            raise forms.ValidationError(
                f"At these quantities the order would exceed {MAX_TOTAL:,}."
            )
        return cleaned

    def clean_proposed_date(self):
        value = self.cleaned_data.get("proposed_date")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("Propose a date from today on.")
        return value

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[name]
            for line, name in self.line_fields
            if self.cleaned_data.get(name) is not None
        }


class ReceiptForm(forms.Form):
    """Goods received now: one field per PO line with units outstanding (admin receive page)."""

    note = forms.CharField(label="Delivery note / remarks", required=False, max_length=255)

    def __init__(self, *args, purchase_order: PurchaseOrder, all_outstanding=False, **kwargs):
        """`all_outstanding`: each line starts at what is still to come ("Receive all
        outstanding"); staff check it against the delivery and book it."""
        super().__init__(*args, **kwargs)
        # Where the goods arrived: one of the buyer's open warehouses, the default (the
        # first by priority) preselected; a choice outside the list is the field's error.
        warehouses = Warehouse.objects.filter(
            distributor_id=purchase_order.distributor_id, is_active=True
        ).order_by("priority", "pk")
        default = warehouses.first()
        self.fields["warehouse"] = forms.ModelChoiceField(
            label="Received at warehouse",
            queryset=warehouses,
            required=False,
            empty_label=None,
            initial=default.pk if default else None,
            help_text=f"One of {purchase_order.distributor}'s warehouses.",
        )
        self.line_fields = []
        for line in purchase_order.lines.all():
            if line.outstanding <= 0:
                continue
            name = f"line_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{line.product_name} ({line.sku})",
                min_value=0,
                max_value=MAX_LINE_QUANTITY,
                required=False,
                help_text=f"{line.quantity_received} of {line.quantity} received; "
                f"{line.outstanding} outstanding",
                widget=forms.NumberInput(attrs={"min": 0, "max": line.outstanding}),
                initial=line.outstanding if all_outstanding else None,
            )
            self.line_fields.append((line, name))

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for _line, name in self.line_fields):
            raise forms.ValidationError("Enter the units received on at least one line.")
        return cleaned

    def lines(self) -> list[tuple[int, int]]:
        return [
            (line.product_id, self.cleaned_data[name])
            for line, name in self.line_fields
            if self.cleaned_data.get(name)
        ]
