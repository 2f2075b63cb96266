"""Spreadsheet import and export (django-import-export), shared by the apps' resources.

What lives here, used by `<app>/resources.py`, the admin and the
`import_data` / `export_data` commands:

- widgets that read a cell into a value or say, in words, why they cannot;
- `SpreadsheetResource`, the base of every resource: natural keys only, all or
  nothing (any bad row rolls the whole file back), a key may appear once per
  file, unchanged rows are skipped and reported, formula escaping on export;
- `import_errors()`: the row-numbered error report (row, column, why);
- the admin mixins: upload checks (size, type, rows), preview then confirm
  (`spreadsheet_admin.py`); reading files and their limits, the commands'
  progress bar (`spreadsheet_files.py`);
- `RESOURCES`: the resources by name, for the commands.

Row numbers are the spreadsheet's own: row 1 is the header, the first data row
is row 2, so "row 7" is the row a person sees as 7 in Excel or LibreOffice.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.db.models.fields import NOT_PROVIDED
from django.utils.module_loading import import_string
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import Result, RowResult

# Files (reading, size and row limits, the commands' progress bar) and the
# admin's upload form and mixins live in their own modules, re-exported here so
# that `auromart.spreadsheets` stays the one name the apps import.
from .spreadsheet_admin import (  # noqa: F401
    IMPORT_TEMPLATE,
    SpreadsheetExportMixin,
    SpreadsheetImportExportMixin,
    SpreadsheetImportForm,
)
from .spreadsheet_files import (  # noqa: F401
    FORMATS,
    Progress,
    check_row_count,
    check_xlsx,
    count_rows,
    format_for,
    read_dataset,
)
from .spreadsheet_widgets import (  # noqa: F401
    FORMULA_PREFIXES,
    MAX_INT,
    REQUIRED,
    ChoiceWidget,
    LookupWidget,
    MoneyWidget,
    TextWidget,
    WholeNumberWidget,
    YesNoWidget,
    cell_text,
    escape_formula,
    is_blank,
    normalize_header,
    unescape_formula,
)

# --- The error report -----------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """One reason a file cannot be imported.

    `row` is the spreadsheet row (1 = the header, 2 = the first data row);
    None when the problem is not in one row. `column` is "" when the problem
    is the whole row.
    """

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class HeaderError(Exception):
    """The header row is wrong (a required column missing, an unknown one)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


# --- Export-only columns ------------------------------------------------------------
# Resources of documents written only by their services (orders, procurement,
# invoices) are export-only: read-only columns, ISO dates, plain numbers.

EXPORT_DATE = widgets.DateWidget(format="%Y-%m-%d")
EXPORT_DATETIME = widgets.DateTimeWidget(format="%Y-%m-%d %H:%M:%S")


def export_column(attribute: str | None, column: str, widget=None) -> Field:
    """A read-only column `column` from `attribute` (a path with __; None: a dehydrate_ method)."""
    return Field(attribute=attribute, column_name=column, widget=widget, readonly=True)


def export_number(attribute: str, column: str) -> Field:
    return export_column(attribute, column, widgets.IntegerWidget())


def export_money(attribute: str, column: str) -> Field:
    """Money (or a rate) as a number, as stored: to the cent, never a float."""
    return export_column(attribute, column, widgets.DecimalWidget())


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            key: [m for e in errs for m in e.messages] for key, errs in error.error_dict.items()
        }
    return {NON_FIELD_ERRORS: error.messages}


def import_errors(result: Result, resource: SpreadsheetResource) -> list[RowError]:
    """Every error of an import, as (spreadsheet row, column, why), in row order."""
    report: list[RowError] = []
    for base in result.base_errors:
        if isinstance(base.error, HeaderError):
            report.extend(base.error.errors)
        else:
            report.append(RowError(None, "", _describe(base.error)))
    for invalid in result.invalid_rows:
        for attribute, texts in _messages(invalid.error).items():
            column = "" if attribute == NON_FIELD_ERRORS else resource.column_for(attribute)
            report.extend(
                RowError(resource.sheet_row(invalid.number), column, text) for text in texts
            )
    for error_row in result.error_rows:
        report.extend(
            RowError(resource.sheet_row(error_row.number), "", _describe(error.error))
            for error in error_row.errors
        )
    return sorted(report, key=lambda e: (e.row is not None, e.row or 0, e.column, e.message))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(m for texts in _messages(exc).values() for m in texts)
    text = str(exc)
    return text if text else type(exc).__name__


class LeanResult(Result):
    """A Result that keeps only the rows worth showing.

    The admin preview shows every row; the commands, which import files of
    100,000 rows, keep only failed rows (the totals are counted anyway), so
    memory does not grow with the file.
    """

    keep_rows = True

    def append_row_result(self, row_result):
        if self.keep_rows or row_result.errors or row_result.validation_error:
            super().append_row_result(row_result)


# --- The base resource ----------------------------------------------------------


class NaturalKeyLoader:
    """Finds each row's existing instance in a dict the resource built for the whole file.

    `resource.load_existing(dataset)` returns {key: instance} with a few
    queries per thousand rows, instead of one query per row.
    """

    def __init__(self, resource: SpreadsheetResource, dataset):
        self.resource = resource
        self.existing = resource.load_existing(dataset)

    def get_instance(self, row):
        key = self.resource.row_key(row)
        return self.existing.get(key) if key is not None else None


class SpreadsheetResource(resources.ModelResource):
    """Base of AuroMart's resources.

    Class attributes:
      resource_name: its name in the commands (`import_data products ...`).
      required_columns: the header must have these.
      key_columns: the natural key; each key may appear once per file.
      update_only: rows must match an existing row (price updates, reorder settings).
      importable: False for export-only resources (order lines).
      uncompared: attributes that do not make a row "changed" (a note).

    Instance options (keyword arguments): `diff=True` keeps django-import-export's
    per-field diff for the admin preview (it copies every instance, so the
    commands leave it off); `keep_rows=False` keeps only failed rows in the
    result; `progress` is called with each row number; `batched=True` is for
    auromart.spreadsheet_batches, which feeds one file in several datasets
    inside its own transaction (see `import_data`).
    """

    resource_name: ClassVar[str] = ""
    required_columns: ClassVar[tuple[str, ...]] = ()
    key_columns: ClassVar[tuple[str, ...]] = ()
    update_only: ClassVar[bool] = False
    importable: ClassVar[bool] = True
    uncompared: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        instance_loader_class = NaturalKeyLoader

    def __init__(
        self,
        *,
        diff: bool = False,
        keep_rows: bool = True,
        progress: Callable[[int], None] | None = None,
        batched: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        # Per instance: django-import-export writes to _meta during an import
        # (store_instance), and the admin and the commands want different diffs.
        self._meta = copy.copy(type(self)._meta)
        self._meta.skip_diff = not diff
        self._meta.skip_html_diff = not diff
        self.keep_rows = keep_rows
        self.progress = progress
        self._seen_keys: dict[tuple, int] = {}
        self.batched = batched
        # Batched: the spreadsheet row of each dataset row (blank lines and
        # earlier batches make them differ from the dataset's own numbering).
        self.row_numbers: list[int] | None = None
        self._exported = 0
        self._before: tuple | None = None
        self._compared: list[tuple[str, str]] | None = None
        self._plan = None

    @classmethod
    def get_display_name(cls):
        # "Products (by SKU): create and update." -> "Products (by SKU)"
        if not cls.__doc__:
            return cls.__name__
        return cls.__doc__.strip().splitlines()[0].split(":")[0].rstrip(".")

    def get_result_class(self):
        keep = self.keep_rows

        class _Result(LeanResult):
            keep_rows = keep

        return _Result

    # Columns -------------------------------------------------------------------

    def get_import_fields(self):
        # Read-only columns are exported for the reader and ignored on import.
        return [f for f in super().get_import_fields() if not f.readonly]

    def column_for(self, attribute: str) -> str:
        for name, field in self.fields.items():
            if attribute in (name, field.attribute):
                return field.column_name
        return attribute

    def known_columns(self) -> set[str]:
        return {field.column_name for field in self.fields.values()}

    def check_headers(self, headers: list[str]) -> list[RowError]:
        present = [h for h in headers if h]
        errors = [
            RowError(1, column, "This column is required and missing from the header.")
            for column in self.required_columns
            if column not in present
        ]
        known = self.known_columns()
        errors += [
            RowError(
                1,
                header,
                "Unknown column. This file's columns are: " + ", ".join(sorted(known)) + ".",
            )
            for header in present
            if header not in known
        ]
        seen = set()
        for header in present:
            if header in seen:
                errors.append(RowError(1, header, "This column appears twice in the header."))
            seen.add(header)
        return errors

    # Import ----------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Import a whole file or nothing.

        Transactions are always on and any invalid row rolls the file back,
        whatever the caller asked (`use_transactions`,
        `rollback_on_validation_errors`). The result carries `error_report`
        (a list of RowError) and `totals`.

        Batched (one dataset per batch of the same file): the caller holds the
        file's transaction and rolls it back when any batch has errors, so
        rows of a batch with errors stay visible to later batches until then,
        as in one dataset; keys must be unique across the whole file.
        """
        if not self.importable:
            raise ValueError(f"{self.get_display_name()} can be exported, not imported.")
        if self.batched:
            if not connection.in_atomic_block:
                raise RuntimeError("A batched import runs inside the caller's transaction.")
            kwargs["use_transactions"] = False
        else:
            kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        headers = [normalize_header(h) if h is not None else "" for h in dataset.headers or []]
        if headers:
            dataset.headers = headers
        header_errors = self.check_headers(headers)
        if header_errors:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.diff_headers = self.get_diff_headers()
            result.append_base_error(self.get_error_result_class()(HeaderError(header_errors)))
        else:
            if not self.batched:
                self._seen_keys = {}
            result = super().import_data(
                dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs
            )
        result.error_report = import_errors(result, self)
        return result

    def get_instance(self, instance_loader, row):
        return instance_loader.get_instance(row)

    def sheet_row(self, number: int) -> int:
        """The spreadsheet row of the dataset's row `number` (1-based; row 1 is the header)."""
        if self.row_numbers is not None:
            return self.row_numbers[number - 1]
        return number + 1

    def forget_lookups(self) -> None:
        """Drop the lookup widgets' caches (between batches: memory stays flat)."""
        for field in self.fields.values():
            if isinstance(field.widget, LookupWidget):
                field.widget._by_key = None
                field.widget.by_id = {}

    def load_existing(self, dataset) -> dict:
        """{row key: instance} for the file's rows that already exist. Subclasses."""
        raise NotImplementedError(f"{type(self).__name__} must load the rows a file updates")

    def row_key(self, row) -> tuple | None:
        """The row's natural key, normalized like load_existing's keys; None if incomplete."""
        values = tuple(self.normalize_key(column, row.get(column)) for column in self.key_columns)
        return values if all(values) else None

    def normalize_key(self, column: str, value) -> str:
        return cell_text(value).casefold()

    def resolve(self, column: str, row):
        """The object a row's lookup column names, or None (blank, unknown or ambiguous)."""
        text = cell_text(row.get(column))
        if not text:
            return None
        found = self.fields[column].widget.matches(text)
        return found[0] if len(found) == 1 else None

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs.get("row_number")
        if self.progress is not None and number is not None:
            self.progress(number)
        if all(is_blank(value) for value in row.values()):
            blank = self.get_row_result_class()()
            blank.import_type = RowResult.IMPORT_TYPE_SKIP
            return blank
        return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """Set the instance's attributes from the row's cells.

        What django-import-export's import_instance -> import_field ->
        Field.save -> Field.clean does, for our plain fields, without the
        per-cell layers (a third of the import's time on 100,000 rows): a
        widget's ValueError becomes that column's ValidationError; a blank
        cell (None) is not written where the field keeps the current value.
        """
        errors = {}
        for column, attribute, field in self._import_plan():
            if column not in row:
                continue
            if field is not None:  # anything unusual: the library's own path
                try:
                    self.import_field(field, instance, row, **kwargs)
                except ValueError as exc:
                    errors[field.attribute] = ValidationError(str(exc), code="invalid")
                continue
            widget, saves_null = self._plain[column]
            try:
                value = widget.clean(row[column], row=row)
            except ValueError as exc:
                errors[attribute] = ValidationError(str(exc), code="invalid")
                continue
            if value is not None or saves_null:
                setattr(instance, attribute, value)
        if errors:
            raise ValidationError(errors)

    def _import_plan(self):
        if getattr(self, "_plan", None) is None:
            plan, self._plain = [], {}
            for field in self.get_import_fields():
                plain = (
                    type(field) is Field
                    and field.attribute
                    and "__" not in field.attribute
                    and field.default is NOT_PROVIDED
                    and not isinstance(field.widget, widgets.ManyToManyWidget)
                )
                if plain:
                    self._plain[field.column_name] = (field.widget, field.saves_null_values)
                plan.append((field.column_name, field.attribute, None if plain else field))
            self._plan = plan
        return self._plan

    def before_import_row(self, row, **kwargs):
        number = kwargs.get("row_number")
        key = self.row_key(row)
        if key is not None and number is not None:
            here = self.sheet_row(number)
            first = self._seen_keys.setdefault(key, here)
            if first != here:
                columns = " + ".join(self.key_columns)
                raise ValidationError(
                    {
                        self.key_columns[0]: (
                            f"The same {columns} is already in row {first}; "
                            "each may appear once per file."
                        )
                    }
                )

    def after_init_instance(self, instance, new, row, **kwargs):
        self._before = None if new else self.snapshot(instance)

    def compared_attributes(self) -> list[tuple[str, str]]:
        if self._compared is None:
            model_fields = {f.name: f for f in self._meta.model._meta.concrete_fields}
            compared = []
            for field in self.get_import_fields():
                attribute = field.attribute
                if not attribute or attribute in self.uncompared:
                    continue
                model_field = model_fields.get(attribute)
                attname = model_field.attname if model_field is not None else attribute
                compared.append((field.column_name, attname))
            self._compared = compared
        return self._compared

    def snapshot(self, instance) -> tuple:
        """The instance's values for the import columns (foreign keys by id)."""
        return tuple(getattr(instance, attname, None) for _, attname in self.compared_attributes())

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Our own comparison, which works with or without django-import-export's
        # diff (that one needs a deep copy of every instance).
        if import_validation_errors or not self._meta.skip_unchanged or self._before is None:
            return False
        present = [column in row for column, _ in self.compared_attributes()]
        after = self.snapshot(instance)
        return all(a == b for a, b, here in zip(after, self._before, present, strict=True) if here)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self.update_only and instance._state.adding:
            key = self.key_columns[0]
            errors.setdefault(
                key, "No such row exists; this file changes existing rows only, it adds none."
            )
        else:
            self.validate(instance, errors)
        if errors:
            raise ValidationError(errors)

    def validate(self, instance, errors: dict) -> None:
        """Add {attribute: message} for what the widgets cannot see. Subclasses."""

    @staticmethod
    def merge(errors: dict, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
        """Add a model's or a service's ValidationError, keeping errors already found."""
        for key, texts in _messages(exc).items():
            key = (rename or {}).get(key, key)
            if key not in errors:
                errors[key] = texts

    # Export -----------------------------------------------------------------------

    def export_resource(self, instance, selected_fields=None, **kwargs):
        if self.progress is not None:
            self._exported += 1
            self.progress(self._exported)
        return super().export_resource(instance, selected_fields, **kwargs)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and not isinstance(field.widget, widgets.NumberWidget):
            return escape_formula(value)
        return value


# --- The resources by name, for the commands ---------------------------------------

RESOURCES = {
    "products": "catalog.resources.ProductResource",
    "product-prices": "catalog.resources.ProductPriceResource",
    "product-reorder": "catalog.resources.ProductReorderResource",
    "categories": "catalog.resources.CategoryResource",
    "organizations": "accounts.resources.OrganizationResource",
    "stock": "inventory.resources.StockLevelResource",
    "stock-reorder": "inventory.resources.StockReorderResource",
    "orders": "orders.resources.OrderLineResource",
    "price-list-lines": "pricing.resources.PriceListItemResource",
    "procurement-requests": "procurement.resources.ProcurementRequestResource",
    "purchase-orders": "procurement.resources.PurchaseOrderResource",
    "purchase-order-lines": "procurement.resources.PurchaseOrderLineResource",
    "invoices": "invoicing.resources.InvoiceResource",
    "invoice-lines": "invoicing.resources.InvoiceLineResource",
}


def resource_class(name: str) -> type[SpreadsheetResource]:
    if name not in RESOURCES:
        raise KeyError(name)
    return import_string(RESOURCES[name])
