"""Order domain errors; the edges translate them (HTTP 409/422/503, a form error)."""


class OrderError(Exception):
    """Base of every order domain error."""


class IdempotencyKeyReused(OrderError):
    """The Idempotency-Key was already used for a different request."""

    def __init__(self, order):
        self.order = order
        super().__init__(
            f"This Idempotency-Key was already used for order {order.number} with a different "
            "request; use a new key for a new order."
        )


class IllegalTransition(OrderError):
    """The order's state machine refuses this move; `allowed` names the moves it accepts."""

    def __init__(self, order, to_status: str, allowed: list[str], message: str = ""):
        self.order = order
        self.to_status = to_status
        self.allowed = allowed
        allowed_text = ", ".join(allowed) if allowed else "none (it is final)"
        super().__init__(
            message
            or (
                f"Order {order.number} is {order.status} and cannot become {to_status}. "
                f"Allowed next: {allowed_text}."
            )
        )


class OrderPlacementBusy(OrderError):
    """The database kept refusing the locks (deadlock, lock timeout); nothing was written."""

    def __init__(self):
        super().__init__(
            "The store is very busy and the order could not be placed; nothing was charged "
            "or allocated. Please try again in a moment."
        )


class OrderNotReinstated(OrderError):
    """An order released unpaid cannot be placed again; `reason` says why ("points")."""

    def __init__(self, order, reason: str):
        self.order = order
        self.reason = reason
        super().__init__(
            f"Order {order.number} redeemed loyalty points that went back to the buyer when it "
            "was released; it is not placed again."
        )
