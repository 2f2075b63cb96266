import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Organization, SupplyAgreement, User

DEFAULT_PASSWORD = "correct-horse-battery"


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = Organization.Kind.RETAILER
    contact_email = factory.LazyAttribute(
        lambda o: f"contact@{o.name.lower().replace(' ', '-')}.test"
    )
    city = "Pune"
    region = "West"
    country = "India"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CustomerFactory(UserFactory):
    organization = None


class RetailerUserFactory(UserFactory):
    organization = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.RETAILER)
    is_org_admin = True


class DistributorUserFactory(UserFactory):
    organization = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.DISTRIBUTOR)
    is_org_admin = True


class ManufacturerUserFactory(UserFactory):
    organization = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.MANUFACTURER)
    is_org_admin = True


class SupplyAgreementFactory(DjangoModelFactory):
    """An accepted agreement by default: the manufacturer may supply the distributor."""

    class Meta:
        model = SupplyAgreement

    manufacturer = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.MANUFACTURER)
    distributor = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.DISTRIBUTOR)
    status = SupplyAgreement.Status.ACCEPTED
    accepted_at = factory.LazyFunction(timezone.now)


def supplies(manufacturer: Organization, *distributors: Organization) -> None:
    """Record accepted agreements: `manufacturer` supplies each of `distributors`."""
    for distributor in distributors:
        SupplyAgreementFactory(manufacturer=manufacturer, distributor=distributor)
