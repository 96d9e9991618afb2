"""The catalog reader either reads a file or says in one line why not: over any text and any bytes."""

import gzip
import io
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiktune_tui.errors import TiktuneError
from tiktune_tui.library.catalog import (
    REQUIRED_COLUMNS,
    CatalogError,
    load_catalog,
    parse_catalog,
)

HEADER = ",".join(REQUIRED_COLUMNS) + "\n"
_names = itertools.count()  # a new file per example: load_catalog caches by path, size and mtime


def assert_one_line(error: TiktuneError) -> None:
    message = str(error)
    assert message and "\n" not in message and "\r" not in message
    message.encode("utf-8")  # printable as it stands


def read(text: str) -> None:
    try:
        parse_catalog(io.StringIO(text, newline=""), "x.csv")
    except CatalogError as error:
        assert_one_line(error)


@given(st.text())
def test_any_text_is_read_or_refused_in_one_line(text):
    read(text)


# Rows of plausible fields, odd ones mixed in: reaches the per-field checks a random text never does.
field = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "²",
            "٣",
            "1e3",
            " 7 ",
            "2025-01-01T00:00:00Z",
            "2025-13-01",
            "\x00",
            '"',
            "9" * 5000,
        ]
    ),
)
row = st.lists(field, min_size=0, max_size=len(REQUIRED_COLUMNS) + 2).map(lambda cells: ",".join(cells))


@given(st.lists(row, max_size=5))
def test_any_rows_under_a_good_header_are_read_or_refused_in_one_line(rows):
    read(HEADER + "\n".join(rows))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(), gzipped=st.booleans(), compress=st.booleans())
def test_any_file_is_read_or_refused_in_one_line(tmp_path, data, gzipped, compress):
    path = tmp_path / f"c{next(_names)}.csv{'.gz' if gzipped else ''}"
    path.write_bytes(gzip.compress(data) if gzipped and compress else data)
    try:
        load_catalog(path)
    except CatalogError as error:
        assert_one_line(error)


def test_what_the_properties_found():
    good = "1,a,2,t,a,0,0,0,0,2025-01-01T00:00:00Z"
    for header, body, message in [
        (
            "a" * 200_000 + "\n",
            "",
            "x.csv:1: field larger than field limit",
        ),  # the header line was read outside the guard
        (
            HEADER,
            good.replace(",0,0,0,0,", f",{10**19},0,0,0,"),
            "play_count is too large",
        ),
    ]:
        try:
            parse_catalog(io.StringIO(header + body, newline=""), "x.csv")
        except CatalogError as error:
            assert message in str(error)
        else:
            raise AssertionError(f"accepted {header + body!r}")
    # A duration of "²" is a digit to str.isdigit but not to int(): it is left out, not a crash.
    videos = parse_catalog(
        io.StringIO(HEADER.rstrip() + ",music_duration_s\n" + good + ",²\n", newline=""),
        "x",
    )
    assert videos[0].song.duration_s is None


def test_a_gzip_file_with_a_broken_stream_is_refused_in_one_line(tmp_path):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 20)  # zlib.error inside
    try:
        load_catalog(path)
    except CatalogError as error:
        assert "not a UTF-8 CSV file" in str(error)
    else:
        raise AssertionError("accepted a broken gzip file")
