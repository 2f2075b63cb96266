"""Upper bounds on what a supplier or staff member types into a purchase order.

A PO line's quantity is a 32-bit integer and its total a DECIMAL(14, 2): a
proposal of 10^20 units failed in MySQL (error 1264, a 500), and one of 2^31
was stored and then failed when staff accepted it (the line total overflowed).
"""

from decimal import Decimal

# Units on one PO line, far above any real order and far below the column's range.
MAX_LINE_QUANTITY = 1_000_000
# The largest line or order total the columns hold (DECIMAL(14, 2)).
MAX_TOTAL = Decimal("999999999999.99")
