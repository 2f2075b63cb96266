"""schemathesis fuzzes every operation of /api/schema/ as every role.

The schema is loaded from the app itself (Django's WSGI handler, no server),
and each role runs every operation with generated valid (positive) and
invalid (negative) requests. Every response must:

- not be a server error (5xx),
- have a status code the schema documents for that operation,
- have a documented content type, headers and a body that matches the schema.

Path ids are drawn half the time from the seeded objects (orders, invoices,
stock, products, procurement requests, purchase orders, notifications, of the
caller's organization and of others) and otherwise from schemathesis, so both
real and missing objects are hit. Runs are deterministic (`derandomize`) and
bounded: AUROMART_FUZZ_EXAMPLES examples per operation and generation mode.

A failure lists each operation with its check, the failing request and, for a
500, the server's traceback. The number of cases per role goes to the terminal.
"""

import os
import traceback
from collections import Counter

import pytest
from django.core.signals import got_request_exception
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from accounts.models import Organization
from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
)
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import StockItemFactory
from invoicing.tests.factories import invoice_for
from notifications.models import Notification
from orders.tests.factories import place_order
from procurement.models import ProcurementRequest
from procurement.services import procurement_request_approve, procurement_request_create
from procurement.tests.factories import procurement_staff

from .openapi import CHECKS, api_schema, bearer, keep_test_connection

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("AUROMART_FUZZ_EXAMPLES", "10"))
ROLES = ("anonymous", "customer", "retailer", "distributor", "manufacturer", "procurement")
MISSING_IDS = (0, 987654, 2**31 - 1)

CASES: Counter = Counter()  # role -> cases run, for the summary
STATUSES: Counter = Counter()  # (role, "2xx"/"4xx") -> responses that passed every check


def seed_world() -> dict:
    """Users of every role and objects of theirs and of strangers; returns {"users", "ids"}."""
    distributor = DistributorUserFactory(organization__name="Depot One")
    d1 = distributor.organization
    d1.is_default_store = True
    d1.save()
    d2 = OrganizationFactory(name="Depot Two", kind=Organization.Kind.DISTRIBUTOR)
    manufacturer = ManufacturerUserFactory()
    retailer = RetailerUserFactory()
    customer = CustomerFactory()
    staff = procurement_staff()
    users = {
        "customer": customer,
        "retailer": retailer,
        "distributor": distributor,
        "manufacturer": manufacturer,
        "procurement": staff,
    }
    category = CategoryFactory()
    own = ProductFactory(manufacturer=manufacturer.organization, category=category)
    other = ProductFactory(category=category)
    low = ProductFactory(manufacturer=manufacturer.organization)
    for product in (own, other):
        for depot in (d1, d2):
            StockItemFactory(product=product, distributor=depot, on_hand=500)
    StockItemFactory(product=low, distributor=d1, on_hand=2)
    orders = [
        place_order(customer=customer, distributor=d1, lines=[(own, 1)]),
        place_order(customer=retailer, distributor=d1, lines=[(own, 2), (other, 1)]),
        place_order(customer=CustomerFactory(), distributor=d2, lines=[(other, 1)]),
        place_order(customer=RetailerUserFactory(), distributor=d2, lines=[(own, 1)]),
    ]
    invoices = [
        invoice_for(customer=customer, distributor=d1, lines=[(own, 1)]),
        invoice_for(customer=retailer, distributor=d1, lines=[(other, 1)]),
        invoice_for(customer=RetailerUserFactory(), distributor=d2, lines=[(other, 1)]),
    ]
    notifications = [
        Notification.objects.create(user=user, event="test", title="Yours")
        for user in users.values()
    ]
    requests = [
        procurement_request_create(product=other, distributor=d1, by=staff, quantity=10),
        procurement_request_create(product=own, distributor=d2, by=staff, quantity=10),
        # The low item's request: the one monitoring opened when it was stocked below
        # its reorder level (#13), else one made here.
        ProcurementRequest.objects.filter(product=low, distributor=d1).first()
        or procurement_request_create(product=low, distributor=d1, by=staff, quantity=5),
    ]
    purchase_order = procurement_request_approve(request=requests[1], by=staff)
    ids = {
        obj.pk
        for obj in (
            *orders,
            *invoices,
            *notifications,
            *requests,
            purchase_order,
            own,
            other,
            low,
            *StockItem.objects.all(),
        )
    }
    return {"users": users, "ids": sorted(ids)}


@pytest.fixture
def server_errors():
    """Tracebacks of the exceptions behind 500s, newest last."""
    seen: list[str] = []

    def record(sender, request=None, **kwargs):
        seen.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")

    got_request_exception.connect(record, dispatch_uid="api-fuzz")
    yield seen
    got_request_exception.disconnect(dispatch_uid="api-fuzz")


def _strategies(operation):
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        yield mode, operation.as_strategy(generation_mode=mode)


def _fuzz_operation(operation, *, role, headers, ids, errors) -> list[str]:
    """Run one operation; return the failures (empty when it holds)."""
    failures = []
    has_id = any(p.name == "id" for p in operation.path_parameters)
    for mode, strategy in _strategies(operation):
        if has_id:
            pinned = st.sampled_from([*ids, *MISSING_IDS]).flatmap(
                lambda pk, mode=mode: operation.as_strategy(
                    generation_mode=mode, path_parameters={"id": pk}
                )
            )
            strategy = st.one_of(pinned, strategy)

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(case=strategy)
        def run(case):
            CASES[role] += 1
            errors.clear()
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            STATUSES[role, f"{response.status_code // 100}xx"] += 1

        try:
            run()
        except Unsatisfiable:
            # Nothing in the request can be made invalid (no parameters, no body).
            assert mode is GenerationMode.NEGATIVE, operation.label
        except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is a BaseExceptionGroup
            detail = str(exc).strip()
            if errors:
                detail += "\n-- server traceback --\n" + errors[-1]
            failures.append(f"{operation.label} [{mode.value}] as {role}:\n{detail}")
    return failures


def _say(request, line: str) -> None:
    """A line in the terminal (and so in the CI log), past pytest's output capture."""
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if terminal is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        terminal.write_line(f"\n{line}")


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_holds_its_schema(role, server_errors, request):
    world = seed_world()
    headers = bearer(world["users"][role]) if role != "anonymous" else {}
    operations = [result.ok() for result in api_schema().get_all_operations()]
    assert len(operations) > 40, "the schema lost its operations"
    failures = []
    with keep_test_connection():
        for operation in operations:
            failures += _fuzz_operation(
                operation, role=role, headers=headers, ids=world["ids"], errors=server_errors
            )
    _say(
        request,
        f"schemathesis: {CASES[role]} cases as {role} over {len(operations)} operations "
        f"(2xx {STATUSES[role, '2xx']}, 4xx {STATUSES[role, '4xx']}; "
        f"{EXAMPLES} examples per operation and mode; {CASES.total()} cases in this run so far)",
    )
    assert not failures, f"{len(failures)} failing operation(s):\n\n" + "\n\n".join(failures)
