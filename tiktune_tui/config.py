"""User settings: a TOML file in the config dir, overridden by environment variables.

Defaults just work; the file is optional. Example `config.toml`:

    [tiktok]
    ms_token = "..."        # or $TIKTUNE_MS_TOKEN
    proxy = "http://..."    # or $TIKTUNE_PROXY
    region = "GB"           # or $TIKTUNE_REGION / --region: the country TikTok is asked for
    prefetch = 3            # songs whose audio is fetched ahead when live results arrive

    [player]
    audio_output = "pulse"  # or $TIKTUNE_AUDIO_OUTPUT

    [ranking]
    weights = "play=1,digg=2,comment=3,share=4"

    [keys]                  # binding id = keys, see `?` in the app
    play-pause = "space"

    [watch]                 # watch lists: `tiktune watch @cooking`
    cooking = ["cooking", "recipe"]
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tiktune_tui.errors import TiktuneError
from tiktune_tui.paths import config_dir

CONFIG_NAME = "config.toml"


class ConfigError(TiktuneError):
    pass


# The keys each table may hold; `tiktune doctor` names any other as unknown ([keys] takes any id).
KNOWN_SETTINGS: dict[str, frozenset[str] | None] = {
    "tiktok": frozenset({"ms_token", "proxy", "region", "prefetch"}),
    "player": frozenset({"audio_output"}),
    "ranking": frozenset({"weights"}),
    "keys": None,
    "watch": None,
}
DEFAULT_PREFETCH = 3


@dataclass(frozen=True)
class Settings:
    ms_token: str | None = None
    proxy: str | None = None
    audio_output: str | None = None
    weights: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    region: str | None = None  # ISO country code, upper case; None: TikTokApi's default (US)
    prefetch: int = DEFAULT_PREFETCH
    watch_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # [watch] name -> tags
    # The store: a postgresql:// URL (a team's server); None: the SQLite file in the data dir.
    store_url: str | None = None

    @property
    def has_tiktok_token(self) -> bool:
        return bool(self.ms_token)


def _text(table: dict, key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string")
    return value or None


def _proxy(value: str | None, where: str) -> str | None:
    """A proxy URL checked as TikTok's browser will read it, so that a typo is named at once
    (the value itself is never quoted: it may hold a password)."""
    if not value:
        return None
    try:
        parts = urlsplit(value if "://" in value else f"http://{value}")
        parts.port  # noqa: B018 - reading it is the check: a port that is no number raises
        ok = bool(parts.hostname)
    except ValueError:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        ok = False
    if not ok:
        raise ConfigError(f"{where} is not a proxy URL like http://user:pass@host:port")
    return value


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_dir() / CONFIG_NAME
    data: dict = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    tiktok = data.get("tiktok", {}) or {}
    player = data.get("player", {}) or {}
    ranking = data.get("ranking", {}) or {}
    keys = data.get("keys", {}) or {}
    store = data.get("store", {}) or {}
    if not all(isinstance(t, dict) for t in (tiktok, player, ranking, keys, store)):
        raise ConfigError(f"{path}: [tiktok], [player], [ranking], [keys] and [store] must be tables")
    if not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(f'{path}: every [keys] value must be a string like "ctrl+j"')
    env = os.environ
    prefetch = tiktok.get("prefetch", DEFAULT_PREFETCH)
    if isinstance(prefetch, bool) or not isinstance(prefetch, int) or not 0 <= prefetch <= 20:
        raise ConfigError(f"{path}: [tiktok] prefetch must be a whole number from 0 to 20")
    region = env.get("TIKTUNE_REGION") or _text(tiktok, "region", str(path))
    if region is not None:
        from tiktune_tui.core.region import RegionError, parse_region

        try:
            region = parse_region(region)
        except RegionError as exc:
            raise ConfigError(f"{path}: [tiktok] region: {exc}") from None
    return Settings(
        watch_lists=_watch_lists(data.get("watch", {}), str(path)),
        store_url=env.get("TIKTUNE_STORE") or _text(store, "url", str(path)),
        ms_token=env.get("TIKTUNE_MS_TOKEN") or _text(tiktok, "ms_token", str(path)),
        proxy=_proxy(env.get("TIKTUNE_PROXY"), "TIKTUNE_PROXY")
        or _proxy(_text(tiktok, "proxy", str(path)), f"{path}: [tiktok] proxy"),
        audio_output=env.get("TIKTUNE_AUDIO_OUTPUT") or _text(player, "audio_output", str(path)),
        weights=_text(ranking, "weights", str(path)),
        keys=dict(keys),
        path=path,
        region=region,
        prefetch=prefetch,
    )


def _watch_lists(table: object, where: str) -> dict[str, tuple[str, ...]]:
    """[watch] name = ["tag", ...]: each list's tags checked as a query's are."""
    from tiktune_tui.core.tags import TagError, parse_tags
    from tiktune_tui.text import terminal_safe

    if not table:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [watch] must be a table of lists")
    lists: dict[str, tuple[str, ...]] = {}
    for name, tags in table.items():
        label = terminal_safe(str(name))
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ConfigError(f'{where}: [watch] {label} must be a list of tags like ["cooking", "recipe"]')
        try:
            lists[str(name)] = tuple(parse_tags(tags))
        except TagError as exc:
            raise ConfigError(f"{where}: [watch] {label}: {exc}") from None
    return lists
