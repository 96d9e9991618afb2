"""The footer of keys, changed in place when the focus moves.

Textual's `Footer` removes and mounts every key at each change of the active bindings, that
is at each focus change, one frame later: with the stylesheet applied to each new key and
the screen laid out and drawn again, that was 130 ms of the 1,000-song queue's opening (`u`
moves the focus to the panel). This footer keeps its keys: a key that goes away is hidden,
one that comes back is shown again, in the same frame as the focus change; only a key never
shown before is mounted. What it draws is what `Footer.compose` would have drawn (the
snapshots hold it to that).
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeySpec(NamedTuple):
    """One key as the footer shows it (FooterKey's arguments)."""

    key: str
    key_display: str
    description: str
    action: str
    disabled: bool
    tooltip: str


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._shown: list[KeySpec] | None = None

    def on_mount(self) -> None:
        # Footer's own subscription (made after this one) calls bindings_changed after this
        # footer's pending messages: keys hidden or shown then came after the screen had begun
        # the layout for the change that moved the focus, and asked for a second one (a second
        # frame, a screen-update tick later). Called at once, they are in that layout.
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed_now, immediate=True)

    def _bindings_changed_now(self, screen: Screen) -> None:
        """In the publisher's handler: only keys already mounted are shown or hidden here
        (mounting and composing belong to this footer's own turn, bindings_changed)."""
        if screen.app.app_focus and self._shown is not None and self.is_attached and screen is self.screen:
            self._rewrite_keys(mount=False)

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            if self._shown is not None and self._rewrite_keys():
                return  # at once: in the same layout and frame as the change that moved the focus
            self.call_after_refresh(self._recompose)

    def _wanted(self) -> list[KeySpec] | None:
        """The keys `Footer.compose` would yield, in its order (the command palette's key aside);
        None where it would group keys (tiktune has no binding groups; Textual's way then)."""
        by_action: defaultdict[str, list] = defaultdict(list)
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        wanted = []
        for same_action in by_action.values():
            binding, enabled, tooltip = same_action[0]
            if binding.group is not None:
                return None
            display = self.app.get_key_display(binding)
            wanted.append(KeySpec(binding.key, display, binding.description, binding.action, not enabled, tooltip))
        return wanted

    async def _recompose(self) -> None:
        if self.is_attached:
            self._shown = self._wanted()
            await self.recompose()

    def _rewrite_keys(self, mount: bool = True) -> bool:
        """Show the wanted keys by showing, hiding and (for a key never shown) mounting keys;
        False if they are not this footer's to change (then Textual's compose), or if a key
        would have to be mounted and `mount` is False (then nothing changed)."""
        wanted = self._wanted()
        if wanted is None:
            return False
        if wanted == self._shown:
            return True
        keys = [key for key in self.query_children(FooterKey) if not key.has_class("-command-palette")]
        specs = [_spec(key) for key in keys]
        # Each wanted key: the shown key it is (an index into keys), or None for a new one.
        found: list[int | None] = []
        position = 0
        for spec in wanted:
            index = next((n for n in range(position, len(keys)) if specs[n] == spec), None)
            found.append(index)
            if index is not None:
                position = index + 1
        if not mount and None in found:
            return False
        # A key that goes away is hidden where it is, not removed: the focus coming back (Esc
        # from the queue) shows it again, and the keys beside it keep their size.
        position = 0
        for spec, index in zip(wanted, found):
            if index is not None:
                position = index + 1
                continue
            new = self._new_key(spec)
            if position < len(keys):
                self.mount(new, before=keys[position])
            else:
                palette = self.query_children(".-command-palette")
                if palette:
                    self.mount(new, before=palette.first())
                else:
                    self.mount(new)
        shown = {index for index in found if index is not None}
        for index, key in enumerate(keys):
            key.display = index in shown
        self._shown = wanted
        return True

    def _new_key(self, spec: KeySpec) -> FooterKey:
        key = FooterKey(
            spec.key, spec.key_display, spec.description, spec.action, disabled=spec.disabled, tooltip=spec.tooltip
        )
        key.compact = self.compact  # as data_bind(compact=Footer.compact) does in compose
        return key


def _spec(key: FooterKey) -> KeySpec:
    return KeySpec(key.key, key.key_display, key.description, key.action, key._disabled, key.tooltip or "")


__all__ = ["KeyFooter"]
