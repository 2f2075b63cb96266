"""Every PDF download serves the stored file (#22 §4): nothing is rendered in the request.

The renderer is made to fail; a download of an invoice (page and API) or a
purchase order whose file is stored still answers with that file's bytes.
"""

from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.tests.factories import ManufacturerUserFactory
from invoicing import services
from procurement import services as procurement_services
from procurement.tests.test_po_gst import KARNATAKA, approved_po

from .test_api import api_for
from .test_views import body, build_parties, client_for, pdf

pytestmark = pytest.mark.django_db


def no_rendering():
    return mock.patch("auromart.pdf.HTML", side_effect=AssertionError("rendered in the request"))


def test_invoice_downloads_serve_the_stored_file_without_rendering():
    parties = build_parties()
    invoice = parties.retailer_invoice
    stored = default_storage.open(services.invoice_pdf_ensure(invoice=invoice)).read()
    invoice.refresh_from_db()
    with no_rendering():
        page = client_for(parties.retailer).get(pdf(invoice))
        api = api_for(parties.retailer).get(reverse("api-invoice-pdf", args=[invoice.pk]))
    assert page.status_code == api.status_code == 200
    assert body(page) == body(api) == stored


def test_a_missing_file_is_what_makes_a_download_render():
    # The guard above is real: without a stored file the download renders (and fails here).
    parties = build_parties()
    invoice = parties.retailer_invoice
    assert not invoice.pdf or not default_storage.exists(invoice.pdf)
    with no_rendering(), pytest.raises(AssertionError, match="rendered in the request"):
        client_for(parties.retailer).get(pdf(invoice))


def test_purchase_order_downloads_serve_the_stored_file_without_rendering():
    po = approved_po(supplier_gstin=KARNATAKA, supplier_state="29")
    path = procurement_services.purchase_order_pdf_render(purchase_order_id=po.pk)
    po.refresh_from_db()
    stored = default_storage.open(path).read()
    with no_rendering():
        assert procurement_services.purchase_order_pdf_ensure(purchase_order=po) == path
        supplier = client_for(ManufacturerUserFactory(organization=po.supplier))
        response = supplier.get(reverse("procurement:supplier_po_pdf", args=[po.number]))
    assert response.status_code == 200 and body(response) == stored
