"""`--source auto`: live TikTok when tiktok.com answers, the bundled catalog at once when it does not."""

from __future__ import annotations

import socket
import time

import pytest

from tiktune_tui.cli import main
from tiktune_tui.config import Settings, load_settings
from tiktune_tui.library.sources import SourceOptions, auto, default_kind, open_source
from tiktune_tui.library.sources.reachability import probe
from tiktune_tui.library.sources.tiktok import TikTokSource


@pytest.fixture(autouse=True)
def fresh_verdicts():
    auto.forget()
    yield
    auto.forget()


@pytest.fixture
def offline(monkeypatch):
    """tiktok.com refuses at once (a closed port on 127.0.0.1), as with no network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TIKTUNE_TIKTOK_ADDRESS", f"127.0.0.1:{port}")


@pytest.fixture
def online(monkeypatch):
    """tiktok.com accepts connections (a listening socket on 127.0.0.1)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    monkeypatch.setenv("TIKTUNE_TIKTOK_ADDRESS", f"127.0.0.1:{server.getsockname()[1]}")
    yield
    server.close()


def test_offline_auto_is_the_catalog_and_says_why(offline):
    started = time.monotonic()
    assert default_kind(SourceOptions(), Settings()) == "catalog"
    assert time.monotonic() - started < 0.5
    choice = auto.choice(Settings())
    assert choice.kind == "catalog" and "unreachable" in choice.reason
    assert choice.describe().startswith("auto: bundled catalog: ")
    assert open_source(SourceOptions(), load_settings()).label == "bundled catalog"


def test_online_auto_is_live_tiktok_even_without_a_token(online, tmp_path):
    choice = auto.choice(Settings())
    assert choice.kind == "tiktok" and "anonymous session" in choice.reason
    source = open_source(SourceOptions(data_dir=str(tmp_path)), load_settings())
    assert isinstance(source, TikTokSource)
    source.store.close()
    assert "with your token" in auto.choice(Settings(ms_token="tok")).reason


def test_auto_and_explicit_sources(offline):
    assert default_kind(SourceOptions(kind="auto"), Settings()) == "catalog"
    assert default_kind(SourceOptions(kind="tiktok"), Settings()) == "tiktok"
    assert default_kind(SourceOptions(catalog="x.csv"), Settings()) == "catalog"


def test_a_silent_host_is_given_up_on_within_the_limit(monkeypatch):
    # 192.0.2.0/24 is TEST-NET-1: routed nowhere, so a connect hangs until the timeout.
    monkeypatch.setenv("TIKTUNE_TIKTOK_ADDRESS", "192.0.2.1:443")
    started = time.monotonic()
    verdict = probe(timeout_s=0.3)
    assert not verdict.reachable and time.monotonic() - started < 1.0


def test_recommend_says_on_stderr_which_source_auto_chose_and_why(offline, capsys):
    assert main(["recommend", "cooking", "--limit", "1", "--json"]) == 0
    err = capsys.readouterr().err
    assert "tiktune: auto: bundled catalog: " in err and "unreachable" in err


def test_region_option_and_setting(monkeypatch, tmp_path, capsys):
    assert main(["recommend", "cooking", "--region", "Britain", "--source", "catalog"]) == 2
    assert "not a two-letter country code" in capsys.readouterr().err
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('[tiktok]\nregion = "gb"\nprefetch = 5\n')
    monkeypatch.setenv("TIKTUNE_CONFIG_DIR", str(config))
    settings = load_settings()
    assert (settings.region, settings.prefetch) == ("GB", 5)


def test_auto_falls_back_to_the_catalog_when_tiktok_refuses_the_session(online, monkeypatch, capsys):
    from tests.support.tiktok_fakes import refuse_anonymous_tokens

    refuse_anonymous_tokens(monkeypatch)
    assert main(["recommend", "cooking", "--limit", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("bundled catalog: ")
    assert "tiktune: warning: live TikTok unavailable, the bundled catalog answers instead: " in captured.err
    assert "a token usually fixes it" in captured.err
    # Asked for by name, TikTok's refusal stays an error.
    assert main(["recommend", "cooking", "--source", "tiktok"]) == 1
