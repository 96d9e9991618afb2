"""The MP4 header reader against ffprobe on real files, and on broken ones: it answers right or declines."""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tests.support.export_media import Media, make_media, streams
from tiktune_tui.export import probe as probing
from tiktune_tui.export.mp4_header import HeaderError, looks_like_mp4, parse_moov, read_header

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Media:
    return make_media(tmp_path_factory.mktemp("media"))


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def ffprobe_tracks(path: Path) -> list[tuple[int, str, str, float]]:
    return [(s["index"], s["codec_type"], s["codec_name"], float(s["duration"])) for s in streams(path)["streams"]]


def header_tracks(path: Path) -> list[tuple[int, str, str | None, float]]:
    return [(t.index, t.kind, t.codec, t.duration_s) for t in read_header(path).tracks]


def moov_span(data: bytes) -> tuple[int, int]:
    at = data.index(b"moov") - 4
    return at, at + struct.unpack(">I", data[at : at + 4])[0]


@pytest.mark.parametrize("name", ["mp4", "mov", "silent", "song"])
def test_ffmpeg_made_files_read_as_ffprobe_reads_them(media, name):
    path = getattr(media, name)
    assert looks_like_mp4(path)
    assert header_tracks(path) == ffprobe_tracks(path)


def test_cut_files_with_edit_lists_and_faststart_read_as_ffprobe_reads_them(media, tmp_path):
    # A cut from 0.5 s (an edit starting inside the media), a cut to 1.23 s (a segment rounded
    # past the last frame), and faststart (moov before mdat).
    ffmpeg("-ss", "0.5", "-i", str(media.mp4), "-c", "copy", str(tmp_path / "from.mp4"))
    ffmpeg("-i", str(media.mp4), "-t", "1.23", "-c", "copy", str(tmp_path / "to.mp4"))
    ffmpeg("-i", str(media.mp4), "-c", "copy", "-movflags", "+faststart", str(tmp_path / "fast.mp4"))
    for name in ("from.mp4", "to.mp4", "fast.mp4"):
        assert header_tracks(tmp_path / name) == ffprobe_tracks(tmp_path / name), name


def test_b_frame_files_and_their_cuts_read_as_ffprobe_reads_them(tmp_path):
    # x264's and x265's B-frames (composition offsets, one edit skipping the first offset), at
    # an NTSC rate where the edit rounds past the last frame, and stream-copied cuts of them.
    source = tmp_path / "b.mp4"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=30000/1001:duration=2.3",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=2.5",
        "-c:v",
        "libx264",
        "-bf",
        "3",
        "-c:a",
        "aac",
        str(source),
    )
    ffmpeg("-ss", "0.6", "-i", str(source), "-t", "1.3", "-c", "copy", str(tmp_path / "cut.mp4"))
    ffmpeg("-i", str(source), "-t", "1.23", "-c", "copy", str(tmp_path / "to.mp4"))
    ffmpeg("-i", str(source), "-c", "copy", "-movflags", "+faststart", str(tmp_path / "fast.mp4"))
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=30:duration=1.5",
        "-c:v",
        "libx265",
        "-x265-params",
        "log-level=error:bframes=4",
        str(tmp_path / "hevc.mp4"),
    )
    for name in ("b.mp4", "cut.mp4", "to.mp4", "fast.mp4", "hevc.mp4"):
        assert header_tracks(tmp_path / name) == ffprobe_tracks(tmp_path / name), name


def test_fragmented_files_are_declined(media, tmp_path):
    ffmpeg("-i", str(media.mp4), "-c", "copy", "-movflags", "frag_keyframe+empty_moov", str(tmp_path / "frag.mp4"))
    with pytest.raises(HeaderError):
        read_header(tmp_path / "frag.mp4")


def test_not_mp4_files_are_declined(media, tmp_path):
    for path in (media.webm, media.long_song, media.text):
        assert not looks_like_mp4(path)
        with pytest.raises(HeaderError):
            read_header(path)
    with pytest.raises(HeaderError, match="cannot read"):
        read_header(tmp_path / "missing.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(HeaderError):
        read_header(tmp_path / "empty.mp4")


def test_every_truncation_is_declined_or_read_right(media, tmp_path):
    data = media.mp4.read_bytes()
    start, end = moov_span(data)
    full = header_tracks(media.mp4)
    cut = tmp_path / "cut.mp4"
    for length in [*range(0, 64), *range(start - 8, end + 1)]:
        cut.write_bytes(data[:length])
        try:
            assert header_tracks(cut) == full, length
        except HeaderError:
            pass


@pytest.mark.parametrize("name", ["mp4", "song"])
def test_random_damage_to_the_moov_only_ever_raises_header_error(media, name):
    data = getattr(media, name).read_bytes()
    start, end = moov_span(data)
    moov = data[start + 8 : end]
    rng = random.Random(1234)
    outcomes = {"read": 0, "declined": 0}
    for _ in range(3000):
        damaged = bytearray(moov)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(damaged))
            damaged[at] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)])
        try:
            header = parse_moov(bytes(damaged))
        except HeaderError:
            outcomes["declined"] += 1
        else:
            outcomes["read"] += 1
            assert all(t.duration_s >= 0 for t in header.tracks)
    assert outcomes["declined"] > 0 and outcomes["read"] > 0  # both paths were exercised


def box(kind: bytes, payload: bytes = b"", size: int | None = None) -> bytes:
    return struct.pack(">I4s", len(payload) + 8 if size is None else size, kind) + payload


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (box(b"ftyp", b"isom" * 2) + box(b"free", size=4), "does not fit"),  # size below its header
        (box(b"ftyp", b"isom" * 2) + box(b"mdat", b"x" * 8, size=10_000), "does not fit"),  # past the file
        (box(b"ftyp", b"isom" * 2) + box(b"mdat", b"x" * 8), "no moov"),
        (box(b"ftyp", b"isom" * 2) + box(b"moov", size=0), "no tracks"),  # "to the end", empty
        (box(b"ftyp", b"isom" * 2) + struct.pack(">I4sQ", 1, b"moov", 2**62), "does not fit"),
        (box(b"ftyp", b"isom" * 2) + box(b"moov", box(b"trak", b"\0" * 8)), "trak before mvhd"),
        (box(b"ftyp", b"isom" * 2) + box(b"moov", box(b"mvex")), "fragmented"),
        (box(b"moov", box(b"mvhd", b"\0" * 100)), "no ftyp"),
        (box(b"ftyp", b"isom" * 2) + box(b"moov", box(b"mvhd", b"\0" * 100) + box(b"trak", box(b"mdia"))), "hdlr"),
    ],
)
def test_crafted_broken_boxes_are_declined(tmp_path, content, reason):
    path = tmp_path / "crafted.mp4"
    path.write_bytes(content)
    with pytest.raises(HeaderError, match=reason):
        read_header(path)


def test_a_moov_above_the_cap_is_declined(media, monkeypatch):
    monkeypatch.setattr("tiktune_tui.export.mp4_header.MAX_MOOV_BYTES", 1000)
    with pytest.raises(HeaderError, match="too large"):
        read_header(media.mp4)


def test_guess_media_for_mp3_and_unknown_files(media, tmp_path):
    guess = probing.guess_media(media.long_song)
    real = probing.probe(media.long_song)
    assert guess is not None and (guess.audio_codec, guess.audio_index) == (real.audio_codec, real.audio_index)
    assert guess.duration_s == float("inf") and not guess.has_video  # its length is left to ffprobe
    fake = tmp_path / "fake.mp3"
    fake.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x05hello" + b"not a frame")
    assert probing.guess_media(fake) is None
    assert probing.guess_media(media.webm) is None and probing.guess_media(media.text) is None
    assert probing.guess_media(tmp_path / "missing.mp4") is None
