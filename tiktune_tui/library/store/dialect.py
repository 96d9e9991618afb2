"""What differs between the store's two engines' SQL, and nothing else: the `Dialect` interface.

The schema (`schema.SHARED_MIGRATIONS`) and the ranking SQL (`ranking_sql.RankingSQL`) are
written once; where SQLite and PostgreSQL spell a thing differently they ask the engine's
dialect (`dialect_sqlite.SQLITE`, `dialect_postgres.POSTGRES`). A new query or migration is
written in the shared modules; a dialect grows only when an engine truly needs its own words.
"""

from __future__ import annotations

from typing import Protocol

Query = tuple[str, list[object]]

# The song's columns that `Dialect.page` puts before the ranking's, over the song row `s`.
PAGE_SONG_COLUMNS = "s.music_id, s.title, s.author, s.duration_s, s.play_url, s.cover_url, s.original"


class Dialect(Protocol):
    """One engine's spelling of what the shared SQL leaves to it."""

    name: str

    # -- the schema: column types and the parts of a migration only one engine has ----------

    def ddl(self) -> dict[str, str]:
        """The words `schema.SHARED_MIGRATIONS` leave open, by name: `key` (an integer primary
        key the engine numbers), `int64` (a 64-bit integer column), `real` (a float column),
        `without_rowid` (after a table keyed by its primary key), `include` (between an index's
        key and the columns it carries besides), `version_table` (where the schema version
        lives, when not in the engine itself), `counter_triggers` (the triggers keeping
        migration 2's counters) and `totals_shards` (migration 7: the video total in rows that
        concurrent writers add to apart, summed on read)."""
        ...

    # -- expressions ------------------------------------------------------------------------

    def param(self, type_: str) -> str:
        """A placeholder whose value the engine must know as `type_` (bigint, float8, text)
        where it cannot tell from the expression; every placeholder is `?` before that."""
        ...

    def int64(self, expr: str) -> str:
        """`expr` (a sum, a literal) as a 64-bit integer: PostgreSQL sums bigints as numeric."""
        ...

    def sum64(self, column: str) -> str:
        """The exact sum of the 64-bit integer `column` as a 64-bit integer (an aggregate).
        A column, not an expression: PostgreSQL's form reads it twice."""
        ...

    def sum32(self, expr: str) -> str:
        """The sum of `expr`, whose values fit 32 bits, as a 64-bit integer (an aggregate)."""
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

    # -- the shape of a ranking: where the engines' planners need different words ------------

    def in_order(self, key: str, share: float) -> str:
        """The end of a grouped query whose rows are then looked up by `key` (`lookup`, with
        the same `share`): an ORDER BY where neighbouring keys' lookups share the index's pages."""
        ...

    def lookup(self, table: str, alias: str, condition: str, share: float) -> str:
        """A FROM-clause continuation: for each row so far, the row of `table` (as `alias`)
        meeting `condition`; `share` is about which part of `table`'s rows that finds (0 to 1):
        a small one is found by index probes, a large one as the planner likes."""
        ...

    def song(self, column: str) -> str:
        """In `page`'s `columns` and `song_videos`: `column` of the song of the per-song row `p`."""
        ...

    def page(
        self,
        columns: Query,
        song_videos: str,
        keys: str,
        least: int,
        limit: int | None,
        songs: str = "per_song",
    ) -> Query:
        """The CTEs `ranked` and `page` over `songs p` (a CTE of per-song rows): the rows of `p`
        with at least `least` tags matched, in the order of `keys` (each descending, over
        `columns`' names) then by their song's id byte-wise, the first `limit` (None: all).
        `page` has the song's music_id, title, author, duration_s, play_url, cover_url and
        original, then `columns` (select-list items over `p`, naming `matched`, with their
        parameters: the engine may use them more than once) and `song_videos` (an expression
        over `p` and `song`)."""
        ...
