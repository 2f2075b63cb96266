"""Distributor pages for transfers: list, new, detail with its steps, packing slip.

Both sides of a transfer see it (transfers.selectors); anyone else's is a 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views import View

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin
from auromart.pdf import pdf_response
from inventory.exceptions import InsufficientStock

from . import services
from .documents import packing_slip_pdf
from .exceptions import TransferStateError
from .forms import ReasonForm, ReceiveForm, ShipForm, TransferFilterForm, TransferForm
from .models import TransferStatus
from .selectors import transfer_detail, transfers_visible_to
from .suggestions import transfer_now

PAGE_SIZE = 50


class DistributorView(RoleRequiredMixin, View):
    """A distributor's members: its own transfers, both sides (staff use the admin)."""

    roles = (Role.DISTRIBUTOR,)

    def get_transfer(self, number):
        transfer = transfer_detail(user=self.request.user, number=number)
        if transfer is None:
            raise Http404("No such transfer.")
        return transfer


class TransferListView(DistributorView):
    def get(self, request):
        form = TransferFilterForm(request.GET or None)
        transfers = transfers_visible_to(request.user)
        own = request.user.organization_id
        if form.is_valid():
            data = form.cleaned_data
            if data["status"]:
                transfers = transfers.filter(status=data["status"])
            if data["direction"] == "out":
                transfers = transfers.filter(source_id=own)
            elif data["direction"] == "in":
                transfers = transfers.filter(destination_id=own)
            if data["q"]:
                transfers = transfers.filter(
                    Q(number__icontains=data["q"]) | Q(purchase_order__number__icontains=data["q"])
                )
        page = Paginator(transfers, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "transfers/list.html", {"page": page, "form": form, "own_id": own})


class TransferCreateView(DistributorView):
    def show(self, request, form):
        return render(
            request, "transfers/form.html", {"form": form}, status=400 if form.is_bound else 200
        )

    def get(self, request):
        return self.show(request, TransferForm(organization=request.user.organization))

    def post(self, request):
        form = TransferForm(request.POST, organization=request.user.organization)
        if form.is_valid():
            source, destination = form.parties()
            try:
                transfer = services.transfer_create(
                    source=source,
                    destination=destination,
                    lines=form.cleaned_data["lines"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                    **form.warehouses(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Transfer {transfer.number} written.")
                return redirect("transfers:detail", transfer.number)
        return self.show(request, form)


class TransferDetailView(DistributorView):
    def get(self, request, number, receive_form=None, status=200):
        transfer = self.get_transfer(number)
        lines = list(transfer.lines.all())
        own = request.user.organization_id
        is_source = own == transfer.source_id
        is_destination = own == transfer.destination_id
        status_ = transfer.status
        return render(
            request,
            "transfers/detail.html",
            {
                "transfer": transfer,
                "lines": lines,
                "can_confirm": is_source
                and status_ in (TransferStatus.DRAFT, TransferStatus.REQUESTED),
                "can_ship": is_source and status_ == TransferStatus.CONFIRMED,
                "can_receive": is_destination
                and status_ in (TransferStatus.SHIPPED, TransferStatus.RECEIVED_SHORT),
                "can_write_off": is_destination and status_ == TransferStatus.RECEIVED_SHORT,
                "can_cancel": not transfer.purchase_order_id
                and status_
                in (TransferStatus.DRAFT, TransferStatus.REQUESTED, TransferStatus.CONFIRMED),
                "receive_form": receive_form or ReceiveForm(lines=lines),
                "ship_form": ShipForm(),
                "reason_form": ReasonForm(),
            },
            status=status,
        )


class TransferActionView(DistributorView):
    """POST one step: confirm, ship, receive, cancel, write-off."""

    action = ""

    def post(self, request, number):
        transfer = self.get_transfer(number)
        try:
            if self.action == "confirm":
                services.transfer_confirm(transfer=transfer, by=request.user)
                done = "confirmed: the units are allocated"
            elif self.action == "ship":
                form = ShipForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors.get_json_data())
                services.transfer_ship(
                    transfer=transfer,
                    by=request.user,
                    tracking_reference=form.cleaned_data["tracking_reference"],
                )
                done = "shipped: the units are in transit"
            elif self.action == "receive":
                form = ReceiveForm(request.POST, lines=list(transfer.lines.all()))
                if not form.is_valid():
                    return TransferDetailView.get(self, request, number, form, status=400)
                try:
                    services.transfer_receive(
                        transfer=transfer,
                        by=request.user,
                        received=form.received(),
                        reasons=form.reasons(),
                    )
                except ValidationError as exc:
                    form.add_service_errors(exc)
                    return TransferDetailView.get(self, request, number, form, status=400)
                done = "received"
            else:
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Say why.")
                reason = form.cleaned_data["reason"]
                if self.action == "cancel":
                    services.transfer_cancel(transfer=transfer, by=request.user, reason=reason)
                    done = "cancelled"
                else:
                    services.transfer_write_off(transfer=transfer, by=request.user, reason=reason)
                    done = "closed: the missing units are written off"
        except (TransferStateError, InsufficientStock) as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Transfer {transfer.number} {done}.")
        return redirect("transfers:detail", transfer.number)


class PackingSlipView(DistributorView):
    """The packing slip (delivery challan) that travels with the goods, as a PDF; a PO's
    transfer once shipped carries the supplier's tax invoice on it."""

    def get(self, request, number):
        transfer = self.get_transfer(number)
        return pdf_response(packing_slip_pdf(transfer), f"{transfer.number}.pdf")


class TransferNowView(LoginRequiredMixin, View):
    """POST from the replenishment screen (staff's or a distributor's): write the suggested
    transfer for one item. Staff land on the transfer in the admin."""

    def post(self, request):
        user = request.user
        if user.is_procurement_staff:
            distributor = None
        elif user.has_role(Role.DISTRIBUTOR):
            distributor = user.organization
        else:
            raise PermissionDenied("Only procurement staff and distributors transfer stock.")
        try:
            item_id = int(request.POST.get("item", ""))
        except ValueError:
            return HttpResponseBadRequest("Give the stock item's id.")
        try:
            transfer = transfer_now(stock_item_id=item_id, by=user, distributor=distributor)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            back = (
                "procurement:replenishment" if distributor is None else "distributor:replenishment"
            )
            return redirect(back)
        messages.success(
            request,
            f"Transfer {transfer.number} requested from {transfer.source}: "
            "it allocates the units when they confirm it.",
        )
        if distributor is None:
            return redirect("admin:transfers_transferorder_change", transfer.pk)
        return redirect("transfers:detail", transfer.number)
