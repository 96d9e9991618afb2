"""What `tiktune doctor` reports, and the one way each check is run: in a thread, with a time limit.

The checks themselves live next to what they check (export for ffmpeg, playback for libVLC,
library/sources for TikTok and Chromium, library for the data dir, database and config);
this leaf only holds the shape of an answer and the runner, so none of them imports another.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class CheckResult:
    """One line of the doctor's table. `fix` is one concrete line, empty when nothing is wrong.

    `needed`: whether the main job (find songs, play them, export) needs it; a failing needed
    check makes `tiktune doctor` exit 1, a failing optional one is reported as a warning.
    """

    name: str
    status: Status
    result: str
    fix: str = ""
    needed: bool = True
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "check": self.name,
            "status": self.status,
            "result": self.result,
            "fix": self.fix,
            "needed": self.needed,
            "seconds": round(self.seconds, 3),
        }


def ok(name: str, result: str, *, needed: bool = True) -> CheckResult:
    return CheckResult(name, "ok", result, needed=needed)


def problem(name: str, result: str, fix: str, *, needed: bool = True) -> CheckResult:
    """A failure when the main job needs it, a warning otherwise."""
    return CheckResult(name, "fail" if needed else "warn", result, fix, needed=needed)


@dataclass(frozen=True)
class Check:
    """A named check: `run` returns one or more results; it may take at most `limit_s` seconds."""

    name: str
    run: Callable[[], CheckResult | Sequence[CheckResult]]
    limit_s: float = 2.0
    needed: bool = True
    fix_on_timeout: str = ""


@dataclass
class _Outcome:
    results: list[CheckResult] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


def run_checks(checks: Sequence[Check]) -> list[CheckResult]:
    """Every check at once, each on its own daemon thread; one past its limit is reported as such.

    A check that hangs (a Chromium that never starts, a DNS server that never answers) is
    abandoned, not waited for: its thread is a daemon and dies with the process.
    """
    started = time.monotonic()
    outcomes = [_Outcome() for _ in checks]
    for check, outcome in zip(checks, outcomes):
        threading.Thread(target=_run_one, args=(check, outcome), name=f"doctor-{check.name}", daemon=True).start()
    results: list[CheckResult] = []
    for check, outcome in zip(checks, outcomes):
        remaining = check.limit_s - (time.monotonic() - started)
        if outcome.done.wait(max(0.0, remaining)):
            results.extend(outcome.results)
        else:
            results.append(
                problem(
                    check.name,
                    f"no answer within {check.limit_s:g} s",
                    check.fix_on_timeout or "run `tiktune doctor` again; if it repeats, run with --debug",
                    needed=check.needed,
                )
            )
    return results


def _run_one(check: Check, outcome: _Outcome) -> None:
    started = time.monotonic()
    try:
        answer = check.run()
        found = [answer] if isinstance(answer, CheckResult) else list(answer)
    except Exception as exc:  # noqa: BLE001 - a check that breaks is itself a finding
        found = [
            problem(
                check.name,
                f"the check failed: {exc.__class__.__name__}: {exc}",
                "report this with the output of `tiktune doctor --debug`",
                needed=check.needed,
            )
        ]
    spent = time.monotonic() - started
    outcome.results = [CheckResult(r.name, r.status, r.result, r.fix, r.needed, r.seconds or spent) for r in found]
    outcome.done.set()


def healthy(results: Sequence[CheckResult]) -> bool:
    """Everything the main job needs works (warnings allowed)."""
    return not any(r.status == "fail" for r in results)
