"""A radio button and a checkbox whose state shows in its shape, not only its colour.

Textual draws both states with the same glyph in two colours, which a colour-blind user or a
monochrome terminal cannot tell apart. These draw `(•)` / `( )` and `[x]` / `[ ]`.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


class _Shaped:
    ON: str
    OFF: str

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")  # type: ignore[attr-defined]
        return Content.assemble((self.ON if self.value else self.OFF, style))  # type: ignore[attr-defined]


class ShapedRadioButton(_Shaped, RadioButton):
    ON, OFF = "(•)", "( )"


class ShapedCheckbox(_Shaped, Checkbox):
    ON, OFF = "[x]", "[ ]"
