"""order_place's read of its products, with the distributor's stock figures, before its
transaction: one statement, compiled once per shape (auromart.compiled_sql).

Building it through the ORM (four subqueries of product_stock_annotations)
cost more CPU than running it; its SQL depends only on the number of
products, so it is compiled once per number and run with each order's
distributor and product ids.
"""

from auromart.compiled_sql import Shapes, sentinel_int
from catalog.models import Product
from inventory.selectors import product_stock_annotations

_SHAPES = Shapes(Product)


def _queryset(distributor_id: int, product_ids: list[int]):
    return (
        Product.objects.filter(is_active=True, pk__in=product_ids)
        .annotate(**product_stock_annotations(distributor_id))
        .order_by()
    )


def products_for_order(*, distributor_id: int, product_ids: list[int]) -> dict[int, Product]:
    """{id: active product} of `product_ids` with product_stock_annotations' figures
    (stock_available, stock_reorder_point, stock_warehouse_id, stock_warehouse_available)."""
    ids = list(dict.fromkeys(product_ids))
    values = {"distributor": distributor_id, **{f"p{n}": pk for n, pk in enumerate(ids)}}
    sentinels = {name: sentinel_int(n) for n, name in enumerate(values)}

    def build(args: dict):
        return _queryset(args["distributor"], [args[f"p{n}"] for n in range(len(ids))])

    rows = _SHAPES.instances((len(ids),), build, sentinels, values)
    if rows is None:
        rows = list(build(values))
    return {product.pk: product for product in rows}
