"""Bad input on the command line and in the environment gets one clean line, never a traceback."""

import os
import subprocess
import time

import pytest

from tests.support.factories import video, write_catalog
from tests.unit.test_cli import TIKTUNE, tiktune
from tiktune_tui.config import ConfigError, load_settings


@pytest.fixture
def small_catalog(tmp_path):
    return write_catalog(tmp_path / "small.csv", [video("1", "100", "cooking", play=10)])


def run_bytes(*args: bytes, env=None) -> subprocess.CompletedProcess:
    """tiktune with raw bytes for arguments, as a shell passes a file name in Latin-1."""
    return subprocess.run(
        [TIKTUNE.encode(), *args],
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def one_error_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")  # strict: the line itself must be valid UTF-8
    assert text.startswith("tiktune: error: ") and text.count("\n") == 1, text
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize("words", [[b"recommend", b"caf\xe9"], [b"caf\xe9"], [b"fyp", b"\xff\xfe"]])
def test_a_tag_that_is_not_utf8_is_a_usage_error_naming_its_bytes(words):
    result = run_bytes(*words)
    assert result.returncode == 2
    message = one_error_line(result.stderr)
    bad = words[-1].decode("latin-1").encode("unicode_escape").decode("ascii")  # b"caf\xe9" -> caf\xe9
    assert f'invalid tag "{bad}": not valid UTF-8' in message
    assert result.stdout == b""


def test_the_app_refuses_a_tag_that_is_not_utf8_before_writing_its_history(tmp_path):
    result = run_bytes(b"caf\xe9", env={"TIKTUNE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and b"not valid UTF-8" in result.stderr
    assert not (tmp_path / "history.txt").exists()


@pytest.mark.parametrize("proxy", ["http://[::1", "http://host:99999", "http://host:port", "http://"])
def test_a_malformed_proxy_variable_is_named_in_one_line(small_catalog, proxy):
    result = tiktune(
        "recommend",
        "cooking",
        "--catalog",
        str(small_catalog),
        env={"TIKTUNE_PROXY": proxy},
    )
    assert result.returncode == 1
    assert result.stderr == "tiktune: error: TIKTUNE_PROXY is not a proxy URL like http://user:pass@host:port\n"
    assert proxy not in result.stderr.partition("like")[0]  # the value may hold a password: never quoted


def test_a_malformed_proxy_in_the_config_file_names_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("TIKTUNE_PROXY", raising=False)
    config = tmp_path / "config.toml"
    config.write_text('[tiktok]\nproxy = "http://[oops"\n')
    with pytest.raises(ConfigError, match=r"config.toml: \[tiktok\] proxy is not a proxy URL"):
        load_settings(config)
    config.write_text('[tiktok]\nproxy = "socks5://10.0.0.1:1080"\n')
    assert load_settings(config).proxy == "socks5://10.0.0.1:1080"


@pytest.mark.parametrize("command", [["recommend"], []])
def test_a_hundred_thousand_tags_are_refused_at_once(command):
    words = [f"t{i}" for i in range(100_000)]
    started = time.monotonic()
    result = tiktune(*command, *words)
    assert result.returncode == 2
    assert result.stderr == "tiktune: error: too many tags (100000): at most 10 per query\n"
    assert time.monotonic() - started < 60  # was 90 s; generous for a loaded machine


def test_a_limit_past_any_collection_means_all(tmp_path):
    from tiktune_tui.library.store import Store
    from tiktune_tui.paths import database_path

    with Store(database_path(str(tmp_path))) as store:
        store.save_videos([video("1", "100", "t"), video("2", "200", "t")])
    result = tiktune(
        "recommend",
        "t",
        "--source",
        "store",
        "--data-dir",
        str(tmp_path),
        "--limit",
        str(10**30),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count('"rank"') == 2
