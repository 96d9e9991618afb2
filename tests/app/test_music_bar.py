"""The music bar in a small host app: keys drive it, it shows what the real player does."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, Static

import tiktune_tui.ui
from tests.support.player_support import make_tone, serve_directory, song
from tests.support.waiting import until
from tiktune_tui.core.models import Song
from tiktune_tui.playback import vlc_setup
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.playback.player import PlayerState, PlayerStatus
from tiktune_tui.playback.song_audio import NO_PREVIEW
from tiktune_tui.text import format_clock
from tiktune_tui.ui.widgets.music_bar import MusicBar, SeekBar

TCSS = Path(tiktune_tui.ui.__file__).parent / "tiktune.tcss"


class BarApp(App):
    """Hosts the bar the way the app does: app-level keys calling the bar's public API."""

    CSS_PATH = TCSS
    BINDINGS = [
        Binding("enter", "play", "Play"),
        Binding("space", "play_pause", "Play/pause"),
        Binding("n", "next", "Next"),
        Binding("p", "previous", "Previous"),
        Binding("less_than_sign", "seek(-5)", "Back 5 s"),
        Binding("greater_than_sign", "seek(5)", "Forward 5 s"),
        Binding("plus,equals_sign", "volume(5)", "Louder"),
        Binding("minus", "volume(-5)", "Softer"),
        Binding("m", "mute", "Mute"),
    ]

    def __init__(self, songs: list[Song] = (), **bar_options) -> None:
        super().__init__()
        self.songs = list(songs)
        self.bar_options = {"audio_output": "dummy", **bar_options}

    def compose(self) -> ComposeResult:
        yield Static("songs", id="body")
        yield MusicBar(id="music-bar", **self.bar_options)

    @property
    def bar(self) -> MusicBar:
        return self.query_one(MusicBar)

    def action_play(self) -> None:
        self.bar.play_songs(self.songs, 0)

    def action_play_pause(self) -> None:
        self.bar.toggle_pause()

    def action_next(self) -> None:
        self.bar.next_song()

    def action_previous(self) -> None:
        self.bar.previous_song()

    def action_seek(self, seconds: float) -> None:
        self.bar.seek_relative(seconds)

    def action_volume(self, delta: int) -> None:
        self.bar.change_volume(delta)

    def action_mute(self) -> None:
        self.bar.toggle_mute()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tones")
    make_tone(directory / "a.mp3", 1.5, 440)
    make_tone(directory / "b.mp3", 1.5, 550)
    # Long enough that no step of a test outlives it, however loaded the machine.
    make_tone(directory / "long.mp3", 40, 330)
    with serve_directory(directory) as url:
        yield url


def text_of(app: App, selector: str) -> str:
    content = app.query_one(selector, Label).content
    return content.plain if isinstance(content, Text) else str(content)


def shows_position_near(app: App, seconds: float) -> bool:
    """The player is within half a second of `seconds` and the bar's clock says so."""
    position = app.bar.status.position_s
    return abs(position - seconds) < 0.5 and text_of(app, "#bar-time").startswith(format_clock(position) + " / ")


def test_the_ui_styles_live_in_the_one_stylesheet():
    """A DEFAULT_CSS beside tiktune.tcss splits the styles in two places that can disagree."""
    import importlib
    import inspect
    import pkgutil

    from textual.dom import DOMNode

    found = []
    for module_info in pkgutil.iter_modules(tiktune_tui.ui.__path__, "tiktune_tui.ui."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, DOMNode) and value.__module__ == module.__name__:
                if "DEFAULT_CSS" in vars(value):
                    found.append(f"{module.__name__}.{name}")
    assert found == []


async def test_the_seek_bar_is_one_line_wide_as_the_row_from_the_stylesheet():
    app = BarApp()
    async with app.run_test(size=(80, 10)):
        bar = app.query_one(SeekBar)
        assert bar.size.height == 1
        assert bar.styles.width is not None and bar.styles.width.is_fraction


async def test_keys_drive_the_bar_and_the_progress_text_updates(base_url):
    songs = [song("a", base_url + "long.mp3", title="Long"), song("b", base_url + "b.mp3", title="Bee")]
    app = BarApp(songs)
    async with app.run_test(size=(80, 8)) as pilot:
        # The player's status reaches the bar's labels in a message of its own: waited for, not read at once.
        await until(pilot, lambda: app.bar.player.status.state == PlayerState.IDLE)
        await until(pilot, lambda: text_of(app, "#bar-volume") == "vol 80%")
        await pilot.press("enter")
        await until(pilot, lambda: text_of(app, "#bar-state") == "▶")
        await until(pilot, lambda: (text_of(app, "#bar-title"), text_of(app, "#bar-place")) == ("Long — ffmpeg", "1/2"))
        # libVLC estimates the length early and refines it within a moment.
        await until(pilot, lambda: text_of(app, "#bar-time").endswith((" / 0:39", " / 0:40")))
        first = text_of(app, "#bar-time")
        await until(pilot, lambda: text_of(app, "#bar-time") != first)
        await pilot.press("space")
        await until(pilot, lambda: text_of(app, "#bar-state") == "⏸")
        paused_at = app.bar.status.position_s
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: shows_position_near(app, paused_at + 5))
        await pilot.press("less_than_sign")
        await until(pilot, lambda: shows_position_near(app, paused_at))
        await pilot.press("space")
        await until(pilot, lambda: text_of(app, "#bar-state") == "▶")
        await pilot.press("plus")
        await until(pilot, lambda: text_of(app, "#bar-volume") == "vol 85%")
        await pilot.press("minus", "minus")
        await until(pilot, lambda: text_of(app, "#bar-volume") == "vol 75%")
        await pilot.press("m")
        await until(pilot, lambda: text_of(app, "#bar-volume") == "muted")
        await pilot.press("n")
        await until(pilot, lambda: text_of(app, "#bar-title") == "Bee — ffmpeg")
        await pilot.press("p")
        await until(pilot, lambda: text_of(app, "#bar-title") == "Long — ffmpeg")
        player = app.bar.player
    assert player.threads == []


async def test_clicking_the_progress_bar_seeks(base_url):
    app = BarApp([song("long", base_url + "long.mp3")])
    async with app.run_test(size=(80, 8)) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: (app.bar.status.duration_s or 0) > 39)
        await pilot.press("space")
        await until(pilot, lambda: app.bar.status.state == PlayerState.PAUSED)
        bar = app.query_one("#bar-progress", SeekBar)
        width = bar.content_size.width
        await pilot.click("#bar-progress", offset=(width // 2, 0))
        await until(pilot, lambda: app.bar.status.position_s > 4)
        expected = (width // 2 + 0.5) / width * app.bar.status.duration_s
        assert app.bar.status.position_s == pytest.approx(expected, abs=0.5)
        await until(pilot, lambda: bar.fraction == pytest.approx(0.5, abs=0.05))


async def test_untrusted_titles_are_shown_literally(base_url):
    hostile = Song(id="x", title="[bold red]boom[/] \x1b[2J", author="[link=x]me[/link]", play_url=base_url + "a.mp3")
    app = BarApp([hostile])
    async with app.run_test(size=(100, 8)) as pilot:
        app.bar.show_song(hostile)
        await pilot.pause()
        assert text_of(app, "#bar-title") == "[bold red]boom[/] \\x1b[2J — [link=x]me[/link]"


async def test_a_song_without_audio_says_why(base_url):
    app = BarApp([song("catalog", None, title="From the catalog")])
    async with app.run_test(size=(140, 8)) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: app.bar.has_class("-message") and "No preview" in text_of(app, "#bar-message"))
        assert text_of(app, "#bar-message") == NO_PREVIEW
        assert not app.query_one("#bar-progress").display
        await until(pilot, lambda: any(NO_PREVIEW in n.message for n in app._notifications))


async def test_a_resolver_given_to_the_bar_is_used(base_url):
    app = BarApp([song("7001", None)], resolve=lambda s: base_url + "a.mp3")
    async with app.run_test(size=(80, 8)) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: text_of(app, "#bar-state") == "▶")


async def test_the_bar_plays_with_what_it_is_given_not_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TIKTUNE_AUDIO_OUTPUT", "from-the-environment")
    cache = AudioCache(tmp_path / "given-cache")
    app = BarApp([], cache=cache)
    app.bar_options["audio_output"] = None
    async with app.run_test(size=(80, 8)) as pilot:
        await until(pilot, lambda: app.bar.player.status.state != PlayerState.STARTING)
        assert app.bar.player.audio_output is None  # libVLC's default; the env is config's business
        assert app.bar.player.cache is cache
    app = BarApp([], audio_output="dummy")
    async with app.run_test(size=(80, 8)):
        assert app.bar.player.audio_output == "dummy"


async def test_libvlc_missing_the_bar_says_how_to_install(monkeypatch):
    def broken():
        raise vlc_setup.PlaybackUnavailable(
            f"Playback unavailable: libVLC not found. Install it: {vlc_setup.INSTALL_HINT}"
        )

    monkeypatch.setattr(vlc_setup, "_import_vlc", broken)
    app = BarApp([song("a", None)])
    async with app.run_test(size=(120, 8)) as pilot:
        await until(pilot, lambda: "apt-get install libvlc5 vlc-plugin-base" in text_of(app, "#bar-message"))
        app.bar.show_song(Song(id="1", title="Selected", author="Someone"))
        await pilot.press("enter", "space")
        await pilot.pause()
        assert text_of(app, "#bar-title") == "Selected — Someone"
        assert app.bar.has_class("-problem")


async def test_typing_in_an_input_does_not_reach_the_bar():
    class TypingApp(BarApp):
        def compose(self) -> ComposeResult:
            yield Input(id="tags")
            yield MusicBar(id="music-bar", start_player=False)

        def check_action(self, action, parameters):
            # The real app's rule, in miniature: printable keys belong to a focused Input.
            return not isinstance(self.focused, Input)

    app = TypingApp()
    async with app.run_test(size=(80, 8)) as pilot:
        app.bar.apply_status(PlayerStatus(state=PlayerState.IDLE, volume=80))
        await pilot.press("m", "space", "plus")
        assert app.query_one(Input).value == "m +"
        assert text_of(app, "#bar-volume") == "vol 80%"


def test_the_bar_while_playing(snap_compare):
    playing = PlayerStatus(
        state=PlayerState.PLAYING,
        song=Song(id="1", title="Espresso", author="Sabrina Carpenter", duration_s=175),
        index=2,
        count=20,
        position_s=62.4,
        duration_s=175.0,
        volume=80,
    )

    async def show(pilot) -> None:
        pilot.app.bar.apply_status(playing)
        await pilot.pause()

    assert snap_compare(BarApp(start_player=False), terminal_size=(80, 6), run_before=show)


def test_the_bar_when_playback_is_unavailable(snap_compare):
    unavailable = PlayerStatus(
        state=PlayerState.UNAVAILABLE,
        message=f"Playback unavailable: libVLC not found. Install it: {vlc_setup.INSTALL_HINT}",
    )

    async def show(pilot) -> None:
        pilot.app.bar.apply_status(unavailable)
        pilot.app.bar.show_song(Song(id="1", title="Espresso", author="Sabrina Carpenter"))
        await pilot.pause()

    assert snap_compare(BarApp(start_player=False), terminal_size=(100, 6), run_before=show)
