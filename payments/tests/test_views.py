"""Payment pages, the webhook URL, the API, the settlement report and the checkout choice."""

import pytest
from django.urls import reverse

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from invoicing.tests.factories import invoice_for
from orders.models import Order, OrderStatus
from orders.tests.factories import stocked_product
from payments import services
from payments.models import Payment, PaymentSettings, PaymentStatus, WebhookEvent

from .factories import awaiting_order

pytestmark = pytest.mark.django_db


def test_the_webhook_url_answers_400_to_a_bad_signature_and_200_to_a_good_one(
    client, fake_razorpay
):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    payment_id = fake_razorpay.capture(payment.provider_order_id)
    body, signature = fake_razorpay.signed_webhook(payment_id)
    url = reverse("payments:webhook")

    bad = client.post(
        url, body, content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE="0" * 64
    )
    assert bad.status_code == 400
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT

    headers = {"HTTP_X_RAZORPAY_SIGNATURE": signature, "HTTP_X_RAZORPAY_EVENT_ID": "evt_9"}
    assert client.post(url, body, content_type="application/json", **headers).status_code == 200
    assert client.post(url, body, content_type="application/json", **headers).status_code == 200
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED
    assert WebhookEvent.objects.count() == 1


def test_the_return_url_alone_changes_nothing(client, fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    client.force_login(order.customer)
    # The buyer's browser claims a payment the provider never took.
    response = client.post(
        reverse("payments:return", args=[payment.pk]), {"razorpay_payment_id": "pay_forged"}
    )
    assert response.status_code == 302
    assert Payment.objects.get().status == PaymentStatus.CREATED
    # A real one: the return triggers the server-side fetch.
    payment_id = fake_razorpay.capture(payment.provider_order_id)
    client.post(reverse("payments:return", args=[payment.pk]), {"razorpay_payment_id": payment_id})
    assert Payment.objects.get().status == PaymentStatus.PAID


def test_checkout_hands_over_to_razorpay_hosted_checkout(client, fake_razorpay):
    order = awaiting_order()
    client.force_login(order.customer)
    response = client.post(reverse("payments:order_pay", args=[order.number]))
    payment = Payment.objects.get()
    assert response.url == reverse("payments:checkout", args=[payment.pk])
    page = client.get(response.url)
    assert f'value="{payment.provider_order_id}"' in page.content.decode()
    assert "form-action 'self' https://api.razorpay.com" in page["Content-Security-Policy"]
    assert f"{fake_razorpay.base_url}/v1/checkout/embedded" in page.content.decode()


def test_the_test_gateway_approves_through_the_webhook_path(client, settings):
    settings.PAYMENT_GATEWAY = "test"
    order = awaiting_order()
    client.force_login(order.customer)
    response = client.post(reverse("payments:order_pay", args=[order.number]), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "payments:test_gateway", args=[Payment.objects.get().pk]
    )
    client.post(response.redirect_chain[-1][0], {"decision": "approve"})
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PAID
    assert WebhookEvent.objects.get().payment == payment  # it went through webhook_receive
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_the_test_gateway_is_off_with_a_real_gateway(client, fake_razorpay):
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    client.force_login(order.customer)
    assert client.get(reverse("payments:test_gateway", args=[payment.pk])).status_code == 404


def test_another_buyer_gets_404(client, settings):
    settings.PAYMENT_GATEWAY = "test"
    order = awaiting_order()
    payment = services.payment_start_for_order(order=order, by=order.customer)
    client.force_login(CustomerFactory())
    assert client.get(reverse("payments:detail", args=[payment.pk])).status_code == 404
    assert client.get(reverse("payments:order_pay", args=[order.number])).status_code == 404


def test_checkout_choice_pay_online_or_on_delivery(client, settings):
    settings.PAYMENT_GATEWAY = "test"
    customer = CustomerFactory()
    product = stocked_product(distributor=_store())
    client.force_login(customer)
    client.post(reverse("portal:cart_add", args=[product.pk]), {"quantity": 1})
    page = client.get(reverse("portal:checkout"))
    token = page.context["form"].initial["token"]
    response = client.post(
        reverse("portal:checkout"),
        {
            "fulfillment_type": "pickup",
            "payment": "online",
            "token": token,
        },
    )
    order = Order.objects.get()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert response.url == reverse("payments:order_pay", args=[order.number])


def test_a_distributor_without_pay_on_delivery_offers_online_only(settings):
    from inventory.tests.factories import DistributorFactory
    from orders.forms import CheckoutForm

    store = _store()
    PaymentSettings.objects.create(distributor=store, pay_on_delivery=False)
    other = DistributorFactory()
    assert CheckoutForm(store=other).fields["payment"].initial == "on_delivery"
    form = CheckoutForm(store=store)
    assert [value for value, _ in form.fields["payment"].choices] == ["online"]
    # The ticked choice is what an unticked form means.
    assert form.fields["payment"].initial == "online"
    from payments.checkout import payment_required

    assert payment_required(customer=CustomerFactory(), distributor=store, choice="") is True


def _store():
    from inventory.tests.factories import DistributorFactory

    return DistributorFactory(is_default_store=True)


# --- API --------------------------------------------------------------------------------


def test_api_starts_and_reads_a_payment(api_client, fake_razorpay):
    invoice = invoice_for()
    api_client.force_authenticate(invoice.customer)
    response = api_client.post(
        reverse("api-payment-start"), {"invoice_id": invoice.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "created"
    assert body["amount"] == str(invoice.balance_due)
    assert body["provider_order_id"] in fake_razorpay.orders
    detail = api_client.get(reverse("api-payment-detail", args=[body["id"]]))
    assert detail.status_code == 200


def test_api_refuses_bad_input_and_other_parties(api_client, fake_razorpay):
    invoice = invoice_for()
    api_client.force_authenticate(invoice.customer)
    assert api_client.post(reverse("api-payment-start"), {}, format="json").status_code == 400
    both = {"invoice_id": invoice.pk, "order_id": invoice.order_id}
    assert api_client.post(reverse("api-payment-start"), both, format="json").status_code == 400
    # The order is not awaiting payment: nothing to pay online.
    response = api_client.post(
        reverse("api-payment-start"), {"order_id": invoice.order_id}, format="json"
    )
    assert response.status_code == 409
    payment = services.payment_start_for_invoice(invoice=invoice, by=invoice.customer)
    api_client.force_authenticate(CustomerFactory())
    assert (
        api_client.post(reverse("api-payment-start"), {"invoice_id": invoice.pk}, format="json")
    ).status_code == 404
    assert api_client.get(reverse("api-payment-detail", args=[payment.pk])).status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(reverse("api-payment-detail", args=[payment.pk])).status_code == 401


# --- Settlements --------------------------------------------------------------------------


def _paid(fake, invoice):
    payment = services.payment_start_for_invoice(invoice=invoice, by=invoice.customer)
    payment_id = fake.capture(payment.provider_order_id)
    body, signature = fake.signed_webhook(payment_id)
    services.webhook_receive(body=body, signature=signature, event_id=f"evt_{payment.pk}")
    return Payment.objects.get(pk=payment.pk)


def test_settlements_per_distributor_page_and_csv(client, fake_razorpay):
    first = invoice_for()
    second = invoice_for(distributor=first.distributor)
    other = invoice_for()
    paid = [_paid(fake_razorpay, invoice) for invoice in (first, second, other)]
    services.payment_refund(payment=paid[1])
    member = DistributorUserFactory(organization=first.distributor)
    client.force_login(member)

    page = client.get(reverse("payments:settlements"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert len(rows) == 1  # only its own
    row = rows[0]
    assert row["collected"] == first.total + second.total
    assert row["refunded"] == second.total
    assert row["net"] == first.total
    csv_text = client.get(reverse("payments:settlements") + "?format=csv").content.decode()
    assert f"{first.distributor.name},2,{first.total + second.total}" in csv_text

    client.force_login(CustomerFactory())
    assert client.get(reverse("payments:settlements")).status_code == 403


def test_settlements_query_count_does_not_grow(
    client, fake_razorpay, django_assert_max_num_queries
):
    from django.contrib.auth.models import Permission

    staff = CustomerFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_payment"))
    for _ in range(3):
        _paid(fake_razorpay, invoice_for())
    client.force_login(staff)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("payments:settlements"))
    for _ in range(3):
        _paid(fake_razorpay, invoice_for())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("payments:settlements"))
    assert len(response.context["rows"]) == 6


def test_api_order_placed_to_pay_online_awaits_payment(api_client, settings):
    settings.PAYMENT_GATEWAY = "test"
    store = _store()
    product = stocked_product(distributor=store)
    customer = CustomerFactory()
    api_client.force_authenticate(customer)
    body = {
        "items": [{"product_id": product.pk, "quantity": 1}],
        "fulfillment_type": "pickup",
        "payment": "online",
    }
    response = api_client.post(reverse("api-order-list"), body, format="json")
    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    started = api_client.post(reverse("api-payment-start"), {"order_id": order.pk}, format="json")
    assert started.status_code == 201
    assert started.json()["amount"] == str(order.total)
