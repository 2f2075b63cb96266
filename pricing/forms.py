from django import forms
from django.conf import settings

from accounts.models import Organization
from orders.models import Order

from .models import PriceList, PriceListAssignment
from .services import DISTRIBUTOR_SCOPES

SCOPE_LABELS = {
    PriceListAssignment.Scope.EVERYONE: "Every buyer",
    PriceListAssignment.Scope.CUSTOMERS: "Customers (the shop's visitors and people)",
    PriceListAssignment.Scope.ORGANIZATION: "One retailer",
}


class PriceListForm(forms.ModelForm):
    scope = forms.ChoiceField(
        label="For", choices=[(s.value, SCOPE_LABELS[s]) for s in DISTRIBUTOR_SCOPES]
    )
    organization = forms.ModelChoiceField(
        label="Retailer",
        queryset=Organization.objects.none(),
        required=False,
        help_text="The retailers that have ordered from you.",
    )

    class Meta:
        model = PriceList
        fields = ["name", "valid_from", "valid_to", "prices_include_tax", "is_active"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, distributor, **kwargs):
        super().__init__(*args, **kwargs)
        buyers = Order.objects.filter(
            distributor=distributor, buyer_organization__isnull=False
        ).values("buyer_organization")
        self.fields["organization"].queryset = Organization.objects.filter(
            kind=Organization.Kind.RETAILER, pk__in=buyers
        )
        if self.instance.pk:
            assignment = self.instance.assignments.first()
            if assignment is not None:
                self.initial.setdefault("scope", assignment.scope)
                self.initial.setdefault("organization", assignment.organization_id)

    def _post_clean(self):
        pass  # the service validates the model (and names the errors)


class LinesUploadForm(forms.Form):
    FORMATS = (("csv", "CSV (UTF-8)"), ("xlsx", "Excel (XLSX)"))

    import_file = forms.FileField(label="Spreadsheet of lines")

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.SPREADSHEET_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 2**20:.1f} MB; the limit is "
                f"{settings.SPREADSHEET_IMPORT_MAX_BYTES // 2**20} MB."
            )
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload
