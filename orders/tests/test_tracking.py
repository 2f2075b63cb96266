"""Tracking references link to their carrier (settings.CARRIERS): page, e-mail and API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from notifications.models import OutboundMessage
from orders.models import Order
from orders.tests.factories import place_order
from orders.tracking import tracking_for, tracking_url
from orders.transitions import order_transition

BLUE_DART = "https://www.bluedart.com/trackdartresultthirdparty?trackFor=0&trackNo={ref}"


@pytest.fixture(autouse=True)
def carriers(settings):
    settings.CARRIERS = {
        "Delhivery": "https://www.delhivery.com/track/package/{ref}",
        "Blue Dart": BLUE_DART,
        "DTDC": "https://www.dtdc.in/trace.asp?strCnno={ref}",
        "India Post": "https://www.indiapost.gov.in/track?consignment={ref}",
    }


def test_the_carrier_is_known_from_the_references_start_spaces_and_case_aside():
    for reference in ("Blue Dart 7788123456", "BLUEDART 7788123456", "bluedart-7788123456"):
        tracking = tracking_for(reference)
        assert tracking.carrier == "Blue Dart" and tracking.number == "7788123456"
        assert tracking.url == BLUE_DART.format(ref="7788123456")
    assert tracking_for("India Post EE123456789IN").number == "EE123456789IN"
    assert (
        tracking_url("Delhivery 1234 5678") == "https://www.delhivery.com/track/package/1234%205678"
    )
    # Unknown carriers, a name that runs on, and a bare name stay plain text.
    for reference in ("FEDEX 1234", "DTDCX1234", "Delhivery", "", "7788123456"):
        assert tracking_for(reference) is None, reference


def _shipped(reference, django_capture_on_commit_callbacks):
    order = place_order()
    order_transition(order=order, to_status=Order.Status.ACCEPTED, by=None)
    order_transition(order=order, to_status=Order.Status.PROCESSING, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(
            order=order, to_status=Order.Status.SHIPPED, by=None, tracking_reference=reference
        )
    return order


@pytest.mark.django_db
def test_the_order_page_the_email_and_the_api_link_to_the_carrier(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    order = _shipped("BLUEDART 7788123456", django_capture_on_commit_callbacks)
    url = BLUE_DART.format(ref="7788123456")
    client.force_login(order.customer)
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert f'<a href="{url.replace("&", "&amp;")}" target="_blank"' in page
    listing = client.get(reverse("portal:orders")).content.decode()
    assert f'<a href="{url.replace("&", "&amp;")}" target="_blank"' in listing

    mail = OutboundMessage.objects.get(template="invoice", channel="email")
    assert f"Track it: {url}" in mail.body_text
    assert url.replace("&", "&amp;") in mail.body_html

    api = APIClient()
    api.force_authenticate(order.customer)
    body = api.get(reverse("api-order-detail", args=[order.pk])).json()
    assert body["shipments"][0]["tracking_url"] == url


@pytest.mark.django_db
def test_an_unknown_carrier_stays_plain_text(client, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    order = _shipped("OWNVAN 42", django_capture_on_commit_callbacks)
    mail = OutboundMessage.objects.get(template="invoice", channel="email")
    assert "Track it" not in mail.body_text and "OWNVAN 42" in mail.body_text
    api = APIClient()
    api.force_authenticate(order.customer)
    body = api.get(reverse("api-order-detail", args=[order.pk])).json()
    assert body["shipments"][0]["tracking_url"] is None
