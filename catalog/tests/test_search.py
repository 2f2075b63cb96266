"""Catalog search (catalog.selectors.search_filter) through the customer API.

On MariaDB a search goes through the FULLTEXT index of migration 0005, and
InnoDB's full-text index only sees committed rows: these tests commit their
products (transaction=True). Expectations that hold on both databases are
asserted on both; what only MariaDB does (a word matches from the start of a
word, never inside one; operator characters are plain separators) is in the
tests marked `mariadb_only`, which CI's MariaDB run executes.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.selectors import fulltext_words
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory

PRODUCTS = reverse("api-product-list")
LONG_WORD = "Supercalifragilisticexpialidocious" * 3  # 102 letters, over InnoDB's 84

mariadb_only = pytest.mark.skipif(
    connection.vendor != "mysql",
    reason="FULLTEXT word matching is MariaDB's; SQLite matches substrings (CI's MariaDB "
    "run executes this)",
)
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog():
    store = DistributorFactory(name="Search Store", is_default_store=True)
    category, maker = CategoryFactory(), ManufacturerFactory()
    for sku, name, description in [
        ("CS-050017", "Cedar Lamp", "Warm light."),
        ("LMP-101", "Lamp Shade", "Linen."),
        ("CLP-200", "Steel Clamp", "Grips boards."),
        ("RUG-300", "Harbor Rug", "Handwoven in small batches."),
        ("DSK-400", "The Walnut Desk", f"Oiled by hand. {LONG_WORD}"),
        ("TEA-500", "मसाला चाय", "Loose leaf."),
    ]:
        product = ProductFactory(
            sku=sku, name=name, description=description, category=category, manufacturer=maker
        )
        StockItemFactory(product=product, distributor=store, on_hand=5)


def search(api_client, term: str) -> list[str]:
    response = api_client.get(PRODUCTS, {"search": term, "page_size": 100})
    assert response.status_code == 200, (term, response.content)
    body = response.json()
    assert body["count"] == len(body["results"])
    return [row["name"] for row in body["results"]]


@committed
def test_words_match_name_sku_or_description_and_every_word_must_match(api_client, catalog):
    assert search(api_client, "cedar") == ["Cedar Lamp"]
    assert search(api_client, "CEDAR lamp") == ["Cedar Lamp"]  # every word, any case
    assert search(api_client, "lamp shade") == ["Lamp Shade"]
    assert search(api_client, "cedar shade") == []
    assert search(api_client, "walnu") == ["The Walnut Desk"]  # the start of a word
    assert search(api_client, "handwoven") == ["Harbor Rug"]  # only in the description
    assert search(api_client, "hand") == ["Harbor Rug", "The Walnut Desk"]
    assert search(api_client, "CS-050017") == ["Cedar Lamp"]  # a SKU
    assert search(api_client, "050017") == ["Cedar Lamp"]
    assert search(api_client, "rug-300 harbor") == ["Harbor Rug"]
    assert search(api_client, "चाय") == ["मसाला चाय"]
    assert search(api_client, "zzqxv") == []
    assert search(api_client, "cedar zzqxv") == []


@committed
def test_short_words_stopwords_and_overlong_words_are_found(api_client, catalog):
    # Shorter than innodb_ft_min_token_size (3): not in the index, matched anywhere.
    assert search(api_client, "CS") == ["Cedar Lamp"]
    assert search(api_client, "ug") == ["Harbor Rug"]
    assert search(api_client, "in") == ["Harbor Rug", "Lamp Shade"]
    assert search(api_client, "ug harbor") == ["Harbor Rug"]
    # InnoDB's default stopwords; the index is built without them.
    assert search(api_client, "the") == ["The Walnut Desk"]
    assert search(api_client, "the walnut") == ["The Walnut Desk"]
    # Longer than innodb_ft_max_token_size (84): not in the index either.
    assert search(api_client, LONG_WORD) == ["The Walnut Desk"]


OPERATOR_TERMS = [
    "+lamp",
    "-lamp",
    '"lamp"',
    '"lamp',
    "lamp*",
    "(lamp)",
    "lamp)",
    "@lamp",
    "lamp@",
    "~lamp",
    "<lamp",
    ">lamp",
    "lamp -shade",
]


@committed
def test_boolean_operators_in_the_search_are_no_error(api_client, catalog):
    for term in [*OPERATOR_TERMS, '"', "(", "*", "+-", "@", "~<>", "'", "\\", "%", "_"]:
        search(api_client, term)  # 200, whatever the database


@mariadb_only
@committed
def test_on_mariadb_operators_are_separators_and_words_match_from_their_start(api_client, catalog):
    lamps = ["Cedar Lamp", "Lamp Shade"]
    assert search(api_client, "lamp") == lamps  # not "Steel Clamp": no match inside a word
    assert search(api_client, "amp") == []
    for term in OPERATOR_TERMS:
        # "-" excludes nothing, "*" and quotes change nothing: the words are plain words.
        expected = lamps if term != "lamp -shade" else ["Lamp Shade"]
        assert search(api_client, term) == expected, term
    assert search(api_client, '"') == search(api_client, "") != []  # no word: no search


@committed
def test_a_search_costs_no_extra_query(api_client, catalog):
    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api_client.get(PRODUCTS, params)
        assert response.status_code == 200
        return len(captured)

    # A process's first search reads the server's full-text token sizes once.
    api_client.get(PRODUCTS, {"search": "lamp"})
    plain = queries({})
    assert queries({"search": "lamp"}) == plain
    assert queries({"search": "CS-050017 cedar la"}) == plain  # FULLTEXT and LIKE words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("CS-050017", ["CS", "050017"]),
        ("  cedar   lamp ", ["cedar", "lamp"]),
        (
            '+lamp -shade "oak" (x) ~a <b >c @2 d* \\ %',
            ["lamp", "shade", "oak", "x", "a", "b", "c", "2", "d"],
        ),
        ("O'Brien", ["O", "Brien"]),
        ("snake_case", ["snake_case"]),
        ("मसाला चाय", ["मसाला", "चाय"]),  # vowel signs are marks inside the word
        ("café crème", ["café", "crème"]),
        ("", []),
        ("+-*", []),
    ],
)
def test_fulltext_words_split_as_innodb_does(text, words):
    assert fulltext_words(text) == words
