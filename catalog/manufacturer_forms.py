"""Forms of the manufacturer pages (/manufacturer/...).

They parse what the user typed; the product rules are catalog.services' and
Product.clean's, stock rules inventory.services'.
"""

from django import forms

from accounts.agreements import distributors_supplied_by, suppliers_allowed_for
from accounts.models import Organization
from orders.models import OrderStatus

from .models import Category, Product

# The most one assignment may move: a typo of a few extra zeros is refused.
MAX_ASSIGN_QUANTITY = 1_000_000


class ProductForm(forms.ModelForm):
    """A product's details and its replenishment settings, as the manufacturer edits them."""

    supplier = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        empty_label="Us (the manufacturer)",
        help_text="Who purchase orders for this product go to.",
    )

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "description",
            "category",
            "price",
            "cost_price",
            "is_active",
            "supplier",
            "reorder_level",
            "reorder_quantity",
            "order_up_to_level",
            "pack_size",
            "minimum_order_quantity",
            "lead_time_days",
        ]
        labels = {
            "is_active": "On sale",
            "order_up_to_level": "Maximum level (order up to)",
            "lead_time_days": "Lead time (days)",
            "cost_price": "Cost price",
        }
        help_texts = {"sku": "Stored upper-case; must be unique."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    # The sections of the form page: (title, field names).
    SECTIONS = [
        ("Product", ["sku", "name", "category", "description", "price", "cost_price", "is_active"]),
        (
            "Replenishment",
            [
                "supplier",
                "reorder_level",
                "reorder_quantity",
                "order_up_to_level",
                "pack_size",
                "minimum_order_quantity",
                "lead_time_days",
            ],
        ),
    ]

    def __init__(self, *args, manufacturer: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.manufacturer = manufacturer
        self.fields["category"].queryset = Category.objects.select_related("parent").order_by(
            "name", "pk"
        )
        # Itself, or a distributor that accepted a supply agreement with it.
        self.fields["supplier"].queryset = suppliers_allowed_for(
            manufacturer=manufacturer
        ).order_by("name", "pk")
        self.fields["supplier"].help_text = (
            "Who purchase orders for this product go to: you, or a distributor that has "
            "accepted your supply agreement."
        )
        if self.instance.pk and self.instance.supplier_id == manufacturer.pk:
            self.initial["supplier"] = None

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def service_data(self) -> dict:
        """The cleaned values as catalog.services takes them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


ACTIVE_CHOICES = [("", "All products"), ("active", "On sale"), ("inactive", "Deactivated")]


class ProductFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or SKU"}),
    )
    active = forms.ChoiceField(label="Status", required=False, choices=ACTIVE_CHOICES)

    def is_active(self) -> bool | None:
        value = self.cleaned_data.get("active") if self.is_valid() else ""
        return {"active": True, "inactive": False}.get(value)

    def search(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class StockAssignForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="Choose…")
    distributor = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        empty_label="Choose…",
        help_text="Distributors that have accepted your supply agreement.",
    )
    quantity = forms.IntegerField(min_value=1, max_value=MAX_ASSIGN_QUANTITY, initial=1)
    note = forms.CharField(required=False, max_length=500, help_text="Optional: why, a reference.")

    def __init__(self, *args, manufacturer: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Only products on sale: stock of a withdrawn product could not be sold.
        self.fields["product"].queryset = Product.objects.filter(
            manufacturer=manufacturer, is_active=True
        ).order_by("name", "pk")
        self.fields["product"].label_from_instance = lambda p: f"{p.name} ({p.sku})"
        self.fields["distributor"].queryset = distributors_supplied_by(manufacturer=manufacturer)


class DateRangeForm(forms.Form):
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("date_from"), cleaned.get("date_to")
        if low and high and low > high:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned


class OrderFilterForm(DateRangeForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *OrderStatus.choices]
    )

    field_order = ["status", "date_from", "date_to"]


class ProductImageForm(forms.Form):
    image = forms.ImageField(label="Picture", help_text="JPEG, PNG, WebP or GIF, at most 8 MB.")
    alt_text = forms.CharField(
        label="Alt text",
        max_length=200,
        required=False,
        help_text="What the picture shows, for people who cannot see it. Empty: the name.",
    )


class SpecificationsForm(forms.Form):
    specifications = forms.CharField(
        label="Specifications",
        required=False,
        max_length=12000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "Size: Queen\nFirmness: Medium"}),
        help_text="One “Name: value” per line, in the order to show them.",
    )


class ImagesZipForm(forms.Form):
    images = forms.FileField(
        label="Zip of pictures",
        help_text=(
            "Each picture is matched to your product by its file name: MAT-0001.jpg, "
            "MAT-0001_2.jpg, MAT-0001-3.png all go to MAT-0001."
        ),
    )
