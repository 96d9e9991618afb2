"""`tiktune doctor`: can libVLC play here, through which output, and how full is the audio cache?"""

from __future__ import annotations

import os
from typing import Any

from tiktune_tui.health import Check, CheckResult, ok, problem
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.playback.vlc_setup import INSTALL_HINT, PlaybackUnavailable, find_audio_problem, vlc_instance

# libVLC's own outputs that make no sound; listed so the user sees which ones can be heard.
_SILENT = {"adummy", "dummy", "amem", "afile"}
# libVLC starts by scanning its plugins (about a second, more on a busy machine).
TIME_LIMIT_S = 8.0


def audio_outputs(vlc: Any, instance: Any) -> list[str]:
    """The audio output modules libVLC has. python-vlc's iterator over the list crashes: walk it."""
    head = instance.audio_output_list_get()
    names: list[str] = []
    node = head
    while node:
        entry = node.contents
        names.append(entry.name.decode("utf-8", "replace") if isinstance(entry.name, bytes) else str(entry.name))
        node = entry.next
    if head:
        vlc.libvlc_audio_output_list_release(head)
    return names


def chosen_output(wanted: str | None, outputs: list[str]) -> tuple[str, str | None]:
    """The output the player would use and, when that is silent, why (as the player decides it)."""
    if wanted:
        name = "adummy" if wanted == "dummy" else wanted
        if name in outputs:
            return wanted, None
        return "libVLC's default", f"unknown audio output {wanted!r} (this libVLC has {', '.join(outputs)})"
    trouble = find_audio_problem()
    if trouble:
        return "dummy", "no audio device found (over SSH?): songs play silently"
    audible = [name for name in outputs if name not in _SILENT]
    return (audible[0] if audible else "libVLC's default"), None


def check_libvlc(audio_output: str | None) -> list[CheckResult]:
    try:
        vlc, instance = vlc_instance()
    except PlaybackUnavailable as exc:
        return [
            problem("libVLC", str(exc).split(". Install")[0], f"apt-get install {INSTALL_HINT.split('install ')[-1]}")
        ]
    version = vlc.libvlc_get_version()
    version = version.decode("utf-8", "replace") if isinstance(version, bytes) else str(version)
    outputs = audio_outputs(vlc, instance)
    audible = [name for name in outputs if name not in _SILENT]
    results = [ok("libVLC", f"{version}; audio outputs: {', '.join(audible) or 'none that make sound'}")]
    chosen, trouble = chosen_output(audio_output, outputs)
    if trouble:
        results.append(
            problem(
                "audio output",
                f"{chosen}: {trouble}",
                "set --audio-output pulse (or alsa), or audio_output under [player] in config.toml",
                needed=False,
            )
        )
    else:
        where = "from your settings" if audio_output else "chosen by tiktune"
        results.append(ok("audio output", f"{chosen} ({where})"))
    return results


def check_audio_cache(data_directory: str | os.PathLike[str] | None) -> CheckResult:
    cache = AudioCache.default(data_directory)
    songs, size = cache.usage()
    mb, cap = size / 2**20, cache.max_bytes / 2**20
    text = f"{songs} song{'s' if songs != 1 else ''}, {mb:.1f} MB of {cap:.0f} MB at {cache.directory}"
    if cache.directory.exists() and not cache.directory.is_dir():
        return problem("audio cache", f"{cache.directory} is a file, not a folder", f"move {cache.directory} away")
    return ok("audio cache", text)


def checks(audio_output: str | None, data_directory: str | os.PathLike[str] | None) -> list[Check]:
    return [
        Check(
            "libVLC",
            lambda: check_libvlc(audio_output),
            limit_s=TIME_LIMIT_S,
            fix_on_timeout=f"apt-get install --reinstall {INSTALL_HINT.split('install ')[-1]}",
        ),
        Check("audio cache", lambda: check_audio_cache(data_directory)),
    ]
