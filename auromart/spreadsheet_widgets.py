"""Reading and writing one spreadsheet cell: the widgets of AuroMart's resources.

Each widget reads a cell into a value or says, in words a person can act on,
why it cannot; text is escaped against formula injection on export and
unescaped on import. Re-exported by `auromart.spreadsheets`, the one name the
apps import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from import_export import widgets

# A cell starting with one of these is run as a formula by Excel, LibreOffice
# and Google Sheets (CSV injection, OWASP): exported text gets a leading
# apostrophe, which spreadsheets show as text, and imports take it off again.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The largest value an integer column holds on every backend (signed INT).
MAX_INT = 2_147_483_647
REQUIRED = "This column cannot be empty."


def escape_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unescape_formula(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def cell_text(value) -> str:
    """A cell as stripped text. XLSX gives numbers for cells such as a phone or a SKU."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unescape_formula(str(value).strip())


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalize_header(header) -> str:
    """'Reorder level ' -> 'reorder_level', so headers typed by hand still match."""
    return re.sub(r"[\s\-]+", "_", str(header or "").strip().lower())


# --- Widgets ------------------------------------------------------------------
# Each raises ValueError with a message for a person; django-import-export
# files it under the column (import_instance turns it into a ValidationError).


class TextWidget(widgets.CharWidget):
    """Text, stripped. A blank cell is "" (or None with `blank_as_none`: keep the current value)."""

    def __init__(
        self,
        *,
        max_length: int | None = None,
        required: bool = False,
        blank_as_none: bool = False,
        upper: bool = False,
    ):
        super().__init__(coerce_to_string=True, allow_blank=True)
        self.max_length = max_length
        self.required = required
        self.blank_as_none = blank_as_none
        self.upper = upper

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if self.upper:
            text = text.upper()
        if not text:
            if self.required:
                raise ValueError(REQUIRED)
            return None if self.blank_as_none else ""
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(f"At most {self.max_length} characters (this has {len(text)}).")
        return text


class WholeNumberWidget(widgets.IntegerWidget):
    """A whole number within [min_value, max_value]; a blank cell is None."""

    def __init__(self, *, min_value: int = 0, max_value: int = MAX_INT, required: bool = False):
        super().__init__(coerce_to_string=True)
        self.min_value = min_value
        self.max_value = max_value
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.required:
                raise ValueError(REQUIRED)
            return None
        if isinstance(value, bool):
            raise ValueError(f"Enter a whole number (got “{value}”).")
        if isinstance(value, int):
            number = value
        else:
            try:
                amount = Decimal(str(value).strip())
            except InvalidOperation:
                raise ValueError(f"Enter a whole number (got “{value}”).") from None
            if (
                not amount.is_finite()
                or amount.adjusted() > 12
                or amount != amount.to_integral_value()
            ):
                raise ValueError(f"Enter a whole number (got “{value}”).")
            number = int(amount)
        if number < self.min_value:
            raise ValueError(f"Enter {self.min_value} or more (got {number}).")
        if number > self.max_value:
            raise ValueError(f"Enter at most {self.max_value} (got {number}).")
        return number


class MoneyWidget(widgets.DecimalWidget):
    """An amount with at most `decimal_places` decimals, never negative."""

    def __init__(self, *, max_digits: int = 12, decimal_places: int = 2, required: bool = False):
        super().__init__(coerce_to_string=True)
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        self.step = Decimal(1).scaleb(-decimal_places)
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.required:
                raise ValueError(REQUIRED)
            return None
        example = "1299.00"
        if isinstance(value, bool):
            raise ValueError(f"Enter an amount such as {example} (got “{value}”).")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"Enter an amount such as {example} (got “{value}”).") from None
        if not amount.is_finite():
            raise ValueError(f"Enter an amount such as {example} (got “{value}”).")
        if amount < 0:
            raise ValueError(f"An amount cannot be negative (got {value}).")
        if amount != amount.quantize(self.step):
            raise ValueError(f"At most {self.decimal_places} decimal places (got {value}).")
        if amount.adjusted() >= self.max_digits - self.decimal_places:
            raise ValueError(f"Too large (got {value}).")
        return amount.quantize(self.step)


class YesNoWidget(widgets.BooleanWidget):
    """yes/no (also true/false, 1/0, y/n, an XLSX boolean); a blank cell is None."""

    YES = frozenset({"yes", "y", "true", "1"})
    NO = frozenset({"no", "n", "false", "0"})

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"Enter yes or no (got “{value}”).")

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "yes" if value else "no"


class ChoiceWidget(widgets.Widget):
    """One of a TextChoices' values, or its label, in any case."""

    def __init__(self, choices, *, required: bool = True):
        super().__init__(coerce_to_string=True)
        self.required = required
        self.values = {}
        for value, label in choices:
            self.values[str(value).lower()] = value
            self.values[str(label).lower()] = value
        self.allowed = ", ".join(str(value) for value, _ in choices)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).lower()
        if not text:
            if self.required:
                raise ValueError(REQUIRED)
            return None
        if text not in self.values:
            raise ValueError(f"Choose one of {self.allowed} (got “{value}”).")
        return self.values[text]


class LookupWidget(widgets.Widget):
    """A foreign key given by a natural key (a name, a slug, a SKU), never a database id.

    Subclasses say how to load the candidates (`load`, once per import, or
    `prime` with the keys a file uses) and how to name one (`key_for`). The
    cache lives on the widget, and each resource instance deep-copies its
    widgets, so every import starts with a fresh cache.
    """

    label = "row"

    def __init__(self, *, required: bool = True):
        super().__init__(coerce_to_string=True)
        self.required = required
        self._by_key: dict[str, list] | None = None
        self.by_id: dict[int, object] = {}

    # Subclass hooks.
    def load(self) -> Iterable:
        raise NotImplementedError(f"{type(self).__name__} must say which objects it looks up")

    def keys_of(self, obj) -> Iterable[str]:
        raise NotImplementedError(f"{type(self).__name__} must say which keys find an object")

    def key_for(self, obj) -> str:
        raise NotImplementedError(f"{type(self).__name__} must say how an object is written")

    def normalize(self, text: str) -> str:
        return text.casefold()

    def add(self, objs: Iterable) -> None:
        """Make more objects known (rows created earlier in the same import)."""
        self.ensure_loaded()
        self._add(objs)

    def _add(self, objs: Iterable) -> None:
        for obj in objs:
            if obj.pk in self.by_id:
                continue
            self.by_id[obj.pk] = obj
            for key in {self.normalize(k) for k in self.keys_of(obj)}:
                self._by_key.setdefault(key, []).append(obj)

    def ensure_loaded(self) -> None:
        if self._by_key is None:
            self._by_key = {}
            self._add(self.load())

    def matches(self, text: str) -> list:
        self.ensure_loaded()
        return self._by_key.get(self.normalize(text), [])

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.required:
                raise ValueError(REQUIRED)
            return None
        found = self.matches(text)
        if not found:
            raise ValueError(f"No {self.label} “{text}”.")
        if len(found) > 1:
            raise ValueError(self.ambiguous(text, found))
        return found[0]

    def ambiguous(self, text: str, found: list) -> str:
        names = ", ".join(sorted(self.key_for(obj) for obj in found))
        return f"“{text}” names several: {names}. Write one of those instead."

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else self.key_for(value)
