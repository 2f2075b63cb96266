"""OpenAPI pieces of the orders API that the shared module does not have yet."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from auromart.api.schema import error

UNPROCESSABLE = error(
    "`idempotency_key_reused`: this Idempotency-Key was already used for a different "
    "request; nothing was written."
)
SERVICE_UNAVAILABLE = error(
    "`order_placement_busy`: the database kept refusing the stock locks; nothing was "
    "written. Retry after `Retry-After` seconds."
)
INSUFFICIENT_STOCK = error(
    "`insufficient_stock`: a line asks for more than the distributor has; `detail` names "
    "the product and what is available, `errors` the line (`items.N.quantity`). Nothing "
    "was written."
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (at most 255 characters), e.g. a UUID. Retrying with the same "
        "key and the same body returns the first order and writes nothing; the same key "
        "with a different body is refused with 422."
    ),
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201],
    enum=["true"],
    description="Present (`true`) when the order was placed earlier under this Idempotency-Key.",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[503],
    description="Seconds to wait before retrying.",
)
