"""The tag input: completes the last word from known hashtags, and recalls past queries (kept across sessions)."""

from __future__ import annotations

import re

from textual.suggester import Suggester

from tiktune_tui.core.tags import normalize_tag
from tiktune_tui.library.history import QueryHistory
from tiktune_tui.ui.keymap import INPUT_BINDINGS
from tiktune_tui.ui.widgets.safe_input import SafeInput

# The word being typed: whatever follows the last separator parse_tags knows.
_LAST_WORD = re.compile(r"[^\s,#]+$")


class TagSuggester(Suggester):
    """Completes the word under the cursor, not the whole line, with the most used matching tag."""

    def __init__(self) -> None:
        # No cache: the tag list arrives after start-up, and a scan is cheap.
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags: list[str] = []

    async def get_suggestion(self, value: str) -> str | None:
        return self.complete(value)

    def complete(self, value: str) -> str | None:
        match = _LAST_WORD.search(value)
        if match is None:
            return None
        word = normalize_tag(match.group())
        for tag in self.tags:  # most used first, so the first hit is the best
            if len(tag) > len(word) and tag.startswith(word):
                return value + tag[len(word) :]
        return None


class TagInput(SafeInput):
    BINDINGS = INPUT_BINDINGS

    def __init__(self, *, history: QueryHistory | None = None, id: str = "tags") -> None:
        self.tag_suggester = TagSuggester()
        super().__init__(
            placeholder="hashtags, e.g. fyp viral — Enter searches, → completes",
            suggester=self.tag_suggester,
            id=id,
        )
        self.saved_history = history
        self.history: list[str] = history.load() if history is not None else []
        self._history_index: int | None = None
        self._draft = ""

    def remember(self, query: str) -> None:
        query = query.strip()
        if query and (not self.history or self.history[-1] != query):
            self.history.append(query)
            if self.saved_history is not None:
                self.saved_history.add(query)
        self._history_index = None

    def _recall(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)

    def action_history_previous(self) -> None:
        if not self.history:
            return
        if self._history_index is None:
            self._draft = self.value
            self._history_index = len(self.history)
        self._history_index = max(0, self._history_index - 1)
        if self._history_index and self.history[self._history_index] == self.value.strip():
            self._history_index -= 1  # the query on screen is not a step back
        self._recall(self.history[self._history_index])

    def action_history_next(self) -> None:
        if self._history_index is None:
            # Past the newest query, down goes on to the results below.
            self.screen.focus_next()
            return
        self._history_index += 1
        if self._history_index >= len(self.history):
            self._history_index = None
            self._recall(self._draft)
        else:
            self._recall(self.history[self._history_index])

    def action_leave(self) -> None:
        self.screen.focus_next()
