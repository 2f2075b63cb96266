"""Simple product pictures drawn with Pillow for the demo data (seed_demo): no downloads."""

import hashlib
import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

PALETTES = [
    ((63, 81, 181), (232, 234, 246)),
    ((0, 121, 107), (224, 242, 241)),
    ((194, 24, 91), (252, 228, 236)),
    ((245, 124, 0), (255, 243, 224)),
    ((69, 90, 100), (236, 239, 241)),
    ((123, 31, 162), (243, 229, 245)),
]


def draw_product_picture(*, name: str, label: str, variant: int = 0) -> ContentFile:
    """A 960 x 720 JPEG: a tinted backdrop, a shape that varies with `variant`, the name."""
    digest = hashlib.sha256(f"{label}:{name}".encode()).digest()
    ink, paper = PALETTES[(digest[0] + variant) % len(PALETTES)]
    picture = Image.new("RGB", (960, 720), paper)
    draw = ImageDraw.Draw(picture)
    cx, cy = 480 + (digest[1] % 120) - 60, 300
    if variant % 3 == 0:
        draw.rounded_rectangle((cx - 220, cy - 140, cx + 220, cy + 140), radius=40, fill=ink)
        draw.rounded_rectangle((cx - 190, cy - 110, cx + 190, cy - 40), radius=24, fill=paper)
    elif variant % 3 == 1:
        draw.ellipse((cx - 170, cy - 170, cx + 170, cy + 170), fill=ink)
        draw.ellipse((cx - 70, cy - 70, cx + 70, cy + 70), fill=paper)
    else:
        draw.polygon([(cx, cy - 190), (cx + 200, cy + 150), (cx - 200, cy + 150)], fill=ink)
    font = ImageFont.load_default(size=44)
    small = ImageFont.load_default(size=30)
    title = name if len(name) <= 36 else name[:35] + "…"
    draw.text((480, 560), title, fill=ink, font=font, anchor="mm")
    draw.text((480, 620), label, fill=(90, 96, 110), font=small, anchor="mm")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"{label or 'product'}-{variant}.jpg")
