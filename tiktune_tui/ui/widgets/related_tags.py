"""Under the tag input: tags that often go with the query's, each added with one digit key.

Only the tags that fit the line are numbered: a key never adds a tag the user cannot see.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Static

from tiktune_tui.text import terminal_safe

LABEL = "related "
HINT = " press a number to add"
TAG_CELLS = 24  # a longer tag is cut with … so that one cannot crowd out the rest


class RelatedTags(Static):
    SHOWN = 5

    def __init__(self, *, id: str = "related") -> None:
        super().__init__(id=id)
        self.offered: list[str] = []
        self.tags: list[str] = []  # the ones on screen, numbered from 1

    def show_tags(self, tags: Sequence[str]) -> None:
        self.offered = list(tags)[: self.SHOWN]
        self.set_class(bool(self.offered), "-shown")
        self._lay_out()

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        width = self.content_region.width or 80
        line = Text(no_wrap=True)
        self.tags = []
        if self.offered:
            line.append(LABEL, style="dim")
            for number, tag in enumerate(self.offered, start=1):
                label = _clipped("#" + terminal_safe(tag))
                key = f" {number} "
                if cell_len(line.plain) + cell_len(key) + cell_len(label) + 2 > width:
                    break
                line.append(key, style="bold reverse")
                line.append(f" {label} ")
                self.tags.append(tag)
            if cell_len(line.plain) + cell_len(HINT) <= width:
                line.append(HINT, style="dim")
        self.update(line)

    def tag_at(self, index: int) -> str | None:
        return self.tags[index] if 0 <= index < len(self.tags) else None


def _clipped(label: str) -> str:
    if cell_len(label) <= TAG_CELLS:
        return label
    while cell_len(label) > TAG_CELLS - 1:
        label = label[:-1]
    return label + "…"
