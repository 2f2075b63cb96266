"""Render every message template with its sample context, to read them as recipients will."""

from pathlib import Path

from django.core.management.base import BaseCommand

from notifications.rendering import render_message
from notifications.samples import sample_contexts


class Command(BaseCommand):
    help = "Write each message's subject, text and HTML (CSS inlined) to DIR, from sample data."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        directory.mkdir(parents=True, exist_ok=True)
        for name, context in sample_contexts().items():
            rendered = render_message(name, context)
            (directory / f"{name}.html").write_text(rendered.html)
            (directory / f"{name}.txt").write_text(
                f"Subject: {rendered.subject}\n\n{rendered.text}\n"
                f"--- short (in-app / WhatsApp) ---\n{rendered.short}\n"
            )
            self.stdout.write(f"{name}: {rendered.subject}")
        self.stdout.write(self.style.SUCCESS(f"Wrote {directory}"))
