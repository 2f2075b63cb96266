"""Forms of the catalog pages: the shopper's search and filters."""

from decimal import Decimal

from django import forms

from .models import Category
from .selectors import ORDERING_LABELS, RELEVANCE

SEARCH_MAX_LENGTH = 100


def category_choices() -> tuple[list[tuple[str, str]], dict[str, Category]]:
    """Categories in tree order ("Parent > Child") and a slug -> category map (one query)."""
    categories = list(Category.objects.order_by("name", "pk"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[str, str]] = []
    seen: set[int] = set()

    def walk(parent_id, trail):
        for category in children.get(parent_id, []):
            if category.pk in seen:  # a loop in bad data must not hang the page
                continue
            seen.add(category.pk)
            label = " \u203a ".join([*trail, category.name])
            choices.append((category.slug, label))
            walk(category.pk, [*trail, category.name])

    walk(None, [])
    return choices, {category.slug: category for category in categories}


class CatalogFilterForm(forms.Form):
    """The catalog's GET form. Every field is optional; a bad value is a field error."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text="Finds products whose name, SKU or description has words starting with yours.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search products"}),
    )
    category = forms.ChoiceField(label="Category", required=False)
    min_price = forms.DecimalField(
        label="Min price",
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "placeholder": "Min"}),
    )
    max_price = forms.DecimalField(
        label="Max price",
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "placeholder": "Max"}),
    )
    in_stock = forms.BooleanField(label="In stock only", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(ORDERING_LABELS.items()))

    # Bootstrap's classes of each widget (templates/catalog/_filter_field.html draws the rest).
    WIDGET_CLASSES = {
        "q": "textinput form-control",
        "category": "select form-select",
        "min_price": "numberinput form-control",
        "max_price": "numberinput form-control",
        "in_stock": "checkboxinput form-check-input",
        "sort": "select form-select",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices, self.categories = category_choices()
        self.fields["category"].choices = [("", "All categories"), *choices]
        for name, css in self.WIDGET_CLASSES.items():
            self.fields[name].widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # a field with an error is drawn red
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean_category(self) -> Category | None:
        slug = self.cleaned_data.get("category")
        return self.categories.get(slug) if slug else None

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The maximum price is below the minimum price.")
        return cleaned

    def search_arguments(self) -> dict:
        """product_search() keyword arguments from the fields that are valid.

        An invalid field is left out (the form shows its error), so one bad
        value never empties the page or fails it.
        """
        data = getattr(self, "cleaned_data", {})
        return {
            "search": data.get("q") or "",
            "category": data.get("category"),
            "min_price": data.get("min_price"),
            "max_price": data.get("max_price"),
            "in_stock": bool(data.get("in_stock")),
            "ordering": data.get("sort") or RELEVANCE,
        }
