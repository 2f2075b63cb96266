"""Writes for product media: gallery images (with their thumbnails) and specifications.

Files go through Django's storage API (the default storage: the file system
on one machine, object storage when it is configured), so nothing here knows
where they end up. Thumbnails are made once, when an image is added, by
sorl-thumbnail (Pillow), and their names kept on the row: a page of products
then costs no query and no image work per picture.
"""

import zipfile
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError
from sorl.thumbnail import get_thumbnail

from .models import Product, ProductAttribute, ProductImage

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # about 7700 x 5200: anything larger is refused, not decoded
MAX_IMAGES_PER_PRODUCT = 12
MAX_ATTRIBUTES = 40
MAX_ZIP_FILES = 2000
MAX_ZIP_BYTES = 200 * 1024 * 1024
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
CARD_SIZE = "480x360"
SMALL_SIZE = "120x120"


def validate_image_file(upload) -> None:
    """Raise ValidationError({"image": ...}) unless `upload` is a picture Pillow can read."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_IMAGE_BYTES:
        raise ValidationError({"image": "An image may be at most 8 MB."})
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            width, height = picture.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError({"image": "The image is too large (at most 40 megapixels)."})
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError({"image": "Upload a JPEG, PNG, WebP or GIF image."}) from None
    finally:
        upload.seek(0)


def _make_thumbnails(image: ProductImage) -> None:
    card = get_thumbnail(image.image, CARD_SIZE, crop="center", format="JPEG")
    small = get_thumbnail(image.image, SMALL_SIZE, crop="center", format="JPEG")
    image.card.name = card.name
    image.small.name = small.name
    image.save(update_fields=["card", "small"])


@transaction.atomic
def product_image_add(
    *, product: Product, upload, alt_text: str = "", position: int | None = None
) -> ProductImage:
    """Add a picture to the product's gallery (last, unless `position` says where).

    `alt_text` defaults to the product's name. Raises ValidationError keyed by
    field for an unreadable or oversized file, or a full gallery.
    """
    validate_image_file(upload)
    count = ProductImage.objects.filter(product=product).count()
    if count >= MAX_IMAGES_PER_PRODUCT:
        raise ValidationError(
            {"image": f"A product has at most {MAX_IMAGES_PER_PRODUCT} images; remove one first."}
        )
    alt_text = (alt_text or "").strip()[:200] or product.name[:200]
    image = ProductImage(
        product=product, alt_text=alt_text, position=count if position is None else position
    )
    name = PurePosixPath(getattr(upload, "name", "") or "image.jpg").name
    image.image.save(name, upload, save=False)
    image.save()
    _make_thumbnails(image)
    return image


@transaction.atomic
def product_image_remove(*, image: ProductImage) -> None:
    """Take a picture out of the gallery; its files are deleted after the commit."""
    names = [f.name for f in (image.image, image.card, image.small) if f]
    storage = image.image.storage
    image.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def parse_specifications(text: str) -> list[tuple[str, str]]:
    """ "Name: value" lines -> [(name, value)]; raises ValidationError({"specifications": ...})."""
    pairs, errors, seen = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, sep, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            errors.append(f"Line {number}: write it as “Name: value”.")
        elif len(name) > 80 or len(value) > 200:
            errors.append(f"Line {number}: at most 80 characters of name and 200 of value.")
        elif name.lower() in seen:
            errors.append(f"Line {number}: “{name}” is already listed.")
        else:
            seen.add(name.lower())
            pairs.append((name, value))
    if len(pairs) > MAX_ATTRIBUTES:
        errors.append(f"At most {MAX_ATTRIBUTES} lines.")
    if errors:
        raise ValidationError({"specifications": errors})
    return pairs


def specifications_text(product: Product) -> str:
    return "\n".join(f"{a.name}: {a.value}" for a in product.attributes.all())


@transaction.atomic
def product_attributes_set(*, product: Product, pairs: list[tuple[str, str]]) -> None:
    """Replace the product's specifications with `pairs`, in that order."""
    parse_specifications("\n".join(f"{name}: {value}" for name, value in pairs))
    ProductAttribute.objects.filter(product=product).delete()
    ProductAttribute.objects.bulk_create(
        ProductAttribute(product=product, name=name, value=value, position=index)
        for index, (name, value) in enumerate(pairs)
    )


def _sku_of(filename: str, skus: dict[str, Product]) -> Product | None:
    """ "MAT-0001.jpg", "mat-0001_2.png", "MAT-0001-2.webp" -> the product MAT-0001."""
    stem = PurePosixPath(filename).stem.lower()
    if stem in skus:
        return skus[stem]
    for sep in ("_", "-", " "):
        head, _, tail = stem.rpartition(sep)
        if head and tail.isdigit() and head in skus:
            return skus[head]
    return None


def product_images_import_zip(*, archive, products) -> dict:
    """Add the pictures of a zip to the products whose SKU their file names carry.

    "MAT-0001.jpg", "MAT-0001_2.jpg" and "MAT-0001-3.png" all go to MAT-0001,
    in file-name order. Only `products` (a manufacturer's own, say) are
    matched. Returns {"added": n, "unmatched": [names], "errors": [messages]};
    each picture is added in a transaction of its own, so one bad file does
    not lose the others.
    """
    skus = {product.sku.lower(): product for product in products}
    report = {"added": 0, "unmatched": [], "errors": []}
    try:
        bundle = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise ValidationError({"images": "The images file is not a zip archive."}) from None
    with bundle:
        entries = [
            info
            for info in bundle.infolist()
            if not info.is_dir()
            and PurePosixPath(info.filename).suffix.lower() in IMAGE_SUFFIXES
            and not PurePosixPath(info.filename).name.startswith(".")
        ]
        if len(entries) > MAX_ZIP_FILES:
            raise ValidationError({"images": f"At most {MAX_ZIP_FILES} images per zip."})
        if sum(info.file_size for info in entries) > MAX_ZIP_BYTES:
            raise ValidationError({"images": "The pictures add up to more than 200 MB."})
        for info in sorted(entries, key=lambda i: PurePosixPath(i.filename).name.lower()):
            name = PurePosixPath(info.filename).name
            product = _sku_of(name, skus)
            if product is None:
                report["unmatched"].append(name)
                continue
            if info.file_size > MAX_IMAGE_BYTES:
                report["errors"].append(f"{name}: larger than 8 MB.")
                continue
            upload = ContentFile(bundle.read(info), name=name)
            try:
                product_image_add(product=product, upload=upload)
            except ValidationError as exc:
                report["errors"].append(f"{name}: {' '.join(exc.messages)}")
            else:
                report["added"] += 1
    return report
