"""The returns admin: staff read returns with their lines and history; nothing is edited
there (moves go through the services)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

from .factories import delivered, requested

pytestmark = pytest.mark.django_db


def test_staff_read_the_list_and_a_return_with_constant_queries(
    client, django_assert_max_num_queries
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    rma = requested(delivered(quantity=3), quantity=1, note="Cracked lid.")
    client.force_login(admin)
    with django_assert_max_num_queries(20) as few:
        page = client.get(reverse("admin:returns_returnrequest_changelist"))
    assert rma.number in page.content.decode()
    for _ in range(3):
        requested(delivered(quantity=2), quantity=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("admin:returns_returnrequest_changelist"))
    detail = client.get(reverse("admin:returns_returnrequest_change", args=[rma.pk]))
    assert detail.status_code == 200 and "Cracked lid." in detail.content.decode()
    add = client.get(reverse("admin:returns_returnrequest_add"))
    assert add.status_code == 403
