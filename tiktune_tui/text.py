"""Making untrusted text (from TikTok, from files, from config) safe to print on a terminal.

The one place every output goes through: the table, CSV and stderr use `terminal_safe`,
every `--json` uses `json_text`, Textual widgets put `terminal_safe` text in `Text` objects.
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

# What a terminal must never receive raw from outside: the C0 controls and DEL (ESC starts CSI
# and OSC sequences: clear the screen, retitle the window, write the clipboard), the C1 controls
# (U+009B is a one-character CSI on some terminals), the bidi controls that reorder what is shown
# (embeddings, overrides, isolates, and the marks LRM, RLM, ALM), and lone surrogates (no terminal
# encoding can write them: printing one would crash instead of showing it).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}\\ud800-\\udfff]")
# In JSON text the C0 controls are already escaped by the encoder (and a raw newline there is
# layout); the rest of the set is valid JSON raw, so the encoder leaves it: we escape it.
_JSON_UNSAFE = re.compile(f"[\\x7f-\\x9f{_BIDI}\\ud800-\\udfff]")


def terminal_safe(text: str) -> str:
    """`text` with every control character replaced by a visible escape like \\x1b, \\x9b or
    \\u202e. The escapes are plain ASCII, so escaping twice changes nothing more."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def json_text(data: object, *, indent: int | None = 2) -> str:
    """`data` as JSON whose every C0, C1, bidi control and lone surrogate is a \\uXXXX escape:
    printed on a terminal it does nothing, parsed it gives back exactly the same strings."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_json(data: object, stream: TextIO) -> None:
    """Every `--json` output: `json_text(data)` and a newline."""
    stream.write(json_text(data) + "\n")


# A cell a spreadsheet would read as a formula: `=HYPERLINK(...)` in a TikTok title, opened in
# Excel or LibreOffice, runs there. A leading apostrophe makes every spreadsheet show it as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """`text` that no spreadsheet will evaluate: one starting like a formula gets a leading '."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(
    rows: Iterable[Mapping[str, object]], fields: Sequence[str], stream: TextIO, *, raw: bool = False
) -> None:
    """Every `--csv` output. Text cells are terminal-safe and spreadsheet-safe unless `raw`
    (the bytes as TikTok sent them, for a pipe that asked for exactly that)."""

    def cell(value: object) -> object:
        if raw or not isinstance(value, str):
            return value
        return spreadsheet_safe(terminal_safe(value))

    writer = csv.DictWriter(stream, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: cell(value) for name, value in row.items()})


def visible_controls(text: str) -> str:
    """`text` with every control character drawn as one visible cell: C0 controls as their
    Unicode control pictures (ESC as ␛, DEL as ␡), C1 and bidi controls as �. Same length,
    so an index into `text` is an index into the result (an editable field needs that)."""
    return _UNSAFE.sub(_control_picture, text)


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal (wide CJK and emoji count two)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch == "\u200d" or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def short_count(value: int) -> str:
    """12345678 -> "12.3M": how TikTok and our table show big numbers."""
    for limit, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if value >= limit:
            scaled = value / limit
            text = f"{scaled:.1f}" if scaled < 100 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return str(value)


def file_size(size_bytes: int) -> str:
    """812 KB, 3.4 MB, 1.2 GB: a size readable at a glance (decimal units, as file managers show)."""
    for limit, unit in ((10**9, "GB"), (10**6, "MB"), (10**3, "KB")):
        if size_bytes >= limit:
            return f"{size_bytes / limit:.1f} {unit}" if size_bytes < 100 * limit else f"{size_bytes // limit} {unit}"
    return f"{size_bytes} bytes"


def short_score(score: int | float) -> str:
    """Engagement scores are counts (12.3M); fit scores are reals (81.6)."""
    if isinstance(score, int):
        return short_count(score)
    return short_count(int(score)) if score >= 10_000 else f"{score:.1f}"


# Lengths and positions as a clock shows them: 75 s is "1:15", past an hour "1:02:03".
UNKNOWN = "-:--"


def format_clock(seconds: float | None, unknown: str = UNKNOWN) -> str:
    """`m:ss`, or `h:mm:ss` past an hour, seconds cut (not rounded) as a clock shows them.

    `unknown` stands for a length no one knows: None, and values that are no length at all
    (negative, NaN, infinite).
    """
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return unknown
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
