"""Alerts for a watched niche: a song whose rising score crosses a threshold, said once per crossing.

Which songs are above the threshold is kept in a small JSON file beside the database, so a
song is reported when it crosses, not at every round it stays above (and `watch --once` from
cron remembers between runs); it may alert again after it has fallen below. Delivery: a line
on stdout, a desktop notification where `notify-send` exists, and the user's command run as an
argument list (never through a shell) with the alert as JSON on its stdin. A delivery that
fails is a warning, never the end of the watch.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tiktune_tui.core.results import SongRank
from tiktune_tui.files import write_text
from tiktune_tui.text import json_text, short_count, terminal_safe

DEFAULT_THRESHOLD = 10_000  # plays gained per day in the niche
COMMAND_TIMEOUT_S = 30


def state_path(database: Path) -> Path:
    return database.with_name(database.name + ".alerts.json")


@dataclass(frozen=True)
class Alert:
    row: SongRank
    tags: tuple[str, ...]
    threshold: int
    since: str | None = None  # --since: only videos posted in this period counted

    def as_dict(self) -> dict[str, object]:
        terms = dict(self.row.explanation.terms) if self.row.explanation else {}
        return {
            "music_id": self.row.song.id,
            "title": self.row.song.title,
            "author": self.row.song.author,
            "tags": list(self.tags),
            "plays_per_day": self.row.score,
            "threshold": self.threshold,
            "plays_gained": terms.get("plays_gained", 0),
            "new_videos": terms.get("new_videos", 0),
            "new_in_niche": bool(terms.get("new_in_niche")),
            "earlier": terms.get("earlier"),
            "latest": terms.get("latest"),
            "since": self.since,
        }

    def line(self) -> str:
        tags = " ".join("#" + terminal_safe(tag) for tag in self.tags)
        new = dict(self.row.explanation.terms).get("new_videos", 0) if self.row.explanation else 0
        return (
            f"alert: {terminal_safe(self.row.song.credit)} is rising in {tags}: "
            f"+{short_count(int(self.row.score))} plays/day (threshold {short_count(self.threshold)}, "
            f"{int(new)} new video{'' if new == 1 else 's'}"
            f"{f', videos posted since {terminal_safe(self.since)}' if self.since else ''})"
        )


class Alerts:
    """Crossings of `threshold` among the rising rows of `tags`, remembered in `path`."""

    def __init__(
        self, path: Path, tags: Sequence[str], threshold: int = DEFAULT_THRESHOLD, *, since: str | None = None
    ) -> None:
        self.path = path
        self.tags = tuple(tags)
        self.threshold = threshold
        self.since = since
        # Each period keeps its own crossings: a song may be above in 7d and not in all time.
        self.key = " ".join(self.tags) + (f" since {since}" if since else "")

    def _above(self) -> set[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return set(data.get(self.key, []))
        except (OSError, ValueError, AttributeError):
            return set()  # none yet, or unreadable: at worst a crossing is said again

    def crossings(self, rows: Sequence[SongRank]) -> list[Alert]:
        """The rows at or above the threshold now that were not at the last check; remembers the new set."""
        above_now = [row for row in rows if row.score >= self.threshold]
        before = self._above()
        fresh = [Alert(row, self.tags, self.threshold, self.since) for row in above_now if row.song.id not in before]
        current = {row.song.id for row in above_now}
        if current != before:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
                if not isinstance(data, dict):
                    data = {}
            except (OSError, ValueError):
                data = {}
            data[self.key] = sorted(current)
            write_text(self.path, json_text(data))
        return fresh


def deliver(
    alert: Alert,
    *,
    command: str | None = None,
    say: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
    notify: bool = True,
) -> None:
    """Say the alert, notify the desktop where notify-send exists, run the user's command."""
    line = alert.line()
    say(line)
    if notify and (notify_send := shutil.which("notify-send")):
        try:
            subprocess.run(
                [notify_send, "tiktune", line],
                timeout=COMMAND_TIMEOUT_S,
                check=False,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError):
            pass  # no desktop session: the stdout line stands
    if command:
        argv = shlex.split(command)
        try:
            done = subprocess.run(
                argv,
                input=json_text(alert.as_dict()),
                text=True,
                timeout=COMMAND_TIMEOUT_S,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            warn(f"tiktune: warning: --alert-cmd {terminal_safe(argv[0])} failed: {terminal_safe(str(exc))}")
            return
        if done.returncode != 0:
            warn(f"tiktune: warning: --alert-cmd {terminal_safe(argv[0])} exited with status {done.returncode}")
