"""The find line over the results: an incremental filter by title or artist (`f` opens it).

Hidden until asked for, so the screen of a plain search looks as it always did.
"""

from __future__ import annotations

from textual.binding import Binding

from tiktune_tui.ui.keymap import FIND_BINDINGS
from tiktune_tui.ui.widgets.safe_input import SafeInput


class FindInput(SafeInput):
    # The app clears the filter (it owns the table); the key is the input's.
    BINDINGS = [Binding(b.key, f"app.{b.action}", b.description, show=b.show, id=b.id) for b in FIND_BINDINGS]
