"""PDF endpoints in the API: a renderer that serves the bytes, and negotiation that ignores Accept.

A view sets `renderer_classes = [PDFRenderer]`, `content_negotiation_class =
PDFOnly` and answers errors as JSON (see `PdfApiView`).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from . import schema


class PDFRenderer(BaseRenderer):
    """What the PDF endpoint serves (the document itself is a FileResponse)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PDFOnly(BaseContentNegotiation):
    """The PDF whatever the client's Accept header says (DRF's "ignore the client" recipe)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PdfApiView(APIView):
    """An endpoint that answers a PDF, and its errors (401, 403, 404) as the API's JSON body."""

    renderer_classes = [PDFRenderer]
    content_negotiation_class = PDFOnly

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


def pdf_responses(description: str) -> dict:
    """The schema's responses of a PDF endpoint."""
    return {
        (200, "application/pdf"): OpenApiResponse(
            response=OpenApiTypes.BINARY, description=description
        ),
        (401, "application/json"): schema.UNAUTHORIZED,
        (403, "application/json"): schema.FORBIDDEN,
        (404, "application/json"): schema.NOT_FOUND,
    }
