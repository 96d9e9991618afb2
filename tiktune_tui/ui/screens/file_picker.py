"""A modal file picker limited to some file types, with an "up" button and a typed path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Static

from tiktune_tui.text import terminal_safe
from tiktune_tui.ui.widgets.safe_input import SafeInput


class FilteredTree(DirectoryTree):
    """Folders and the files whose suffix is allowed; hidden entries left out."""

    def __init__(self, path: Path, suffixes: frozenset[str], *, id: str | None = None) -> None:
        self.suffixes = suffixes
        super().__init__(path, id=id)

    def process_label(self, label: str | Text) -> Text:
        # Tree reads a str label as Rich markup; a file name is shown literally, escapes visible.
        if isinstance(label, str):
            return Text(terminal_safe(label), no_wrap=True, overflow="ellipsis")
        return label

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in self.suffixes:
                    yield path
            except OSError:
                continue


class FilePicker(ModalScreen[Path | None]):
    """Returns the chosen file, or None. Typing a path and Enter works as well as the tree."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="picker-cancel")]

    def __init__(self, title: str, start: Path, suffixes: frozenset[str]) -> None:
        super().__init__()
        self.title_text = title
        self.start = start if start.is_dir() else Path.cwd()
        self.suffixes = suffixes

    def compose(self) -> ComposeResult:
        with Vertical(id="picker") as box:
            box.border_title = self.title_text
            box.border_subtitle = " ".join(sorted(self.suffixes))
            with Horizontal(id="picker-top"):
                yield Button("↑ Up", id="picker-up")
                yield SafeInput(str(self.start), id="picker-path", placeholder="type a path and press Enter")
            yield FilteredTree(self.start, self.suffixes, id="picker-tree")
            yield Static(id="picker-error")
            with Horizontal(id="picker-buttons"):
                yield Button("Cancel", id="picker-close")

    def on_mount(self) -> None:
        self.query_one("#picker-tree", FilteredTree).focus()

    @property
    def tree(self) -> FilteredTree:
        return self.query_one("#picker-tree", FilteredTree)

    def _go(self, folder: Path) -> None:
        self.tree.path = folder
        self.query_one("#picker-path", Input).value = str(folder)
        self.query_one("#picker-error", Static).update("")

    @on(Button.Pressed, "#picker-up")
    def go_up(self) -> None:
        self._go(Path(self.tree.path).absolute().parent)

    @on(Button.Pressed, "#picker-close")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    @on(DirectoryTree.FileSelected, "#picker-tree")
    def chose_file(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Path(event.path))

    @on(Input.Submitted, "#picker-path")
    def typed_path(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        if path.is_dir():
            self._go(path)
        elif path.is_file():
            self.dismiss(path)
        else:
            self.query_one("#picker-error", Static).update(Text(f"{path}: no such file or folder"))
