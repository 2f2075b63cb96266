"""The quick-order page and "order again" (orders.quick_order does the work)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from auromart.formatting import money_display
from pricing.selectors import buyer_organization

from .buyer import NO_STORE, Buyer
from .quick_order import (
    MAX_QUICK_FILE_BYTES,
    MAX_QUICK_ROWS,
    order_again,
    quick_order_add,
    quick_order_preview,
    quick_rows_parse,
    upload_text,
)
from .views import BuyerView

MAX_QUICK_TEXT = 40_000


class QuickOrderForm(forms.Form):
    rows = forms.CharField(
        label="SKU and quantity, one line each",
        required=False,
        max_length=MAX_QUICK_TEXT,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "class": "font-monospace",
                "placeholder": "MAT-0001, 4\nGEN-0036, 12",
                "spellcheck": "false",
            }
        ),
    )
    file = forms.FileField(
        label="Or upload a CSV (sku, quantity)",
        required=False,
        help_text=(
            f"At most {MAX_QUICK_ROWS} rows and {MAX_QUICK_FILE_BYTES // 1024} KB; "
            "a header row is skipped."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("rows") or ""
        if self.errors:
            return data
        try:
            if upload:
                # The upload's text goes back into the box, so that "add" sends it again.
                text = data["rows"] = upload_text(upload)
            data["parsed"] = quick_rows_parse(text)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        if not data["parsed"]:
            raise ValidationError("Type at least one SKU and quantity, or upload a CSV.")
        return data


class QuickOrderView(BuyerView):
    """Rows of SKU and quantity in, a preview with row errors, then the valid rows to the cart."""

    login_required = True

    def get(self, request):
        return self.render(QuickOrderForm())

    def post(self, request):
        form = QuickOrderForm(request.POST, request.FILES)
        if self.buyer.distributor is None:
            messages.error(request, NO_STORE)
            return redirect("home")
        if not self.buyer.can_buy:
            form.add_error(None, self.buyer.cannot_buy_message)
        if not form.is_valid():
            return self.render(form, status=400)
        cart = self.buyer.cart()
        preview = quick_order_preview(
            catalog=self.buyer.catalog(),
            organization=buyer_organization(request.user),
            distributor=self.buyer.distributor,
            rows=form.cleaned_data["parsed"],
            in_cart=cart.quantities(),
        )
        if request.POST.get("action") != "add":
            # Show what would go in: the rows (an upload's too) stay in the box for "add".
            form = QuickOrderForm(initial={"rows": form.cleaned_data["rows"]})
            return self.render(form, preview=preview)
        added = quick_order_add(
            user=request.user, distributor=self.buyer.distributor, preview=preview
        )
        if added:
            messages.success(request, f"Added {added} line{'s' * (added != 1)} to your cart.")
        for error in preview.errors:
            messages.warning(request, f"Row {error.row} ({error.sku or 'no SKU'}): {error.message}")
        if not added:
            return self.render(QuickOrderForm(request.POST), preview=preview, status=400)
        return redirect(self.buyer.url("cart"))

    def render(self, form, preview=None, status: int = 200):
        return render(
            self.request,
            "orders/quick_order.html",
            self.context(
                form=form,
                preview=preview,
                cart_count=self.cart_count(),
                max_rows=MAX_QUICK_ROWS,
            ),
            status=status,
        )


class OrderAgainView(BuyerView):
    """Put one of the buyer's orders into the cart again, saying what changed since."""

    login_required = True

    def post(self, request, number: str):
        order = self.buyer.order(number)
        if self.buyer.distributor is not None and self.buyer.distributor != order.distributor:
            messages.error(
                request,
                f"{order.distributor.name} no longer sells here: the order cannot be repeated.",
            )
            return redirect(self.buyer.url("order", order.number))
        at = Buyer(self.buyer.channel, request, order.distributor)
        result = order_again(
            user=request.user,
            order=order,
            catalog=at.catalog(),
            organization=buyer_organization(request.user),
            money=money_display,
        )
        if result.added:
            messages.success(
                request,
                f"Order {order.number}: {result.added} line{'s' * (result.added != 1)} "
                "added to your cart at today's prices.",
            )
        else:
            messages.error(request, f"Nothing from order {order.number} can be ordered now.")
        for change in result.changes:
            messages.warning(request, change)
        return redirect(at.url("cart") if result.added else at.url("order", order.number))
