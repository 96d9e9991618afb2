"""The app on the team store: a failing server is one line in the status line, and the last
results stay on screen."""

from __future__ import annotations

from tests.support.postgres import fresh_database, server_url
from tests.support.ui_catalog import FIXED_NOW, wait_for_search
from tiktune_tui.config import Settings
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.sources import SourceOptions
from tiktune_tui.library.store import open_store


async def test_a_store_that_fails_keeps_the_last_results_and_says_why(monkeypatch):
    import psycopg

    from tiktune_tui.ui.app import TiktuneApp

    with fresh_database() as url:
        with open_store(url) as store:
            store.save_videos(
                [
                    Video(str(1000 + i), Song(str(7000 + i), title=f"song {i}"), ("dance",), Stats(i, 0, 0, 0))
                    for i in range(3)
                ]
            )
        monkeypatch.setenv("TIKTUNE_STORE", url)
        app = TiktuneApp(
            tags=["dance"],
            source=SourceOptions(kind="store"),
            settings=Settings(),
            clock=lambda: FIXED_NOW,
            audio_output="dummy",
        )
        async with app.run_test() as pilot:
            await wait_for_search(pilot)
            assert app.search_state == "done" and len(app.table.song_ids()) == 3
            with psycopg.connect(server_url(), autocommit=True) as admin:
                name = url.rsplit("/", 1)[1]
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            app.search_state = "idle"
            app.start_search(["dance"])
            await wait_for_search(pilot)
            assert app.search_state == "failed"
            status = str(app.status.render())
            assert "does not exist" in status or "does not exist" in repr(app.status.content)
            assert len(app.table.song_ids()) == 3  # what was found before stays on screen
