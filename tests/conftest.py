"""Every test runs offline, with its own data and config dirs, and no real browser by accident."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TIKTUNE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("TIKTUNE_CONFIG_DIR", str(home / "config"))
    for name in ("TIKTUNE_MS_TOKEN", "TIKTUNE_PROXY", "TIKTUNE_DEBUG", "ms_token"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIKTUNE_AUDIO_OUTPUT", "dummy")
    return home


@pytest.fixture(autouse=True)
def no_real_browser(request, monkeypatch):
    """A real Chromium starts only in tests marked `browser`; anywhere else it is a bug."""
    if request.node.get_closest_marker("browser"):
        return
    from TikTokApi import TikTokApi

    async def refuse(*args, **kwargs):
        raise AssertionError("TikTokApi.create_sessions called in a test not marked `browser`")

    monkeypatch.setattr(TikTokApi, "create_sessions", refuse)
