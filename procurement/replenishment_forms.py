"""Forms of the replenishment screen: its filters and its bulk actions. They only parse;
procurement.replenishment_actions decides what may be done."""

from django import forms
from django.db.models import Exists, OuterRef

from accounts.models import Organization
from auromart.api.fields import MAX_ID
from catalog.models import SupplierLine

from .models import NotOrderedReason
from .replenishment import ANY_REASON, ReplenishmentFilters
from .replenishment_actions import MAX_BULK_ITEMS

SEARCH_MAX_LENGTH = 100
REASON_CHOICES = [
    ("", "Any state"),
    (ANY_REASON, "Not ordered (any reason)"),
    *NotOrderedReason.choices,
]


class ReplenishmentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=SEARCH_MAX_LENGTH)
    distributor = forms.ModelChoiceField(
        label="Distributor", required=False, queryset=Organization.objects.none()
    )
    supplier = forms.ModelChoiceField(
        label="Supplier", required=False, queryset=Organization.objects.none()
    )
    reason = forms.ChoiceField(label="Reason", required=False, choices=REASON_CHOICES)

    def __init__(self, *args, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["distributor"].queryset = Organization.objects.filter(
                kind=Organization.Kind.DISTRIBUTOR
            ).order_by("name")
        else:
            del self.fields["distributor"]
        # EXISTS per organization (one probe of the supplier index each), not a join with
        # DISTINCT over every supplier line (85 ms on 20,000 lines).
        self.fields["supplier"].queryset = Organization.objects.filter(
            Exists(SupplierLine.objects.filter(supplier_id=OuterRef("pk"))),
            kind__in=[Organization.Kind.MANUFACTURER, Organization.Kind.DISTRIBUTOR],
        ).order_by("name")
        for name in ("distributor", "supplier", "reason"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "type": "search", "placeholder": "SKU or product name"}
        )

    def filters(self) -> ReplenishmentFilters:
        data = self.cleaned_data if self.is_valid() else {}
        distributor, supplier = data.get("distributor"), data.get("supplier")
        return ReplenishmentFilters(
            distributor_id=distributor.pk if distributor else None,
            supplier_id=supplier.pk if supplier else None,
            reason=data.get("reason") or "",
            search=(data.get("q") or "").strip(),
        )

    def labels(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        data, labels = self.cleaned_data, {}
        for name in ("distributor", "supplier"):
            if data.get(name):
                labels[self.fields[name].label] = str(data[name])
        if data.get("reason"):
            labels["Reason"] = dict(REASON_CHOICES)[data["reason"]]
        if data.get("q"):
            labels["Search"] = data["q"]
        return labels


class ItemIdsField(forms.TypedMultipleChoiceField):
    """Stock item ids ticked on the page; the view scopes them to what the user may see."""

    def valid_value(self, value) -> bool:
        return valid_item_id(value)


class ReplenishmentActionForm(forms.Form):
    ORDER, SNOOZE, UNSNOOZE = "order", "snooze", "unsnooze"

    action = forms.ChoiceField(
        choices=[(ORDER, "Order now"), (SNOOZE, "Snooze until"), (UNSNOOZE, "Lift snooze")]
    )
    items = ItemIdsField(coerce=int, choices=[], required=True)
    until = forms.DateField(
        label="Snooze until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].error_messages["required"] = "Tick at least one item."

    def clean_items(self):
        ids = self.cleaned_data["items"]
        if len(ids) > MAX_BULK_ITEMS:
            raise forms.ValidationError(f"Choose at most {MAX_BULK_ITEMS} items at a time.")
        return ids

    def clean(self):
        data = super().clean()
        if (
            data.get("action") == self.SNOOZE
            and not data.get("until")
            and "until" not in self.errors
        ):
            self.add_error("until", "Give the date to snooze until.")
        return data


def valid_item_id(value) -> bool:
    try:
        return 1 <= int(value) <= MAX_ID
    except (TypeError, ValueError):
        return False
