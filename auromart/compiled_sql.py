"""A statement compiled once per shape and run again with new values.

`price_quotes` runs one statement per call (every catalog page, cart and
order), and building it through the ORM (three subqueries of the
assignments, a Case/When rank, the joins) cost about 4 ms of CPU, far more
than running it. Its SQL depends only on its shape (is there an organization,
a distributor, how many products): `Shape` compiles the queryset once per
shape with sentinel values, remembers where each sentinel landed among the
statement's parameters, and afterwards runs the same SQL with the call's
values in those places. Rows are converted by the same converters the ORM
would apply (Decimal on SQLite, booleans, dates), so the result is the one
`values_list` gives. `Shapes.instances` does the same for a queryset of
model instances (with annotations) through `Model.objects.raw`, which builds
the instances and sets each annotation as an attribute (order_place's read of
its products and their stock figures).

If the sentinels cannot be found where expected (a Django version that
dedupes or inlines a value), the shape is marked unusable and the caller
keeps to the ORM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router

# Sentinels: integers no constant of these statements uses, within every
# backend's integer range (Django turns an out-of-range lookup into an empty
# result rather than a parameter).
_SENTINEL_BASE = 1_987_650_000


def sentinel_int(n: int) -> int:
    return _SENTINEL_BASE + n


@dataclass(frozen=True)
class Compiled:
    sql: str
    slots: tuple  # per parameter: ("const", value, False) or ("arg", name, as text)
    columns: tuple  # the select expressions, for their converters


class Shapes:
    """Compiled statements by shape key, per database alias (bounded)."""

    MAX = 256

    def __init__(self, model):
        self.model = model
        self._compiled: dict[tuple, Compiled | None] = {}
        self.compilations = 0  # for tests: how many shapes were compiled

    def clear(self) -> None:
        self._compiled.clear()
        self.compilations = 0

    def rows(
        self,
        key: tuple,
        build: Callable[[dict], Any],
        sentinels: dict[str, Any],
        values: dict[str, Any],
    ) -> list[tuple] | None:
        """The rows of `build(values)`'s queryset, through the statement of shape `key`.

        `build(args)` returns the values_list queryset for the arguments `args`;
        `sentinels` maps each argument name to its sentinel (compiled with
        those), `values` to this call's value. None: the shape cannot be
        reused (run the queryset instead).
        """
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        compiled = self._get(key, build, sentinels, alias, connection)
        if compiled is None:
            return None
        params = self._params(compiled, values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        ops = connection.ops
        converters = [
            (index, fns, column)
            for index, column in enumerate(compiled.columns)
            if (fns := ops.get_db_converters(column) + column.get_db_converters(connection))
        ]
        if not converters:
            return [tuple(row) for row in rows]
        out = []
        for row in rows:
            row = list(row)
            for index, fns, column in converters:
                value = row[index]
                for fn in fns:
                    value = fn(value, column, connection)
                row[index] = value
            out.append(tuple(row))
        return out

    def instances(
        self,
        key: tuple,
        build: Callable[[dict], Any],
        sentinels: dict[str, Any],
        values: dict[str, Any],
    ) -> list | None:
        """The model instances of `build(values)` (a queryset of self.model, annotations
        included as attributes), through the statement of shape `key`; None: run it."""
        alias = router.db_for_read(self.model)
        compiled = self._get(key, build, sentinels, alias, connections[alias])
        if compiled is None:
            return None
        return list(
            self.model._default_manager.db_manager(alias).raw(
                compiled.sql, self._params(compiled, values)
            )
        )

    def _get(self, key, build, sentinels, alias, connection) -> Compiled | None:
        full_key = (alias, connection.vendor, *key)
        compiled = self._compiled.get(full_key, False)
        if compiled is False:
            compiled = self._compile(build(sentinels), sentinels, alias)
            if len(self._compiled) >= self.MAX:
                self._compiled.clear()
            self._compiled[full_key] = compiled
            self.compilations += 1
        return compiled

    @staticmethod
    def _params(compiled: Compiled, values: dict[str, Any]) -> list:
        return [
            (str(values[slot]) if text else values[slot]) if kind == "arg" else slot
            for kind, slot, text in compiled.slots
        ]

    @staticmethod
    def _compile(queryset, sentinels: dict[str, Any], alias: str) -> Compiled | None:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        columns = tuple(column for column, _, _ in compiler.select)
        # A sentinel may reach the parameters as itself or adapted (a date as text).
        by_value: dict[Any, tuple[str, bool]] = {}
        for name, value in sentinels.items():
            by_value[(type(value), value)] = (name, False)
            by_value[(str, str(value))] = (name, True)
        slots, seen = [], set()
        for param in params:
            found = by_value.get((type(param), param))
            if found is None:
                slots.append(("const", param, False))
            else:
                slots.append(("arg", *found))
                seen.add(found[0])
        if seen != set(sentinels):
            return None
        return Compiled(sql=sql, slots=tuple(slots), columns=columns)
