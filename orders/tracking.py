"""Tracking references that link to their carrier (settings.CARRIERS: name -> URL template).

A shipment's carrier is known when its tracking reference starts with the
carrier's name, spaces, punctuation and case aside: "Blue Dart 7788123456",
"BLUEDART 7788123456" and "bluedart-7788123456" are all Blue Dart's consignment
7788123456. Any other reference stays plain text.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

SEPARATORS = " -:#/._"


@dataclass(frozen=True)
class Tracking:
    carrier: str
    number: str
    url: str


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def tracking_for(reference: str) -> Tracking | None:
    """The carrier, consignment number and tracking URL of `reference`, or None if unknown."""
    reference = (reference or "").strip()
    if not reference:
        return None
    carriers = sorted(settings.CARRIERS.items(), key=lambda item: -len(_key(item[0])))
    for name, template in carriers:
        key = _key(name)
        if not key:
            continue
        seen, index = "", 0
        while index < len(reference) and len(seen) < len(key):
            char = reference[index].lower()
            if char.isalnum():
                seen += char
            elif char not in SEPARATORS:
                break
            index += 1
        if seen != key:
            continue
        rest = reference[index:]
        number = rest.lstrip(SEPARATORS).strip()
        # "DTDCX1" is not DTDC's "X1": the name must end at a separator or a digit.
        if not number or (rest[:1].isalpha() and not key[-1:].isdigit()):
            continue
        return Tracking(
            carrier=name, number=number, url=template.format(ref=quote(number, safe=""))
        )
    return None


def tracking_url(reference: str) -> str | None:
    """The carrier's tracking page for `reference`, or None when its carrier is not known."""
    tracking = tracking_for(reference)
    return tracking.url if tracking else None
