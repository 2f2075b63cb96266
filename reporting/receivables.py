"""Aged receivables: what buyers owe each distributor, by how long it has been overdue.

One row per (distributor, buyer): the balance due of its open invoices
(issued or partially paid; total less recorded payments) split by days past
the due date on the report's date: not yet due, 1-30, 31-60, 61-90 and over
90 days. A buyer is a retailer organization, or a private customer. Void and
paid invoices owe nothing and are not in it.

Who sees it: finance and manager staff (`reporting.view_reports` or
`invoicing.view_invoice`) every distributor's; a distributor's members its
own; everyone else 403. The page reuses the report machinery
(reporting.views.ReportPageView): the same filters bar, table, pager and
CSV/XLSX/PDF downloads. Two queries (organization buyers, private buyers),
whatever the number of invoices; the sums are done by the database.
"""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accounts.models import Organization
from auromart.formatting import date_display
from invoicing.models import OPEN_STATUSES, Invoice, balance_due_expression

from .exports import export_response
from .selectors import ReportScope
from .tables import Column, ReportTable
from .views import ReportPageView, Section

ZERO = Decimal("0.00")
# (key, label, days overdue from, to); None: no bound.
BUCKETS = (
    ("not_due", "Not yet due", None, 0),
    ("d1_30", "1-30 days", 1, 30),
    ("d31_60", "31-60 days", 31, 60),
    ("d61_90", "61-90 days", 61, 90),
    ("d90_plus", "Over 90 days", 91, None),
)
MONEY = DecimalField(max_digits=16, decimal_places=2)


def sees_all_receivables(user) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.has_perm("reporting.view_reports") or user.has_perm("invoicing.view_invoice"))
    )


def receivables_scope(user) -> ReportScope:
    """ALL for finance/manager staff, the distributor for its members; PermissionDenied else."""
    if sees_all_receivables(user):
        return ReportScope(ReportScope.ALL)
    organization = user.organization if user.organization_id else None
    if organization is not None and organization.kind == Organization.Kind.DISTRIBUTOR:
        return ReportScope(Organization.Kind.DISTRIBUTOR, organization)
    raise PermissionDenied("Receivables are for distributors and finance staff.")


def may_see_receivables(user) -> bool:
    try:
        receivables_scope(user)
    except PermissionDenied:
        return False
    return True


def _bucket_filter(key: str, as_of: datetime.date) -> Q:
    """Invoices whose days overdue on `as_of` fall in bucket `key` (due_date = as_of - days)."""
    _key, _label, low, high = next(bucket for bucket in BUCKETS if bucket[0] == key)
    condition = Q()
    if high is not None:  # at most `high` days overdue: due on or after as_of - high
        condition &= Q(due_date__gte=as_of - datetime.timedelta(days=high))
    if low is not None:  # at least `low` days overdue: due on or before as_of - low
        condition &= Q(due_date__lte=as_of - datetime.timedelta(days=low))
    return condition


def _aggregates(as_of: datetime.date) -> dict:
    balance = ExpressionWrapper(balance_due_expression(), output_field=MONEY)
    sums = {
        key: Coalesce(Sum(balance, filter=_bucket_filter(key, as_of)), ZERO, output_field=MONEY)
        for key, *_ in BUCKETS
    }
    sums["total"] = Coalesce(Sum(balance), ZERO, output_field=MONEY)
    return sums


def aged_receivables(
    *,
    scope: ReportScope,
    as_of: datetime.date | None = None,
    distributor: Organization | None = None,
) -> ReportTable:
    """The aged receivables table on `as_of` (default today), one row per distributor and buyer,
    largest balance first, with a totals row."""
    as_of = as_of or timezone.localdate()
    invoices = Invoice.objects.alias(balance=balance_due_expression()).filter(
        status__in=OPEN_STATUSES, balance__gt=0
    )
    if scope.kind == Organization.Kind.DISTRIBUTOR:
        invoices = invoices.filter(distributor=scope.organization)
    elif distributor is not None:
        invoices = invoices.filter(distributor=distributor)
    sums = _aggregates(as_of)
    rows = []
    organizations = (
        invoices.filter(buyer_organization__isnull=False)
        .values("distributor_id", "distributor__name", "buyer_organization_id")
        .annotate(buyer=F("buyer_organization__name"), **sums)
        .order_by()
    )
    for row in organizations:
        rows.append({**row, "buyer_key": f"org-{row['buyer_organization_id']}"})
    people = (
        invoices.filter(buyer_organization__isnull=True)
        .values("distributor_id", "distributor__name", "customer_id")
        .annotate(buyer=F("customer__name"), **sums)
        .order_by()
    )
    for row in people:
        rows.append({**row, "buyer_key": f"user-{row['customer_id']}"})
    table_rows = [
        {
            "distributor": row["distributor__name"],
            "buyer": row["buyer"],
            "buyer_key": row["buyer_key"],
            **{key: row[key] for key, *_ in BUCKETS},
            "total": row["total"],
        }
        for row in rows
    ]
    table_rows.sort(key=lambda r: (-r["total"], r["distributor"], r["buyer"]))
    totals = {key: sum((r[key] for r in table_rows), ZERO) for key, *_ in BUCKETS}
    totals["total"] = sum((r["total"] for r in table_rows), ZERO)
    columns = [Column("buyer", "Buyer")]
    if scope.kind != Organization.Kind.DISTRIBUTOR:
        columns.insert(0, Column("distributor", "Distributor"))
    columns += [Column(key, label, "money") for key, label, *_ in BUCKETS]
    columns.append(Column("total", "Balance due", "money"))
    filters = {"As of": date_display(as_of)}
    if distributor is not None and scope.kind != Organization.Kind.DISTRIBUTOR:
        filters["Distributor"] = distributor.name
    return ReportTable(
        title="Aged receivables",
        subtitle="Balance due of unpaid invoices, by days past the due date.",
        columns=columns,
        rows=table_rows,
        totals=totals,
        filters=filters,
    )


class ReceivablesFilterForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    distributor = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, empty_label="All distributors"
    )

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, **kwargs)
        self.scope = scope
        if scope.kind == Organization.Kind.DISTRIBUTOR:
            del self.fields["distributor"]
        else:
            self.fields["distributor"].queryset = Organization.objects.filter(
                kind=Organization.Kind.DISTRIBUTOR
            ).order_by("name")

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of") or timezone.localdate()
        if not (datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31)):
            raise forms.ValidationError("Choose a date between 2000 and 2100.")
        return day

    def query(self) -> dict[str, str]:
        data, out = self.cleaned_data, {}
        if data.get("as_of"):
            out["as_of"] = data["as_of"].isoformat()
        if data.get("distributor"):
            out["distributor"] = str(data["distributor"].pk)
        return out


class ReceivablesView(ReportPageView):
    """GET /reports/receivables/: the table, its pages, `?export=csv|xlsx|pdf`."""

    template_name = "reporting/receivables.html"
    form_class = ReceivablesFilterForm
    url_name = "reporting:receivables"
    title = "Aged receivables"
    intro = (
        "What buyers owe on unpaid invoices (total less payments received), by how many days "
        "past the due date. Each buyer links to its statement of account."
    )

    def dispatch(self, request, *args, **kwargs):
        # Not ReportAccessMixin's scope: finance staff see this without reporting.view_reports,
        # and retailers and manufacturers do not see it at all.
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = receivables_scope(request.user)
        return View.dispatch(self, request, *args, **kwargs)

    def filename(self, form, section):
        return f"aged-receivables-{form.cleaned_data['as_of']}"

    def sections(self, form):
        data = form.cleaned_data
        table = aged_receivables(
            scope=self.scope, as_of=data["as_of"], distributor=data.get("distributor")
        )
        return [Section("receivables", table)]

    def extra_context(self, form, sections):
        for row in sections[0].shown.rows:
            row["statement_url"] = reverse("invoicing:statement", args=[row["buyer_key"]])
        return {}

    def export(self, form, sections, fmt, key):
        # One row per buyer and distributor: always small enough to answer in the request
        # (the background export jobs rebuild the report scope of reporting.views only).
        section = sections[0]
        return export_response(section.table, fmt, filename=self.filename(form, section))
