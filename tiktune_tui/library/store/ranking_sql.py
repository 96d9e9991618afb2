"""The ranking SQL of the store, written once for both engines: `RankingSQL`.

Each builder returns a `Query`, the SQL text and its parameters, whose result rows have the
layout its docstring gives; `Store` runs it and turns the rows into results the same way
whatever the engine. Where SQLite and PostgreSQL spell a thing differently (casts, greatest(),
the top row of a group, LIMIT for all) or their planners need a ranking shaped differently (how
the matching videos are looked up, how the page is cut from the per-song totals) the builders
ask the engine's `dialect.Dialect`, so that the queries themselves stand here once. Every engagement sum is generated from the weights
(`Weights.sql`), so the formula stays the one in core.weights.
"""

from __future__ import annotations

from collections.abc import Sequence

from tiktune_tui.core.models import SECONDS_PER_DAY
from tiktune_tui.core.rising import NEW_IN_NICHE_DAYS
from tiktune_tui.core.weights import Weights
from tiktune_tui.library.store.dialect import Dialect
from tiktune_tui.library.store.dialect_sqlite import MAX_LIMIT

Query = tuple[str, list[object]]

__all__ = ["MAX_LIMIT", "Query", "RankingSQL"]


class RankingSQL:
    """The store's queries in the words of `dialect`."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        d = dialect
        tags = d.joined(
            "h2.name",
            "vh2.position",
            "FROM video_hashtags vh2 JOIN hashtags h2 ON h2.id = vh2.hashtag_id WHERE vh2.video_id = v.id",
        )
        # A video row with its hashtags in order, the columns rows.videos_from reads.
        self.video_select = f"""
    SELECT v.id, v.video_id, v.author, v.description, v.create_time,
           v.play_count, v.digg_count, v.comment_count, v.share_count,
           s.music_id, s.title, s.author, s.duration_s, s.play_url, s.cover_url, s.original,
           {tags}
    FROM videos v JOIN songs s ON s.id = v.song_id
"""

    def limit(self, limit: int | None) -> int | None:
        """`limit` as the engine's LIMIT takes it (None: all rows)."""
        return self.dialect.limit(limit)

    def matching_videos(self, tag_ids: Sequence[int | None], region: str | None = None, share: float = 0.0) -> Query:
        """CTE `per_video` (each video carrying one of the tags, with the mask of those it carries:
        bit i for `tag_ids[i]`; None for a tag the store does not know), fetched for `region` when
        given; to be joined to its videos with `Dialect.lookup` and the same `share`, about which
        part of the store's videos carry the tags (0 to 1). The tags are filtered by id as
        constants, not joined by name, so that the planner knows from its statistics how many
        videos a tag has (a head tag: half a million)."""
        d = self.dialect
        known = [(bit, tag_id) for bit, tag_id in enumerate(tag_ids) if tag_id is not None]
        whens = " ".join(f"WHEN ? THEN {1 << bit}" for bit, _ in known)
        mask = d.int64(f"sum(CASE vh.hashtag_id {whens} END)") if known else d.int64("0")
        ids = [tag_id for _, tag_id in known]
        by_region = "JOIN video_regions r ON r.video_id = vh.video_id AND r.region = ?" if region else ""
        wanted = f"vh.hashtag_id IN ({','.join('?' * len(ids))})" if ids else "vh.hashtag_id IS NULL"
        sql = f"""WITH per_video AS (
                    SELECT vh.video_id, {mask} AS mask FROM video_hashtags vh
                    {by_region}
                    WHERE {wanted}
                    GROUP BY vh.video_id {d.in_order("vh.video_id", share)}
                )"""
        return sql, [*ids, *([region] if region else []), *ids]

    def modes(
        self,
        tag_ids: Sequence[int | None],
        mode: str,
        weights: Weights,
        tag_weights: Sequence[float],
        now: int,
        *,
        require_all: bool,
        limit: int | None,
        region: str | None = None,
        since: int | None = None,
        share: float = 0.0,
    ) -> Query:
        """core.modes.rank of `mode` over the videos carrying any of the tags of `tag_ids`
        (distinct, at least one; None for a tag the store does not know), in one pass.
        `tag_weights` are the corpus's weights of the tags (fit); `now` the newest fetch as
        epoch seconds (momentum); `since` (epoch seconds): only videos
        posted from then on count (--since; an unknown post date then does not); `share` about
        which part of the store's videos carry the tags (matching_videos).

        Rows: music_id, title, author, duration_s, play_url, cover_url, original,
        play, digg, comment, share, uses, top_video, rate, growth,
        gained, new_videos, old_videos (rising; 0 otherwise), one count per tag,
        popular, score, matched, the song's stored videos, the number of songs ranked
        before `limit` cut them, and last the rising window's first, earlier and latest
        snapshot (core.rising.RisingWindow; NULL in other modes, earlier NULL when the
        tags' videos have fewer than two snapshot moments).

        Rising finds its window in the same pass: the matching videos are looked up once
        (`looked_up`, which both engines keep as a table since it is read three times), the
        window is read from them (as rising_ends reads it), then they are summed per song.
        """
        from tiktune_tui.core import modes

        d = self.dialect
        big = d.param("bigint")
        count = len(tag_ids)
        rising = mode == "rising"
        # Rising reads the looked-up videos as `v`, their tag mask with them; the others, as `p` and `v`.
        masks = "v" if rising else "p"
        counts = ", ".join(f"{d.sum32(f'({masks}.mask >> {i}) & 1')} AS c{i}" for i in range(count))

        def matched(alias: str) -> str:
            return "(" + " + ".join(d.flag(f"{alias}.c{i} > 0") for i in range(count)) + ")"

        popular = weights.sql("p.")
        engagement = weights.sql("v.", "_count")
        first = (
            f"(SELECT {weights.sql('f.', '_count')}"
            " FROM stats_snapshots f WHERE f.video_id = v.id AND f.fetched_at = v.first_fetched_at)"
        )
        zero = d.int64("0")
        matching, params = self.matching_videos(tag_ids, region, share)
        if mode == "momentum":
            # Whole units per day, truncated as in core.modes, so that sums are exact in both.
            since_posted = d.greatest(str(SECONDS_PER_DAY), f"{big} - v.create_time")
            rate = (
                "sum(CASE WHEN v.first_fetched_at IS NULL AND v.create_time IS NOT NULL"
                f" THEN {engagement} * {SECONDS_PER_DAY} / {since_posted} ELSE 0 END)"
            )
            growth = (
                "sum(CASE WHEN v.first_fetched_at IS NOT NULL AND v.fetched_at > v.first_fetched_at"
                f" THEN ({engagement} - {first}) * {SECONDS_PER_DAY} / (v.fetched_at - v.first_fetched_at)"
                " ELSE 0 END)"
            )
            rates = f", {d.int64(rate)} AS rate, {d.int64(growth)} AS growth"
            params.append(now)
        else:
            rates = f", {zero} AS rate, {zero} AS growth"
        if rising:
            # A video seen at the latest snapshot gains its plays since its last snapshot at
            # or before `earlier` (all of them when it had none): that is its snapshot before
            # the latest (schema 6), as `earlier` is the niche's second latest moment. Without
            # an earlier moment every comparison is NULL: nothing gained, nothing counted. No
            # min()/max() here: the top video (Dialect.top) may rest on max(play_count) being the only one.
            seen = "coalesce(v.first_fetched_at, v.fetched_at)"
            gained = (
                "sum(CASE WHEN v.fetched_at > w.earlier THEN v.play_count - coalesce(v.prev_play_count, 0) ELSE 0 END)"
            )
            new_videos = "coalesce(sum(" + d.flag(f"v.fetched_at > w.earlier AND {seen} > w.earlier") + "), 0)"
            old_videos = "coalesce(sum(" + d.flag(f"{seen} < w.new_after") + "), 0)"
            rates += (
                f", {d.int64(gained)} AS gained, {d.int64(new_videos)} AS new_videos"
                f", {d.int64(old_videos)} AS old_videos"
            )
        else:
            rates += f", {zero} AS gained, {zero} AS new_videos, {zero} AS old_videos"
        period = ""
        if since is not None:
            period = f"WHERE v.create_time >= {big}"
            params.append(since)
        # Fit's prior, a song's stored videos: with `region`, those fetched for it (counted for the
        # ranked songs only; the store keeps the total).
        song_videos = d.song("videos")
        score_params: list[object] = []
        extra = ""  # CTEs between the per-song rows and the page
        region_songs = ""
        if region:
            region_songs = """,
            region_songs AS (
                SELECT v.song_id, count(*) AS videos FROM video_regions r JOIN videos v ON v.id = r.video_id
                WHERE r.region = ? AND v.song_id IN (SELECT song_id FROM per_song) GROUP BY v.song_id
            )"""
            song_videos = "coalesce((SELECT rs.videos FROM region_songs rs WHERE rs.song_id = p.song_id), 0)"
            params.append(region)
            extra = region_songs
        if mode == "popular":
            keys = "popular DESC, matched DESC"
            score = "0"
        else:
            keys = "score DESC, popular DESC, matched DESC"
            if mode == "uses":
                score = "p.uses"
            elif mode == "momentum":
                score = "p.rate + p.growth"
            elif mode == "rising":
                # Integer division truncates toward zero, as core.rising.per_day does.
                span = "(SELECT w.latest - w.earlier FROM rising_window w)"
                score = f"coalesce(p.gained * {SECONDS_PER_DAY} / {span}, 0)"
                keys = "score DESC, new_videos DESC, popular DESC, matched DESC"
            else:
                # The same sums in the same order as core.modes.fit_score: identical floats.
                real = d.param("float8")
                points = " + ".join(f"{real} * (p.c{i} * {real} / (p.c{i} + {real}))" for i in range(count))
                score_params = [
                    *(n for weight in tag_weights for n in (weight, modes.TAG_SATURATION + 1, modes.TAG_SATURATION)),
                    modes.SONG_PRIOR,
                    modes.POPULARITY_DAMPING,
                ]

                def fit(prior: str) -> str:
                    return (
                        f"({points}) + {real} * ln({d.float8(d.greatest(prior, 'p.uses', '1'))})"
                        f" + {real} * log10({d.float8(f'1 + {popular}')})"
                    )

                score = fit(song_videos)
        least = count if require_all else 1
        songs = "per_song"
        if mode == "fit" and limit is not None and 0 < limit <= MAX_LIMIT:
            # A page of fit reads the prior of the songs that can reach it only. Each song's
            # score lies between its score with its matching videos as its stored ones and with
            # every stored video as its own (the prior grows with them; the floats round the
            # same way): a song whose highest is below the page's last lowest cannot be on it,
            # nor tied with its last row. On a typical 3-tag query that is ~100 of 13,000 songs.
            every = "(SELECT sum(t.videos) FROM totals t)"  # in the query's own snapshot
            # Each bound is computed once per song, by the sort that keeps the page's count and
            # by the filter: a table of both would be written and read again (a fifth of fit).
            extra += f""",
            fit_cut AS (
                SELECT {fit("0")} AS lowest FROM per_song p WHERE {matched("p")} >= ?
                ORDER BY 1 DESC LIMIT 1 OFFSET {big}
            ),
            fit_candidates AS (
                SELECT * FROM per_song p WHERE {matched("p")} >= ?
                AND (NOT EXISTS (SELECT 1 FROM fit_cut) OR {fit(every)} >= (SELECT c.lowest FROM fit_cut c))
            )"""
            params += [*score_params, least, limit - 1, least, *score_params]
            songs = "fit_candidates"
        page, page_params = d.page(
            (
                f"""p.play, p.digg, p.comment, p.share, p.uses, p.top_id, p.rate, p.growth,
                       p.gained, p.new_videos, p.old_videos,
                       {", ".join(f"p.c{i}" for i in range(count))},
                       {popular} AS popular, {score} AS score, {matched("p")} AS matched""",
                score_params,
            ),
            song_videos,
            keys,
            least,
            limit,
            songs,
        )
        params += [*page_params, least]
        order = f"{keys}, {d.bytewise('music_id')}"
        source = f"per_video p {d.lookup('videos', 'v', 'v.id = p.video_id', share)}"
        window = "NULL, NULL, NULL"
        page_rows = "page"
        if rising:
            matching += f""",
            looked_up AS (
                SELECT v.id, v.song_id, v.play_count, v.digg_count, v.comment_count, v.share_count, v.create_time,
                       v.fetched_at, v.first_fetched_at, v.prev_fetched_at, v.prev_play_count, p.mask
                FROM {source}
            ),
            {self._window("looked_up")}"""
            source = "looked_up v CROSS JOIN rising_window w"
            window = "w.first, w.earlier, w.latest"
            page_rows += " CROSS JOIN rising_window w"
        sql = f"""
            {matching},
            per_song AS (
                SELECT v.song_id,
                       {d.sum64("v.play_count")} AS play, {d.sum64("v.digg_count")} AS digg,
                       {d.sum64("v.comment_count")} AS comment, {d.sum64("v.share_count")} AS share,
                       count(*) AS uses, {d.top("v.id", "v.play_count")},
                       {counts} {rates}
                FROM {source} {period} GROUP BY v.song_id
            ){extra},
            {page}
            -- The top video's TikTok id is looked up for the page's rows only.
            SELECT music_id, title, author, duration_s, play_url, cover_url, original,
                   play, digg, comment, share, uses,
                   (SELECT t.video_id FROM videos t WHERE t.id = page.top_id) AS top_video,
                   rate, growth, gained, new_videos, old_videos,
                   {", ".join(f"c{i}" for i in range(count))},
                   popular, score, matched, song_videos,
                   (SELECT count(*) FROM per_song q WHERE {matched("q")} >= ?) AS total,
                   {window}
            FROM {page_rows}
            ORDER BY {order}
            """
        return sql, params

    def rising_ends(self, tag_ids: Sequence[int | None], region: str | None = None, share: float = 0.0) -> Query:
        """One row (first, earlier, latest): the first, the second latest and the latest distinct
        moment a video carrying one of the tags (fetched for `region`, when given) was snapshotted;
        earlier is NULL with fewer than two. Read from the videos alone: a video's snapshots lie
        between its first and its latest, and the niche's second latest moment is some video's
        latest below the niche's latest, or the snapshot before the latest of one at it."""
        matching, params = self.matching_videos(tag_ids, region, share)
        sql = f"""
            {matching},
            looked_up AS (
                SELECT v.fetched_at, v.first_fetched_at, v.prev_fetched_at
                FROM per_video p {self.dialect.lookup("videos", "v", "v.id = p.video_id", share)}
            ),
            {self._window("looked_up")}
            SELECT first, earlier, latest FROM rising_window
            """
        return sql, params

    def _window(self, videos: str) -> str:
        """CTE `rising_window`, one row (first, earlier, latest, new_after) read from `videos`
        (rows with fetched_at, first_fetched_at, prev_fetched_at): the first, the second latest
        and the latest distinct snapshot moment, and core.rising.RisingWindow.new_after; earlier
        and new_after NULL with fewer than two moments."""
        week = NEW_IN_NICHE_DAYS * SECONDS_PER_DAY
        return f"""ends AS (
                SELECT min(coalesce(first_fetched_at, fetched_at)) AS first, max(fetched_at) AS latest FROM {videos}
            ),
            moments AS (
                SELECT e.first, e.latest,
                       (SELECT max(CASE WHEN s.fetched_at < e.latest THEN s.fetched_at ELSE s.prev_fetched_at END)
                        FROM {videos} s) AS earlier
                FROM ends e
            ),
            rising_window AS (
                SELECT first, earlier, latest,
                       CASE WHEN earlier IS NOT NULL THEN {self.dialect.greatest("first + 1", f"latest - {week}")} END
                       AS new_after
                FROM moments
            )"""

    def rising_videos(self, tag_ids: Sequence[int | None], earlier: int, share: float = 0.0) -> Query:
        """Rows (video_id, first seen, last seen, plays at its last snapshot at or before
        `earlier` or NULL) for each video carrying one of the tags, `earlier` being the niche's
        second latest snapshot (rising_ends): the latest itself, or the one before it."""
        matching, params = self.matching_videos(tag_ids, share=share)
        big = self.dialect.param("bigint")
        sql = f"""
            {matching}
            SELECT v.video_id, coalesce(v.first_fetched_at, v.fetched_at), v.fetched_at,
                   CASE WHEN v.fetched_at <= {big} THEN v.play_count ELSE v.prev_play_count END
            FROM per_video p {self.dialect.lookup("videos", "v", "v.id = p.video_id", share)}
            """
        return sql, [*params, earlier]

    def song_trend(self, music_id: str, tags: Sequence[str]) -> Query:
        """Rows (kind, moment, count) for the song's stored videos carrying one of `tags` (all of
        them without tags), counted in one pass over its videos by post date (an index range):
        kind 0, the videos posted per day (the day as epoch seconds at UTC midnight, NULL for no
        post date); kind 1, their summed plays at each snapshot moment."""
        within = ""
        params: list[object] = [music_id]
        if tags:
            marks = ",".join("?" * len(tags))
            # The tags' ids once, then a probe per video of its (video, hashtag) index.
            within = (
                "AND EXISTS (SELECT 1 FROM video_hashtags vh WHERE vh.video_id = v.id"
                f" AND vh.hashtag_id IN (SELECT h.id FROM hashtags h WHERE h.name IN ({marks})))"
            )
            params += list(tags)
        day = f"v.create_time / {SECONDS_PER_DAY} * {SECONDS_PER_DAY}"
        sql = f"""
            WITH chosen AS (
                SELECT v.id, {day} AS day FROM songs s JOIN videos v ON v.song_id = s.id
                WHERE s.music_id = ? {within}
            )
            SELECT 0 AS kind, day AS moment, count(*) AS n FROM chosen GROUP BY day
            UNION ALL
            SELECT 1, s.fetched_at, {self.dialect.int64("sum(s.play_count)")} FROM chosen c
            JOIN stats_snapshots s ON s.video_id = c.id GROUP BY s.fetched_at
            ORDER BY 1, 2"""
        return sql, params

    def growth(self, tags: Sequence[str], weights: Weights) -> Query:
        """Rows (video_id, engagement gained, seconds between) for each video carrying one
        of `tags` (at least one) with two or more snapshots: its first and its last."""
        marks = ",".join("?" * len(tags))
        sql = f"""
            WITH matched AS (
                SELECT DISTINCT vh.video_id FROM video_hashtags vh
                JOIN hashtags h ON h.id = vh.hashtag_id WHERE h.name IN ({marks})
            ),
            ends AS (
                SELECT s.video_id, min(s.fetched_at) AS first, max(s.fetched_at) AS last
                FROM matched m JOIN stats_snapshots s ON s.video_id = m.video_id
                GROUP BY s.video_id HAVING count(*) > 1
            )
            SELECT v.video_id, {weights.sql("b.", "_count")} - {weights.sql("a.", "_count")},
                   e.last - e.first
            FROM ends e JOIN videos v ON v.id = e.video_id
            JOIN stats_snapshots a ON a.video_id = e.video_id AND a.fetched_at = e.first
            JOIN stats_snapshots b ON b.video_id = e.video_id AND b.fetched_at = e.last
            """
        return sql, list(tags)

    def song_videos(self, tags: Sequence[str], region: str | None = None) -> Query:
        """Rows (music_id, stored videos using it) for each song of a video carrying one of `tags`;
        with `region`, of the videos fetched for it only."""
        marks = ",".join("?" * len(tags))
        songs = f"""SELECT v.song_id FROM video_hashtags vh JOIN hashtags h ON h.id = vh.hashtag_id
                JOIN videos v ON v.id = vh.video_id WHERE h.name IN ({marks})"""
        if region:
            sql = f"""
                SELECT s.music_id, count(*) FROM video_regions r JOIN videos v ON v.id = r.video_id
                JOIN songs s ON s.id = v.song_id WHERE r.region = ? AND v.song_id IN ({songs})
                GROUP BY s.music_id
                """
            return sql, [region, *tags]
        return f"SELECT s.music_id, s.videos FROM songs s WHERE s.id IN ({songs})", list(tags)

    def related(self, tag_id: int, sample: int, min_support: int) -> Query:
        """Rows (name, videos carrying it and the tag, videos carrying it) for each other tag
        on at least `min_support` of the tag's `sample` most recently stored videos."""
        sql = """
            WITH sample AS (
                SELECT video_id FROM video_hashtags WHERE hashtag_id = ?
                ORDER BY video_id DESC LIMIT ?
            )
            SELECT h.name, g.both_, h.videos FROM (
                SELECT vh.hashtag_id, count(*) AS both_ FROM sample s
                JOIN video_hashtags vh ON vh.video_id = s.video_id
                WHERE vh.hashtag_id <> ?
                GROUP BY vh.hashtag_id HAVING count(*) >= ?
            ) g JOIN hashtags h ON h.id = g.hashtag_id
            """
        return sql, [tag_id, sample, tag_id, min_support]
