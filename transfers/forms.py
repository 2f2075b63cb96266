"""Transfer forms: the new transfer (lines typed as "SKU, quantity" rows), the list's
filters, and the steps' small forms (receive, cancel, write off)."""

import re

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Organization
from catalog.models import Product
from inventory.models import Warehouse

from .models import MAX_LINE_QUANTITY, MAX_LINES, TransferStatus

ROW = re.compile(r"^\s*([^,;\s]+)\s*[,;\s]\s*(\S+)\s*$")


def parse_lines(text: str) -> list[tuple[Product, int]]:
    """(product, quantity) for each "SKU, quantity" row; ValidationError naming every bad row."""
    rows = [(n, raw) for n, raw in enumerate((text or "").splitlines(), 1) if raw.strip()]
    if not rows:
        raise ValidationError("Add at least one line: a SKU and a quantity.")
    if len(rows) > MAX_LINES:
        raise ValidationError(f"A transfer has at most {MAX_LINES} lines.")
    parsed, errors = [], []
    for n, raw in rows:
        match = ROW.match(raw)
        if not match:
            errors.append(f"Row {n}: write a SKU and a quantity, e.g. TEA-500, 12.")
            continue
        sku, quantity = match.groups()
        if not quantity.isdigit() or not 1 <= int(quantity) <= MAX_LINE_QUANTITY:
            errors.append(
                f"Row {n}: the quantity must be a whole number from 1 to {MAX_LINE_QUANTITY:,}."
            )
            continue
        parsed.append((n, sku, int(quantity)))
    skus = {sku.upper() for _n, sku, _q in parsed}
    products = {p.sku.upper(): p for p in Product.objects.filter(sku__in=skus)}
    lines, seen = [], {}
    for n, sku, quantity in parsed:
        product = products.get(sku.upper())
        if product is None:
            errors.append(f"Row {n}: no product has the SKU {sku}.")
        elif product.pk in seen:
            errors.append(f"Row {n}: {product.sku} is already on row {seen[product.pk]}.")
        else:
            seen[product.pk] = n
            lines.append((product, quantity))
    if errors:
        raise ValidationError(errors)
    return lines


class TransferForm(forms.Form):
    DIRECTIONS = [
        ("send", "Send from us to the other distributor"),
        ("request", "Ask the other distributor to send to us"),
        ("internal", "Move between our own locations"),
    ]
    direction = forms.ChoiceField(choices=DIRECTIONS, initial="send")
    other = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label="Other distributor",
        help_text="Not needed for a move between your own locations.",
    )
    from_warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(),
        required=False,
        label="Our warehouse the units leave",
        help_text="Sending or moving: empty for your default warehouse.",
    )
    to_warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(),
        required=False,
        label="Our warehouse the units reach",
        help_text="Asking or moving: empty for your default warehouse.",
    )
    lines = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=f"One line per product: SKU, quantity (1 to {MAX_LINE_QUANTITY:,}); "
        f"at most {MAX_LINES} lines.",
    )
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["from_warehouse"].queryset = self.own_warehouses()
        self.fields["to_warehouse"].queryset = self.own_warehouses()
        self.fields["other"].queryset = (
            Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR)
            .exclude(pk=organization.pk)
            .order_by("name")
        )

    def own_warehouses(self):
        return Warehouse.objects.filter(distributor=self.organization, is_active=True).order_by(
            "priority", "pk"
        )

    def clean_lines(self):
        return parse_lines(self.cleaned_data["lines"])

    def clean(self):
        data = super().clean()
        direction, other = data.get("direction"), data.get("other")
        if direction in ("send", "request") and other is None:
            self.add_error("other", "Choose the other distributor.")
        if direction == "internal" and not (
            data.get("from_warehouse") and data.get("to_warehouse")
        ):
            self.add_error("to_warehouse", "Choose both of your warehouses for a move.")
        return data

    def warehouses(self) -> dict:
        """The service's warehouse arguments: ours where the direction uses them."""
        data = self.cleaned_data
        direction = data["direction"]
        return {
            "source_warehouse": data.get("from_warehouse") if direction != "request" else None,
            "destination_warehouse": data.get("to_warehouse") if direction != "send" else None,
        }

    def parties(self) -> tuple[Organization, Organization]:
        data, own = self.cleaned_data, self.organization
        if data["direction"] == "send":
            return own, data["other"]
        if data["direction"] == "request":
            return data["other"], own
        return own, own

    def add_service_errors(self, exc: ValidationError) -> None:
        for field, messages in exc.message_dict.items():
            self.add_error(field if field in self.fields else "lines", messages)


class TransferFilterForm(forms.Form):
    DIRECTIONS = [("", "Both ways"), ("out", "Outgoing"), ("in", "Incoming")]
    status = forms.ChoiceField(
        choices=[("", "Any status"), *TransferStatus.choices], required=False
    )
    direction = forms.ChoiceField(choices=DIRECTIONS, required=False)
    q = forms.CharField(max_length=40, required=False, label="Number")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ShipForm(forms.Form):
    tracking_reference = forms.CharField(max_length=100, required=False)


class ReceiveForm(forms.Form):
    """One quantity (0 to what is in transit) and one reason field per line in transit."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.in_transit]
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                min_value=0,
                max_value=line.in_transit,
                initial=line.in_transit,
                label=f"{line.sku} received",
            )
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                max_length=255, required=False, label=f"{line.sku}: why short"
            )

    def rows(self):
        return [(line, self[f"line_{line.pk}"], self[f"reason_{line.pk}"]) for line in self.lines]

    def received(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"line_{line.pk}"] for line in self.lines}

    def reasons(self) -> dict[int, str]:
        return {line.pk: self.cleaned_data[f"reason_{line.pk}"] for line in self.lines}

    def add_service_errors(self, exc: ValidationError) -> None:
        for field, messages in exc.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
