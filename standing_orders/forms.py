"""The standing order form: schedule, address and lines typed as "SKU, quantity" rows."""

import re

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Organization
from catalog.models import Product

from .models import (
    MAX_DAY_OF_MONTH,
    MAX_INTERVAL_WEEKS,
    MAX_LINE_QUANTITY,
    MAX_LINES,
    Frequency,
    StandingOrder,
)

ROW = re.compile(r"^\s*([^,;\s]+)\s*[,;\s]\s*(\S+)\s*$")


def parse_lines(text: str) -> list[tuple[Product, int]]:
    """(product, quantity) for each "SKU, quantity" row; ValidationError naming every bad row."""
    rows = [(n, raw) for n, raw in enumerate((text or "").splitlines(), 1) if raw.strip()]
    if not rows:
        raise ValidationError("Add at least one line: a SKU and a quantity.")
    if len(rows) > MAX_LINES:
        raise ValidationError(f"A standing order has at most {MAX_LINES} lines.")
    parsed, errors = [], []
    for n, raw in rows:
        match = ROW.match(raw)
        if not match:
            errors.append(f"Row {n}: write a SKU and a quantity, e.g. TEA-500, 12.")
            continue
        sku, quantity = match.groups()
        if not quantity.isdigit() or not 1 <= int(quantity) <= MAX_LINE_QUANTITY:
            errors.append(
                f"Row {n}: the quantity must be a whole number from 1 to {MAX_LINE_QUANTITY}."
            )
            continue
        parsed.append((n, sku, int(quantity)))
    skus = {sku for _n, sku, _q in parsed}
    found = Product.objects.filter(sku__in=skus | {sku.upper() for sku in skus})
    products = {product.sku.upper(): product for product in found}
    lines, seen = [], {}
    for n, sku, quantity in parsed:
        product = products.get(sku.upper())
        if product is None:
            errors.append(f"Row {n}: no product has the SKU {sku}.")
        elif not product.is_active:
            errors.append(f"Row {n}: {product.sku} is no longer sold.")
        elif product.pk in seen:
            errors.append(f"Row {n}: {product.sku} is already on row {seen[product.pk]}.")
        else:
            seen[product.pk] = n
            lines.append((product, quantity))
    if errors:
        raise ValidationError(errors)
    return lines


def lines_text(standing_order: StandingOrder) -> str:
    return "\n".join(f"{line.product.sku}, {line.quantity}" for line in standing_order.lines.all())


class StandingOrderForm(forms.Form):
    name = forms.CharField(max_length=80, required=False, help_text="e.g. Weekly restock")
    distributor = forms.ModelChoiceField(
        queryset=Organization.objects.none(), empty_label=None, label="Order from"
    )
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.WEEKLY)
    interval_weeks = forms.IntegerField(
        min_value=1, max_value=MAX_INTERVAL_WEEKS, initial=1, required=False, label="Every N weeks"
    )
    day_of_month = forms.IntegerField(
        min_value=1, max_value=MAX_DAY_OF_MONTH, required=False, label="Day of the month"
    )
    next_run_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="Next run"
    )
    shipping_address = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 3}), label="Deliver to"
    )
    lines = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        help_text=f"One line per product: SKU, quantity (1 to {MAX_LINE_QUANTITY}); "
        f"at most {MAX_LINES} lines.",
    )

    def __init__(self, *args, distributors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = distributors
        if len(distributors) == 1:
            self.fields["distributor"].widget = forms.HiddenInput()
            self.fields["distributor"].initial = distributors[0].pk

    def clean_lines(self):
        return parse_lines(self.cleaned_data["lines"])

    def clean(self):
        data = super().clean()
        if data.get("frequency") == Frequency.EVERY_N_WEEKS and not data.get("interval_weeks"):
            self.add_error("interval_weeks", "Enter the number of weeks between runs.")
        if data.get("frequency") == Frequency.MONTHLY and not data.get("day_of_month"):
            self.add_error("day_of_month", "Enter the day of the month.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "distributor": data["distributor"],
            "frequency": data["frequency"],
            "interval_weeks": data.get("interval_weeks") or 1,
            "day_of_month": data.get("day_of_month"),
            "next_run_date": data["next_run_date"],
            "shipping_address": data["shipping_address"],
            "lines": data["lines"],
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        for field, messages in exc.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
