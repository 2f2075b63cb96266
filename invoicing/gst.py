"""What a GST tax invoice prints besides its lines: the HSN-wise summary and the amount in words."""

from decimal import Decimal

from num2words import num2words

from accounts.gst import state_name
from auromart.tax import HsnRow, hsn_summary, is_intra_state

CRORE = 10**7


def amount_in_words(amount: Decimal) -> str:
    """₹5,47,365.50 -> "Rupees five lakh, forty-seven thousand, three hundred and sixty-five
    and fifty paise only" (Indian numbering: lakh, crore)."""
    rupees, paise = divmod(int((amount * 100).to_integral_value()), 100)
    words = f"Rupees {_indian(rupees)}"
    if paise:
        words += f" and {_indian(paise)} paise"
    return f"{words} only"


def _indian(number: int) -> str:
    # num2words stops below 10^10; above a crore the count of crores is said
    # on its own ("ninety-nine thousand crore, ...").
    if number < CRORE:
        return num2words(number, lang="en_IN")
    crores, rest = divmod(number, CRORE)
    return f"{_indian(crores)} crore" + (f", {num2words(rest, lang='en_IN')}" if rest else "")


def invoice_gst_context(invoice, lines) -> dict:
    """The template context of the GST parts of an invoice (page, PDF, e-mail)."""
    summary: list[HsnRow] = hsn_summary(lines)
    return {
        "hsn_summary": summary,
        "intra_state": is_intra_state(
            seller_state=invoice.seller_state, place=invoice.place_of_supply
        ),
        "place_of_supply_name": f"{invoice.place_of_supply} {state_name(invoice.place_of_supply)}"
        if invoice.place_of_supply
        else "",
        "amount_in_words": amount_in_words(invoice.total),
    }
