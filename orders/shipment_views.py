"""The distributor's shipping pages: ship all or part of an order, mark a shipment delivered,
and print its packing slip or a pick list for the orders it chooses.

Distributors only, scoped to the user's organization (another's order or
shipment is 404). Writes go through orders.shipments; a bad quantity or a
missing tracking reference re-shows the order page with the form's errors.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views import View

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin
from auromart.pdf import pdf_response

from .distributor_forms import ShipmentForm
from .distributor_views import DistributorOrderDetailView, _order
from .exceptions import IllegalTransition
from .shipment_docs import (
    PICK_LIST_MAX_ORDERS,
    packing_slip_ensure,
    pick_list_for_distributor,
    pick_list_pdf,
    shipment_for_distributor,
)
from .shipments import shipment_create, shipment_mark_delivered


class OrderShipView(DistributorOrderDetailView):
    """POST: one shipment of the chosen units (a hand-over for a pickup)."""

    def get(self, request, number: str):
        return redirect("distributor:order", number=number)

    def post(self, request, number: str):
        order = _order(request, number)
        form = ShipmentForm(request.POST, order=order)
        if form.is_valid():
            try:
                shipment = shipment_create(
                    order=order,
                    by=request.user,
                    lines=form.quantities(),
                    tracking_reference=form.cleaned_data["tracking_reference"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except IllegalTransition as exc:
                messages.error(request, str(exc))
                return self.render_page(request, _order(request, number), status=409)
        if not form.is_valid():
            return self.render_page(request, order, ship_form=form, status=400)
        done = "handed over" if shipment.method == "pickup" else "dispatched"
        messages.success(
            request,
            f"Shipment {shipment.number} {done}: {shipment.unit_count} units, invoice "
            f"{shipment.invoice.number} issued. The buyer has been notified.",
        )
        return redirect("distributor:order", number=order.number)


class ShipmentDeliverView(RoleRequiredMixin, View):
    roles = (Role.DISTRIBUTOR,)

    def post(self, request, number: str):
        shipment = _shipment(request, number)
        try:
            shipment_mark_delivered(shipment=shipment, by=request.user)
        except IllegalTransition as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Shipment {shipment.number} is delivered.")
        return redirect("distributor:order", number=shipment.order.number)


class PackingSlipView(RoleRequiredMixin, View):
    roles = (Role.DISTRIBUTOR,)

    def get(self, request, number: str):
        shipment = _shipment(request, number)
        return pdf_response(
            packing_slip_ensure(shipment=shipment), f"packing-slip-{shipment.number}.pdf"
        )


class PickListView(RoleRequiredMixin, View):
    """GET ?order=<number>&order=…: what to take off the shelf for those orders, as a PDF."""

    roles = (Role.DISTRIBUTOR,)

    def get(self, request):
        numbers = request.GET.getlist("order")
        if not numbers:
            messages.error(request, "Tick the orders to pick first.")
            return redirect("distributor:orders")
        if len(numbers) > PICK_LIST_MAX_ORDERS:
            messages.error(request, f"A pick list holds at most {PICK_LIST_MAX_ORDERS} orders.")
            return redirect("distributor:orders")
        pick_list = pick_list_for_distributor(
            distributor=request.user.organization, numbers=numbers
        )
        if not pick_list.orders:
            raise Http404("None of those orders is yours.")
        return pdf_response(pick_list_pdf(pick_list), "pick-list.pdf")


def _shipment(request, number: str):
    shipment = shipment_for_distributor(distributor=request.user.organization, number=number)
    if shipment is None:
        raise Http404("No such shipment.")
    return shipment
