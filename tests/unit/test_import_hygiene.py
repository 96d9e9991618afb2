"""Each headless module, imported alone in a fresh interpreter, leaves the UI and libVLC unloaded.

The import contracts in pyproject.toml (`make lint`) check the static imports; this checks what
really lands in `sys.modules`, which also catches an import a plugin or a package's `__init__`
drags in at run time. Modules are found by walking the package, so a new module is covered
without touching this file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# One worker runs them all, so the probe (one interpreter for every module) runs once per suite.
pytestmark = pytest.mark.xdist_group("import_hygiene")

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tiktune_tui"

# The UI and the one command that starts it may load anything; `__main__` runs the program on import.
NOT_HEADLESS = ("tiktune_tui.ui", "tiktune_tui.commands.app", "tiktune_tui.__main__")
UI_MODULES = ("textual", "rich", "tiktune_tui.ui")
# What core may load of tiktune (besides itself): the safe-text helper and the package's own __init__.
CORE_MAY_IMPORT = ("tiktune_tui", "tiktune_tui.text")


def _is_within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def headless_modules() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        module = ".".join(parts)
        if not any(_is_within(module, excluded) for excluded in NOT_HEADLESS):
            found.append(module)
    return found


def forbidden_for(module: str, loaded: list[str]) -> list[str]:
    """The modules in `loaded` that `module` must not bring in."""
    bad = [name for name in loaded if any(_is_within(name, ui) for ui in UI_MODULES)]
    if not _is_within(module, "tiktune_tui.playback"):
        bad += [name for name in loaded if _is_within(name, "vlc")]
    if _is_within(module, "tiktune_tui.core"):
        bad += [
            name
            for name in loaded
            if _is_within(name, "tiktune_tui")
            and name not in CORE_MAY_IMPORT
            and not _is_within(name, "tiktune_tui.core")
        ]
    return sorted(set(bad))


# Third-party modules that import Rich only if it happens to be installed, for a CLI of their own we never
# use (httpx's `httpx` command). The probe tells them Rich is absent, as it would be without Textual.
OPTIONAL_RICH_IMPORTERS = ("httpx._main",)
# Heavy third-party packages the headless layers may use, loaded once in the probe before it forks a child
# per module, so each child pays only for tiktune's own imports. Sound because the probe first checks that
# they load none of the watched modules: whatever a child adds came from the tiktune module it imported.
PRELOADED = ("TikTokApi", "playwright.async_api", "httpx", "ffmpeg", "platformdirs", "sqlite3", "asyncio")
WATCHED = ("tiktune_tui", "textual", "rich", "vlc")
# Probed too, as a control: the UI does load Textual, so a probe that saw nothing would be caught.
CONTROL = "tiktune_tui.ui.app"

# A fresh interpreter: preload, check, then for each module fork a child that imports it alone and
# reports the watched modules then loaded (JSON, one line per module).
_PROBE = r"""
import importlib, importlib.abc, json, os, sys

modules, importers, preloaded, watched = (json.loads(arg) for arg in sys.argv[1:5])

class RichAbsentFor(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] != 'rich':
            return None
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_globals.get('__name__') in importers:
                raise ImportError('rich is not for ' + frame.f_globals['__name__'])
            frame = frame.f_back
        return None

def loaded():
    return sorted(n for n in sys.modules if n.split('.')[0] in watched)

sys.meta_path.insert(0, RichAbsentFor())
for name in preloaded:
    importlib.import_module(name)
print(json.dumps({'': loaded()}), flush=True)
for module in modules:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            importlib.import_module(module)
            report = loaded()
        except BaseException as exc:
            report = {'error': f'{type(exc).__name__}: {exc}'}
        os.write(write_end, json.dumps({module: report}).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        print(pipe.read(), flush=True)
    os.waitpid(pid, 0)
"""


@pytest.fixture(scope="module")
def loaded_by_module() -> dict[str, list[str] | dict]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    args = [[*headless_modules(), CONTROL], OPTIONAL_RICH_IMPORTERS, PRELOADED, WATCHED]
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *map(json.dumps, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    reports: dict = {}
    for line in result.stdout.splitlines():
        reports.update(json.loads(line))
    return reports


def test_the_walk_finds_the_headless_layers():
    modules = headless_modules()
    for layer in ("core", "library", "playback", "export", "commands"):
        assert any(_is_within(m, f"tiktune_tui.{layer}") for m in modules), layer
    assert not any(_is_within(m, "tiktune_tui.ui") for m in modules)
    assert "tiktune_tui.commands.app" not in modules


def test_the_check_itself_names_what_does_not_belong():
    assert forbidden_for("tiktune_tui.library", ["textual.app", "tiktune_tui.library"]) == ["textual.app"]
    assert forbidden_for("tiktune_tui.export", ["vlc"]) == ["vlc"]
    assert forbidden_for("tiktune_tui.playback.player", ["vlc"]) == []
    assert forbidden_for("tiktune_tui.core.modes", ["tiktune_tui.text", "tiktune_tui.paths"]) == ["tiktune_tui.paths"]


def test_the_preloaded_packages_load_nothing_watched(loaded_by_module):
    assert loaded_by_module[""] == []


def test_the_probe_sees_what_the_ui_loads(loaded_by_module):
    assert "textual" in loaded_by_module[CONTROL]
    assert "textual" in forbidden_for(CONTROL, loaded_by_module[CONTROL])


@pytest.mark.parametrize("module", headless_modules())
def test_a_headless_module_loads_no_ui_and_no_libvlc(module, loaded_by_module):
    loaded = loaded_by_module[module]
    assert "error" not in loaded, f"importing {module} failed: {loaded}"
    assert forbidden_for(module, loaded) == [], f"importing {module} loads modules it must not"
