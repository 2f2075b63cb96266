"""Create the media bucket when media is on S3-compatible storage and the bucket is missing.

Run by docker-compose's one-shot `migrate` service, so a fresh MinIO gets its
bucket before web and worker start. With media on local disk it does nothing.
Safe to run again and from several hosts at once.
"""

from botocore.exceptions import ClientError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the S3 media bucket (AWS_STORAGE_BUCKET_NAME) if it does not exist."

    def handle(self, *args, **options):
        bucket_name = getattr(default_storage, "bucket_name", None)
        if not bucket_name:
            self.stdout.write("Media is on local disk: no bucket to create.")
            return
        client = default_storage.connection.meta.client
        try:
            client.head_bucket(Bucket=bucket_name)
            self.stdout.write(f"Bucket {bucket_name} exists.")
            return
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                raise
        try:
            client.create_bucket(Bucket=bucket_name)
        except ClientError as exc:  # another host created it meanwhile
            if exc.response.get("Error", {}).get("Code") not in (
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            ):
                raise
        self.stdout.write(f"Bucket {bucket_name} created.")
