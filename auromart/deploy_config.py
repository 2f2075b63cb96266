"""Settings pieces for a deployment of several hosts: media storage and the cache.

Media (invoice and PO PDFs, import files between preview and confirm, images):
local disk (MEDIA_ROOT) is the embedded default. With AWS_STORAGE_BUCKET_NAME
set, media goes to S3-compatible object storage (AWS S3, MinIO, ...) through
django-storages and boto3, so every web host and worker reads what any other
wrote. The code reads and writes media only through Django's storage API
(`default_storage`), so nothing else changes.

Imported by settings: no Django imports here.
"""

from collections.abc import Callable


def media_storage(read: Callable[..., str]) -> dict:
    """The STORAGES["default"] entry from the environment; `read(name, default=...)`."""
    bucket = read("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    from botocore.config import Config

    endpoint = read("AWS_S3_ENDPOINT_URL", default="") or None
    # MinIO and most S3-compatible servers answer on one host name (path
    # style); AWS takes either.
    style = read("AWS_S3_ADDRESSING_STYLE", default="path" if endpoint else "auto")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": read("AWS_S3_REGION_NAME", default="") or None,
        "access_key": read("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": read("AWS_SECRET_ACCESS_KEY", default="") or None,
        # A key prefix inside the bucket, so it can hold other things too.
        "location": read("AWS_LOCATION", default="media"),
        # Like local disk: a name already taken gets a suffix, never overwritten.
        "file_overwrite": False,
        # Private objects: the app streams them to the people allowed to see them.
        "default_acl": None,
        "querystring_auth": True,
        # Bounded waits: a stalled object store must not hold a request for minutes.
        "client_config": Config(
            s3={"addressing_style": style},
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Seconds a Redis cache call may wait: a dead or frozen Redis must fail a
# request (and the readiness probe) quickly, not hold a worker thread.
CACHE_CONNECT_TIMEOUT = 1.0
CACHE_SOCKET_TIMEOUT = 2.0


def cache_config(config: dict) -> dict:
    """CACHES["default"] from django-environ's parsed CACHE_URL, with bounded waits for Redis."""
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        options = config.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", CACHE_CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", CACHE_SOCKET_TIMEOUT)
    return config
