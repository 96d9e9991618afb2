"""Regenerate the README's screenshots (screenshots/*.svg) from the app on the bundled catalog.

Run with `make screenshots`. Each picture is the app driven headless by Pilot,
so they always show the current UI.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "screenshots"


async def shoot(name: str, size: tuple[int, int], tags: list[str], keys: list[str], mode: str = "popular") -> Path:
    from tiktune_tui.config import Settings
    from tiktune_tui.library.sources import SourceOptions
    from tiktune_tui.ui.app import TiktuneApp

    # The bundled catalog by name: the pictures do not depend on the network of the machine that made them.
    app = TiktuneApp(
        tags=tags,
        source=SourceOptions(kind="catalog"),
        settings=Settings(),
        clock=lambda: datetime(2025, 6, 1, tzinfo=UTC),
        mode=mode,
    )
    async with app.run_test(size=size) as pilot:
        app.tag_input.cursor_blink = False
        for _ in range(1000):
            if not tags or app.search_state in ("done", "failed"):
                break
            await pilot.pause(0.01)
        if tags:
            app.table.focus()
            related = app.query_one("#related")
            for _ in range(300):  # the related tags arrive from their own worker
                if related.tags:
                    break
                await pilot.pause(0.01)
        await pilot.press(*keys)
        await pilot.pause(0.2)
        path = OUT / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"tiktune {' '.join(tags)}".strip()), encoding="utf-8")
    return path


async def main() -> int:
    OUT.mkdir(exist_ok=True)
    # Keep the user's real data and config out of the pictures.
    home = tempfile.mkdtemp(prefix="tiktune-shots-")
    os.environ["TIKTUNE_DATA_DIR"] = str(Path(home) / "data")
    os.environ["TIKTUNE_CONFIG_DIR"] = str(Path(home) / "config")
    os.environ["TIKTUNE_AUDIO_OUTPUT"] = "dummy"
    os.environ.pop("TIKTUNE_MS_TOKEN", None)
    shots = [
        ("main-120x36", (120, 36), ["fyp", "viral"], ["j", "j"]),
        ("main-80x24", (80, 24), ["xuhuong"], ["j"]),
        ("help-120x36", (120, 36), ["fyp"], ["question_mark"]),
        ("start-80x24", (80, 24), [], []),
        ("fit-120x36", (120, 36), ["dance", "kpop"], ["j"], "fit"),
        ("export-120x36", (120, 36), ["fyp"], ["e"]),
    ]
    for name, size, tags, keys, *mode in shots:
        print(await shoot(name, size, tags, keys, *mode))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(asyncio.run(main()))
