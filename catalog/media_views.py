"""Product pictures on the embedded default storage (the file system).

Product images are public. With object storage (the shared storage of #21)
their URLs are the storage's own and this view is not used; on one machine
Django serves them here. Every stored name is new (catalog.models.
product_image_path, sorl-thumbnail's hashed names), so a file never changes
under its URL: a year of caching, `immutable`, and an ETag for revalidation.
"""

import hashlib
import mimetypes
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET

ONE_YEAR = 365 * 24 * 3600


@require_GET
def product_media(request, name: str):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name:
        raise Http404("No such picture.")
    stored = f"products/{path}"
    try:
        size = default_storage.size(stored)
    except (FileNotFoundError, OSError):
        raise Http404("No such picture.") from None
    etag = quote_etag(hashlib.sha256(f"{stored}:{size}".encode()).hexdigest()[:32])
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        content_type = mimetypes.guess_type(stored)[0] or "application/octet-stream"
        if not content_type.startswith("image/"):
            raise Http404("No such picture.")
        response = FileResponse(default_storage.open(stored, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=ONE_YEAR, immutable=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
