"""Quiet seeding: the demo's e-mails go to files, not to the terminal.

`seed_demo` places orders, ships them and issues invoices, and each of those
queues e-mails (with PDF invoices attached). With the console backend, the
development default, they would be printed: about 5,200 lines of MIME before
the demo logins. While `quiet_demo_mail` runs, the console backend is
swapped for Django's file backend writing to settings.DEMO_MAIL_DIR (one
.log file per connection), or for the dummy backend when DEMO_MAIL_DIR is
empty; the simulated WhatsApp/SMS lines are not logged either. Any other
backend (SMTP, an ESP) is left alone: a configured mail server gets the mail.
"""

import functools
import logging
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.test.utils import override_settings
from django.utils import timezone

CONSOLE = "django.core.mail.backends.console.EmailBackend"
QUIET_LOGGERS = ("notifications.transports", "notifications.sms")


@contextmanager
def quiet_demo_mail(write=None):
    """Within the block, console e-mail goes to DEMO_MAIL_DIR; `write` gets one line about it."""
    if settings.EMAIL_BACKEND != CONSOLE:
        yield
        return
    from .models import Channel, OutboundMessage

    started = timezone.now()
    directory = settings.DEMO_MAIL_DIR
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        backend = {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(directory),
        }
    else:
        backend = {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        with override_settings(**backend):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
    if write is not None:
        count = OutboundMessage.objects.filter(
            channel=Channel.EMAIL, created_at__gte=started
        ).count()
        where = f"written to {directory}/" if directory else "discarded (DEMO_MAIL_DIR is empty)"
        write(f"{count} demo e-mails {where}, not printed.")


def seeding_quietly(handle):
    """Decorates a management command's handle(): its e-mails go through quiet_demo_mail."""

    @functools.wraps(handle)
    def wrapper(self, *args, **options):
        write = None if options.get("quiet") else self.stdout.write
        with quiet_demo_mail(write):
            return handle(self, *args, **options)

    return wrapper
