"""The app with real libVLC and no audio device: one quiet note, no pop-up."""

from __future__ import annotations

from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tests.support.waiting import until
from tiktune_tui.playback import vlc_setup as player_module


async def test_no_audio_device_is_one_quiet_status_note(tmp_path, monkeypatch):
    monkeypatch.delenv("TIKTUNE_AUDIO_OUTPUT")
    monkeypatch.setattr(
        player_module, "find_audio_problem", lambda: "No audio device found (over SSH?): playing silently."
    )
    app = make_app(write_catalog(tmp_path / "ui.csv"), tags=["cooking"], audio_output=None)
    async with app.run_test(notifications=True) as pilot:
        await wait_for_search(pilot)
        await until(pilot, lambda: "audio" in app.status.parts)
        assert "no audio device" in app.status.parts["audio"].plain
        assert not [n for n in app._notifications if "audio device" in n.message]
