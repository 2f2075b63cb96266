"""The transfer's document: packing slip, and for a PO's transfer the tax invoice on it."""

from django.conf import settings

from auromart.pdf import render_pdf

from .models import TransferOrder


def packing_slip_pdf(transfer: TransferOrder) -> bytes:
    """PDF bytes of the transfer (loaded as transfers.selectors.transfer_detail loads it)."""
    return render_pdf(
        "transfers/packing_slip_pdf.html",
        {
            "transfer": transfer,
            "lines": list(transfer.lines.all()),
            "site_name": settings.SITE_NAME,
        },
        stylesheets=("auromart/pdf/document.css",),
    )
