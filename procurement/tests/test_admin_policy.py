"""Working calendars and replenishment policies in the admin."""

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from procurement.models import Holiday, PolicyKind, ReplenishmentPolicy, WorkingCalendar

pytestmark = pytest.mark.django_db

POLICIES = "/admin/procurement/replenishmentpolicy/"
CALENDARS = "/admin/procurement/workingcalendar/"


@pytest.fixture
def admin_client_():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_policy_list_costs_the_same_queries_for_5_and_50_rows(
    admin_client_, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            ReplenishmentPolicy.objects.create(stock_item=StockItemFactory())

    grow(5)
    with django_assert_max_num_queries(30) as small:
        assert admin_client_.get(POLICIES).status_code == 200
    grow(45)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = admin_client_.get(POLICIES)
    assert page.status_code == 200


def test_saving_a_policy_as_dynamic_recomputes_it_at_once(admin_client_):
    item = StockItemFactory(on_hand=10)
    policy = ReplenishmentPolicy.objects.create(stock_item=item)
    response = admin_client_.post(
        f"{POLICIES}{policy.pk}/change/",
        {
            "stock_item": item.pk,
            "policy": PolicyKind.DYNAMIC,
            "service_level": "0.990",
            "window_days": "60",
            "review_period_days": "7",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    policy.refresh_from_db()
    assert policy.policy == PolicyKind.DYNAMIC and policy.computed_at is not None
    assert "fixed reorder level applies" in policy.rule  # no demand history yet


def test_out_of_range_settings_are_refused(admin_client_):
    item = StockItemFactory()
    policy = ReplenishmentPolicy.objects.create(stock_item=item)
    response = admin_client_.post(
        f"{POLICIES}{policy.pk}/change/",
        {
            "stock_item": item.pk,
            "policy": PolicyKind.DYNAMIC,
            "service_level": "1.000",
            "window_days": "5000",
            "review_period_days": "7",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"service_level", "window_days"} <= set(errors)


def test_a_calendar_with_a_holiday_is_added_in_the_admin(admin_client_):
    distributor = DistributorFactory()
    data = {
        "distributor": distributor.pk,
        **dict.fromkeys(["monday", "tuesday", "wednesday", "thursday", "friday"], "on"),
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
        "holidays-0-date": "2026-12-25",
        "holidays-0-name": "Christmas",
    }
    response = admin_client_.post(f"{CALENDARS}add/", data)
    assert response.status_code == 302, response.content[:3000]
    calendar = WorkingCalendar.objects.get(distributor=distributor)
    assert not calendar.saturday
    assert Holiday.objects.get(calendar=calendar).name == "Christmas"
    assert admin_client_.get(CALENDARS).status_code == 200
    # No working weekday at all is refused.
    other = DistributorFactory()
    response = admin_client_.post(
        f"{CALENDARS}add/",
        {**data, "distributor": other.pk, **{d: "" for d in data if d.endswith("day")}},
    )
    assert response.status_code == 200
    assert not WorkingCalendar.objects.filter(distributor=other).exists()


def test_procurement_staff_keep_calendars_and_policies_without_being_superusers():
    """procurement 0008 gives the procurement group the policy models' permissions."""
    from procurement.tests.factories import procurement_staff

    client = Client()
    staff = procurement_staff()
    assert not staff.is_superuser
    client.force_login(staff)
    distributor = DistributorFactory()
    response = client.post(
        f"{CALENDARS}add/",
        {
            "distributor": distributor.pk,
            **dict.fromkeys(["monday", "tuesday", "wednesday", "thursday", "friday"], "on"),
            "holidays-TOTAL_FORMS": "1",
            "holidays-INITIAL_FORMS": "0",
            "holidays-MIN_NUM_FORMS": "0",
            "holidays-MAX_NUM_FORMS": "1000",
            "holidays-0-date": "2026-12-25",
            "holidays-0-name": "Christmas",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Holiday.objects.filter(calendar__distributor=distributor, name="Christmas").exists()
    item = StockItemFactory(on_hand=10)
    policy = ReplenishmentPolicy.objects.create(stock_item=item)
    assert client.get(POLICIES).status_code == 200
    response = client.post(
        f"{POLICIES}{policy.pk}/change/",
        {
            "stock_item": item.pk,
            "policy": PolicyKind.DYNAMIC,
            "service_level": "0.950",
            "window_days": "90",
            "review_period_days": "7",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert ReplenishmentPolicy.objects.get(pk=policy.pk).policy == PolicyKind.DYNAMIC
    # The figures stay read-only (one list with what the nightly recompute writes).
    form = client.get(f"{POLICIES}{policy.pk}/change/").context["adminform"].form
    assert "reorder_point" not in form.fields and "rule" not in form.fields


def test_the_admins_read_only_figures_are_the_nightly_recomputes_update_fields():
    from procurement.admin_policy import ReplenishmentPolicyAdmin
    from procurement.models_policy import COMPUTED_FIELDS

    assert ReplenishmentPolicyAdmin.readonly_fields is COMPUTED_FIELDS
    computed = {f.name for f in ReplenishmentPolicy._meta.fields if not f.editable} - {"id"}
    assert set(COMPUTED_FIELDS) == computed
