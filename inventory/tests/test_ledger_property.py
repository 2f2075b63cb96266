"""Properties of the stock figures, checked by hypothesis over random sequences of operations.

Whatever mix of assignments, receipts, adjustments, counts, orders (ship
complete or backorder the rest), acceptances, shipments (whole or partial,
while units stay backordered), cancellations, rejections and cancelled
backorders comes in, through the real services, every stock item keeps:

* on_hand >= 0 and equal to the sum of its ledger;
* allocated + held <= on_hand, and allocated equal to what open order lines hold;
* on_hand as a simple model predicts (only receipts, assignments, adjustments,
  counts and dispatches move it: placing or cancelling an order does not);

Each distributor has two warehouses (stock arrives, is adjusted and counted
in either; orders allocate by priority, a line larger than the first's
available taking the rest from the second; a shipment leaves one warehouse),
and every warehouse row keeps the same: on_hand >= 0 and equal to its ledger
(the movements naming that warehouse), allocated + held <= on_hand,
allocated equal to what open lines hold there, on_hand as the model
predicts; and the rows of an item add up to its figures.

Transfers (#23) move units between the two warehouses and to and from a peer
distributor (each taken at once to confirmed, shipped, received, received
short or closed by a write-off, and later steps on older ones): allocated
counts what confirmed transfers hold (per warehouse too), the peer's shelf is
as modelled, and the network total (every shelf + in transit) is unchanged by
every transfer step but a write-off, which lowers it by exactly its units.

And every order line's units add up (allocated + shipped + backordered +
cancelled = ordered), the demand recorded equals the units asked for (placed
or refused), and an operation that is refused writes nothing at all. Each
example runs in its own transaction, rolled back afterwards
(hypothesis.extra.django.TestCase).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
)
from catalog.tests.factories import ProductFactory
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem, StockMovement, WarehouseStock
from inventory.selectors import stock_items_off_their_warehouses
from inventory.services import stock_adjust, stock_assign, stock_count, stock_receive
from inventory.tests.factories import DistributorFactory, StockItemFactory
from inventory.warehouses import allocation_order, warehouse_create, warehouse_default
from orders.backorders import order_backorder_cancel
from orders.exceptions import IllegalTransition
from orders.line_allocation import line_allocation
from orders.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    DemandLine,
    Order,
    OrderItem,
    OrderStatus,
)
from orders.services import order_place
from orders.shipments import shipment_create
from orders.transitions import order_transition
from transfers import services as transfers
from transfers.exceptions import TransferStateError
from transfers.models import TransferLine, TransferOrder, TransferStatus
from transfers.selectors import in_transit

PRODUCTS = 3  # the last one starts with no stock item at all
WAREHOUSES = 2
product = st.integers(min_value=0, max_value=PRODUCTS - 1)
warehouse = st.integers(min_value=0, max_value=WAREHOUSES - 1)
quantity = st.integers(min_value=1, max_value=30)  # stock coming in
wanted = st.integers(min_value=1, max_value=12)  # a line of an order

# Listed with what most needs exercising first: hypothesis draws the earlier
# alternatives more often (and shrinks towards them).
operations = st.one_of(
    st.tuples(st.just("assign"), product, quantity, warehouse),
    # A transfer out to the peer, in from it, or between the two warehouses, from/to
    # `warehouse` (internal: to the other one), taken at once as far as a stage.
    st.tuples(
        st.just("transfer"),
        st.sampled_from(["to_peer", "from_peer", "internal"]),
        product,
        wanted,
        warehouse,
        st.sampled_from(["confirmed", "shipped", "received", "received_short", "closed"]),
    ),
    st.tuples(
        st.just("transfer_step"),
        st.integers(min_value=0, max_value=7),
        st.sampled_from(["ship", "receive_all", "receive_short", "write_off", "cancel"]),
    ),
    st.tuples(
        st.just("order"),
        st.lists(
            st.tuples(product, wanted), min_size=1, max_size=PRODUCTS, unique_by=lambda x: x[0]
        ),
        st.booleans(),  # backorder the rest
    ),
    # A shipment of part of one line (more than is allocated is refused).
    st.tuples(st.just("ship_part"), st.integers(min_value=0, max_value=7), product, wanted),
    st.tuples(
        st.just("move"),
        st.integers(min_value=0, max_value=7),
        st.sampled_from(
            [
                OrderStatus.ACCEPTED,
                OrderStatus.PROCESSING,
                OrderStatus.SHIPPED,
                OrderStatus.CANCELLED,
                OrderStatus.REJECTED,
            ]
        ),
    ),
    st.tuples(st.just("receive"), product, quantity, warehouse),
    st.tuples(st.just("cancel_backorder"), st.integers(min_value=0, max_value=7)),
    st.tuples(st.just("count"), product, st.integers(min_value=0, max_value=40), warehouse),
    # 0 and an empty note are refused; a large negative delta finds too little stock.
    st.tuples(
        st.just("adjust"),
        product,
        st.integers(min_value=-20, max_value=20),
        st.booleans(),
        warehouse,
    ),
)


PEER_STOCK = 25  # what the peer distributor starts with of each product


def network_total() -> int:
    """Units on every shelf plus the units in transit between them."""
    shelves = StockItem.objects.aggregate(n=Sum("on_hand"))["n"] or 0
    return shelves + sum(in_transit().values())


def transfer_allocated(distributor) -> dict[tuple[int, int], int]:
    """{(product_id, warehouse_id): units} confirmed transfers hold at `distributor`."""
    rows = (
        TransferLine.objects.filter(
            transfer__source=distributor, transfer__status=TransferStatus.CONFIRMED
        )
        .values_list("product_id", "transfer__source_warehouse_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return {(pid, wid): units for pid, wid, units in rows}


def snapshot() -> tuple:
    """Everything a refused operation must leave as it was."""
    return (
        tuple(StockItem.objects.order_by("pk").values_list("pk", "on_hand", "allocated", "held")),
        tuple(
            WarehouseStock.objects.order_by("pk").values_list("pk", "on_hand", "allocated", "held")
        ),
        StockMovement.objects.count(),
        tuple(Order.objects.order_by("pk").values_list("pk", "status")),
        tuple(
            OrderItem.objects.order_by("pk").values_list(
                "quantity_allocated",
                "quantity_shipped",
                "quantity_backordered",
                "allocated_by_warehouse",
            )
        ),
    )


def shipped_from(order, lines=None) -> dict[tuple[int, int], int]:
    """{(product_id, warehouse_id): units} a shipment of `lines` ({product_id: units}, None:
    all allocated) takes, as the rule says: from the line's warehouses by priority."""
    default_id = warehouse_default(order.distributor_id).pk
    priority = allocation_order(order.distributor_id)
    taken = {}
    for item in order.items.all():
        units = item.quantity_allocated if lines is None else lines.get(item.product_id, 0)
        where = line_allocation(item, default_id)
        for w in [*priority, *where]:
            here = min(where.get(w, 0), units)
            if here:
                taken[(item.product_id, w)] = taken.get((item.product_id, w), 0) + here
                where[w] -= here
                units -= here
    return taken


class StockLedgerProperty(TestCase):
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,  # the same examples every run: CI does not flake
    )
    @given(st.lists(operations, min_size=4, max_size=25))
    def test_stock_figures_hold_whatever_happens(self, ops):
        distributor = DistributorFactory()
        # The second by priority is created first: allocation follows priority, not pk.
        second = warehouse_create(distributor=distributor, name="Back", code="B", priority=20)
        first = warehouse_create(distributor=distributor, name="Front", code="F", priority=5)
        warehouses = [first, second]
        products = [ProductFactory() for _ in range(PRODUCTS)]
        for p in products[:-1]:
            StockItemFactory(product=p, distributor=distributor, on_hand=0)
        customer = CustomerFactory()
        staff = ManufacturerUserFactory()
        clerk = DistributorUserFactory(organization=distributor)
        # The model: units on the shelf per (product, warehouse).
        on_hand = {(p.pk, w.pk): 0 for p in products for w in warehouses}
        asked = 0  # units asked for in every order attempt
        orders: list[Order] = []
        peer = DistributorFactory()
        for p in products:
            StockItemFactory(product=p, distributor=peer, on_hand=PEER_STOCK)
        peer_on_hand = {p.pk: PEER_STOCK for p in products}
        written_off = 0  # units transfers wrote off: the one way a transfer lowers the total
        transfer_list: list[TransferOrder] = []

        def shelf(warehouse_id, product_id, delta):
            """Move the model: a warehouse of ours, or (any other id) the peer's shelf."""
            key = (product_id, warehouse_id)
            if key in on_hand:
                on_hand[key] += delta
            else:
                peer_on_hand[product_id] += delta

        for op in ops:
            before = snapshot()
            refused = False
            kind = op[0]
            if kind in ("assign", "receive"):
                _, index, qty, w = op
                target, where = products[index], warehouses[w]
                if kind == "assign":
                    stock_assign(
                        product=target,
                        distributor=distributor,
                        quantity=qty,
                        by=staff,
                        warehouse=where,
                    )
                else:
                    stock_receive(
                        product=target,
                        distributor=distributor,
                        quantity=qty,
                        reference="po:1",
                        warehouse=where,
                    )
                on_hand[(target.pk, where.pk)] += qty
            elif kind in ("adjust", "count"):
                target, where = products[op[1]], warehouses[op[-1]]
                item = StockItem.objects.filter(product=target, distributor=distributor).first()
                if item is None:
                    continue  # nothing to adjust or count: no stock item yet
                row = WarehouseStock.objects.filter(stock_item=item, warehouse=where).first()
                available_here = row.available if row is not None else 0
                key = (target.pk, where.pk)
                try:
                    if kind == "adjust":
                        _, _, delta, with_note, _ = op
                        stock_adjust(
                            stock_item=item,
                            delta=delta,
                            note="stock-take" if with_note else " ",
                            warehouse=where,
                        )
                    else:
                        stock_count(
                            stock_item=item, counted=op[2], note="cycle count", warehouse=where
                        )
                except (ValidationError, InsufficientStock):
                    refused = True
                    if kind == "count":  # below what confirmed transfers hold there: refused
                        assert op[2] < transfer_allocated(distributor).get(key, 0)
                    else:
                        assert delta == 0 or not with_note or -delta > available_here
                else:
                    on_hand[key] = op[2] if kind == "count" else on_hand[key] + delta
            elif kind == "order":
                _, raw_lines, backorder = op
                lines = {products[i].pk: qty for i, qty in raw_lines}
                asked += sum(lines.values())
                try:
                    order = order_place(
                        customer=customer,
                        distributor=distributor,
                        items=list(lines.items()),
                        shipping_address="1 Test Street",
                        backorder=backorder,
                    )
                except InsufficientStock:
                    refused = True
                    assert not backorder
                else:
                    orders.append(order)
            elif kind == "move":
                _, index, to_status = op
                if not orders:
                    continue
                order = Order.objects.get(pk=orders[index % len(orders)].pk)
                allocated = shipped_from(order)
                try:
                    moved = order_transition(order=order, to_status=to_status, by=None)
                except IllegalTransition:
                    refused = True
                else:
                    event(f"moved to {moved.status}")
                    if moved.status in (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED):
                        for key, qty in allocated.items():
                            on_hand[key] -= qty
            elif kind == "ship_part":
                _, index, product_index, units = op
                if not orders:
                    continue
                order = Order.objects.get(pk=orders[index % len(orders)].pk)
                target = products[product_index]
                # The distributor takes a new order in hand first (no stock moves).
                for step in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
                    if step in TRANSITIONS[order.status]:
                        order = order_transition(order=order, to_status=step, by=clerk)
                line = order.items.filter(product=target).first()
                if line is not None and line.quantity_allocated:
                    units = min(units, line.quantity_allocated)  # part of what is allocated
                before = snapshot()
                leaving = shipped_from(order, {target.pk: units})
                try:
                    shipment_create(
                        order=order, by=clerk, lines={target.pk: units}, tracking_reference="T"
                    )
                except (IllegalTransition, ValidationError):
                    refused = True
                else:
                    for key, qty in leaving.items():
                        on_hand[key] -= qty
                    event(f"partial shipment from {len(leaving)} warehouse(s)")
            elif kind == "transfer":
                _, direction, index, units, w, stage = op
                target = products[index]
                ours, other = warehouses[w], warehouses[1 - w]
                ends = {
                    "to_peer": (distributor, ours, peer, None),
                    "from_peer": (peer, None, distributor, ours),
                    "internal": (distributor, ours, distributor, other),
                }[direction]
                total = network_total()
                try:
                    with transaction.atomic():
                        transfer = transfers.transfer_create(
                            source=ends[0],
                            source_warehouse=ends[1],
                            destination=ends[2],
                            destination_warehouse=ends[3],
                            lines=[(target, units)],
                            by=None,
                        )
                        transfers.transfer_confirm(transfer=transfer, by=None)
                except InsufficientStock:
                    refused = True
                else:
                    transfer_list.append(transfer)
                    line = transfer.lines.get()
                    if stage != "confirmed":
                        transfers.transfer_ship(transfer=transfer, by=None)
                        shelf(transfer.source_warehouse_id, target.pk, -units)
                        assert network_total() == total  # shipped: in transit
                    if stage in ("received", "received_short", "closed"):
                        arrived = units if stage == "received" else units // 2
                        if arrived:
                            transfers.transfer_receive(
                                transfer=transfer,
                                by=None,
                                received={line.pk: arrived},
                                reasons={line.pk: "short in the truck"},
                            )
                            shelf(transfer.destination_warehouse_id, target.pk, arrived)
                            assert network_total() == total  # a short receipt too
                            if stage == "closed" and arrived < units:
                                transfers.transfer_write_off(transfer=transfer, by=None, reason="x")
                                written_off += units - arrived
                                total -= units - arrived
                    event(f"transfer {direction} to {stage}")
                assert network_total() == total
            elif kind == "transfer_step":
                _, index, step = op
                if not transfer_list:
                    continue
                transfer = TransferOrder.objects.get(
                    pk=transfer_list[-1 - index % len(transfer_list)].pk
                )
                line = transfer.lines.get()
                total = network_total()
                try:
                    if step == "ship":
                        transfers.transfer_ship(transfer=transfer, by=None)
                        shelf(transfer.source_warehouse_id, line.product_id, -line.quantity)
                    elif step in ("receive_all", "receive_short"):
                        units = line.in_transit if step == "receive_all" else line.in_transit // 2
                        transfers.transfer_receive(
                            transfer=transfer,
                            by=None,
                            received={line.pk: units},
                            reasons={line.pk: "short in the truck"},
                        )
                        shelf(transfer.destination_warehouse_id, line.product_id, units)
                    elif step == "write_off":
                        transfers.transfer_write_off(transfer=transfer, by=None, reason="lost")
                        written_off += line.in_transit
                        total -= line.in_transit
                    else:
                        transfers.transfer_cancel(transfer=transfer, by=None, reason="no")
                except (TransferStateError, ValidationError):
                    refused = True
                else:
                    event(f"transfer {step}")
                # Every step keeps the network total; a write-off lowers it by what it names.
                assert network_total() == total
            else:  # the buyer calls off the backordered rest
                if not orders:
                    continue
                order = orders[op[1] % len(orders)]
                try:
                    order_backorder_cancel(order=order, by=customer)
                except IllegalTransition:
                    refused = True

            event(f"{kind} {'refused' if refused else 'done'}")
            if refused:
                assert snapshot() == before, f"{op} was refused but wrote something"
            self.assert_figures(distributor, on_hand, asked)
            self.assert_warehouses(distributor, on_hand)
            self.assert_transfers(peer, peer_on_hand, on_hand, written_off)

    def assert_transfers(self, peer, peer_on_hand, on_hand, written_off):
        """The peer's shelf as modelled, its allocation what its confirmed transfers hold, and
        the network total every modelled shelf plus what is in transit."""
        held = {pid: units for (pid, _w), units in transfer_allocated(peer).items()}
        for item in StockItem.objects.filter(distributor=peer).annotate(
            ledger=Sum("movements__quantity")
        ):
            assert item.on_hand == item.ledger == peer_on_hand[item.product_id]
            assert item.allocated == held.get(item.product_id, 0)
        assert stock_items_off_their_warehouses(peer.pk) == []
        transit = sum(in_transit().values())
        assert network_total() == sum(on_hand.values()) + sum(peer_on_hand.values()) + transit
        sums = TransferLine.objects.aggregate(
            s=Sum("shipped"), r=Sum("received"), w=Sum("written_off")
        )
        assert transit == (sums["s"] or 0) - (sums["r"] or 0) - (sums["w"] or 0)
        assert (sums["w"] or 0) == written_off

    def assert_warehouses(self, distributor, on_hand):
        assert stock_items_off_their_warehouses(distributor.pk) == []
        rows = WarehouseStock.objects.filter(stock_item__distributor=distributor).select_related(
            "stock_item"
        )
        ledger = {}
        for item_id, warehouse_id, quantity in StockMovement.objects.filter(
            stock_item__distributor=distributor
        ).values_list("stock_item_id", "warehouse_id", "quantity"):
            key = (item_id, warehouse_id)
            ledger[key] = ledger.get(key, 0) + quantity
        default_id = warehouse_default(distributor).pk
        promised = dict(transfer_allocated(distributor))  # confirmed transfers hold units too
        for line in OrderItem.objects.filter(order__status__in=OPEN_STATUSES):
            for w, units in line_allocation(line, default_id).items():
                promised[(line.product_id, w)] = promised.get((line.product_id, w), 0) + units
        seen = set()
        for row in rows:
            key = (row.stock_item.product_id, row.warehouse_id)
            seen.add(key)
            assert row.on_hand >= 0
            assert row.allocated >= 0 and row.allocated + row.held <= row.on_hand
            assert row.on_hand == ledger.get((row.stock_item_id, row.warehouse_id), 0)
            assert row.on_hand == on_hand[key], (key, row.on_hand, on_hand[key])
            assert row.allocated == promised.get(key, 0), (key, row.allocated)
        for key, units in on_hand.items():
            if key not in seen:
                assert units == 0 and not promised.get(key)

    def assert_figures(self, distributor, on_hand, asked):
        totals = {}
        for (product_id, _), units in on_hand.items():
            totals[product_id] = totals.get(product_id, 0) + units
        on_hand = totals
        items = StockItem.objects.filter(distributor=distributor).annotate(
            ledger=Sum("movements__quantity")
        )
        moving = {}
        for (pid, _w), units in transfer_allocated(distributor).items():
            moving[pid] = moving.get(pid, 0) + units
        open_lines = dict(
            OrderItem.objects.filter(order__status__in=OPEN_STATUSES)
            .values_list("product_id")
            .annotate(units=Sum("quantity_allocated"))
            .order_by()
        )
        for item in items:
            assert item.on_hand >= 0
            assert item.on_hand == (item.ledger or 0), (item.on_hand, item.ledger)
            assert item.on_hand == on_hand[item.product_id]
            assert item.allocated >= 0 and item.allocated + item.held <= item.on_hand
            assert item.allocated == open_lines.get(item.product_id, 0) + moving.get(
                item.product_id, 0
            )
        for pk, units in on_hand.items():
            if not any(item.product_id == pk for item in items):
                assert units == 0
        for line in OrderItem.objects.all():
            assert line.quantity == (
                line.quantity_allocated
                + line.quantity_shipped
                + line.quantity_backordered
                + line.quantity_cancelled
            )
        assert (DemandLine.objects.aggregate(n=Sum("requested"))["n"] or 0) == asked
