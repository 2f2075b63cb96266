"""The supplier scorecard page at /procurement/suppliers/scorecard/, for procurement staff.

A period (default: the last 90 days) and an optional distributor; the table of
procurement.scorecard and a server-side SVG chart (reporting.charts, no script).
"""

from decimal import Decimal

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views import View

from accounts.models import Organization
from reporting import charts

from .scorecard import SupplierScore, scorecard_period, supplier_scorecard

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"})


class ScorecardForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="To", required=False, widget=DATE_INPUT)
    distributor = forms.ModelChoiceField(
        label="Distributor",
        required=False,
        queryset=Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR).order_by("name"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean(self):
        data = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return data
        try:
            self.period = scorecard_period(data.get("start"), data.get("end"))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
        return data


def scorecard_chart(scores: list[SupplierScore]) -> str:
    """On-time rate per supplier, in per cent (measured suppliers only)."""
    measured = [s for s in scores if s.on_time_rate is not None]
    return charts.bar_chart(
        [(s.supplier, (s.on_time_rate * 100).quantize(Decimal("0.1"))) for s in measured],
        title="On-time rate against the original date, %",
        max_items=15,
    )


class ScorecardView(LoginRequiredMixin, View):
    template_name = "procurement/scorecard.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.is_procurement_staff:
            raise PermissionDenied("Only procurement staff see the supplier scorecard.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = ScorecardForm(request.GET)
        context = {"form": form}
        status = 200
        if form.is_valid():
            start, end = form.period
            scores = supplier_scorecard(
                start=start, end=end, distributor=form.cleaned_data["distributor"]
            )
            context.update(scores=scores, chart=mark_safe(scorecard_chart(scores)))
        else:
            status = 400
        return render(request, self.template_name, context, status=status)
