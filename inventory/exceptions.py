"""Inventory domain errors; callers translate them at the edge (HTTP 409, a form error)."""


class InventoryError(Exception):
    """Base of every inventory domain error."""


class InsufficientStock(InventoryError):
    """A change would take more stock than is available (on hand less allocated and held)."""

    def __init__(self, product, available: int, requested: int, *, distributor=None):
        self.product = product
        self.available = available
        self.requested = requested
        self.distributor = distributor
        where = f" at {distributor}" if distributor is not None else ""
        super().__init__(
            f"Not enough stock of {product}{where}: {requested} requested, {available} available."
        )


class LedgerAppendOnly(InventoryError):
    """Someone tried to change or delete a stock movement; the ledger only grows."""


class StockTakeMissed(InventoryError):
    """The one-statement stock take (inventory.stock_sql) could not take every line.

    It may have updated the other lines' rows: the caller rolls its
    transaction back and takes the stock again through the locked path
    (stock_allocate_for_order), which names the short product.
    """
