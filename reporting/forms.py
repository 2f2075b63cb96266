"""The report pages' filter forms (GET): scoped choices, the API's rules for the rest.

What each field may offer comes from the user's ReportScope: a distributor
is never offered another distributor (its distributor and region fields are
hidden and accept only itself), a manufacturer sees the distributors that
carry or sold its products, a retailer those it bought from. An id outside
those choices is a form error, never another party's figures.

The date and month rules (end not before start, years 2000-2100, group_by
one of the selectors' groups) are the report API's: `clean()` runs the API's
query serializer over the cleaned values and turns its errors into form
errors, so the pages and the API refuse the same input with the same words.
"""

import calendar
import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from catalog.models import Category, Product
from inventory.models import StockItem
from orders.models import Order, OrderItem

from . import selectors
from .api.serializers import (
    FIRST_YEAR,
    LAST_YEAR,
    MonthlyQuerySerializer,
    SalesQuerySerializer,
)
from .selectors import ReportFilters, ReportScope

DEFAULT_DAYS = 30
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GROUP_LABELS = {
    "product": "Product",
    "category": "Category",
    "distributor": "Distributor",
    "region": "Region",
    "day": "Day",
}
NARROWING = ("product", "category", "distributor", "region")


def visible_distributors(scope: ReportScope):
    """The distributors whose figures the scope may hold."""
    distributors = Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR)
    org = scope.organization
    if scope.kind == Organization.Kind.DISTRIBUTOR:
        return distributors.filter(pk=org.pk)
    if scope.kind == Organization.Kind.MANUFACTURER:
        return distributors.filter(
            Q(pk__in=StockItem.objects.filter(product__manufacturer=org).values("distributor_id"))
            | Q(
                pk__in=OrderItem.objects.filter(product__manufacturer=org).values(
                    "order__distributor_id"
                )
            )
        )
    if scope.kind == Organization.Kind.RETAILER:
        return distributors.filter(
            pk__in=Order.objects.filter(buyer_organization=org).values("distributor_id")
        )
    return distributors


def visible_products(scope: ReportScope):
    products = Product.objects.all()
    org = scope.organization
    if scope.kind == Organization.Kind.MANUFACTURER:
        return products.filter(manufacturer=org)
    if scope.kind == Organization.Kind.DISTRIBUTOR:
        return products.filter(
            Q(pk__in=StockItem.objects.filter(distributor=org).values("product_id"))
            | Q(pk__in=OrderItem.objects.filter(order__distributor=org).values("product_id"))
        )
    if scope.kind == Organization.Kind.RETAILER:
        return products.filter(
            pk__in=OrderItem.objects.filter(order__buyer_organization=org).values("product_id")
        )
    return products


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 30 days, today included."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=DEFAULT_DAYS - 1), today


def previous_month(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.year, last.month


class ReportFilterForm(forms.Form):
    """The narrowing filters every report takes; subclasses add the period."""

    # A SKU typed (or an id from a link), not a list: a <select> of every product the
    # user may see rendered 2,000 options through crispy-forms, most of a report
    # page's time (bench/load.py), and would be 100,000 at full size.
    product = forms.CharField(
        required=False,
        max_length=64,
        label="Product",
        widget=forms.TextInput(attrs={"placeholder": "SKU, or empty for all"}),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.order_by("name"),
        required=False,
        empty_label="All categories",
        help_text=None,
    )
    distributor = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, empty_label="All distributors"
    )
    region = forms.ChoiceField(required=False, choices=[("", "All regions")])

    # The API serializer whose rules apply to the period fields, and those fields.
    rules = SalesQuerySerializer
    period_fields: tuple[str, ...] = ()

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, **kwargs)
        self.scope = scope
        distributors = visible_distributors(scope).order_by("name")
        self.fields["distributor"].queryset = distributors
        regions = sorted(set(distributors.exclude(region="").values_list("region", flat=True)))
        self.fields["region"].choices = [("", "All regions"), *((r, r) for r in regions)]
        if scope.kind == Organization.Kind.DISTRIBUTOR:
            # Its own sales only: nothing to choose between.
            self.fields["distributor"].widget = forms.HiddenInput()
            self.fields["region"].widget = forms.HiddenInput()

    def clean_product(self) -> Product | None:
        """The product by SKU (any case), or by id as the export links carry it, among
        those this user's reports cover; None for all."""
        text = (self.cleaned_data.get("product") or "").strip()
        if not text:
            return None
        products = visible_products(self.scope)
        found = products.filter(sku__iexact=text).first()
        if found is None and text.isdigit() and len(text) <= 18:
            found = products.filter(pk=int(text)).first()
        if found is None:
            raise forms.ValidationError(
                f"No product with the SKU “{text}” in your reports.", code="unknown_product"
            )
        return found

    def clean_region(self):
        return (self.cleaned_data.get("region") or "").strip()

    def clean(self):
        cleaned = super().clean()
        period = {
            name: cleaned[name] for name in self.period_fields if cleaned.get(name) is not None
        }
        if len(period) == len(self.period_fields):
            rules = self.rules(data={k: _wire(v) for k, v in period.items()})
            if not rules.is_valid():
                for name, messages in rules.errors.items():
                    target = name if name in self.fields else None
                    for message in messages:
                        self.add_error(target, str(message))
        return cleaned

    def narrowing(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in NARROWING if data.get(name)}

    def query(self) -> dict[str, str]:
        """The cleaned filters as query parameters (for the export links)."""
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            out[name] = _wire(value)
        return out


def _wire(value) -> str:
    if isinstance(value, Product):
        return value.sku
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class RangeFilterForm(ReportFilterForm):
    """A date range (default: the last 30 days) and the narrowing filters."""

    start = forms.DateField(label="From", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="To", required=False, widget=DATE_INPUT)

    period_fields = ("start", "end")
    field_order = ("start", "end")

    def __init__(self, data=None, *, scope: ReportScope, today=None, **kwargs):
        data = data.copy() if data is not None else {}
        start, end = default_range(today)
        if not data.get("start") and not data.get("end"):
            data["start"], data["end"] = start.isoformat(), end.isoformat()
        elif not data.get("end"):
            data["end"] = end.isoformat()
        elif not data.get("start"):
            data["start"] = data["end"]
        super().__init__(data, scope=scope, **kwargs)

    def filters(self) -> ReportFilters:
        data = self.cleaned_data
        return ReportFilters(start=data["start"], end=data["end"], **self.narrowing())


class SalesFilterForm(RangeFilterForm):
    group_by = forms.ChoiceField(
        label="Group by",
        choices=[(g, GROUP_LABELS[g]) for g in selectors.GROUP_BY],
        required=False,
    )

    period_fields = ("start", "end", "group_by")
    field_order = ("group_by", "start", "end")

    def clean_group_by(self):
        return self.cleaned_data.get("group_by") or "product"


class MonthlyFilterForm(ReportFilterForm):
    year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    month = forms.TypedChoiceField(
        coerce=int, choices=[(n, calendar.month_name[n]) for n in range(1, 13)]
    )

    rules = MonthlyQuerySerializer
    period_fields = ("year", "month")
    field_order = ("month", "year")

    def __init__(self, data=None, *, scope: ReportScope, today=None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("year") and not data.get("month"):
            # The last month with sales in view, so the page never opens on a month of zeros.
            month = selectors.last_month_with_sales(scope=scope, today=today)
            data["year"], data["month"] = (str(n) for n in month or previous_month(today))
        super().__init__(data, scope=scope, **kwargs)
