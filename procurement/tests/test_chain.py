"""The whole chain against a real SMTP server: low stock -> request -> e-mails -> PO -> answer."""

import datetime
import subprocess
from decimal import Decimal
from unittest import mock

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import ManufacturerUserFactory, OrganizationFactory
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory, StockItemFactory
from notifications.models import Notification, OutboundMessage
from notifications.services import outbox_sweep
from notifications.tests.conftest import parts
from orders.tests.factories import place_order
from procurement import services
from procurement.models import POStatus, ProcurementRequest, PurchaseOrder, RequestStatus

from .factories import procurement_staff


@pytest.fixture
def setup(settings):
    settings.PROCUREMENT_TEAM_EMAILS = ["team@auromart.test"]
    supplier = OrganizationFactory(
        kind="manufacturer", name="Brahmaputra Tea Estates", contact_email="orders@tea.test"
    )
    distributor = DistributorFactory(
        name="Deccan Distribution", address="Plot 7, Peenya", city="Bengaluru", region="South"
    )
    product = ProductFactory(
        name="Assam tea",
        sku="TEA-1",
        manufacturer=supplier,
        supplier=supplier,
        reorder_level=10,
        reorder_quantity=40,
        pack_size=12,
        price=Decimal("400.00"),
        cost_price=Decimal("310.00"),
    )
    StockItemFactory(product=product, distributor=distributor, on_hand=14)
    staff = procurement_staff(email="buyer@auromart.test", name="Meera Buyer")
    return supplier, distributor, product, staff


def received_to(inbox, address):
    return [m for m in inbox.messages if address in m["To"]]


@pytest.mark.django_db
def test_low_stock_opens_one_request_and_mails_supplier_and_team_once(
    setup, smtp_server, django_capture_on_commit_callbacks
):
    _supplier, distributor, product, staff = setup
    with django_capture_on_commit_callbacks(execute=True):
        place_order(distributor=distributor, lines=[(product, 5)])  # 9 left: at/below 10
    request = ProcurementRequest.objects.get()
    assert request.status == RequestStatus.OPEN and request.quantity == 48  # 40 -> 4 packs of 12
    assert (request.on_hand, request.allocated, request.available, request.reorder_level) == (
        14,
        5,
        9,
        10,
    )

    # Order confirmation + supplier e-mail + team alert + the staff member's alert.
    inbox = smtp_server.inbox.wait_for(4)
    [to_supplier] = received_to(smtp_server.inbox, "orders@tea.test")
    [to_team] = received_to(smtp_server.inbox, "team@auromart.test")
    [to_staff] = received_to(smtp_server.inbox, "buyer@auromart.test")
    assert len(inbox) == 4
    assert to_staff["Subject"].startswith("Low stock: Assam tea")
    text, html = parts(to_supplier)
    for part in (text, html):
        assert request.number in part and "Assam tea" in part and "TEA-1" in part
        assert "48" in part  # quantity needed
        assert "9 available" in part or "9</td>" in part  # current stock
    text, _ = parts(to_team)
    assert "Available:      9" in text and "Reorder level:  10" in text
    assert f"Opened procurement request {request.number} for 48 units" in text
    assert "orders@tea.test" in text  # what the system did
    assert f"/admin/procurement/procurementrequest/{request.pk}/change/" in text
    assert Notification.objects.filter(user=staff, event="procurement_requested").count() == 1

    # Further orders while the request is open: no request, no e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        place_order(distributor=distributor, lines=[(product, 2)])
        place_order(distributor=distributor, lines=[(product, 1)])
    smtp_server.inbox.wait_for(6)
    assert ProcurementRequest.objects.count() == 1
    assert len(received_to(smtp_server.inbox, "orders@tea.test")) == 1
    assert len(received_to(smtp_server.inbox, "team@auromart.test")) == 1


def pdf_text(path: str) -> str:
    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def approve_and_mail(setup, smtp_server, capture):
    _supplier, distributor, product, staff = setup
    with capture(execute=True):
        place_order(distributor=distributor, lines=[(product, 5)])
    request = ProcurementRequest.objects.get()
    before = len(smtp_server.inbox.wait_for(4))
    with capture(execute=True):
        po = services.procurement_request_approve(request=request, by=staff)
    return request, po, before


@pytest.mark.django_db
def test_approval_sends_the_po_with_pdf_and_a_link_that_confirms_once(
    setup, smtp_server, django_capture_on_commit_callbacks
):
    request, po, before = approve_and_mail(setup, smtp_server, django_capture_on_commit_callbacks)
    year = timezone.localdate().year
    assert po.number == f"PO-{year}-00001" and po.status == POStatus.SENT
    assert po.approved_by.email == "buyer@auromart.test" and po.approved_at is not None
    assert po.total == Decimal("14880.00")  # 48 x 310.00
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.decided_by_id == po.approved_by_id

    messages = smtp_server.inbox.wait_for(before + 1)
    [mail] = [m for m in messages if po.number in m["Subject"]]
    assert mail["To"] == "orders@tea.test"
    text, html = parts(mail)
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"{po.number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    body = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert po.number in body and "TEA-1" in body and "Assam tea" in body
    assert "14,880.00" in body and "Plot 7, Peenya" in body and "Page 1 of 1" in body
    for part in (text, html):
        assert "Plot 7, Peenya" in part and po.expected_date.strftime("%Y") in part
    link = next(word for word in text.split() if "/procurement/po/" in word)
    path = link.replace("http://127.0.0.1:8000", "")

    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and b"Confirm purchase order" in page.content
    response = client.post(path, {"action": "confirm", "responded_by": "Anil at Brahmaputra"})
    assert response.status_code == 302
    po.refresh_from_db()
    assert po.status == POStatus.CONFIRMED and po.responded_by == "Anil at Brahmaputra"
    first_answer = po.responded_at
    assert po.supplier_response_time is not None

    # The same link again: nothing to answer, nothing changes.
    again = client.post(path, {"action": "confirm", "responded_by": "Someone else"})
    assert again.status_code == 409
    po.refresh_from_db()
    assert po.responded_at == first_answer and po.responded_by == "Anil at Brahmaputra"
    assert b"confirmed" in client.get(path).content

    # A tampered token, or one past its lifetime, is 404.
    token = path.split("/")[3]
    assert client.get(f"/procurement/po/{token[:-2]}xx/").status_code == 404
    later = timezone.now() + datetime.timedelta(days=15)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(path).status_code == 404
    # A token signed for another PO's nonce (revoked) is 404 too.
    forged = signing.dumps([po.pk, "0" * 32], salt=services.TOKEN_SALT)
    assert client.get(f"/procurement/po/{forged}/").status_code == 404


@pytest.mark.django_db
def test_supplier_can_propose_and_staff_accept(
    setup, smtp_server, django_capture_on_commit_callbacks
):
    _request, po, before = approve_and_mail(setup, smtp_server, django_capture_on_commit_callbacks)
    token = services.purchase_order_token(po)
    line = po.lines.get()
    new_date = timezone.localdate() + datetime.timedelta(days=20)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/procurement/po/{token}/",
            {
                "action": "propose",
                "responded_by": "Anil",
                "proposed_date": new_date.isoformat(),
                f"line_{line.pk}": "36",
                "note": "Only 3 packs before the harvest.",
            },
        )
    assert response.status_code == 302
    po.refresh_from_db()
    assert po.status == POStatus.PROPOSED and po.proposed_date == new_date
    # Procurement hears about it.
    assert Notification.objects.filter(event="purchase_order_answered").count() == 1
    answered = [m for m in smtp_server.inbox.wait_for(before + 2) if "proposed" in m["Subject"]]
    assert answered and "36 instead of 48" in parts(answered[0])[0]

    services.purchase_order_accept_proposal(purchase_order=po, by=setup[3])
    po.refresh_from_db()
    line.refresh_from_db()
    assert po.status == POStatus.CONFIRMED and po.expected_date == new_date
    assert line.quantity == 36 and po.total == Decimal("11160.00")


@pytest.mark.django_db
def test_a_proposal_that_changes_nothing_is_a_form_error(setup, smtp_server):
    _supplier, distributor, product, staff = setup
    place_order(distributor=distributor, lines=[(product, 5)])
    po = services.procurement_request_approve(request=ProcurementRequest.objects.get(), by=staff)
    line = po.lines.get()
    response = Client().post(
        f"/procurement/po/{services.purchase_order_token(po)}/",
        {"action": "propose", "responded_by": "Anil", f"line_{line.pk}": str(line.quantity)},
    )
    assert response.status_code == 400
    assert b"Propose another date or quantity" in response.content
    po.refresh_from_db()
    assert po.status == POStatus.SENT


@pytest.mark.django_db
def test_partial_receipts_raise_stock_then_fulfil_and_the_next_low_stock_reorders(setup):
    _supplier, distributor, product, staff = setup
    place_order(distributor=distributor, lines=[(product, 5)])
    request = ProcurementRequest.objects.get()
    po = services.procurement_request_approve(request=request, by=staff)
    services.purchase_order_confirm(purchase_order=po, responded_by="Anil")

    services.purchase_order_receive(purchase_order=po, lines=[(product.pk, 20)], by=staff)
    item = StockItem.objects.get(product=product, distributor=distributor)
    assert (item.on_hand, item.available) == (34, 29)
    po.refresh_from_db()
    request.refresh_from_db()
    assert po.status == POStatus.PARTIALLY_RECEIVED and request.status == RequestStatus.APPROVED

    # Over-receipt is refused with a clear error, and nothing is written.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.purchase_order_receive(purchase_order=po, lines=[(product.pk, 29)], by=staff)
    assert "Only 28 of TEA-1 are outstanding" in info.value.message_dict["lines.0.quantity"][0]
    assert StockItem.objects.get(pk=item.pk).available == 29

    services.purchase_order_receive(purchase_order=po, lines=[(product.pk, 28)], by=staff)
    item.refresh_from_db()
    po.refresh_from_db()
    request.refresh_from_db()
    assert (item.on_hand, item.available) == (62, 57)  # 5 still allocated to the first order
    assert po.status == POStatus.RECEIVED and po.received_at is not None
    assert request.status == RequestStatus.FULFILLED and request.fulfilled_at is not None
    receipts = StockMovement.objects.filter(stock_item=item, kind="receipt").order_by("pk")
    assert [m.quantity for m in receipts] == [20, 28]
    assert {m.reference for m in receipts} == {f"po:{po.pk}"}
    assert item.on_hand == sum(item.movements.values_list("quantity", flat=True))

    # Received in full: nothing incoming any more. The next low stock opens a new request.
    place_order(distributor=distributor, lines=[(product, 48)])  # 9 left
    assert ProcurementRequest.objects.filter(status=RequestStatus.OPEN).count() == 1
    assert ProcurementRequest.objects.count() == 2


@pytest.mark.django_db
def test_reminder_goes_once_after_the_configured_hours(
    setup, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.PROCUREMENT_CONFIRM_REMINDER_HOURS = 48
    _request, po, before = approve_and_mail(setup, smtp_server, django_capture_on_commit_callbacks)
    smtp_server.inbox.wait_for(before + 1)
    assert services.purchase_order_reminders_send() == 0  # not due yet
    later = timezone.now() + datetime.timedelta(hours=49)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purchase_order_reminders_send(now=later) == 1
        assert services.purchase_order_reminders_send(now=later) == 0
    mails = smtp_server.inbox.wait_for(before + 2)
    reminders = [m for m in mails if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 1 and po.number in reminders[0]["Subject"]
    assert reminders[0].get_body(("plain",)).get_content().count("/procurement/po/") == 1
    # Answered POs are never reminded.
    po.refresh_from_db()
    assert po.reminder_sent_at is not None


@pytest.mark.django_db
def test_the_pdf_is_rendered_on_demand_when_missing(setup):
    supplier, distributor, product, staff = setup
    place_order(distributor=distributor, lines=[(product, 5)])
    po = services.procurement_request_approve(request=ProcurementRequest.objects.get(), by=staff)
    member = ManufacturerUserFactory(organization=supplier)
    client = Client()
    client.force_login(member)
    response = client.get(f"/procurement/purchase-orders/{po.number}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    po.refresh_from_db()
    assert po.number in pdf_text(po.pdf)
    default_storage.delete(po.pdf)
    again = client.get(f"/procurement/purchase-orders/{po.number}/pdf/")
    assert again.status_code == 200 and b"".join(again.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_outbox_sweep_renders_the_attachment_when_delivering(setup, smtp_server):
    """Delivery is what renders the PDF: the transaction that approved did not."""
    _supplier, distributor, product, staff = setup
    place_order(distributor=distributor, lines=[(product, 5)])
    po = services.procurement_request_approve(request=ProcurementRequest.objects.get(), by=staff)
    assert not PurchaseOrder.objects.get(pk=po.pk).pdf
    message = OutboundMessage.objects.get(template="purchase_order", recipient="orders@tea.test")
    assert message.attachments[0]["renderer"] == "procurement.purchase_order_pdf"
    outbox_sweep()
    message.refresh_from_db()
    assert message.status == "sent"
    assert PurchaseOrder.objects.get(pk=po.pk).pdf


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [str(10**20), str(2**31), "1000001"])
def test_a_proposed_quantity_past_the_bound_is_a_form_error(setup, quantity):
    _supplier, distributor, product, staff = setup
    place_order(distributor=distributor, lines=[(product, 5)])
    po = services.procurement_request_approve(request=ProcurementRequest.objects.get(), by=staff)
    line = po.lines.get()
    response = Client().post(
        f"/procurement/po/{services.purchase_order_token(po)}/",
        {"action": "propose", "responded_by": "Anil", f"line_{line.pk}": quantity},
    )
    assert response.status_code == 400
    assert b"less than or equal to 1000000" in response.content
    po.refresh_from_db()
    line.refresh_from_db()
    assert po.status == POStatus.SENT and line.proposed_quantity is None


@pytest.mark.django_db
def test_a_proposal_whose_total_would_overflow_is_a_form_error(setup):
    _supplier, distributor, product, staff = setup
    place_order(distributor=distributor, lines=[(product, 5)])
    po = services.procurement_request_approve(request=ProcurementRequest.objects.get(), by=staff)
    line = po.lines.get()
    line.unit_cost = Decimal("9999999.99")
    line.save(update_fields=["unit_cost"])
    response = Client().post(
        f"/procurement/po/{services.purchase_order_token(po)}/",
        {"action": "propose", "responded_by": "Anil", f"line_{line.pk}": "1000000"},
    )
    assert response.status_code == 400
    assert b"the line would exceed" in response.content
    po.refresh_from_db()
    assert po.status == POStatus.SENT
