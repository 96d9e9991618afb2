"""Turning what a user types (or what a catalog holds) into canonical hashtags."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

from tiktune_tui.text import terminal_safe

MAX_TAGS = 10
MAX_TAG_LENGTH = 100

# '#' separates too, so a pasted "#fyp#viral" gives two tags.
_SEPARATORS = re.compile(r"[\s,#]+")
_FORBIDDEN_ASCII = frozenset(string.punctuation) - {"_"}


class TagError(ValueError):
    """A tag the user typed cannot be a TikTok hashtag; the message names it."""


def normalize_tag(raw: str) -> str:
    """Canonical form used on both sides of every comparison.

    NFC first, so a tag typed with combining accents matches the catalog's
    precomposed Vietnamese; casefold rather than lower so "Straße" finds "strasse".
    """
    return unicodedata.normalize("NFC", raw.strip().lstrip("#")).casefold()


def _bad_character(tag: str) -> str | None:
    for ch in tag:
        if ch in _FORBIDDEN_ASCII or unicodedata.category(ch) in ("Cc", "Cs"):
            return ch
    return None


def _shown(piece: str) -> str:
    """A piece of a query as an error message may quote it: controls escaped, and the bytes a
    command line held that were not UTF-8 (Python keeps them as lone surrogates) as \\xNN."""
    try:
        piece = piece.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no byte gave: say its code point instead
        piece = piece.encode("utf-8", "backslashreplace").decode("utf-8")
    return terminal_safe(piece)


def parse_tags(text: str | Iterable[str]) -> list[str]:
    """Split, normalise, validate and de-duplicate the tags of a query.

    `text` is either one string as typed ("#Cooking, diy  #DIY") or the words
    of a command line; the result keeps first-seen order: ["cooking", "diy"].
    """
    joined = text if isinstance(text, str) else " ".join(text)
    # Counted before any tag is checked, so 100,000 pasted words are refused at once.
    tags = list(dict.fromkeys(tag for tag in map(normalize_tag, _SEPARATORS.split(joined)) if tag))
    if not tags:
        raise TagError("no tags given: type one or more hashtags, e.g. cooking diy")
    if len(tags) > MAX_TAGS:
        raise TagError(f"too many tags ({len(tags)}): at most {MAX_TAGS} per query")
    for piece in _SEPARATORS.split(joined):
        tag = normalize_tag(piece)
        bad = _bad_character(tag)
        if bad is None:
            pass
        elif unicodedata.category(bad) == "Cs":
            raise TagError(f'invalid tag "{_shown(piece)}": not valid UTF-8')
        else:
            raise TagError(
                f'invalid tag "{_shown(piece)}": {terminal_safe(repr(bad))} is not allowed '
                "(letters, digits, emoji and _ only)"
            )
        if len(tag) > MAX_TAG_LENGTH:
            raise TagError(f'invalid tag "{_shown(piece[:20])}…": longer than {MAX_TAG_LENGTH} characters')
    return tags


def split_catalog_tags(field: str) -> tuple[str, ...]:
    """Hashtags of a stored or catalog video (space separated), normalised, in order.

    Catalog data is not user input: odd characters are kept rather than refused.
    """
    seen: dict[str, None] = {}
    for piece in field.split():
        tag = normalize_tag(piece)
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)
