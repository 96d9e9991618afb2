"""Reading a store out in batches, for `tiktune store copy`: a mixin of `Store`, engine-neutral.

A batch is the videos after a row id, each with its song, hashtags, source, every stats
snapshot and the regions it was fetched for: all that `save_videos` needs to store it again
elsewhere, snapshot by snapshot, with the same times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tiktune_tui.core.models import Stats, Video
from tiktune_tui.library.store.rows import moment, videos_from


@dataclass(frozen=True)
class StoredVideo:
    row_id: int
    video: Video  # with the stats of its newest fetch
    source: str
    snapshots: tuple[tuple[datetime, Stats], ...]  # oldest first
    regions: tuple[str, ...]


@dataclass(frozen=True)
class TagFetch:
    tag: str
    fetched_at: datetime
    source: str
    videos: int
    region: str | None = None


class TransferMixin:
    """Store methods for copying a store: batches out, and what a target already holds."""

    def video_batch(self, after: int, size: int) -> list[StoredVideo]:
        """Up to `size` stored videos with a row id above `after`, in row id order."""
        with self._read() as db:  # type: ignore[attr-defined]
            rows = db.execute(
                f"{self.ranking_sql.video_select} WHERE v.id > ? ORDER BY v.id LIMIT ?",  # type: ignore[attr-defined]
                [after, size],
            ).fetchall()
            if not rows:
                return []
            ids = [row[0] for row in rows]
            marks = ",".join("?" * len(ids))
            sources = dict(db.execute(f"SELECT id, source FROM videos WHERE id IN ({marks})", ids).fetchall())
            snapshots: dict[int, list[tuple[datetime, Stats]]] = {}
            for video_id, at, *stats in db.execute(
                "SELECT video_id, fetched_at, play_count, digg_count, comment_count, share_count"
                f" FROM stats_snapshots WHERE video_id IN ({marks}) ORDER BY video_id, fetched_at",
                ids,
            ).fetchall():
                snapshots.setdefault(video_id, []).append((moment(at), Stats(*stats)))  # type: ignore[arg-type]
            regions: dict[int, list[str]] = {}
            for region, video_id in db.execute(
                f"SELECT region, video_id FROM video_regions WHERE video_id IN ({marks}) ORDER BY region", ids
            ).fetchall():
                regions.setdefault(video_id, []).append(region)
        return [
            StoredVideo(
                row[0], video, sources[row[0]], tuple(snapshots.get(row[0], ())), tuple(regions.get(row[0], ()))
            )
            for row, video in zip(rows, videos_from(rows))
        ]

    def snapshot_times(self, video_ids: Sequence[str]) -> dict[str, set[datetime]]:
        """The times of the snapshots held of each of these videos (TikTok ids)."""
        found: dict[str, set[datetime]] = {}
        with self._read() as db:  # type: ignore[attr-defined]
            for start in range(0, len(video_ids), 500):
                chunk = list(video_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for video_id, at in db.execute(
                    "SELECT v.video_id, s.fetched_at FROM stats_snapshots s JOIN videos v ON v.id = s.video_id"
                    f" WHERE v.video_id IN ({marks})",
                    chunk,
                ).fetchall():
                    found.setdefault(video_id, set()).add(moment(at))  # type: ignore[arg-type]
        return found

    def tag_fetches(self) -> list[TagFetch]:
        """Every tag's last whole fetch, and per region."""
        with self._read() as db:  # type: ignore[attr-defined]
            plain = db.execute("SELECT tag, fetched_at, source, videos FROM tag_fetches").fetchall()
            regional = db.execute("SELECT tag, fetched_at, source, videos, region FROM tag_region_fetches").fetchall()
        return [TagFetch(t, moment(at), s, n) for t, at, s, n in plain] + [  # type: ignore[arg-type]
            TagFetch(t, moment(at), s, n, r)
            for t, at, s, n, r in regional  # type: ignore[arg-type]
        ]

    def saved_total(self) -> int:
        with self._read() as db:  # type: ignore[attr-defined]
            return db.execute("SELECT count(*) FROM saved_songs").fetchone()[0]
