"""Model instances from one written-out statement that joins several tables, as `select_related` gives them.

Compiling the ORM's query costs a page more CPU than running it: an order with its event, promo code and
bundle took 1 ms to compile for 0.2 ms in the database. A statement written out once, with its columns
listed from the models here, reads the same rows; `Joined.read` turns each row into one instance per
table, with the database's values converted as the ORM converts them (dates and decimals on SQLite).

    ORDER = Joined(Part(Order, "o"), Part(Event, "e"), Part(PromoCode, "pc", optional=True))
    sql = f"SELECT {ORDER.columns} FROM events_order o JOIN events_event e ON … LEFT JOIN …"
    order, event, promo_code = ORDER.read(cursor.fetchone())   # promo_code None when the join found none

Keep each statement beside a test that compares what it reads with the ORM's queryset.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model


@dataclass(frozen=True)
class Part:
    """One table of the statement: its model, its alias in the SQL, and whether a LEFT JOIN may miss it."""

    model: type[Model]
    alias: str
    optional: bool = False


Converter = Callable[[Any, Any, Any], Any]


def _converters(field: Any, alias: str, connection: Any) -> tuple[list[Converter], Any]:
    """A column's converters (the backend's, then the field's), as the ORM's compiler applies them."""
    col = field.get_col(alias)
    return connection.ops.get_db_converters(col) + col.get_db_converters(connection), col


def keep_prefetched(instance: Model, name: str, rows: list) -> None:
    """`instance.<name>.all()` answers `rows` without a query, as prefetch_related keeps them: the related
    manager's queryset with its results filled in."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def columns(model: type[Model], alias: str) -> str:
    """The model's columns, listed in the order `Joined.read` takes them."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


class Joined:
    def __init__(self, *parts: Part):
        self.parts = parts
        self._fields = [list(part.model._meta.concrete_fields) for part in parts]
        self._attnames = [[field.attname for field in fields] for fields in self._fields]
        self._pk_index = [[field.primary_key for field in fields].index(True) for fields in self._fields]
        self.columns = ", ".join(columns(part.model, part.alias) for part in parts)
        self._converters: dict[str, list[list[tuple[list[Converter], Any]]]] = {}

    def _converters_for(self, using: str) -> list[list[tuple[list[Converter], Any]]]:
        """Per part, per column: the backend's and the field's converters, as the ORM's compiler applies them."""
        if using not in self._converters:
            connection = connections[using]
            self._converters[using] = [
                [_converters(field, part.alias, connection) for field in fields]
                for part, fields in zip(self.parts, self._fields, strict=True)
            ]
        return self._converters[using]

    def read(self, row: Sequence[Any], using: str = "default") -> list[Any]:
        """One instance per part, in order; None for an optional part whose join found no row."""
        connection = connections[using]
        instances: list[Any] = []
        start = 0
        for part, attnames, pk_index, converters in zip(
            self.parts, self._attnames, self._pk_index, self._converters_for(using), strict=True
        ):
            values = list(row[start : start + len(attnames)])
            start += len(attnames)
            if part.optional and values[pk_index] is None:
                instances.append(None)
                continue
            for index, (functions, col) in enumerate(converters):
                for convert in functions:
                    values[index] = convert(values[index], col, connection)
            instances.append(part.model.from_db(using, attnames, values))
        return instances


class _Plan:
    """How one statement's columns become an instance: which are the model's fields (converted as the ORM
    converts them) and which are extra values set as attributes, as `Model.objects.raw` does."""

    def __init__(self, model: type[Model], names: tuple[str, ...], using: str):
        connection = connections[using]
        by_column = {field.column: field for field in model._meta.concrete_fields}
        # In the model's order of fields: from_db takes the values so (positionally when all are there).
        position_of = {name: index for index, name in enumerate(names)}
        self.fields = [
            (position_of[field.column], field) for field in model._meta.concrete_fields if field.column in position_of
        ]
        self.attnames = [field.attname for _, field in self.fields]
        self.converters = []
        for position, (_, field) in enumerate(self.fields):
            functions, col = _converters(field, model._meta.db_table, connection)
            if functions:
                self.converters.append((position, functions, col))
        self.extras = [(index, name) for index, name in enumerate(names) if name not in by_column]
        if model._meta.pk.column not in position_of:
            raise ValueError(f"a statement read as {model.__name__} must select its primary key")


_PLANS: dict[tuple[type[Model], str, str], _Plan] = {}
_MOST_PLANS = 1_000


def raw_list(model: type[Model], sql: str, params: Sequence[Any], using: str = "default") -> list[Any]:
    """`list(model.objects.raw(sql, params))`, for statements a page runs on every request.

    The same instances (the model's columns as fields, others as attributes, unselected fields
    deferred) without RawQuerySet's work per call: it matched the columns to the fields again each
    time, a tenth of My account's CPU.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_unknown_value(value) for value in params])
        return _instances(model, sql, using, cursor)


def _instances(model: type[Model], sql: str, using: str, cursor: Any) -> list[Any]:
    """The executed statement's rows as `model` instances (see raw_list)."""
    connection = connections[using]
    key = (model, sql, using)
    plan = _PLANS.get(key)
    if plan is None:  # the statement's columns are the same every time: psycopg's description is not free
        if len(_PLANS) >= _MOST_PLANS:  # statements built with a list of placeholders: do not grow without end
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(model, tuple(column[0] for column in cursor.description), using)
    rows = cursor.fetchall()
    instances = []
    for row in rows:
        values = [row[index] for index, _ in plan.fields]
        for position, functions, col in plan.converters:
            for convert in functions:
                values[position] = convert(values[position], col, connection)
        instance = model.from_db(using, plan.attnames, values)
        for index, name in plan.extras:
            setattr(instance, name, row[index])
        instances.append(instance)
    return instances


@dataclass(frozen=True)
class Read:
    """One statement to read as `raw_list` reads it, alone (`.fetch()`) or sent with others (read_together)."""

    model: type[Model]
    sql: str
    params: Sequence[Any]

    def fetch(self, using: str = "default") -> list[Any]:
        return raw_list(self.model, self.sql, self.params, using)


def read_together(reads: Sequence[Read], using: str = "default") -> list[list[Any]]:
    """`[read.fetch() for read in reads]`, the statements sent together (see cursors_together)."""
    with cursors_together([(read.sql, read.params) for read in reads], using) as cursors:
        return [_instances(read.model, read.sql, using, cursor) for read, cursor in zip(reads, cursors, strict=True)]


@contextmanager
def cursors_together(statements: Sequence[tuple[str, Sequence[Any]]], using: str = "default") -> Iterator[list[Any]]:
    """One cursor per (sql, params), each executed, its rows ready to fetch; the statements sent together.

    On PostgreSQL they go in one psycopg pipeline: every statement is sent, then the answers come back in
    one round trip instead of one each (nine statements took 0.9 ms one by one, 0.25 ms together, on
    loopback). They run in one implicit transaction, so they also read one snapshot. Elsewhere, one by one.
    """
    connection = connections[using]
    cursors: list[Any] = []
    try:
        if len(statements) > 1 and connection.vendor == "postgresql":
            connection.ensure_connection()
            # Django's cursors, so query logging (assertNumQueries) and execute wrappers see each statement.
            with connection.wrap_database_errors, connection.connection.pipeline():
                _execute_each(connection, statements, cursors)
        else:
            _execute_each(connection, statements, cursors)
        with connection.wrap_database_errors:
            yield cursors
    finally:
        for cursor in cursors:
            cursor.close()


def _execute_each(connection: Any, statements: Sequence[tuple[str, Sequence[Any]]], cursors: list[Any]) -> None:
    for sql, params in statements:
        cursor = connection.cursor()
        cursors.append(cursor)
        cursor.execute(sql, [connection.ops.adapt_unknown_value(value) for value in params])
