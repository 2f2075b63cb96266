"""Write notifications as already sent: for recorded history (seed_demo's months of orders).

Inside `outbox_as_sent()` the services still decide who is told what, on which
channels, under which dedup key, exactly as they do live; only the last step
changes:

* the message is not rendered: the subject and the short text are (one line
  each, cheap), the body is a sentence saying it was written as history;
* the outbox row is written `sent` at the current clock (time-machine's, while
  seeding travels through the past) and nothing is handed to a deliverer, so
  no e-mail, webhook or invoice PDF goes anywhere;
* the in-app notification is written read.

A ContextVar, so a thread or request outside the block is not affected.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_active: ContextVar[bool] = ContextVar("notifications_as_sent", default=False)

HISTORY_BODY = (
    "This message was recorded as sent when the demo history was written; "
    "its full text was not rendered.\n"
)


def active() -> bool:
    """True inside outbox_as_sent()."""
    return _active.get()


@contextmanager
def outbox_as_sent() -> Iterator[None]:
    """Within the block, outbox rows are written sent (not delivered) and in-app ones read."""
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)
