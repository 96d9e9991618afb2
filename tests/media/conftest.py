"""Fixtures of the real-media tests: a libVLC player on the dummy output, closed after the test."""

from __future__ import annotations

import pytest

from tests.support.player_support import Recorder
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.playback.player import Player, PlayerState


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def make_player(tmp_path, recorder):
    players: list[Player] = []

    def make(**kwargs) -> Player:
        kwargs.setdefault("cache", AudioCache(tmp_path / "audio"))
        kwargs.setdefault("audio_output", "dummy")
        player = Player(listener=recorder, **kwargs)
        players.append(player)
        player.wait_for(lambda s: s.state != PlayerState.STARTING)
        return player

    yield make
    for player in players:
        player.close()
        assert player.threads == []
