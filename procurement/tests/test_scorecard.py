"""The supplier scorecard: each figure on a small history built through the services under a
simulated clock, its page (with the chart) and API, and the on-time rate supplier choice uses."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from accounts.tests.factories import DistributorUserFactory, supplies
from catalog.models import SupplierLine
from catalog.tests.factories import ManufacturerFactory, ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from procurement import services
from procurement.models import ProcurementRequest, RequestStatus
from procurement.scorecard import on_time_rates, supplier_scorecard
from transfers.models import TransferOrder
from transfers.services import (
    transfer_confirm,
    transfer_receive,
    transfer_ship,
    transfer_write_off,
)

from .factories import procurement_staff

pytestmark = pytest.mark.django_db

DAY0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def at(days: float) -> datetime.datetime:
    return DAY0 + datetime.timedelta(days=days)


@pytest.fixture
def history():
    """Maker: one PO on time (answered in 4 h, received day 5), one late against its original
    date though on time against the revised one (answered in 10 h, received day 9). Wholesaler:
    one PO fulfilled by its transfer on day 6 (confirming the transfer answers it), half of it
    arriving, the rest written off (the PO closed short), whose cost rose 10 % between the
    request and the approval."""
    maker = ManufacturerFactory(name="Maker")
    wholesaler = DistributorFactory(name="Wholesaler")
    store = DistributorFactory(name="Store")
    supplies(maker, wholesaler)
    staff = procurement_staff()
    pos = {}
    with time_machine.travel(at(0), tick=False):
        products = []
        for name, supplier, cost in [
            ("on time", maker, "100.00"),
            ("late", maker, "50.00"),
            ("short", wholesaler, "20.00"),
        ]:
            product = ProductFactory(name=name, manufacturer=maker, reorder_level=5)
            SupplierLine.objects.filter(product=product).delete()
            SupplierLine.objects.create(
                product=product, supplier=supplier, unit_cost=Decimal(cost), lead_time_days=7
            )
            StockItemFactory(product=product, distributor=store, on_hand=50)
            products.append(product)
        requests = [
            services.procurement_request_create(product=p, distributor=store, by=staff, quantity=q)
            for p, q in zip(products, (10, 10, 40), strict=True)
        ]
        SupplierLine.objects.filter(product=products[2]).update(unit_cost=Decimal("22.00"))
        for key, request in zip(("on_time", "late", "short"), requests, strict=True):
            pos[key] = services.procurement_request_approve(request=request, by=staff)
    with time_machine.travel(at(4 / 24), tick=False):
        services.purchase_order_confirm(purchase_order=pos["on_time"], responded_by="Maker")
    with time_machine.travel(at(10 / 24), tick=False):
        services.purchase_order_propose(
            purchase_order=pos["late"],
            responded_by="Maker",
            proposed_date=at(12).date(),
        )
        services.purchase_order_accept_proposal(purchase_order=pos["late"], by=staff)
    with time_machine.travel(at(5), tick=False):
        services.purchase_order_receive(
            purchase_order=pos["on_time"], lines=[(products[0].pk, 10)], by=staff
        )
    with time_machine.travel(at(6), tick=False):
        # A distributor's goods come as its transfer (#23 §3): confirmed (its answer), shipped
        # and received on day 6, the half it had.
        StockItemFactory(product=products[2], distributor=wholesaler, on_hand=40)
        transfer = TransferOrder.objects.get(purchase_order=pos["short"])
        transfer_confirm(transfer=transfer, by=None)
        transfer_ship(transfer=transfer, by=None)
        line = transfer.lines.get()
        transfer_receive(
            transfer=transfer, by=None, received={line.pk: 20}, reasons={line.pk: "Spoilt"}
        )
        # Writing the rest off closes the PO short.
        transfer_write_off(transfer=transfer, by=None, reason="The rest is discontinued.")
    with time_machine.travel(at(9), tick=False):
        services.purchase_order_receive(
            purchase_order=pos["late"], lines=[(products[1].pk, 10)], by=staff
        )
    return {"maker": maker, "wholesaler": wholesaler, "store": store, "staff": staff, "pos": pos}


def scores_by_name(**kwargs):
    return {s.supplier: s for s in supplier_scorecard(start=at(-1), end=at(30), **kwargs)}


def test_each_figure_of_the_scorecard(history):
    scores = scores_by_name()
    maker, wholesaler = scores["Maker"], scores["Wholesaler"]
    assert maker.purchase_orders == 2 and maker.answered == 2
    assert maker.response_hours == Decimal("7.0")  # (4 + 10) / 2
    # On time against the ORIGINAL date (day 7): day 5 yes, day 9 no, though revised to day 12.
    assert (maker.on_time, maker.completed, maker.on_time_rate) == (1, 2, Decimal("0.5000"))
    assert maker.lead_time_days_mean == Decimal("7.0") and maker.lead_time_days_std == Decimal(
        "2.0"
    )
    assert (maker.units_ordered, maker.units_received, maker.fill_rate) == (20, 20, Decimal("1"))
    assert maker.short_closes == 0 and maker.cost_variance == Decimal("0")
    # Answered by confirming its transfer on day 6 (6 x 24 h after the PO went out).
    assert wholesaler.answered == 1 and wholesaler.response_hours == Decimal("144.0")
    assert (wholesaler.on_time, wholesaler.completed) == (1, 1)  # closed on day 6
    assert wholesaler.fill_rate == Decimal("0.5000") and wholesaler.short_closes == 1
    assert wholesaler.lead_time_days_mean == Decimal("6.0")
    # 40 units quoted at 20.00 when the request was raised, ordered at 22.00: +10 %.
    assert (wholesaler.quoted_cost, wholesaler.po_cost) == (Decimal("800.00"), Decimal("880.00"))
    assert wholesaler.cost_variance == Decimal("0.1000")
    # Best on-time rate first.
    assert [s.supplier for s in supplier_scorecard(start=at(-1), end=at(30))] == [
        "Wholesaler",
        "Maker",
    ]


def test_the_period_and_the_narrowing(history):
    assert supplier_scorecard(start=at(1), end=at(30)) == []  # every PO was sent on day 0
    assert set(scores_by_name(supplier_id=history["maker"].pk)) == {"Maker"}
    assert scores_by_name(distributor=DistributorFactory()) == {}


def test_the_request_keeps_the_cost_it_was_raised_at(history):
    request = ProcurementRequest.objects.get(po_line__purchase_order=history["pos"]["short"])
    assert request.unit_cost == Decimal("20.00")
    assert request.po_line.unit_cost == Decimal("22.00")
    assert request.status == RequestStatus.FULFILLED


def test_supplier_choice_ranks_by_the_scorecards_on_time_rate(history):
    """One rule: the rate supplier choice uses is the scorecard's, per distributor."""
    rates = on_time_rates(
        supplier_ids=[history["maker"].pk, history["wholesaler"].pk],
        distributor_id=history["store"].pk,
    )
    scores = scores_by_name(distributor=history["store"])
    assert rates == {
        history["maker"].pk: float(scores["Maker"].on_time_rate),
        history["wholesaler"].pk: float(scores["Wholesaler"].on_time_rate),
    }


def test_page_with_chart_and_api(history, django_assert_max_num_queries):
    client = Client()
    client.force_login(history["staff"])
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    page = client.get("/procurement/suppliers/scorecard/", query)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "On-time rate against the original date" in body
    assert "Wholesaler" in body and "1 of 2" in body
    with django_assert_max_num_queries(12):
        answer = client.get("/api/admin/procurement/suppliers/scorecard", query)
    assert answer.status_code == 200
    rows = {r["supplier"]: r for r in answer.json()}
    assert rows["Maker"]["on_time_rate"] == "0.5000"
    assert rows["Wholesaler"]["cost_variance"] == "0.1000"
    bad = client.get(
        "/api/admin/procurement/suppliers/scorecard", {"start": "2026-04-01", "end": "2026-03-01"}
    )
    assert bad.status_code == 400 and "start" in bad.json()["errors"]
    too_long = client.get(
        "/procurement/suppliers/scorecard/", {"start": "2020-01-01", "end": "2026-01-01"}
    )
    assert too_long.status_code == 400 and "at most" in too_long.content.decode()
    outsider = Client()
    outsider.force_login(DistributorUserFactory())
    assert outsider.get("/procurement/suppliers/scorecard/").status_code == 403
    assert outsider.get("/api/admin/procurement/suppliers/scorecard").status_code == 403


def test_the_scorecard_is_four_queries_however_many_suppliers(history, django_assert_num_queries):
    with django_assert_num_queries(4):
        assert len(supplier_scorecard(start=at(-1), end=at(30))) == 2
    supplier = ManufacturerFactory()
    product = ProductFactory(manufacturer=supplier, reorder_level=5)
    StockItemFactory(product=product, distributor=history["store"], on_hand=50)
    with time_machine.travel(at(1), tick=False):
        request = services.procurement_request_create(
            product=product, distributor=history["store"], by=history["staff"], quantity=5
        )
        services.procurement_request_approve(request=request, by=history["staff"])
    with django_assert_num_queries(4):
        assert len(supplier_scorecard(start=at(-1), end=at(30))) == 3
