"""Hostile text in the app, checked where it matters: the bytes Textual writes to the terminal.

A catalog whose file name, titles, artists and tags hold C0 and C1 controls, bidi controls,
OSC 0/8/52, CSI and Rich markup, and a config.toml whose [keys] hold a key name with OSC 0
(refused with a notice, the default kept), are driven through the header (the title: in tmux a
crafted file name renamed the pane), the status line, the table, the details, the music bar,
the footer, the toasts, the export modal and the help screen. The app runs under a driver
that records every byte written to the terminal (the headless driver writes nothing); once
Textual's own CSI sequences are taken out, no ESC, C0 (but newline), C1 or bidi control may be
left, and the escaped text must be there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.drivers.headless_driver import HeadlessDriver

from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tiktune_tui.config import Settings
from tiktune_tui.text import terminal_safe

FILE_NAME = "songs \x1b]0;pwned\x07\x9b\u202e[b]x\x1b[2J.csv"
OSC_LINK = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
TITLE = "t \x1b]0;pwned\x07\x9b31m"
ARTIST = "a \x1b]52;c;ZXZpbA==\x07\u202eevil"
MARKUP = "[bold red]x[/]"
LINK_MARKUP = "[link=http://evil.example]y[/link]"
HOSTILE_KEY = "\x1b]0;keys\x07"

# (video, hashtags, music, title, author, duration, plays, likes, comments, shares, created)
VIDEOS = [
    ("2001", "hostile tag\x1b[2j tag\u202eevil", "21", TITLE, ARTIST, "60", 9000, 0, 0, 0, "2025-05-01T10:00:00Z"),
    ("2002", "hostile tag\x9b31m", "22", MARKUP, LINK_MARKUP, "60", 5000, 0, 0, 0, "2025-05-02T10:00:00Z"),
    ("2003", "hostile", "23", f"l {OSC_LINK}", "b \x00\u2066\u200f", "60", 1000, 0, 0, 0, "2025-05-03T10:00:00Z"),
]

# Textual's own output: CSI sequences (SGR colours, cursor moves, modes) and OSC 22, the mouse
# pointer's shape, by name. Nothing else may start with ESC.
TEXTUAL_OWN = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\]22;[a-z-]+\x07")
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class RecordingDriver(HeadlessDriver):
    """The headless driver that says it is not headless, so the app paints as onto a real
    terminal, and keeps what it is given."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.written: list[str] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self.written.append(data)

    def flush(self) -> None:
        pass


def on_the_terminal(app) -> str:
    """Everything written to the terminal since the last call, Textual's CSI sequences taken out;
    fails on any control character left."""
    driver = app._driver
    data, driver.written[:] = "".join(driver.written), []
    visible = TEXTUAL_OWN.sub("", data)
    found = RAW_CONTROL.search(visible)
    assert found is None, (
        f"raw {found.group()!r} reached the terminal: {visible[max(0, found.start() - 60) : found.start() + 60]!r}"
    )
    return visible


async def shown_eventually(pilot, *expected: str) -> str:
    """What reached the terminal until every `expected` text is among it (the screen is
    painted on Textual's own clock, after the change): checked for raw controls throughout."""
    shown = ""
    for _ in range(300):
        shown += on_the_terminal(pilot.app)
        if all(text in shown for text in expected):
            return shown
        await pilot.pause(0.02)
    missing = [text for text in expected if text not in shown]
    raise AssertionError(f"never shown: {missing!r}")


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.fixture
def catalog(tmp_path) -> Path:
    return write_catalog(tmp_path / FILE_NAME, VIDEOS)


async def test_nothing_hostile_reaches_the_terminal_raw(catalog):
    settings = Settings(keys={"export": HOSTILE_KEY, "\x1b]2;id\x07": "x"})
    app = make_app(catalog, tags=["hostile"], settings=settings)
    app.driver_class = RecordingDriver
    async with app.run_test(headless=False, size=(200, 50), notifications=True) as pilot:
        assert isinstance(app._driver, RecordingDriver)
        await wait_for_search(pilot)
        await settle(pilot)
        safe_label = "catalog " + terminal_safe(FILE_NAME)
        assert app.sub_title == safe_label  # what the header (and any terminal title) is given
        assert not RAW_CONTROL.search(app.title)

        await shown_eventually(
            pilot,
            f"tiktune — {safe_label}",  # the header
            f"{safe_label} · ranked by popular",  # the status line
            terminal_safe(TITLE),
            terminal_safe(ARTIST),  # the table, the details, the music bar
            MARKUP,  # literally, never interpreted
            "#" + terminal_safe("tag\x1b[2j"),  # the details' video hashtags
            "e Export",  # the footer: the hostile key name is refused (a notice), the default kept
        )
        # The config notice naming the unknown binding is a toast: it may have come and gone
        # on a busy machine before this looks, but if it was painted it was checked above.

        # The other rows: the details and the music bar follow the cursor.
        app.table.focus()
        await pilot.press("down")
        await shown_eventually(pilot, f"by {LINK_MARKUP}", f"{MARKUP} — {LINK_MARKUP}")  # details, music bar
        await pilot.press("down")
        await shown_eventually(pilot, "b \\x00\\u2066\\u200f · ", terminal_safe(f"l {OSC_LINK}"))

        await pilot.press("up", "up")
        await settle(pilot)
        app.action_export()  # the export modal, for the hostile song
        await settle(pilot)
        assert type(app.screen).__name__ == "ExportScreen"
        await shown_eventually(pilot, terminal_safe(TITLE) + " — " + terminal_safe(ARTIST))
        await pilot.press("escape")
        await settle(pilot)

        app.action_help()
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await shown_eventually(pilot, "Keys", "Put the song over your video")
        await pilot.press("escape")
        await settle(pilot)
        on_the_terminal(app)


async def test_a_hostile_title_set_later_is_escaped_too(catalog):
    app = make_app(catalog)
    async with app.run_test() as pilot:
        app.title = "x\x1b]0;pwned\x07"
        app.sub_title = "\u202e\x9b"
        await pilot.pause()
        assert app.title == "x\\x1b]0;pwned\\x07" and app.sub_title == "\\u202e\\x9b"
        # Whatever names a key reaches the footer and the help screen escaped.
        binding = Binding("x", "quit", "Quit", key_display=HOSTILE_KEY)
        assert app.get_key_display(binding) == terminal_safe(HOSTILE_KEY)
