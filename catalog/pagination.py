"""Pages of the catalog (customer API and the buyers' catalog page) with a capped count.

A search that matches 10,000 products must not pay for counting all of them
(on MariaDB every FULLTEXT match costs a row lookup; issue #22 §2). The count
stops at COUNT_CAP + 1 rows: up to COUNT_CAP it is exact, past it the
paginator says "at least COUNT_CAP" (`count_exact` False; the page shows
"1,000+"). Pages past the cap can still be read: the page query fetches one
row more than the page, so whether a next page exists is known without a count.

A relevance-ordered search (an unordered queryset: the FULLTEXT scan gives the
order) is evaluated once for the count and the first pages: the ids of up to
COUNT_CAP + 1 matches, in rank order, give the count, and a page within them is
read by primary key without the MATCH. Each MATCH costs InnoDB a full-text
initialisation (reading every matching word's postings: for a two-word term
of 10,000-product words, both lists), so the page's own MATCH was a second one.
"""

import math

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property

# Counts stop here (settings.CATALOG_COUNT_CAP overrides it, for tests).
COUNT_CAP = 1000
# The highest page number anybody may ask for (a bound on what a user types).
MAX_PAGE = 10_000


def count_cap() -> int:
    return getattr(settings, "CATALOG_COUNT_CAP", COUNT_CAP)


class CappedPage(Page):
    def __init__(self, object_list, number, paginator, has_next: bool | None = None):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        if self._has_next is None:
            return super().has_next()
        return self._has_next

    def end_index(self) -> int:
        # Page.end_index reads the count on the last page; past a capped count it is a bound.
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` (count_exact says whether it did).

    The queryset may be unordered: a relevance-ordered search has no ORDER BY
    (the FULLTEXT scan gives the order; catalog.selectors.product_search).
    """

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = count_cap() if cap is None else cap
        self._pages_seen = 0
        # Past a capped count, what the last page read showed: at least this many rows,
        # or exactly this many when that page was the last.
        self._rows_seen = 0
        self._total = None

    def _check_object_list_is_ordered(self):
        """No warning: an unordered search is ordered by relevance (see the class)."""

    @cached_property
    def _ranked_ids(self) -> list | None:
        """The ids of up to cap + 1 rows of an unordered (relevance) queryset, in its order."""
        rows = self.object_list
        if not isinstance(rows, QuerySet) or rows.ordered:
            return None
        return list(rows.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def _counted(self) -> int:
        """At most cap + 1: `SELECT COUNT(*) FROM (SELECT ... LIMIT cap + 1)`, no ORDER BY
        (or the length of _ranked_ids, read in the same pass)."""
        if self._ranked_ids is not None:
            return len(self._ranked_ids)
        rows = self.object_list
        if hasattr(rows, "order_by"):
            return rows.order_by().values("pk")[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    def _rows_by_id(self, ids: list) -> list:
        """The queryset's rows of `ids`, in that order, read by primary key: its filters
        (the MATCH among them) are dropped, since the ids already passed them; its
        joins, annotations and prefetches stay."""
        rows = self.object_list._chain()
        rows.query.where = WhereNode()
        found = {row.pk: row for row in rows.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    @property
    def count_exact(self) -> bool:
        return self._counted <= self.cap or self._total is not None

    @property
    def count(self) -> int:
        """Exact up to `cap`; past it a lower bound (count_exact False): the cap, or the rows
        up to the end of the page read, or the exact total once the last page was read."""
        if self._counted <= self.cap:
            return self._counted
        if self._total is not None:
            return self._total
        return max(self.cap, self._rows_seen)

    @property
    def num_pages(self) -> int:
        known = super().num_pages
        if self._counted <= self.cap:
            return known
        return max(known, self._pages_seen) if self._total is None else self._pages_seen

    def validate_number(self, number) -> int:
        if self._counted <= self.cap:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > MAX_PAGE:
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number) -> CappedPage:
        number = self.validate_number(number)
        ids = self._ranked_ids
        if ids is not None:
            bottom = (number - 1) * self.per_page
            # Within the ids read (the whole result when the count is exact): by pk.
            if bottom + self.per_page < len(ids) or self._counted <= self.cap:
                if bottom >= len(ids) and not (number == 1 and self.allow_empty_first_page):
                    raise EmptyPage("That page contains no results")
                page_ids = ids[bottom : bottom + self.per_page]
                has_next = len(ids) > bottom + self.per_page
                if self._counted > self.cap:
                    self._pages_seen = max(self._pages_seen, number + 1)
                    self._rows_seen = max(self._rows_seen, bottom + self.per_page + 1)
                return CappedPage(self._rows_by_id(page_ids), number, self, has_next=has_next)
        if self._counted <= self.cap:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage("That page contains no results")
        has_next = len(rows) > self.per_page
        self._pages_seen = max(self._pages_seen, number + (1 if has_next else 0))
        if has_next:  # the row read past the page proves one more
            self._rows_seen = max(self._rows_seen, bottom + self.per_page + 1)
        else:
            self._total = bottom + len(rows)
        return CappedPage(rows[: self.per_page], number, self, has_next=has_next)

    def get_page(self, number) -> CappedPage:
        """Like Paginator.get_page: a bad number gives page 1, one past the end the last known."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            if self._counted <= self.cap:
                return self.page(self.num_pages)
            return self.page(min(MAX_PAGE, max(1, math.ceil(self.cap / self.per_page))))

    def _get_page(self, *args, **kwargs) -> CappedPage:
        return CappedPage(*args, **kwargs)
