"""File names in the picker are shown literally: no markup, no terminal escapes."""

from textual.app import App

from tests.support.waiting import until
from tiktune_tui.ui.screens.file_picker import FilePicker


async def test_hostile_file_names_show_literally(tmp_path):
    (tmp_path / "[bold red]x[-].mp4").write_bytes(b"")
    (tmp_path / "evil\x1b[31m.mp4").write_bytes(b"")
    (tmp_path / "notes.txt").write_bytes(b"")

    class Host(App):
        def on_mount(self):
            self.push_screen(FilePicker("Pick a video", tmp_path, frozenset({".mp4"})))

    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.screen.query_one("#picker-tree")
        await until(pilot, lambda: len(tree.root.children) >= 2)
        labels = sorted(str(node.label) for node in tree.root.children)
        assert labels == ["[bold red]x[-].mp4", "evil\\x1b[31m.mp4"]  # .txt filtered out
        rendered = "".join(segment.text for y in range(tree.size.height) for segment in tree.render_line(y))
        assert "\x1b" not in rendered and "[bold red]x[-].mp4" in rendered
