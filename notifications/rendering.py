"""Render a message's templates: subject, plain text, HTML (CSS inlined), short text.

A message named `order_confirmation` lives in
templates/notifications/order_confirmation/:

    subject.txt   one line
    body.txt      the plain-text part
    body.html     the HTML part; extends notifications/email/layout.html
    short.txt     optional: the in-app and WhatsApp text (else the subject)

Text parts render with autoescaping off (they are not HTML); every template
gets `site_name`, `site_url` and the {% absolute_url %} tag for links that work
from a mail client.
"""

import re
from dataclasses import dataclass
from functools import cache

import css_inline
from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.template.backends.django import get_installed_libraries
from django.template.loader import render_to_string

from . import as_sent

SUBJECT_MAX_LENGTH = 255


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    short: str


@cache
def _text_engine() -> Engine:
    return Engine(
        dirs=[settings.BASE_DIR / "templates"],
        app_dirs=True,
        autoescape=False,
        libraries=get_installed_libraries(),
    )


@cache
def _inliner() -> css_inline.CSSInliner:
    # Styles come only from the layout's <style>: nothing to fetch.
    return css_inline.CSSInliner(load_remote_stylesheets=False)


def base_context() -> dict:
    return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}


def _render_text(name: str, context: dict) -> str:
    return _text_engine().get_template(name).render(Context(context, autoescape=False))


def render_message(template: str, context: dict) -> Rendered:
    """Render the message `template` with `context` (plus the site's name and URL)."""
    context = {**base_context(), **context}
    folder = f"notifications/{template}"
    subject = " ".join(_render_text(f"{folder}/subject.txt", context).split())
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    if as_sent.active():
        # Recorded history (notifications.as_sent): the one-line parts only.
        return Rendered(
            subject=subject,
            text=as_sent.HISTORY_BODY,
            html="",
            short=_short(folder, context, subject),
        )
    # Templates are easier to read with their {% if %} lines; the mail without
    # the blank runs they leave.
    text = re.sub(r"\n{3,}", "\n\n", _render_text(f"{folder}/body.txt", context)).strip() + "\n"
    html = _inliner().inline(render_to_string(f"{folder}/body.html", context))
    return Rendered(subject=subject, text=text, html=html, short=_short(folder, context, subject))


def _short(folder: str, context: dict, subject: str) -> str:
    try:
        return " ".join(_render_text(f"{folder}/short.txt", context).split())
    except TemplateDoesNotExist:
        return subject
