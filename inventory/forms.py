"""Forms of the distributor's inventory page: its filters and the per-row reorder settings.

They only parse; inventory.services decides what may be stored.
"""

from django import forms

from .models import Warehouse

SEARCH_MAX_LENGTH = 100
OVERRIDE_MAX = 1_000_000


class StockFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "SKU or product name"}),
    )
    low = forms.BooleanField(label="Only low stock", required=False)


class ReorderSettingsForm(forms.Form):
    """One stock item's reorder level and quantity; empty goes back to the product's."""

    reorder_level_override = forms.IntegerField(
        label="Reorder level", required=False, min_value=0, max_value=OVERRIDE_MAX
    )
    reorder_quantity_override = forms.IntegerField(
        label="Reorder quantity", required=False, min_value=0, max_value=OVERRIDE_MAX
    )

    def __init__(self, *args, item, **kwargs):
        # Each row of the table has its own form: unique ids, and inputs tied
        # to the row's <form> element by its id (a <form> cannot wrap a <tr>).
        kwargs.setdefault("auto_id", f"id_%s_{item.pk}")
        kwargs.setdefault(
            "initial",
            {
                "reorder_level_override": item.reorder_level_override,
                "reorder_quantity_override": item.reorder_quantity_override,
            },
        )
        super().__init__(*args, **kwargs)
        self.item = item
        self.form_id = f"reorder-{item.pk}"
        self.defaults = {
            "reorder_level_override": item.product.reorder_level,
            "reorder_quantity_override": item.product.reorder_quantity,
        }
        for name, field in self.fields.items():
            field.help_text = f"Default {self.defaults[name]}"
            field.widget.attrs.update(
                form=self.form_id,
                placeholder=str(self.defaults[name]),
                inputmode="numeric",
                **{"class": "form-control form-control-sm reorder-input"},
            )


class CountForm(forms.Form):
    """What a cycle count found on the shelf for one item."""

    counted = forms.IntegerField(
        label="Units counted on the shelf",
        min_value=0,
        max_value=1_000_000_000,
        help_text="Everything on the shelf, including units set aside for orders and held.",
    )
    note = forms.CharField(
        required=False,
        max_length=255,
        help_text="Optional: where, who counted, why it differs.",
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class WarehouseForm(forms.ModelForm):
    """A distributor's warehouse: inventory.warehouses decides what may be stored."""

    class Meta:
        model = Warehouse
        fields = ["name", "code", "address", "state", "gstin", "priority", "is_active"]
        widgets = {"priority": forms.NumberInput(attrs={"min": 0, "max": 999})}

    def __init__(self, *args, distributor, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.distributor = distributor
        self.fields["state"].help_text = "Empty: your organization's state."
        self.fields["gstin"].help_text = (
            "Your GSTIN registered in this warehouse's state. Empty: your organization's "
            "(only for a warehouse in its state)."
        )


class CountWarehouseForm(CountForm):
    """A count of one item in one of the distributor's warehouses (default preselected)."""

    warehouse = forms.ModelChoiceField(queryset=None, empty_label=None)

    field_order = ["warehouse", "counted", "note", "confirm"]

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses
        self.fields["warehouse"].help_text = "Count one warehouse's shelf at a time."
