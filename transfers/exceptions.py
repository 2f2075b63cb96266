"""Transfer domain errors; callers translate them at the edge (HTTP 409, a form error)."""


class TransferStateError(Exception):
    """The transfer's status does not allow the step asked for."""
