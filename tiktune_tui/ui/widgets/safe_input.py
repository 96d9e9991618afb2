"""An Input that never sends what it holds to the terminal raw.

Textual's Input draws its value as it is, so a file name or a pasted tag with an ESC or a
bidi override in it would reach the terminal as a control sequence. SafeInput keeps the
value exact (a path must still open the file) and draws every unsafe character as one
visible cell (ESC as ␛, others as �), so the cursor still lands on the right character.

Textual 8 has no public hook for how an Input draws its value, so this overrides two
private ones, `Input._value` (the text drawn) and `Input._position_to_cell` (where the
cursor goes). `tests/app/test_textual_hooks.py` fails loudly if an upgrade changes them.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input

from tiktune_tui.text import visible_controls

# The private Input members SafeInput overrides; the hooks test checks Textual still has them.
TEXTUAL_HOOKS = ("_value", "_position_to_cell")


def shown_text(value: str) -> Text:
    """`value` as the input draws it: one visible cell per unsafe character."""
    return Text(visible_controls(value), no_wrap=True, overflow="ignore", end="")


class SafeInput(Input):
    @property
    def _value(self) -> Text:  # Textual private hook: the text the Input renders
        if self.password:
            return super()._value
        text = shown_text(self.value)
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:  # Textual private hook: the cursor's cell
        return shown_text(self.value[:position]).cell_len
