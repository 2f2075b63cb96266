"""GST identities: the state-code list and the GSTIN validator.

A GSTIN has 15 characters: the 2-digit state code of the registration, the
holder's 10-character PAN (5 letters, 4 digits, 1 letter), an entity number
(1-9 or A-Z), "Z", and a check character computed from the first 14 (the
GSTN's Luhn mod 36 variant). Each failure has its own message, so a form
can say what is wrong.
"""

from django.core.exceptions import ValidationError

# The GST state and union-territory codes (GSTN). 25 (Daman and Diu) was merged
# into 26 in 2020 but stays valid for registrations made before.
STATE_CODES: dict[str, str] = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "25": "Daman and Diu",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "28": "Andhra Pradesh (before 2014)",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
    "97": "Other Territory",
    "99": "Centre Jurisdiction",
}
STATE_CHOICES = [(code, f"{code} {name}") for code, name in STATE_CODES.items()]

GSTIN_LENGTH = 15
_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gstin_check_character(first14: str) -> str:
    """The check character of a GSTIN's first 14 characters (upper case)."""
    total = 0
    for index, char in enumerate(first14):
        product = _CHARS.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return _CHARS[(36 - total % 36) % 36]


def normalize_gstin(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_gstin(value: str) -> None:
    """Raise ValidationError naming what is wrong with a GSTIN (blank is allowed)."""
    gstin = normalize_gstin(value)
    if not gstin:
        return
    if len(gstin) != GSTIN_LENGTH:
        raise ValidationError(
            f"A GSTIN has {GSTIN_LENGTH} characters; this one has {len(gstin)}.",
            code="gstin_length",
        )
    if not gstin.isascii() or not gstin.isalnum():
        raise ValidationError("A GSTIN has only letters and digits.", code="gstin_characters")
    state = gstin[:2]
    if not state.isdigit() or state not in STATE_CODES:
        raise ValidationError(
            f"“{state}” is not a GST state code (01-38, 97 or 99).", code="gstin_state"
        )
    pan = gstin[2:12]
    if not (pan[:5].isalpha() and pan[5:9].isdigit() and pan[9].isalpha()):
        raise ValidationError(
            f"Characters 3-12 must be a PAN (5 letters, 4 digits, a letter); “{pan}” is not.",
            code="gstin_pan",
        )
    if gstin[12] == "0":
        raise ValidationError(
            "The 13th character (the entity number) is 1-9 or A-Z, not 0.", code="gstin_entity"
        )
    if gstin[13] != "Z":
        raise ValidationError("The 14th character of a GSTIN is “Z”.", code="gstin_z")
    expected = gstin_check_character(gstin[:14])
    if gstin[14] != expected:
        raise ValidationError(
            f"The check character is wrong: a GSTIN starting {gstin[:14]} ends in “{expected}”, "
            f"not “{gstin[14]}”. Check for a typing mistake.",
            code="gstin_check",
        )


# --- States on addresses ------------------------------------------------------

# Names people write besides the list's own (old spellings, short forms). The
# list's "Andhra Pradesh (before 2014)" is only for old registrations: the
# name on an address means today's state (37).
STATE_ALIASES: dict[str, str] = {
    "andhra pradesh": "37",
    "orissa": "21",
    "pondicherry": "34",
    "uttaranchal": "05",
    "new delhi": "07",
    "nct of delhi": "07",
    "jammu & kashmir": "01",
    "andaman & nicobar": "35",
    "dadra and nagar haveli": "26",
    "daman and diu": "26",
    "daman & diu": "26",
}


def _state_patterns():
    import re

    names = {name.lower(): code for code, name in STATE_CODES.items() if "(" not in name}
    names.pop("other territory", None)
    names.pop("centre jurisdiction", None)
    names.update(STATE_ALIASES)
    # Longest first: "Dadra and Nagar Haveli and Daman and Diu" before "Daman and Diu".
    return [
        (re.compile(r"(?<![a-z])" + re.escape(name).replace(r"\ ", r"\s+") + r"(?![a-z])"), code)
        for name, code in sorted(names.items(), key=lambda item: -len(item[0]))
    ]


_PATTERNS = _state_patterns()


def state_from_text(*texts: str) -> str:
    """The GST state code named in an address's text ("" when none or two different ones).

    A name match only (no city-to-state table): "Pune, Maharashtra" is 27,
    "Pune" alone is not found and is left for review.
    """
    text = " ".join(t for t in texts if t).lower()
    found: set[str] = set()
    for pattern, code in _PATTERNS:
        if pattern.search(text):
            found.add(code)
            text = pattern.sub(" ", text)
    return found.pop() if len(found) == 1 else ""


def state_of_gstin(gstin: str) -> str:
    """The state code a (valid) GSTIN was registered in; "" for a blank one."""
    code = normalize_gstin(gstin)[:2]
    return code if code in STATE_CODES else ""


def state_name(code: str) -> str:
    return STATE_CODES.get(code, "")


# What an address can be in today: not the merged (25), pre-2014 (28) or
# non-territorial (97, 99) codes, which only old GSTINs carry.
ADDRESS_STATE_CHOICES = [
    (code, f"{name} ({code})")
    for code, name in sorted(STATE_CODES.items(), key=lambda item: item[1])
    if code not in ("25", "28", "97", "99")
]
