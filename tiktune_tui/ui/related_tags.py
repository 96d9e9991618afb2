"""Under the tag input: tags that often go with the query's, each added with one digit key."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from tiktune_tui.text import terminal_safe


class RelatedTags(Static):
    SHOWN = 5

    def __init__(self, *, id: str = "related") -> None:
        super().__init__(id=id)
        self.tags: list[str] = []

    def show_tags(self, tags: Sequence[str]) -> None:
        self.tags = list(tags)[: self.SHOWN]
        self.set_class(bool(self.tags), "-shown")
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.tags:
            line.append("related ", style="dim")
            for number, tag in enumerate(self.tags, start=1):
                line.append(f" {number} ", style="bold reverse")
                line.append(" #" + terminal_safe(tag) + " ")
            line.append(" press a number to add", style="dim")
        self.update(line)

    def tag_at(self, index: int) -> str | None:
        return self.tags[index] if 0 <= index < len(self.tags) else None
