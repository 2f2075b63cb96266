import pytest
from import_export.formats import base_formats

from accounts.models import Organization
from accounts.resources import OrganizationResource
from accounts.services import organization_set_default_store
from accounts.tests.factories import OrganizationFactory
from auromart.spreadsheets import read_dataset

pytestmark = pytest.mark.django_db


def import_csv(text, **kwargs):
    dataset = read_dataset(text.encode(), base_formats.CSV(encoding="utf-8-sig"))
    return OrganizationResource().import_data(dataset, **kwargs)


def test_exported_organizations_import_back_with_no_change():
    store = OrganizationFactory(name="Central Store", kind=Organization.Kind.DISTRIBUTOR)
    organization_set_default_store(organization=store)
    OrganizationFactory(name="+91 Traders", kind=Organization.Kind.RETAILER, phone="+91 20 1234")
    OrganizationFactory(name="Auro Sleep", kind=Organization.Kind.MANUFACTURER, address="")
    before = list(Organization.objects.order_by("pk").values())

    exported = base_formats.CSV().export_data(OrganizationResource().export())
    assert "'+91 Traders" in exported  # formula-like text is escaped
    result = import_csv(exported)

    assert result.error_report == []
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 0, 3)
    assert list(Organization.objects.order_by("pk").values()) == before


def test_organizations_are_created_through_the_service_and_matched_ignoring_case():
    existing = OrganizationFactory(name="Auro Sleep", kind=Organization.Kind.MANUFACTURER)
    text = (
        "kind,name,city,contact_email,is_default_store\n"
        "Manufacturer,AURO SLEEP,Mysuru,,\n"  # the existing one: kind by label, name in capitals
        "distributor,Auro Sleep,Pune,orders@auro.test,yes\n"  # another kind: a new organization
    )

    result = import_csv(text)

    assert result.error_report == []
    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    existing.refresh_from_db()
    assert (existing.name, existing.city) == ("Auro Sleep", "Mysuru")
    created = Organization.objects.get(kind=Organization.Kind.DISTRIBUTOR, name="Auro Sleep")
    assert created.contact_email == "orders@auro.test"
    # The default store moves only through the service: the column is ignored.
    assert created.is_default_store is None


def test_bad_organization_rows_are_reported_and_nothing_is_written():
    text = (
        "kind,name,contact_email\n"
        "retailer,Fine Shop,\n"
        "wholesaler,Odd Kind,\n"
        "retailer,Bad Mail,not-an-address\n"
        "retailer,fine shop,\n"
    )

    result = import_csv(text)

    assert [(e.row, e.column) for e in result.error_report] == [
        (3, "kind"),
        (4, "contact_email"),
        (5, "kind"),
    ]
    assert "Choose one of manufacturer, distributor, retailer" in result.error_report[0].message
    assert "already in row 2" in result.error_report[2].message
    assert not Organization.objects.exists()


def test_an_update_writes_only_contact_details_through_the_service():
    store = OrganizationFactory(name="Central", kind=Organization.Kind.DISTRIBUTOR)
    organization_set_default_store(organization=store)
    text = "kind,name,city,phone,is_default_store\ndistributor,central,Hubli, +91 80 1234 ,no\n"

    result = import_csv(text)

    assert result.error_report == []
    store.refresh_from_db()
    assert (store.name, store.city, store.phone) == ("Central", "Hubli", "+91 80 1234")
    assert store.is_default_store is True  # the store moves only through its own service
