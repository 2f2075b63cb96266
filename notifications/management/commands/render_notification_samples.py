"""Render every message template with its sample context, to read them as recipients will."""

from pathlib import Path

from django.core.management.base import BaseCommand

from notifications.rendering import render_message
from notifications.samples import sample_contexts
from notifications.sms import TEMPLATE_EVENTS, sms_render


class Command(BaseCommand):
    help = "Write each message's subject, text and HTML (CSS inlined) to DIR, from sample data."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        directory.mkdir(parents=True, exist_ok=True)
        for name, context in sample_contexts().items():
            rendered = render_message(name, context)
            (directory / f"{name}.html").write_text(rendered.html)
            sms = sms_render(TEMPLATE_EVENTS[name], context) if name in TEMPLATE_EVENTS else None
            sms_part = (
                f"--- SMS (DLT template {sms[1]['template_id']}, sender {sms[1]['sender_id']}) ---"
                f"\n{sms[0]}\n"
                if sms
                else ""
            )
            (directory / f"{name}.txt").write_text(
                f"Subject: {rendered.subject}\n\n{rendered.text}\n"
                f"--- short (in-app / WhatsApp) ---\n{rendered.short}\n{sms_part}"
            )
            self.stdout.write(f"{name}: {rendered.subject}")
        self.stdout.write(self.style.SUCCESS(f"Wrote {directory}"))
