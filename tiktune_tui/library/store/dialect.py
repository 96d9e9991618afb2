"""What differs between the store's two engines' SQL, and nothing else: the `Dialect` interface.

The schema (`schema.SHARED_MIGRATIONS`) and the ranking SQL (`ranking_sql.RankingSQL`) are
written once; where SQLite and PostgreSQL spell a thing differently they ask the engine's
dialect (`dialect_sqlite.SQLITE`, `dialect_postgres.POSTGRES`). A new query or migration is
written in the shared modules; a dialect grows only when an engine truly needs its own words.
"""

from __future__ import annotations

from typing import Protocol


class Dialect(Protocol):
    """One engine's spelling of what the shared SQL leaves to it."""

    name: str

    # -- the schema: column types and the parts of a migration only one engine has ----------

    def ddl(self) -> dict[str, str]:
        """The words `schema.SHARED_MIGRATIONS` leave open, by name: `key` (an integer primary
        key the engine numbers), `int64` (a 64-bit integer column), `real` (a float column),
        `without_rowid` (after a table keyed by its primary key), `version_table` (where the
        schema version lives, when not in the engine itself), `counter_triggers` (the
        triggers keeping migration 2's counters) and `totals_shards` (migration 7: the video
        total in rows that concurrent writers add to apart, summed on read)."""
        ...

    # -- expressions ------------------------------------------------------------------------

    def param(self, type_: str) -> str:
        """A placeholder whose value the engine must know as `type_` (bigint, float8, text)
        where it cannot tell from the expression; every placeholder is `?` before that."""
        ...

    def int64(self, expr: str) -> str:
        """`expr` (a sum, a literal) as a 64-bit integer: PostgreSQL sums bigints as numeric."""
        ...

    def float8(self, expr: str) -> str:
        """`expr` as a double, as ln() and log10() take it."""
        ...

    def flag(self, condition: str) -> str:
        """`condition` as 1 or 0, to be added up."""
        ...

    def greatest(self, *exprs: str) -> str:
        """The largest of `exprs` (not an aggregate)."""
        ...

    def bytewise(self, expr: str) -> str:
        """`expr` to be ordered by its bytes, whatever the server's locale."""
        ...

    def top(self, key: str, by: str) -> str:
        """Select-list items of a GROUP BY naming `top_id`: the integer `key` of the group's row
        with the largest `by` (on a tie, any of them)."""
        ...

    def joined(self, value: str, order: str, source: str) -> str:
        """A scalar subquery: the `value`s of the rows of `source` (FROM ... WHERE ...), in the
        order of `order`, joined by single spaces."""
        ...

    def limit(self, limit: int | None) -> int | None:
        """`limit` as the engine's LIMIT takes it (None: all rows)."""
        ...
