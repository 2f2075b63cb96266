"""Invoices in the Django admin: the list, the read-only change page, the PDF, the actions."""

import datetime
import subprocess

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from inventory.tests.factories import DistributorFactory
from invoicing import services
from invoicing.models import Invoice, InvoiceStatus

from .factories import invoice_for

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:invoicing_invoice_changelist")
FINANCE = "Finance"


def change_url(invoice):
    return reverse("admin:invoicing_invoice_change", args=[invoice.pk])


def pdf_url(invoice):
    return reverse("admin:invoicing_invoice_pdf", args=[invoice.pk])


def finance_user():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="invoicing", codename__in=codenames)
    )
    return user


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def finance():
    return client_for(finance_user())


def numbers(response) -> set[str]:
    assert response.status_code == 200
    return {invoice.number for invoice in response.context["cl"].result_list}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def offered_actions(client) -> set[str]:
    form = client.get(CHANGELIST).context["action_form"]
    return set() if form is None else set(dict(form.fields["action"].choices)) - {""}


def action(client, name, invoices, **data):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [str(i.pk) for i in invoices], **data},
        follow=True,
    )


def refresh(invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


# --- The Finance group -----------------------------------------------------------------


def test_the_finance_group_holds_the_invoice_permissions():
    group = Group.objects.get(name=FINANCE)
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("invoicing", "view_invoice"),
        ("invoicing", "change_invoice"),
        ("invoicing", "mark_paid_invoice"),
        ("invoicing", "void_invoice"),
        ("invoicing", "view_invoiceline"),
        ("invoicing", "view_invoicepayment"),
        ("invoicing", "view_paymentreminder"),
        # Issue 24: credit notes and refunds (migration 0010).
        ("invoicing", "view_creditnote"),
        ("invoicing", "issue_creditnote"),
        ("invoicing", "view_creditnoteline"),
        ("invoicing", "view_refund"),
    }


def test_a_finance_member_sees_every_action():
    invoice = invoice_for()
    client = client_for(finance_user())
    assert invoice.number in client.get(CHANGELIST).content.decode()
    assert offered_actions(client) == {"regenerate_pdf", "mark_paid", "void"}


# --- The list ----------------------------------------------------------------------


def test_changelist_query_count_is_the_same_for_3_and_30_invoices(finance):
    distributor = DistributorFactory()

    def queries(total):
        while Invoice.objects.count() < total:
            invoice_for(distributor=distributor)
        finance.get(CHANGELIST)  # warm the session and the content types
        with CaptureQueriesContext(connection) as ctx:
            response = finance.get(CHANGELIST)
        count = len(ctx.captured_queries)
        assert len(numbers(response)) == total
        return count

    assert queries(3) == queries(30)


def test_changelist_filters_by_status_overdue_distributor_and_issue_date(finance):
    north, south = DistributorFactory(name="North Depot"), DistributorFactory(name="South Depot")
    issued = invoice_for(distributor=north)
    paid = invoice_for(distributor=north)
    void = invoice_for(distributor=south)
    late = invoice_for(distributor=south)
    by = finance_user()
    services.invoice_mark_paid(invoice=paid, by=by)
    services.invoice_void(invoice=void, by=by, reason="Duplicate")
    today = timezone.localdate()
    Invoice.objects.filter(pk=late.pk).update(
        issue_date=today - datetime.timedelta(days=400), due_date=today - datetime.timedelta(1)
    )
    # A paid invoice past its due date is not overdue.
    Invoice.objects.filter(pk=paid.pk).update(
        issue_date=today - datetime.timedelta(days=60), due_date=today - datetime.timedelta(30)
    )

    assert numbers(finance.get(CHANGELIST)) == {
        issued.number,
        paid.number,
        void.number,
        late.number,
    }
    assert numbers(finance.get(CHANGELIST, {"status__exact": "issued"})) == {
        issued.number,
        late.number,
    }
    assert numbers(finance.get(CHANGELIST, {"status__exact": "paid"})) == {paid.number}
    assert numbers(finance.get(CHANGELIST, {"status__exact": "void"})) == {void.number}
    assert numbers(finance.get(CHANGELIST, {"overdue": "yes"})) == {late.number}
    assert numbers(finance.get(CHANGELIST, {"overdue": "no"})) == {
        issued.number,
        paid.number,
        void.number,
    }
    assert numbers(finance.get(CHANGELIST, {"distributor__id__exact": north.pk})) == {
        issued.number,
        paid.number,
    }
    last_year = str((today - datetime.timedelta(days=400)).year)
    assert numbers(finance.get(CHANGELIST, {"issue_date__year": last_year})) == {late.number}
    page = finance.get(CHANGELIST, {"overdue": "yes"}).content.decode()
    assert "Overdue</strong>" in page


def test_changelist_search_by_number_order_buyer_and_seller(finance):
    first = invoice_for(distributor=DistributorFactory(name="Konkan Traders"))
    second = invoice_for(distributor=DistributorFactory(name="Malabar Supply"))
    Invoice.objects.filter(pk=first.pk).update(
        buyer_name="Asha Rao", buyer_email="asha@buyers.test"
    )
    Invoice.objects.filter(pk=second.pk).update(
        buyer_name="Vikram Shah", buyer_email="vikram@other.test"
    )

    def search(text):
        return numbers(finance.get(CHANGELIST, {"q": text}))

    assert search(first.number) == {first.number}
    assert search(second.order.number) == {second.number}
    assert search("asha rao") == {first.number}
    assert search("vikram@other") == {second.number}
    assert search("Konkan") == {first.number}
    assert search("nobody-has-this") == set()


# --- The change page ----------------------------------------------------------------


def test_the_change_page_shows_the_invoice_and_allows_no_edits(finance):
    invoice = invoice_for()
    response = finance.get(change_url(invoice))
    page = response.content.decode()
    assert response.status_code == 200
    assert invoice.number in page and invoice.buyer_name in page
    for line in invoice.lines.all():
        assert line.sku in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert 'name="buyer_name"' not in page and 'name="total"' not in page
    assert "Record full payment" in page and "Record a part payment" in page and ">Void<" in page

    before = (invoice.buyer_name, invoice.total, invoice.status)
    posted = finance.post(change_url(invoice), {"buyer_name": "Changed", "total": "1.00"})
    assert posted.status_code == 403
    after = refresh(invoice)
    assert (after.buyer_name, after.total, after.status) == before

    add = reverse("admin:invoicing_invoice_add")
    delete = reverse("admin:invoicing_invoice_delete", args=[invoice.pk])
    assert finance.get(add).status_code == 403
    assert finance.post(delete, {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_buttons_follow_the_state_and_the_permissions():
    issued, paid = invoice_for(), invoice_for()
    services.invoice_mark_paid(invoice=paid, by=finance_user(), reference="UTR-1")
    finance = client_for(finance_user())
    paid_page = finance.get(change_url(paid)).content.decode()
    assert "Mark as paid" not in paid_page and ">Void<" not in paid_page
    assert "UTR-1" in paid_page  # the payment fieldset

    viewer = client_for(staff_with("view_invoice", "view_invoiceline"))
    page = viewer.get(change_url(issued)).content.decode()
    assert issued.number in page
    assert "Mark as paid" not in page and ">Void<" not in page


# --- The PDF ---------------------------------------------------------------------------


def test_the_pdf_view_returns_the_pdf_and_renders_it_again_when_the_file_is_gone(finance):
    invoice = invoice_for()
    response = finance.get(pdf_url(invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
    ).stdout.decode()
    assert invoice.number in text

    path = refresh(invoice).pdf
    assert default_storage.exists(path)
    default_storage.delete(path)

    again = finance.get(pdf_url(invoice))
    assert again.status_code == 200
    assert b"".join(again.streaming_content).startswith(b"%PDF")
    assert default_storage.exists(refresh(invoice).pdf)


def test_the_pdf_view_needs_the_view_permission():
    invoice = invoice_for()
    nobody = client_for(UserFactory(is_staff=True))
    assert nobody.get(pdf_url(invoice)).status_code == 403


# --- Regenerate PDF --------------------------------------------------------------------


def test_regenerate_pdf_renders_each_selected_invoice(finance):
    first, second = invoice_for(), invoice_for()
    response = action(finance, "regenerate_pdf", [first, second])
    for invoice in (first, second):
        fresh = refresh(invoice)
        assert fresh.pdf_rendered_at is not None and default_storage.exists(fresh.pdf)
    assert any("PDF re-rendered" in m and first.number in m for m in messages_of(response))


def test_regenerate_pdf_reports_a_failure_and_carries_on(finance, monkeypatch):
    broken, fine = invoice_for(), invoice_for()
    render = services.invoice_pdf_render

    def flaky(*, invoice_id, **kwargs):
        if invoice_id == broken.pk:
            raise OSError("disk full")
        return render(invoice_id=invoice_id, **kwargs)

    monkeypatch.setattr(services, "invoice_pdf_render", flaky)
    response = action(finance, "regenerate_pdf", [broken, fine])
    texts = messages_of(response)
    assert any(broken.number in m and "could not be rendered" in m for m in texts)
    assert refresh(fine).pdf_rendered_at is not None
    assert refresh(broken).pdf_rendered_at is None


def test_regenerate_pdf_is_refused_without_the_change_permission():
    invoice = invoice_for()
    viewer = client_for(staff_with("view_invoice"))
    assert "regenerate_pdf" not in offered_actions(viewer)
    action(viewer, "regenerate_pdf", [invoice])
    assert refresh(invoice).pdf_rendered_at is None


# --- Mark as paid ---------------------------------------------------------------------


def test_mark_paid_asks_for_an_optional_reference_then_records_the_payment():
    user = finance_user()
    client = client_for(user)
    first, second = invoice_for(), invoice_for()

    page = action(client, "mark_paid", [first, second])
    assert page.status_code == 200
    assert "admin/intermediate_form.html" in [t.name for t in page.templates]
    assert first.number in page.content.decode() and second.number in page.content.decode()
    assert refresh(first).status == InvoiceStatus.ISSUED  # nothing happened yet

    done = action(client, "mark_paid", [first, second], apply="1", reference="UTR 42")
    for invoice in (first, second):
        fresh = refresh(invoice)
        assert fresh.status == InvoiceStatus.PAID
        assert fresh.payment_reference == "UTR 42"
        assert fresh.paid_by == user and fresh.paid_at is not None
    assert any("Paid in full" in m and first.number in m for m in messages_of(done))


def test_mark_paid_without_a_reference(finance):
    invoice = invoice_for()
    action(finance, "mark_paid", [invoice], apply="1", reference="")
    fresh = refresh(invoice)
    assert fresh.status == InvoiceStatus.PAID and fresh.payment_reference == ""


def test_mark_paid_reports_an_invoice_in_the_wrong_state_and_does_the_others(finance):
    void, issued = invoice_for(), invoice_for()
    services.invoice_void(invoice=void, by=finance_user(), reason="Wrong buyer")
    response = action(finance, "mark_paid", [void, issued], apply="1", reference="")
    texts = messages_of(response)
    assert (
        f"Invoice {void.number} is void; "
        "only an issued or partially paid invoice can take a payment." in texts
    )
    assert any("Paid in full" in m and issued.number in m for m in texts)
    assert refresh(void).status == InvoiceStatus.VOID
    assert refresh(issued).status == InvoiceStatus.PAID


def test_mark_paid_is_refused_without_its_permission():
    invoice = invoice_for()
    client = client_for(staff_with("view_invoice", "change_invoice", "void_invoice"))
    assert offered_actions(client) == {"regenerate_pdf", "void"}
    action(client, "mark_paid", [invoice], apply="1", reference="x")
    assert refresh(invoice).status == InvoiceStatus.ISSUED
    url = reverse("admin:invoicing_invoice_mark_paid", args=[invoice.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reference": "x"}).status_code == 403
    assert refresh(invoice).status == InvoiceStatus.ISSUED


# --- Void ------------------------------------------------------------------------------


def test_void_needs_a_reason(finance):
    invoice = invoice_for()
    for reason in ("", "   "):
        response = action(finance, "void", [invoice], apply="1", reason=reason)
        assert response.status_code == 200
        assert response.context["form"].errors == {"reason": ["This field is required."]}
        assert "This field is required." in response.content.decode()
        assert refresh(invoice).status == InvoiceStatus.ISSUED


def test_void_with_a_reason_keeps_the_number(finance):
    invoice = invoice_for()
    response = action(finance, "void", [invoice], apply="1", reason="Ordered twice")
    fresh = refresh(invoice)
    assert fresh.status == InvoiceStatus.VOID
    assert fresh.number == invoice.number and fresh.void_reason == "Ordered twice"
    assert fresh.voided_at is not None
    assert f"Voided: {invoice.number}." in messages_of(response)
    # The invoice's History in the admin says who did it.
    entry = LogEntry.objects.get(object_id=str(invoice.pk))
    assert entry.change_message == "Voided." and entry.user.groups.filter(name=FINANCE).exists()


def test_void_reports_an_invoice_in_the_wrong_state_and_does_the_others(finance):
    paid, issued = invoice_for(), invoice_for()
    services.invoice_mark_paid(invoice=paid, by=finance_user())
    response = action(finance, "void", [paid, issued], apply="1", reason="Cancelled deal")
    texts = messages_of(response)
    assert f"Invoice {paid.number} is paid; only an issued invoice can be voided." in texts
    assert refresh(paid).status == InvoiceStatus.PAID
    assert refresh(issued).status == InvoiceStatus.VOID


def test_void_is_refused_without_its_permission():
    invoice = invoice_for()
    client = client_for(staff_with("view_invoice", "change_invoice", "mark_paid_invoice"))
    assert offered_actions(client) == {"regenerate_pdf", "mark_paid"}
    action(client, "void", [invoice], apply="1", reason="No")
    assert refresh(invoice).status == InvoiceStatus.ISSUED
    url = reverse("admin:invoicing_invoice_void", args=[invoice.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "No"}).status_code == 403
    assert refresh(invoice).status == InvoiceStatus.ISSUED


# --- The change page's buttons -----------------------------------------------------------


def test_the_void_button_asks_for_a_reason_then_voids(finance):
    invoice = invoice_for()
    url = reverse("admin:invoicing_invoice_void", args=[invoice.pk])
    form = finance.get(url)
    assert form.status_code == 200 and invoice.number in form.content.decode()

    blank = finance.post(url, {"reason": ""})
    assert blank.status_code == 200
    assert blank.context["form"].errors == {"reason": ["This field is required."]}
    assert refresh(invoice).status == InvoiceStatus.ISSUED

    done = finance.post(url, {"reason": "Goods returned"})
    assert done.status_code == 302 and done["Location"] == change_url(invoice)
    assert refresh(invoice).void_reason == "Goods returned"


def test_the_mark_paid_button_records_the_payment(finance):
    invoice = invoice_for()
    url = reverse("admin:invoicing_invoice_mark_paid", args=[invoice.pk])
    assert finance.get(url).status_code == 200
    done = finance.post(url, {"reference": "NEFT 77"}, follow=True)
    assert f"{invoice.number} is paid in full." in messages_of(done)
    assert refresh(invoice).payments.get().amount == invoice.total  # one flow: a payment row
    fresh = refresh(invoice)
    assert fresh.status == InvoiceStatus.PAID and fresh.payment_reference == "NEFT 77"
    assert LogEntry.objects.get(object_id=str(invoice.pk)).change_message == (
        f"{invoice.number} is paid in full."
    )


def test_a_button_on_an_invoice_in_the_wrong_state_says_why(finance):
    invoice = invoice_for()
    services.invoice_mark_paid(invoice=invoice, by=finance_user())
    url = reverse("admin:invoicing_invoice_void", args=[invoice.pk])
    response = finance.post(url, {"reason": "Too late"}, follow=True)
    assert response.redirect_chain[-1][0] == change_url(invoice)
    assert any(invoice.number in m and "only an issued invoice" in m for m in messages_of(response))
    assert refresh(invoice).status == InvoiceStatus.PAID


def test_a_state_change_between_the_form_and_the_post_is_reported(finance, monkeypatch):
    """The invoice is paid by someone else after the button's check: the service says no."""
    invoice = invoice_for()
    url = reverse("admin:invoicing_invoice_void", args=[invoice.pk])
    void = services.invoice_void

    def paid_meanwhile(*, invoice, by, reason):
        services.invoice_mark_paid(invoice=invoice, by=by)
        return void(invoice=invoice, by=by, reason=reason)

    monkeypatch.setattr(services, "invoice_void", paid_meanwhile)
    response = finance.post(url, {"reason": "Late"}, follow=True)
    assert f"Invoice {invoice.number} is paid; only an issued invoice can be voided." in (
        messages_of(response)
    )
    assert refresh(invoice).status == InvoiceStatus.PAID


def test_the_action_page_warns_about_invoices_it_will_leave_alone(finance):
    paid, issued = invoice_for(), invoice_for()
    services.invoice_mark_paid(invoice=paid, by=finance_user())
    page = action(finance, "void", [paid, issued])
    assert page.context["warning"] == "One of these is not issued; it will be left as it is."
    assert action(finance, "void", [issued]).context["warning"] == ""


def test_the_order_and_customer_are_links_for_who_may_open_them():
    invoice = invoice_for()
    order_admin = reverse("admin:orders_order_change", args=[invoice.order_id])
    superuser = client_for(UserFactory(is_staff=True, is_superuser=True))
    assert order_admin in superuser.get(change_url(invoice)).content.decode()
    finance_page = client_for(finance_user()).get(change_url(invoice)).content.decode()
    assert order_admin not in finance_page and invoice.order.number in finance_page
    assert invoice.customer.email in finance_page
