"""Report figures on pages, formatted as the PDF export formats them (exports.display_text)."""

from django import template

from ..exports import display_text

register = template.Library()

NUMERIC = ("int", "money", "decimal", "percent", "days")


@register.filter
def display(value, kind: str) -> str:
    """{{ value|display:"money" }} -> "₹1,234.50" (int, money, decimal, percent, days, date)."""
    return display_text(value, kind)


@register.filter
def cell(row: dict, column) -> str:
    """{{ row|cell:column }}: the row's value of a ReportTable column, formatted for its kind."""
    return display_text(row.get(column.key), column.kind)


@register.filter
def numeric(column) -> bool:
    return column.kind in NUMERIC


@register.filter
def totals_cells(table) -> list[tuple[str, str]]:
    """The footer's (text, class): "Total" in the first cell unless another cell says it."""
    texts = [display_text(table.totals.get(c.key), c.kind) for c in table.columns]
    if texts and not texts[0] and "Total" not in texts:
        texts[0] = "Total"
    return [(text, cell_class(c)) for text, c in zip(texts, table.columns, strict=True)]


@register.filter
def cell_class(column) -> str:
    """Figures right-aligned and unbroken; codes (SKU, keys) unbroken too."""
    if column.kind in NUMERIC:
        return "text-end text-nowrap figure-number"
    if column.key in ("key", "sku") or column.kind == "date":
        return "text-nowrap"
    return ""
