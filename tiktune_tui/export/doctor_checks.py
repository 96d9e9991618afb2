"""`tiktune doctor`: is ffmpeg here, and can it do what an export asks of it?"""

from __future__ import annotations

import re
import shutil
import subprocess

from tiktune_tui.health import Check, CheckResult, ok, problem

# What export's filter graph and encoders use (exporter.build_args).
NEEDED_FILTERS = ("aformat", "volume", "apad", "atrim", "afade", "amix")
NEEDED_ENCODERS = ("aac", "libx264")
INSTALL_FFMPEG = "apt-get install ffmpeg"
# ffmpeg answers in ~0.1 s; the limit only matters on a machine busy with other work.
TIME_LIMIT_S = 15.0
BUSY_FIX = "run `tiktune doctor` again when the machine is less busy; if it repeats, apt-get install --reinstall ffmpeg"


def _version(program: str) -> str | None:
    out = subprocess.run(
        [program, "-hide_banner", "-version"], capture_output=True, text=True, timeout=TIME_LIMIT_S, check=False
    ).stdout
    match = re.search(r"version (\S+)", out)
    return match[1] if match else None


def _listed(program: str, what: str, names: tuple[str, ...]) -> list[str]:
    """The `names` that `ffmpeg -filters`/`-encoders` does not list."""
    out = subprocess.run(
        [program, "-hide_banner", f"-{what}"], capture_output=True, text=True, timeout=TIME_LIMIT_S, check=False
    ).stdout
    present = {parts[1] for line in out.splitlines() if len(parts := line.split()) >= 2}
    return [name for name in names if name not in present]


def check_ffmpeg() -> list[CheckResult]:
    path = shutil.which("ffmpeg")
    if path is None:
        return [problem("ffmpeg", "not found on PATH", INSTALL_FFMPEG)]
    from concurrent.futures import ThreadPoolExecutor

    # Three ffmpeg runs side by side: each spends most of its time starting.
    with ThreadPoolExecutor(3) as pool:
        version_run = pool.submit(_version, path)
        filters = pool.submit(_listed, path, "filters", NEEDED_FILTERS)
        encoders = pool.submit(_listed, path, "encoders", NEEDED_ENCODERS)
        version = version_run.result() or "unknown version"
        missing = filters.result() + encoders.result()
    if missing:
        return [
            problem(
                "ffmpeg",
                f"{version} at {path} lacks {', '.join(missing)}",
                f"{INSTALL_FFMPEG} (Debian's build has them all)",
            )
        ]
    return [ok("ffmpeg", f"{version} at {path}, with the filters and encoders export needs")]


def check_ffprobe() -> CheckResult:
    path = shutil.which("ffprobe")
    if path is None:
        return problem("ffprobe", "not found on PATH", INSTALL_FFMPEG)
    return ok("ffprobe", f"{_version(path) or 'unknown version'} at {path}")


def checks() -> list[Check]:
    return [
        Check("ffmpeg", check_ffmpeg, limit_s=TIME_LIMIT_S, fix_on_timeout=BUSY_FIX),
        Check("ffprobe", check_ffprobe, limit_s=TIME_LIMIT_S, fix_on_timeout=BUSY_FIX),
    ]
