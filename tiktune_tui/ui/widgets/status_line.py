"""One line under the tag input: the source and its age, search progress, the result count, the sort.

Parts are named so later features (ranking modes) add theirs without reshuffling the rest.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tiktune_tui.library.sources.base import TagProgress
from tiktune_tui.text import terminal_safe

# The short parts first: when the line is cut (80 columns, many tags), the tag list goes, not the sort.
PART_ORDER = ("source", "mode", "period", "audio", "progress", "sort", "filter", "found", "results", "prefetch", "note")


class StatusLine(Static):
    def __init__(self, *, id: str = "status") -> None:
        super().__init__(id=id)
        self.parts: dict[str, Text] = {}
        self._tags: dict[str, TagProgress] = {}

    def set_part(self, name: str, value: str | Text | None) -> None:
        if value is None or value == "":
            self.parts.pop(name, None)
        else:
            self.parts[name] = value if isinstance(value, Text) else Text(value)
        self._render_parts()

    def start_search(self, tags: list[str]) -> None:
        self._tags = {tag: TagProgress(tag, 0, "running") for tag in tags}
        self.set_part("results", None)
        self._show_progress()

    def tag_progress(self, progress: TagProgress) -> None:
        self._tags[progress.tag] = progress
        self._show_progress()

    def finish_search(self) -> None:
        self._tags = {}
        self.set_part("progress", None)

    def _show_progress(self) -> None:
        text = Text()
        for index, progress in enumerate(self._tags.values()):
            if index:
                text.append(" ")
            text.append("#" + terminal_safe(progress.tag))
            if progress.state == "running":
                text.append(" …", style="dim")
            elif progress.state == "done":
                text.append(f" ✓{progress.videos}", style="dim")
            else:
                text.append(" ✗", style="bold")
        self.set_part("progress", text)

    def _render_parts(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        for name in PART_ORDER:
            part = self.parts.get(name)
            if part is None:
                continue
            if line:
                line.append(" · ", style="dim")
            line.append_text(part)
        # One line whatever it says (height 1, the width of the screen): no layout of the
        # whole screen for a new count or note.
        self.update(line, layout=False)
