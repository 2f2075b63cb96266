"""PDF documents from Django templates with WeasyPrint, never touching the network.

Purchase orders (procurement) and invoices (invoicing) render through here.
Stylesheets and images come from the static files on disk (found with the
staticfiles finders); fonts come from fontconfig (fonts-dejavu-core). The URL
fetcher refuses every scheme but file: and data:, and any file outside the
static directories, so a template (or a product name in it) cannot make the
renderer read the disk or call out.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher


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


def render_pdf(template: str, context: dict, *, stylesheets: tuple[str, ...] = ()) -> bytes:
    """Render `template` with `context` to PDF bytes; `stylesheets` are static file names."""
    html = render_to_string(template, context)
    roots = _static_roots()
    fetcher = LocalFetcher(roots)
    # Relative URLs in templates (url(pdf/logo.svg)) resolve against this app's static files.
    base_url = (Path(apps.get_app_config("auromart").path) / "static").resolve().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=static_path(name), url_fetcher=fetcher) for name in stylesheets]
    )
