"""Attachments that are rendered when they are sent, not when the message is queued.

A message is queued inside the caller's transaction, where a PDF must not be
rendered (it is slow and leaves the database). An attachment reference can
name a renderer instead: {"path", "filename", "mimetype", "renderer",
"object_id"}. At delivery, a missing file is rendered by the app that
registered the renderer (in the worker), then attached.
"""

from collections.abc import Callable

from django.core.files.storage import default_storage

RENDERERS: dict[str, Callable[[int], str]] = {}


def register_renderer(name: str, render: Callable[[int], str]) -> None:
    """`render(object_id)` writes the file to default_storage and returns its path."""
    RENDERERS[name] = render


def attachment_path(ref: dict) -> str | None:
    """The stored file of `ref`, rendered first if it is missing and has a renderer; else None."""
    if default_storage.exists(ref["path"]):
        return ref["path"]
    render = RENDERERS.get(ref.get("renderer", ""))
    if render is None:
        return None
    path = render(ref["object_id"])
    return path if default_storage.exists(path) else None
