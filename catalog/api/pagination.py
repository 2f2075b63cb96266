"""The catalog API's pagination: `count` stops at a cap, `count_exact` says whether it did."""

from rest_framework.response import Response

from auromart.api.pagination import PageNumberPagination

from ..pagination import CappedPaginator, count_cap


class CatalogPagination(PageNumberPagination):
    """Page numbers as everywhere, with catalog.pagination.CappedPaginator's capped count.

    `count` stays an integer (typed clients read it as before); past the cap it
    is a lower bound and `count_exact` is false. `next` is a link whenever
    another page exists, past the cap too.
    """

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": paginator.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        cap = count_cap()
        response["properties"]["count"]["description"] = (
            f"How many products match, exact up to {cap:,}; past that it is {cap:,} or more "
            "(a lower bound) and `count_exact` is false."
        )
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "description": (
                    f"False when more than {cap:,} products match: counting stops there, so "
                    "`count` is a lower bound (show it as “1,000+”). `next` still leads on."
                ),
                "example": True,
            },
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        response["required"] = ["count", "count_exact", "results"]
        return response
