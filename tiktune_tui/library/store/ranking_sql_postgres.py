"""The ranking SQL of the PostgreSQL store: the same builders and row layouts as
`ranking_sql.SQLiteRanking`, in PostgreSQL's dialect.

What differs: greatest() for SQLite's max of two, a cast of every sum back to bigint
(PostgreSQL sums bigints as numeric), an ordered array_agg for SQLite's bare column,
booleans cast to int before they are added, the `matched` filter outside the select that
names it, LIMIT NULL for no limit, and song ids ordered byte-wise (COLLATE "C") as
SQLite orders them, whatever the server's locale. Placeholders are `?` here too;
the store's connection adapts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from tiktune_tui.core.models import SECONDS_PER_DAY
from tiktune_tui.core.weights import Weights
from tiktune_tui.library.store.ranking_sql import MAX_LIMIT, Query, RankingSQL, SQLiteRanking

VIDEO_SELECT = """
    SELECT v.id, v.video_id, v.author, v.description, v.create_time,
           v.play_count, v.digg_count, v.comment_count, v.share_count,
           s.music_id, s.title, s.author, s.duration_s, s.play_url, s.cover_url, s.original,
           (SELECT string_agg(h2.name, ' ' ORDER BY vh2.position)
            FROM video_hashtags vh2 JOIN hashtags h2 ON h2.id = vh2.hashtag_id
            WHERE vh2.video_id = v.id)
    FROM videos v JOIN songs s ON s.id = v.song_id
"""


def pg_limit(limit: int | None) -> int | None:
    """`limit` as PostgreSQL's LIMIT takes it: NULL for none."""
    return None if limit is None or limit > MAX_LIMIT else limit


class PostgresRanking:
    """The ranking SQL for PostgreSQL; see SQLiteRanking for what each builder answers."""

    video_select = VIDEO_SELECT

    def limit(self, limit: int | None) -> int | None:
        return pg_limit(limit)

    def modes(
        self,
        tags: Sequence[str],
        mode: str,
        weights: Weights,
        tag_weights: Sequence[float],
        now: int,
        *,
        require_all: bool,
        limit: int | None,
        region: str | None = None,
        rising: tuple[int, int, int] | None = None,
        since: int | None = None,
    ) -> Query:
        from tiktune_tui.core import modes

        count = len(tags)
        counts = ", ".join(f"sum((p.mask >> {i}) & 1)::bigint AS c{i}" for i in range(count))

        def matched(alias: str) -> str:
            return "(" + " + ".join(f"({alias}.c{i} > 0)::int" for i in range(count)) + ")"

        popular = weights.sql("p.")
        engagement = weights.sql("v.", "_count")
        first = (
            f"(SELECT {weights.sql('f.', '_count')}"
            " FROM stats_snapshots f WHERE f.video_id = v.id AND f.fetched_at = v.first_fetched_at)"
        )
        positions = ",".join(f"(?::text, {i})" for i in range(count))
        in_region = "JOIN video_regions r ON r.video_id = vh.video_id AND r.region = ?" if region else ""
        params: list[object] = list(tags) + ([region] if region else [])
        if mode == "momentum":
            rates = (
                f", sum(CASE WHEN v.first_fetched_at IS NULL AND v.create_time IS NOT NULL"
                f" THEN {engagement} * {SECONDS_PER_DAY} / greatest({SECONDS_PER_DAY}, ?::bigint - v.create_time)"
                f" ELSE 0 END)::bigint AS rate"
                f", sum(CASE WHEN v.first_fetched_at IS NOT NULL AND v.fetched_at > v.first_fetched_at"
                f" THEN ({engagement} - {first}) * {SECONDS_PER_DAY} / (v.fetched_at - v.first_fetched_at)"
                f" ELSE 0 END)::bigint AS growth"
            )
            params.append(now)
        else:
            rates = ", 0::bigint AS rate, 0::bigint AS growth"
        if mode == "rising" and rising is not None:
            earlier, _, new_after = rising
            seen = "coalesce(v.first_fetched_at, v.fetched_at)"
            rates += (
                f", sum(CASE WHEN v.fetched_at > ?::bigint THEN v.play_count - coalesce((SELECT b.play_count"
                f" FROM stats_snapshots b WHERE b.video_id = v.id AND b.fetched_at <= ?::bigint"
                f" ORDER BY b.fetched_at DESC LIMIT 1), 0) ELSE 0 END)::bigint AS gained"
                f", sum(CASE WHEN v.fetched_at > ?::bigint AND {seen} > ?::bigint THEN 1 ELSE 0 END)::bigint"
                f" AS new_videos"
                f", sum(CASE WHEN {seen} < ?::bigint THEN 1 ELSE 0 END)::bigint AS old_videos"
            )
            params += [earlier, earlier, earlier, earlier, new_after]
        else:
            rates += ", 0::bigint AS gained, 0::bigint AS new_videos, 0::bigint AS old_videos"
        period = ""
        if since is not None:
            period = "WHERE v.create_time >= ?::bigint"
            params.append(since)
        if mode == "popular":
            order = 'popular DESC, matched DESC, music_id COLLATE "C"'
            score = "0"
        else:
            order = 'score DESC, popular DESC, matched DESC, music_id COLLATE "C"'
            if mode == "uses":
                score = "p.uses"
            elif mode == "momentum":
                score = "p.rate + p.growth"
            elif mode == "rising":
                score = f"p.gained * {SECONDS_PER_DAY} / ?::bigint" if rising is not None else "0"
                if rising is not None:
                    params.append(rising[1] - rising[0])
                order = 'score DESC, new_videos DESC, popular DESC, matched DESC, music_id COLLATE "C"'
            else:
                points = " + ".join(f"?::float8 * (p.c{i} * ?::float8 / (p.c{i} + ?::float8))" for i in range(count))
                score = (
                    f"({points}) + ?::float8 * ln(greatest(s.videos, p.uses, 1)::float8)"
                    f" + ?::float8 * log10((1 + {popular})::float8)"
                )
                for weight in tag_weights:
                    params += [weight, modes.TAG_SATURATION + 1, modes.TAG_SATURATION]
                params += [modes.SONG_PRIOR, modes.POPULARITY_DAMPING]
        least = count if require_all else 1
        params += [least, least, pg_limit(limit)]
        sql = f"""
            WITH query(name, pos) AS (VALUES {positions}),
            per_video AS (
                SELECT vh.video_id, sum(1::bigint << q.pos)::bigint AS mask FROM query q
                JOIN hashtags h ON h.name = q.name
                JOIN video_hashtags vh ON vh.hashtag_id = h.id
                {in_region}
                GROUP BY vh.video_id
            ),
            per_song AS (
                SELECT v.song_id,
                       sum(v.play_count)::bigint AS play, sum(v.digg_count)::bigint AS digg,
                       sum(v.comment_count)::bigint AS comment, sum(v.share_count)::bigint AS share,
                       count(*) AS uses,
                       (array_agg(v.video_id ORDER BY v.play_count DESC, v.id))[1] AS top_video,
                       {counts} {rates}
                FROM per_video p JOIN videos v ON v.id = p.video_id {period} GROUP BY v.song_id
            ),
            ranked AS (
                SELECT s.music_id, s.title, s.author, s.duration_s, s.play_url, s.cover_url, s.original,
                       p.play, p.digg, p.comment, p.share, p.uses, p.top_video, p.rate, p.growth,
                       p.gained, p.new_videos, p.old_videos,
                       {", ".join(f"p.c{i}" for i in range(count))},
                       {popular} AS popular, {score} AS score, {matched("p")} AS matched,
                       s.videos AS song_videos
                FROM per_song p JOIN songs s ON s.id = p.song_id
            )
            SELECT *, (SELECT count(*) FROM per_song q WHERE {matched("q")} >= ?) AS total
            FROM ranked WHERE matched >= ?
            ORDER BY {order}
            LIMIT ?
            """
        return sql, params

    # These are plain SQL that both engines read alike.
    def snapshot_times(self, tags: Sequence[str], region: str | None = None) -> Query:
        return SQLiteRanking.snapshot_times(self, tags, region)  # type: ignore[arg-type]

    def trend_posts(self, music_id: str, tags: Sequence[str]) -> Query:
        return SQLiteRanking.trend_posts(self, music_id, tags)  # type: ignore[arg-type]

    def trend_plays(self, music_id: str, tags: Sequence[str]) -> Query:
        cte, params = SQLiteRanking._song_videos(music_id, tags)
        sql = f"""{cte}
            SELECT s.fetched_at, sum(s.play_count)::bigint FROM chosen c
            JOIN stats_snapshots s ON s.video_id = c.id GROUP BY s.fetched_at ORDER BY s.fetched_at"""
        return sql, params

    def rising_videos(self, tags: Sequence[str], earlier: int) -> Query:
        return SQLiteRanking.rising_videos(self, tags, earlier)  # type: ignore[arg-type]

    def growth(self, tags: Sequence[str], weights: Weights) -> Query:
        return SQLiteRanking.growth(self, tags, weights)  # type: ignore[arg-type]

    def song_videos(self, tags: Sequence[str]) -> Query:
        return SQLiteRanking.song_videos(self, tags)  # type: ignore[arg-type]

    def related(self, tag_id: int, sample: int, min_support: int) -> Query:
        return SQLiteRanking.related(self, tag_id, sample, min_support)  # type: ignore[arg-type]


POSTGRES_RANKING: RankingSQL = PostgresRanking()
