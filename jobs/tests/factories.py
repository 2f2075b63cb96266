import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from jobs.models import Job


class JobFactory(DjangoModelFactory):
    class Meta:
        model = Job

    kind = "test_ok"
    owner = factory.SubFactory(UserFactory)
    label = factory.Sequence(lambda n: f"Job {n}")
