"""Every test runs offline, with its own data and config dirs, and no real browser by accident.

Also: one fixed terminal and locale for everything the suite starts, and the serial group that
keeps tests which cannot share the machine out of each other's way under pytest-xdist.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis judges its own speed by the clock: on a loaded 2-core machine (xdist workers, CI) its
# "input generation is slow" check and per-example deadline fail tests that are right. Timing is not
# what these tests are about; the examples they try are the same.
settings.register_profile("tiktune", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tiktune")

# `engine` and `make_store`: the store's tests run on SQLite and on PostgreSQL.
pytest_plugins = ["tests.support.stores"]

SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# What Rich and Textual read to pick colours, width and glyphs. Fixed here, before any test and any
# xdist worker starts, so the suite gives the same output under any TERM, locale or terminal size;
# a test about one of these sets it itself with monkeypatch.
FIXED_ENVIRONMENT = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
UNSET_ENVIRONMENT = (
    *("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES"),
    # Textual's own switches; not TEXTUAL_SNAPSHOT_*, which pytest-textual-snapshot sets for its workers.
    *("TEXTUAL", "TEXTUAL_DRIVER", "TEXTUAL_COLOR_SYSTEM", "TEXTUAL_ANIMATIONS", "TEXTUAL_FPS", "TEXTUAL_THEME"),
)

# Marker names whose tests run one at a time, in one xdist worker (`--dist loadgroup`):
# `browser` starts Chromium (memory and CPU hungry on 2 cores); `serial` for anything else that cannot
# share the machine (heavy timing-sensitive media work, fixed ports, machine-wide state).
SERIAL_MARKERS = ("browser", "serial")


def pytest_configure(config):
    os.environ.update(FIXED_ENVIRONMENT)
    for name in UNSET_ENVIRONMENT:
        os.environ.pop(name, None)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(name) for name in SERIAL_MARKERS):
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TIKTUNE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("TIKTUNE_CONFIG_DIR", str(home / "config"))
    # TIKTUNE_STORE: also what `--store` sets for the rest of a process, so a test's own is undone after it.
    for name in ("TIKTUNE_MS_TOKEN", "TIKTUNE_PROXY", "TIKTUNE_DEBUG", "TIKTUNE_STORE", "ms_token"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIKTUNE_AUDIO_OUTPUT", "dummy")
    # A developer's desktop session must not receive every test app over MPRIS.
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
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
