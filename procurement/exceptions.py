"""Procurement's domain errors; the API answers them with 409, the admin with a message."""


class ProcurementConflict(Exception):
    """The request or purchase order is not in a state that allows this (HTTP 409)."""

    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class RequestNotOpen(ProcurementConflict):
    code = "request_not_open"


class PurchaseOrderStateError(ProcurementConflict):
    code = "purchase_order_state"
