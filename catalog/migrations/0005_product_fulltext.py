"""A FULLTEXT index on the product's name, SKU and description, on MariaDB/MySQL only.

catalog.selectors.product_search matches search words with `MATCH (name, sku,
description) AGAINST (... IN BOOLEAN MODE)`, which needs an index on exactly
these columns. SQLite keeps its LIKE search: nothing happens there.

Stopwords are off for this index, so that "the", "about", "with" and the rest
of InnoDB's default list can be searched (with them on, a `+the*` term makes
the whole search match nothing). The setting is per session and InnoDB reads
it whenever it builds the index, including when it rebuilds the table: an
`OPTIMIZE TABLE`, `ALTER TABLE ... FORCE` or a later migration whose ALTER
copies catalog_product, run in a session with the default (ON), brings the
stopwords back. Such a migration must `SET SESSION innodb_ft_enable_stopword =
OFF` first, or the server can be configured with innodb_ft_enable_stopword=OFF.
catalog/tests/test_search.py checks a stopword is found on MariaDB.
"""

from django.db import migrations

INDEX_NAME = "product_fulltext_idx"
COLUMNS = ("name", "sku", "description")


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "mysql":
        return
    table = schema_editor.quote_name(apps.get_model("catalog", "Product")._meta.db_table)
    columns = ", ".join(schema_editor.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@SESSION.innodb_ft_enable_stopword")
        (previous,) = cursor.fetchone()
        cursor.execute("SET SESSION innodb_ft_enable_stopword = OFF")
        try:
            schema_editor.execute(f"CREATE FULLTEXT INDEX {INDEX_NAME} ON {table} ({columns})")
        finally:
            cursor.execute("SET SESSION innodb_ft_enable_stopword = %s", [previous])


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    table = schema_editor.quote_name(apps.get_model("catalog", "Product")._meta.db_table)
    schema_editor.execute(f"DROP INDEX {INDEX_NAME} ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_product_cost_price"),
    ]

    # Not atomic: MariaDB commits DDL at once, and Django refuses DDL inside a
    # transaction on such a database.
    operations = [migrations.RunPython(create_index, drop_index, atomic=False, elidable=False)]
