"""Invoicing's domain errors; the API answers them with 409, the admin with a message."""


class InvoiceStateError(Exception):
    """The invoice (or its order) is not in a state that allows this (HTTP 409)."""

    code = "invoice_state"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
