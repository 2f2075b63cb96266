"""The invoice PDF's tables as a few preformatted text blocks (#22 §4).

WeasyPrint's cost is per box and per text run, not per character
(docs/performance.md, "PDF cost"): 90 table cells of short text cost 8.5x a
one-line document, the same text as 10 paragraphs 1.8x. So the invoice sets
each line's figures (HSN, quantity, prices, rate, taxes) as one run of
monospaced text, its columns padded here, in one cell beside the item's
description; the HSN summary and the totals are padded blocks the same way.
The figures line up because the font is monospaced (DejaVu Sans Mono, whose
every glyph, ₹ and the minus sign included, is 0.602 em wide).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from auromart.formatting import money_display

GAP = "  "
MINUS = "\N{MINUS SIGN}"
MONO_EM = 0.602  # DejaVu Sans Mono's advance width, in em
FIGURES_PT = 7.2  # the lines' font size (the template sets it, pdf_layout computes it)
LINE_WIDTH_PT = 504.0 - 8.0  # A4 less 16 mm margins (document.css @page), less the cell padding
ITEM_MIN_CHARS = 24  # the item column never gets narrower; the font shrinks instead


def _percent(rate) -> str:
    value = (rate * 100).normalize()
    return f"{value:f}%"


@dataclass(frozen=True)
class Block:
    """A padded text block: the header's lines, each row's lines, the width in characters."""

    head: str
    rows: list[str]
    foot: str
    width: int


def pad_columns(
    head: list[str], rows: list[list[str]], foot: list[str] | None = None, *, left: int = 0
) -> Block:
    """Pad cells (each may hold several lines) into columns: the first `left` left-aligned,
    the rest right-aligned, GAP between them."""
    table = [head, *rows, *([foot] if foot else [])]
    split = [[cell.split("\n") for cell in row] for row in table]
    widths = [max(len(part) for row in split for part in row[col]) for col in range(len(head))]

    def render(row: list[list[str]]) -> str:
        height = max(len(cell) for cell in row)
        out = []
        for n in range(height):
            parts = []
            for col, cell in enumerate(row):
                text = cell[n] if n < len(cell) else ""
                parts.append(text.ljust(widths[col]) if col < left else text.rjust(widths[col]))
            out.append(GAP.join(parts).rstrip())
        return "\n".join(out)

    rendered = [render(row) for row in split]
    return Block(
        head=rendered[0],
        rows=rendered[1 : 1 + len(rows)],
        foot=rendered[-1] if foot else "",
        width=sum(widths) + len(GAP) * (len(widths) - 1),
    )


def _item(line, chars: int) -> str:
    """The item column of a line: position, description and SKU on one line when they fit
    (a line of text fewer: WeasyPrint's cost is per line), else the description wrapped
    and the SKU on the lines below."""
    one = f"{line.position}. {line.description}  {line.sku}"
    if len(one) <= chars:
        return one
    return "\n".join(
        textwrap.wrap(
            f"{line.position}. {line.description}",
            chars,
            subsequent_indent="   ",
            break_on_hyphens=False,
        )
        + textwrap.wrap(line.sku, chars, initial_indent="   ", subsequent_indent="   ")
    )


def invoice_pdf_tables(*, lines, intra_state: bool, hsn_summary, invoice) -> dict:
    """The invoice PDF's padded blocks: the lines table (head and rows), the HSN summary,
    the totals, each party's address lines, and the lines' font size (smaller only when
    a line's amounts would leave the item less than ITEM_MIN_CHARS)."""
    taxes = ["CGST", "SGST"] if intra_state else ["IGST"]
    head = ["HSN", "Qty", "Unit\nprice", "Taxable\nvalue", "Rate", *taxes]
    rows = []
    for line in lines:
        price = money_display(line.unit_price)
        if line.prices_include_tax:
            price += "\nincl. GST"
        taxable = money_display(line.line_total)
        if line.discount:
            taxable += f"\nafter {MINUS}{money_display(line.discount)}"
        tax_cells = (
            [money_display(line.cgst), money_display(line.sgst)]
            if intra_state
            else [money_display(line.igst)]
        )
        rows.append(
            [
                line.hsn_code or "—",
                str(line.quantity),
                price,
                taxable,
                _percent(line.tax_rate),
                *tax_cells,
            ]
        )
    figures = pad_columns(head, rows, left=1)
    # The item (position, description, SKU) is the first column, wrapped to what the
    # figures leave of the line; a line of crores shrinks the font instead.
    budget = int(LINE_WIDTH_PT / (MONO_EM * FIGURES_PT))
    item_chars = max(ITEM_MIN_CHARS, budget - figures.width - len(GAP))
    size = min(FIGURES_PT, LINE_WIDTH_PT / (MONO_EM * (item_chars + len(GAP) + figures.width)))
    items = [_item(line, item_chars) for line in lines]
    full = pad_columns(
        ["Item (SKU)", *head], [[item, *row] for item, row in zip(items, rows, strict=True)], left=2
    )
    summary = pad_columns(
        ["HSN/SAC", "Rate", "Taxable value", "CGST", "SGST", "IGST", "Total tax"],
        [
            [
                row.hsn_code or "—",
                _percent(row.rate),
                money_display(row.taxable),
                money_display(row.cgst),
                money_display(row.sgst),
                money_display(row.igst),
                money_display(row.tax),
            ]
            for row in hsn_summary
        ],
        [
            "Total",
            "",
            money_display(invoice.subtotal),
            money_display(invoice.cgst),
            money_display(invoice.sgst),
            money_display(invoice.igst),
            money_display(invoice.tax),
        ],
        left=1,
    )
    totals = []
    if invoice.discount:
        totals += [
            ["Value of goods", money_display(invoice.goods_value)],
            ["Loyalty discount (before GST)", f"{MINUS}{money_display(invoice.discount)}"],
        ]
    totals.append(["Taxable value", money_display(invoice.subtotal)])
    if intra_state:
        totals += [["CGST", money_display(invoice.cgst)], ["SGST", money_display(invoice.sgst)]]
    else:
        totals.append(["IGST", money_display(invoice.igst)])
    totals.append(["Total due", money_display(invoice.total)])
    return {
        **invoice_parties_block(invoice=invoice, intra_state=intra_state),
        "figures": full,
        "figures_pt": round(size, 2),
        **dict(zip(("closing_lines", "closing_pt"), closing_lines(summary, totals), strict=True)),
    }


@dataclass(frozen=True)
class ClosingLine:
    """A line of the closing block: its left part (the HSN summary's) and its right part
    (the totals'), each with the class of its span ("" for plain text), and the spaces
    between them."""

    left: str
    left_class: str
    gap: str
    right: str
    right_class: str


# The block's characters across (8 pt, .figures): A4 less the page margins (504 pt), less
# the body's 8 px (6 pt) margins and the lines table's 4 pt cell padding, so that the
# totals end under the lines' last column.
CLOSING_PT = 8.0
CLOSING_CHARS = int((504.0 - 2 * 6.0 - 4.0) / (MONO_EM * CLOSING_PT))


def closing_lines(summary: Block, totals: list[list[str]]) -> tuple[list[ClosingLine], float]:
    """The HSN summary and the totals as one padded block, and its font size (#22 §4: a
    line of text is what costs, so the two share their lines): the summary on the left
    (caption, head, rows, total), the totals right-aligned beside it from its first
    line, "Total due" last. When both do not fit across the page, the totals come first,
    right-aligned, and the summary below them, in the same block; a summary of crores
    too wide even alone shrinks the font, as the lines table does."""
    label = max(len(name) for name, _ in totals)
    amount = max(len(value) for _, value in totals)
    right = [f"{name.ljust(label)}{GAP}{value.rjust(amount)}" for name, value in totals]
    right_classes = [""] * (len(right) - 1) + ["grand"]
    left = ["HSN SUMMARY", summary.head, *summary.rows, summary.foot]
    left_classes = ["caption", "head", *[""] * len(summary.rows), "foot"]
    width = max(len(text) for text in left)
    gap = CLOSING_CHARS - width - len(right[0])
    if gap < 2 * len(GAP):  # side by side does not fit: the totals above the summary
        chars = max(CLOSING_CHARS, width, len(right[0]))
        pad = " " * (chars - len(right[0]))
        lines = [
            *(
                ClosingLine("", "", pad, text, cls)
                for text, cls in zip(right, right_classes, strict=True)
            ),
            *(
                ClosingLine(text, cls, "", "", "")
                for text, cls in zip(left, left_classes, strict=True)
            ),
        ]
        return lines, round(CLOSING_PT * CLOSING_CHARS / chars, 2)
    rows = max(len(left), len(right))
    left += [""] * (rows - len(left))
    left_classes += [""] * (rows - len(left_classes))
    right += [""] * (rows - len(right))
    right_classes += [""] * (rows - len(right_classes))
    lines = [
        ClosingLine(text, cls, " " * (width - len(text) + gap) if total else "", total, total_cls)
        for text, cls, total, total_cls in zip(
            left, left_classes, right, right_classes, strict=True
        )
    ]
    return lines, CLOSING_PT


PARTY_PT = 8.0  # the parties block's font size (document.css, .invoice-parties)
PARTY_CHARS = int(504.0 / (MONO_EM * PARTY_PT))  # characters across the page at that size
FACT_LABEL = 16  # "Place of supply" and a space


def _wrapped(lines: list[str], width: int, indent: str = "") -> list[str]:
    out = []
    for line in lines:
        out += textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [""]
    return out


def invoice_parties_block(*, invoice, intra_state: bool) -> dict:
    """Seller, buyer and the invoice's facts as one padded block of three columns (#22 §4).

    Three columns of a monospaced face share their lines (about 8 lines
    instead of 24: WeasyPrint's cost is per line of text): each column
    wrapped to its width here, the headings a line of their own (one bold
    span), the facts' values aligned after their labels.
    """
    from django.utils.dateformat import format as date_format

    from accounts.gst import state_name

    facts_chars = 44
    party_chars = (PARTY_CHARS - facts_chars - 2 * len(GAP)) // 2

    def party(name, address, email, phone, gstin, extra=()):
        lines = [name, *(address or "").splitlines(), email, phone]
        lines.append(f"GSTIN: {gstin or 'not registered'}")
        return _wrapped([line for line in lines if line] + list(extra), party_chars, "  ")

    def day(value):
        return date_format(value, "j M Y")

    facts = [
        ("Invoice date", day(invoice.issue_date)),
        ("Due date", day(invoice.due_date)),
        ("Order", invoice.order.number),
    ]
    if invoice.shipment_id:
        facts.append(("Shipment", f"{invoice.shipment.sequence} of the order"))
    if invoice.replaces_id:
        facts.append(("Replaces", invoice.replaces.number))
    facts.append(("Ordered", day(invoice.order.created_at)))
    if invoice.buyer_reference:
        facts.append(("PO no.", invoice.buyer_reference))
    if invoice.order.requested_delivery_date:
        facts.append(("Deliver on", day(invoice.order.requested_delivery_date)))
    place = invoice.place_of_supply
    facts.append(("Place of supply", f"{place} {state_name(place)}" if place else "—"))
    facts.append(("Tax", "CGST + SGST (intra-state)" if intra_state else "IGST (inter-state)"))
    value_chars = facts_chars - FACT_LABEL
    fact_lines = []
    for label, value in facts:
        parts = textwrap.wrap(str(value), value_chars, break_on_hyphens=False) or [""]
        fact_lines.append(label.ljust(FACT_LABEL) + parts[0])
        fact_lines += [" " * FACT_LABEL + part for part in parts[1:]]
    delivered = []
    if invoice.ship_to and invoice.ship_to != invoice.buyer_address:
        delivered = ["", "Delivered to:", *invoice.ship_to.splitlines()]
    columns = [
        [
            "SELLER",
            *party(
                invoice.seller_name,
                invoice.seller_address,
                invoice.seller_email,
                invoice.seller_phone,
                invoice.seller_gstin,
            ),
        ],
        [
            "BILL TO",
            *party(
                invoice.buyer_name,
                invoice.buyer_address,
                invoice.buyer_email,
                invoice.buyer_phone,
                invoice.buyer_gstin,
                delivered,
            ),
        ],
        ["INVOICE", *fact_lines],
    ]
    height = max(len(column) for column in columns)
    widths = (party_chars, party_chars, facts_chars)
    rows = [
        GAP.join(
            (column[n] if n < len(column) else "").ljust(width)
            for column, width in zip(columns, widths, strict=True)
        ).rstrip()
        for n in range(height)
    ]
    return {"parties_head": rows[0], "parties_text": "\n".join(rows[1:])}
