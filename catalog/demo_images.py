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


# 640 x 480: larger than the card thumbnail (480 x 360), and a third of the pixels of
# 960 x 720, which made seed_demo spend about 10 s of CPU on its 316 pictures' thumbnails.
WIDTH, HEIGHT = 640, 480


def _px(value: float) -> int:
    """A length drawn for a 960 px wide picture, at WIDTH."""
    return round(value * WIDTH / 960)


def draw_product_picture(*, name: str, label: str, variant: int = 0) -> ContentFile:
    """A WIDTH x HEIGHT JPEG: a tinted backdrop, a shape that varies with `variant`, the name."""
    digest = hashlib.sha256(f"{label}:{name}".encode()).digest()
    ink, paper = PALETTES[(digest[0] + variant) % len(PALETTES)]
    picture = Image.new("RGB", (WIDTH, HEIGHT), paper)
    draw = ImageDraw.Draw(picture)
    cx, cy = _px(480 + (digest[1] % 120) - 60), _px(300)
    if variant % 3 == 0:
        draw.rounded_rectangle(
            (cx - _px(220), cy - _px(140), cx + _px(220), cy + _px(140)), radius=_px(40), fill=ink
        )
        draw.rounded_rectangle(
            (cx - _px(190), cy - _px(110), cx + _px(190), cy - _px(40)), radius=_px(24), fill=paper
        )
    elif variant % 3 == 1:
        draw.ellipse((cx - _px(170), cy - _px(170), cx + _px(170), cy + _px(170)), fill=ink)
        draw.ellipse((cx - _px(70), cy - _px(70), cx + _px(70), cy + _px(70)), fill=paper)
    else:
        draw.polygon(
            [
                (cx, cy - _px(190)),
                (cx + _px(200), cy + _px(150)),
                (cx - _px(200), cy + _px(150)),
            ],
            fill=ink,
        )
    font = ImageFont.load_default(size=_px(44))
    small = ImageFont.load_default(size=_px(30))
    title = name if len(name) <= 36 else name[:35] + "…"
    draw.text((WIDTH // 2, _px(560)), title, fill=ink, font=font, anchor="mm")
    draw.text((WIDTH // 2, _px(620)), label, fill=(90, 96, 110), font=small, anchor="mm")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"{label or 'product'}-{variant}.jpg")
