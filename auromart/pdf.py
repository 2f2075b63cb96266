"""PDF documents from Django templates with WeasyPrint, never touching the network.

Purchase orders (procurement) and invoices (invoicing) render through here.
Stylesheets and images come from the static files on disk (found with the
staticfiles finders); fonts come from fontconfig (fonts-dejavu-core). The URL
fetcher refuses every scheme but file: and data:, and any file outside the
static directories, so a template (or a product name in it) cannot make the
renderer read the disk or call out.

A worker renders many documents, so each thread keeps what does not change
between renders: its WeasyPrint FontConfiguration (fontconfig's font list and
Pango's font map; a fresh one per render loads and shapes the fonts again and
cost more than laying out a one-page document) and the parsed stylesheets,
re-read when the file on disk changes. Both are per thread because Pango's
font map is not thread-safe.
"""

import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_local = threading.local()


def _static_roots() -> list[Path]:
    """The directories the staticfiles app finders serve from (STATICFILES_DIRS, apps' static/)."""
    roots = [
        Path(entry if isinstance(entry, str | Path) else entry[1])
        for entry in settings.STATICFILES_DIRS
    ]
    roots += [Path(app.path) / "static" for app in apps.get_app_configs()]
    return [root.resolve() for root in roots if root.is_dir()]


class LocalFetcher(URLFetcher):
    """Fetch file: URLs under the static roots and data: URLs; nothing else."""

    def __init__(self, roots: list[Path]):
        super().__init__(timeout=5, allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = roots

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"{url} is outside the static files.")
        return super().fetch(url, headers)


def static_path(name: str) -> str:
    path = finders.find(name)
    if not path:
        raise FileNotFoundError(f"Static file {name} not found.")
    return path


def font_config() -> FontConfiguration:
    """This thread's FontConfiguration, made on first use and kept."""
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
        _local.stylesheets = {}
    return config


def _stylesheet(path: str, fetcher: URLFetcher) -> CSS:
    """The parsed stylesheet at `path`, parsed again only when the file changed (per thread)."""
    config = font_config()
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    cached = _local.stylesheets.get(path)
    if cached is None or cached[0] != key:
        cached = _local.stylesheets[path] = (
            key,
            CSS(filename=path, url_fetcher=fetcher, font_config=config),
        )
    return cached[1]


def render_pdf(template: str, context: dict, *, stylesheets: tuple[str, ...] = ()) -> bytes:
    """Render `template` with `context` to PDF bytes; `stylesheets` are static file names."""
    html = render_to_string(template, context)
    roots = _static_roots()
    fetcher = LocalFetcher(roots)
    # Relative URLs in templates (url(pdf/logo.svg)) resolve against this app's static files.
    base_url = (Path(apps.get_app_config("auromart").path) / "static").resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        stylesheets=[_stylesheet(static_path(name), fetcher) for name in stylesheets],
        font_config=font_config(),
    )


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A rendered document for the browser: shown inline, named, kept out of shared caches."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private"
    return response
