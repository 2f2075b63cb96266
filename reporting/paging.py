"""A long report table shown a page at a time; its downloads still hold every row.

Each table of a page has its own page parameter (`<key>_page`), so the two
tables of the stock report page independently and every other query
parameter (the filters) is kept in the links. The rows are already computed
(one query per table, whatever its length): paging only chooses which to show.
"""

import dataclasses
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import QueryDict

from .tables import ReportTable


@dataclass(frozen=True)
class PagerLink:
    label: str
    url: str = ""  # empty: not a link (the current page, an ellipsis)
    current: bool = False


@dataclass(frozen=True)
class Pager:
    """What the page prints under a table: "Rows 26 to 50 of 300" and the links to other pages."""

    first_row: int
    last_row: int
    count: int
    links: list[PagerLink]
    previous_url: str
    next_url: str


def _url(query: QueryDict, param: str, number: int) -> str:
    params = query.copy()
    params[param] = str(number)
    return "?" + params.urlencode()


def paginate(
    table: ReportTable, *, key: str, query: QueryDict, per_page: int | None = None
) -> tuple[ReportTable, Pager | None]:
    """(the table holding this page's rows, its pager); no pager when one page holds them all.

    `query` is the request's GET (the page number is read from `<key>_page`; a number out
    of range shows the last page, anything else the first). The totals stay the whole
    table's.
    """
    per_page = per_page or settings.REPORT_PAGE_ROWS
    if len(table.rows) <= per_page:
        return table, None
    param = f"{key}_page"
    paginator = Paginator(table.rows, per_page)
    page = paginator.get_page(query.get(param))
    links = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            links.append(PagerLink("…"))
        else:
            links.append(
                PagerLink(str(number), _url(query, param, number), current=number == page.number)
            )
    pager = Pager(
        first_row=page.start_index(),
        last_row=page.end_index(),
        count=paginator.count,
        links=links,
        previous_url=_url(query, param, page.number - 1) if page.has_previous() else "",
        next_url=_url(query, param, page.number + 1) if page.has_next() else "",
    )
    return dataclasses.replace(table, rows=list(page.object_list)), pager
