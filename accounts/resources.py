"""Spreadsheet resources for accounts: organizations, by kind and name.

`OrganizationWidget` is how every other resource names an organization (a
product's manufacturer and supplier, a stock item's distributor).
"""

from django.core.exceptions import ValidationError
from import_export.fields import Field

from auromart.spreadsheets import (
    ChoiceWidget,
    LookupWidget,
    SpreadsheetResource,
    TextWidget,
    YesNoWidget,
    cell_text,
)

from .gst import validate_gstin
from .models import Organization
from .services import (
    ORGANIZATION_CONTACT_FIELDS,
    organization_create,
    organization_set_contact,
)

KINDS = ChoiceWidget(Organization.Kind.choices, required=False)


class OrganizationWidget(LookupWidget):
    """An organization of one of `kinds`, by name (any case).

    Names are unique per kind only, so when two kinds share a name the cell
    says which: "Acme (distributor)". Exports write that form only then.
    """

    def __init__(self, *, kinds, required: bool = True):
        super().__init__(required=required)
        self.kinds = [str(k) for k in kinds]
        self.label = " or ".join(self.kinds)

    def load(self):
        return Organization.objects.filter(kind__in=self.kinds)

    def keys_of(self, organization):
        return [organization.name, f"{organization.name} ({organization.kind})"]

    def key_for(self, organization):
        if len(self.matches(organization.name)) > 1:
            return f"{organization.name} ({organization.kind})"
        return organization.name

    def ambiguous(self, text, found):
        options = " or ".join(f"“{o.name} ({o.kind})”" for o in found)
        return f"Several organizations are named “{text}”: write {options}."


class OrganizationResource(SpreadsheetResource):
    """Organizations (by kind and name): create and update contact details."""

    resource_name = "organizations"
    required_columns = ("kind", "name")
    key_columns = ("kind", "name")

    kind = Field(
        attribute="kind", column_name="kind", widget=ChoiceWidget(Organization.Kind.choices)
    )
    name = Field(
        attribute="name",
        column_name="name",
        widget=TextWidget(
            max_length=Organization._meta.get_field("name").max_length, required=True
        ),
    )
    contact_email = Field(
        attribute="contact_email", column_name="contact_email", widget=TextWidget(max_length=254)
    )
    phone = Field(attribute="phone", column_name="phone", widget=TextWidget(max_length=32))
    address = Field(attribute="address", column_name="address", widget=TextWidget(max_length=255))
    city = Field(attribute="city", column_name="city", widget=TextWidget(max_length=100))
    region = Field(attribute="region", column_name="region", widget=TextWidget(max_length=100))
    country = Field(attribute="country", column_name="country", widget=TextWidget(max_length=100))
    gstin = Field(attribute="gstin", column_name="gstin", widget=TextWidget(max_length=15))
    # The default store moves only through accounts.services (the admin's
    # checkbox): exported for the reader, ignored on import.
    is_default_store = Field(
        attribute="is_default_store",
        column_name="is_default_store",
        widget=YesNoWidget(),
        readonly=True,
    )

    class Meta:
        model = Organization
        import_id_fields = ["kind", "name"]
        fields = [
            "kind",
            "name",
            "contact_email",
            "phone",
            "address",
            "city",
            "region",
            "country",
            "gstin",
            "is_default_store",
        ]
        skip_unchanged = True
        report_skipped = True

    def row_key(self, row):
        try:
            kind = KINDS.clean(row.get("kind"))
        except ValueError:
            return None
        name = cell_text(row.get("name")).casefold()
        return (kind, name) if kind and name else None

    def load_existing(self, dataset):
        # Few rows, and names compare without regard to case (as
        # organization_create does), so read them all once.
        return {(o.kind, o.name.casefold()): o for o in Organization.objects.all()}

    def after_init_instance(self, instance, new, row, **kwargs):
        self._stored_name = None if new else instance.name
        super().after_init_instance(instance, new, row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # The name is the key, matched without regard to case: "AURO SLEEP"
            # finds "Auro Sleep" and leaves its spelling alone.
            if self._stored_name is not None:
                instance.name = self._stored_name

    def validate(self, instance, errors):
        if errors:
            return
        if instance._state.adding:
            # A new organization is checked by organization_create; its GSTIN here.
            try:
                validate_gstin(instance.gstin)
            except ValidationError as exc:
                errors["gstin"] = exc.messages
            return
        try:
            instance.full_clean(exclude=["is_default_store", "name", "kind"])
        except ValidationError as exc:
            self.merge(errors, exc)

    def do_instance_save(self, instance, is_create):
        if not is_create:
            organization_set_contact(
                organization=instance,
                **{name: getattr(instance, name) for name in ORGANIZATION_CONTACT_FIELDS},
            )
            return
        try:
            created = organization_create(
                name=instance.name,
                kind=instance.kind,
                contact_email=instance.contact_email,
                phone=instance.phone,
                address=instance.address,
                city=instance.city,
                region=instance.region,
                country=instance.country,
            )
        except ValidationError as exc:
            errors = {}
            self.merge(errors, exc, rename={"organization_name": "name"})
            raise ValidationError(errors) from exc
        if instance.gstin:
            organization_set_contact(organization=created, gstin=instance.gstin)
        instance.pk = created.pk
        instance._state.adding = False

    def get_queryset(self):
        return Organization.objects.order_by("kind", "name")
