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

One message to several users (a distributor's members told of a new order)
renders once (render_message_for_each): the recipient is a stand-in whose
short name is a token, replaced by each user's own; a template that asks the
recipient anything else is rendered once per user, as before.
"""

import re
import secrets
from dataclasses import dataclass
from functools import cache

import css_inline
from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.template.backends.django import get_installed_libraries
from django.template.loader import render_to_string
from django.utils.html import escape

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


def _render(template: str, context: dict) -> tuple[str, str, str, str]:
    """Subject, text, HTML before its CSS is inlined, short text (see render_message)."""
    context = {**base_context(), **context}
    folder = f"notifications/{template}"
    subject = " ".join(_render_text(f"{folder}/subject.txt", context).split())
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    short = _short(folder, context, subject)
    if as_sent.active():
        # Recorded history (notifications.as_sent): the one-line parts only.
        return subject, as_sent.HISTORY_BODY, "", short
    # Templates are easier to read with their {% if %} lines; the mail without
    # the blank runs they leave.
    text = re.sub(r"\n{3,}", "\n\n", _render_text(f"{folder}/body.txt", context)).strip() + "\n"
    return subject, text, render_to_string(f"{folder}/body.html", context), short


def _inlined(html: str) -> str:
    return _inliner().inline(html) if html else ""


def render_message(template: str, context: dict) -> Rendered:
    """Render the message `template` with `context` (plus the site's name and URL)."""
    subject, text, html, short = _render(template, context)
    return Rendered(subject=subject, text=text, html=_inlined(html), short=short)


class _AskedTooMuch(Exception):
    """A template asked the stand-in recipient for more than their short name."""


class _AnyRecipient:
    """Stands for every recipient of a message rendered once: its short name is a token;
    asking it anything else raises (not an AttributeError, which a template would
    silence), and the message is then rendered for each recipient."""

    def __init__(self, token: str):
        self._token = token

    def get_short_name(self) -> str:
        return self._token

    def __getattr__(self, name):
        raise _AskedTooMuch(name)


def render_message_for_each(template: str, context: dict, users: list) -> list[Rendered]:
    """render_message(template, {**context, "user": user}) for each of `users`, with one
    rendering when the templates ask the recipient only for `user.get_short_name` in the
    bodies (the name is put in each body, HTML-escaped in the HTML before its CSS is
    inlined, exactly as the template would have printed it); otherwise one per user."""
    token = f"recipient{secrets.token_hex(8)}"
    names = [user.get_short_name() for user in users]
    shared = None
    if len(users) > 1 and all(name and name == name.strip() and "\n" not in name for name in names):
        try:
            shared = _render(template, {**context, "user": _AnyRecipient(token)})
        except _AskedTooMuch:
            shared = None
    if shared is None or token in shared[0] or token in shared[3]:
        return [render_message(template, {**context, "user": user}) for user in users]
    subject, text, html, short = shared
    return [
        Rendered(
            subject=subject,
            text=text.replace(token, name),
            html=_inlined(html.replace(token, escape(name))),
            short=short,
        )
        for name in names
    ]


def _short(folder: str, context: dict, subject: str) -> str:
    try:
        return " ".join(_render_text(f"{folder}/short.txt", context).split())
    except TemplateDoesNotExist:
        return subject
