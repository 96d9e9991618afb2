"""An Input that never sends what it holds to the terminal raw.

Textual's Input draws its value as it is, so a file name or a pasted tag with an ESC or a
bidi override in it would reach the terminal as a control sequence. SafeInput keeps the
value exact (a path must still open the file) and draws every unsafe character as one
visible cell (ESC as ␛, others as �), so the cursor still lands on the right character.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input

from tiktune_tui.text import visible_controls


class SafeInput(Input):
    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        text = Text(visible_controls(self.value), no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:
        return Text(visible_controls(self.value[:position])).cell_len
