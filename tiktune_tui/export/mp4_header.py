"""The track list of an MP4/QuickTime file read from its box headers, in Python, without ffprobe.

Why: ffprobe spends ~0.1 s just starting (it links ~200 libraries), which is half the time of
a whole stream-copy export. The exporter uses this reader to *guess* the plan and start ffmpeg
at once, while ffprobe checks the inputs side by side; the guess is only a head start, never
trusted: the export goes on only if the plan built from ffprobe's answer is the same.

So this reader may decline freely: anything unusual (no `ftyp`, a fragmented file, a box whose
size runs past its parent or the file, a huge `moov`, an unknown codec, a track without a
duration) raises `HeaderError` and the exporter just waits for ffprobe. It never needs to be
complete, only bounds-checked and right for the files it accepts.

Stream numbering and durations follow ffmpeg's MP4 demuxer: each `trak` becomes a stream in
file order; a track's duration is the shorter of its media header's (`mdhd`) and the sum of
its sample durations (`stts`), cut to what a single plain edit plays, as ffprobe prints it (6
decimals). B-frames (composition offsets) count with the one edit encoders pair them with;
where ffmpeg's other rules get involved (several edits, empty edits, offsets without an edit)
the reader declines. Its answers were checked against ffprobe 5.1 on ffmpeg-made files: x264
with and without B-frames, x265, VP9, AAC and MP3 in MP4, cuts with `-ss`/`-t`, faststart,
QuickTime.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# A moov holds the sample tables too: ~10 bytes a frame, so 16 MB is hours of video.
MAX_MOOV_BYTES = 16 * 1024 * 1024
MAX_TOP_LEVEL_BOXES = 64
MAX_TRACKS = 32

# Sample entry -> ffmpeg's codec name, for the codecs whose name the entry alone settles.
_VIDEO_CODECS = {
    b"avc1": "h264",
    b"avc3": "h264",
    b"hvc1": "hevc",
    b"hev1": "hevc",
    b"av01": "av1",
    b"vp09": "vp9",
}
# MPEG-4 audio object types (esds objectTypeIndication) ffmpeg reads as AAC or MP3.
_MP4A_CODECS = {0x40: "aac", 0x66: "aac", 0x67: "aac", 0x68: "aac", 0x69: "mp3", 0x6B: "mp3"}
_HANDLERS = {b"vide": "video", b"soun": "audio"}


class HeaderError(ValueError):
    """The file is not one this reader is sure about; ask ffprobe instead."""


@dataclass(frozen=True)
class Track:
    index: int  # ffmpeg's stream index
    kind: str  # "video", "audio" or "other"
    codec: str | None  # ffmpeg's codec name; None for "other" tracks
    duration_s: float


@dataclass(frozen=True)
class Mp4Header:
    tracks: tuple[Track, ...]

    def first(self, kind: str) -> Track | None:
        return next((t for t in self.tracks if t.kind == kind), None)


def looks_like_mp4(path: str | os.PathLike[str]) -> bool:
    """An `ftyp` box first: the signature of every MP4, M4A and modern QuickTime file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return len(head) == 12 and head[4:8] == b"ftyp" and struct.unpack(">I", head[:4])[0] >= 8


def read_header(path: str | os.PathLike[str]) -> Mp4Header:
    """The tracks of an MP4/MOV file; HeaderError for anything this reader is not sure about."""
    try:
        with open(Path(path), "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            return parse_moov(_read_moov(handle, size))
    except OSError as exc:
        raise HeaderError(f"cannot read: {exc.strerror or exc}") from None


def _read_moov(handle, file_size: int) -> bytes:
    offset = 0
    first = True
    for _ in range(MAX_TOP_LEVEL_BOXES):
        if offset + 8 > file_size:
            break
        handle.seek(offset)
        kind, header_len, box_len = _box_header(handle.read(16), 0, file_size - offset)
        if first and kind != b"ftyp":
            raise HeaderError("no ftyp box first")
        first = False
        if kind == b"moov":
            if box_len > MAX_MOOV_BYTES:
                raise HeaderError("moov too large")
            handle.seek(offset + header_len)
            data = handle.read(box_len - header_len)
            if len(data) != box_len - header_len:
                raise HeaderError("moov truncated")
            return data
        if kind == b"moof":
            raise HeaderError("fragmented file")
        offset += box_len
    raise HeaderError("no moov box")


def _box_header(data: bytes, at: int, room: int) -> tuple[bytes, int, int]:
    """(type, header length, box length) of the box at `at`; `room` bytes are left in its parent."""
    if room < 8 or len(data) < at + 8:
        raise HeaderError("box header cut short")
    length, kind = struct.unpack_from(">I4s", data, at)
    header_len = 8
    if length == 1:
        if room < 16 or len(data) < at + 16:
            raise HeaderError("large box header cut short")
        (length,) = struct.unpack_from(">Q", data, at + 8)
        header_len = 16
    elif length == 0:  # "to the end of the parent" (only meant for the last top-level box)
        length = room
    if length < header_len or length > room:
        raise HeaderError(f"box {kind!r} size {length} does not fit")
    return kind, header_len, length


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box in data[start:end]."""
    at = start
    while at < end:
        kind, header_len, length = _box_header(data, at, end - at)
        yield kind, at + header_len, at + length
        at += length


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int]:
    found = [(s, e) for k, s, e in _children(data, start, end) if k == kind]
    if len(found) != 1:
        raise HeaderError(f"{len(found)} {kind.decode('latin-1')} boxes where one was expected")
    return found[0]


def _unpack(fmt: str, data: bytes, at: int, end: int) -> tuple:
    if at < 0 or at + struct.calcsize(fmt) > end:
        raise HeaderError("box payload cut short")
    return struct.unpack_from(fmt, data, at)


def parse_moov(data: bytes) -> Mp4Header:
    """The tracks described by a `moov` box's payload."""
    tracks: list[Track] = []
    movie_timescale: int | None = None
    for kind, start, end in _children(data, 0, len(data)):
        if kind == b"mvex":
            raise HeaderError("fragmented file")
        if kind == b"mvhd":
            (version,) = _unpack(">B", data, start, end)
            (movie_timescale,) = _unpack(">I", data, start + (20 if version == 1 else 12), end)
        elif kind == b"trak":
            if len(tracks) >= MAX_TRACKS:
                raise HeaderError("too many tracks")
            if movie_timescale is None:
                raise HeaderError("trak before mvhd")
            tracks.append(_track(data, start, end, len(tracks), movie_timescale))
    if not tracks:
        raise HeaderError("no tracks")
    return Mp4Header(tuple(tracks))


def _track(data: bytes, start: int, end: int, index: int, movie_timescale: int) -> Track:
    mdia = _child(data, start, end, b"mdia")
    handler_start, handler_end = _child(data, *mdia, b"hdlr")
    (handler,) = _unpack(">4s", data, handler_start + 8, handler_end)
    kind = _HANDLERS.get(handler, "other")
    if kind == "other":  # a timecode or metadata track: only its place in the numbering matters
        return Track(index=index, kind=kind, codec=None, duration_s=0.0)
    timescale, duration = _mdhd(data, *_child(data, *mdia, b"mdhd"))
    stbl = _child(data, *_child(data, *mdia, b"minf"), b"stbl")
    stbl_boxes = {k for k, _, _ in _children(data, *stbl)}
    codec = _codec(data, *_child(data, *stbl, b"stsd"), kind)
    # ffmpeg takes the shorter of the media header's duration and the sum of the sample durations.
    duration = min(duration, _sample_durations(data, *_child(data, *stbl, b"stts")))
    edits = [(s, e) for k, s, e in _children(data, start, end) if k == b"edts"]
    if len(edits) > 1:
        raise HeaderError("several edit lists")
    b_frames = b"ctts" in stbl_boxes
    if b_frames and not edits:
        # Composition offsets (B-frames) come with one edit that skips the first offset;
        # without it ffmpeg shifts the timestamps by rules this reader does not model.
        raise HeaderError("composition offsets without an edit list")
    if edits:
        duration = _edited_duration(
            data, *_child(data, *edits[0], b"elst"), timescale, movie_timescale, duration, b_frames
        )
    if timescale == 0 or duration <= 0:
        raise HeaderError("track without a duration")
    return Track(index=index, kind=kind, codec=codec, duration_s=_as_ffprobe_prints(duration, timescale))


def _sample_durations(data: bytes, start: int, end: int) -> int:
    _, count = _unpack(">II", data, start, end)
    if 8 + 8 * count > end - start:
        raise HeaderError("stts entries run past the box")
    total = 0
    for at in range(start + 8, start + 8 + 8 * count, 8):
        samples, delta = struct.unpack_from(">II", data, at)
        total += samples * delta
    return total


def _mdhd(data: bytes, start: int, end: int) -> tuple[int, int]:
    (version,) = _unpack(">B", data, start, end)
    if version == 1:
        return _unpack(">IQ", data, start + 20, end)
    if version == 0:
        timescale, duration = _unpack(">II", data, start + 12, end)
        if duration == 0xFFFFFFFF:  # "unknown"
            raise HeaderError("unknown media duration")
        return timescale, duration
    raise HeaderError(f"mdhd version {version}")


def _edited_duration(
    data: bytes,
    start: int,
    end: int,
    timescale: int,
    movie_timescale: int,
    media_duration: int,
    b_frames: bool = False,
) -> int:
    """The media duration a single plain edit plays; HeaderError for any other edit list.

    One edit that starts `media_time` into the media and plays `segment` of it (in movie time
    units, which ffmpeg rescales to the track's, rounding to nearest): ffmpeg's stream lasts the
    segment, or the media when the segment runs past it from its start. Empty edits, several
    edits, rate changes and a later start with a segment running past the media shift or
    stretch timestamps in ways this reader does not model.
    """
    version, _, _, _, count = _unpack(">B3BI", data, start, end)
    if count != 1:
        raise HeaderError(f"edit list with {count} entries")
    if version == 1:
        segment, media_time, rate = _unpack(">QqI", data, start + 8, end)
    elif version == 0:
        segment, media_time, rate = _unpack(">IiI", data, start + 8, end)
    else:
        raise HeaderError(f"elst version {version}")
    if media_time < 0 or rate != 0x00010000 or movie_timescale == 0:
        raise HeaderError("edit list with an empty edit or a rate change")
    if segment == 0:
        raise HeaderError("edit of no length")
    played = (segment * timescale + movie_timescale // 2) // movie_timescale
    if b_frames:
        # The frames shown reach past the last decode time, so the edit may too: ffmpeg's
        # stream lasts the segment, but never longer than the samples' durations add up to.
        return min(played, media_duration)
    if played <= media_duration - media_time:
        return played
    if media_time == 0:  # a segment rounded up past the last sample: the media's own length
        return media_duration
    raise HeaderError("edit runs past the media")


def _codec(data: bytes, start: int, end: int, kind: str) -> str:
    _, count = _unpack(">II", data, start, end)
    if count != 1:
        raise HeaderError(f"{count} sample descriptions")
    entries = list(_children(data, start + 8, end))
    if len(entries) != 1:
        raise HeaderError("sample description count does not match")
    fourcc, entry_start, entry_end = entries[0]
    if kind == "video":
        codec = _VIDEO_CODECS.get(fourcc)
        if codec is None:
            raise HeaderError(f"video sample entry {fourcc!r}")
        return codec
    if fourcc != b"mp4a":
        raise HeaderError(f"audio sample entry {fourcc!r}")
    # AudioSampleEntry: 8 bytes SampleEntry, 20 bytes of sound fields (QuickTime's v1 and v2
    # add 16 and 36), then boxes, esds among them.
    (version,) = _unpack(">H", data, entry_start + 8, entry_end)
    extra = {0: 0, 1: 16, 2: 36}.get(version)
    if extra is None:
        raise HeaderError(f"sound description version {version}")
    boxes = [(s, e) for k, s, e in _children(data, entry_start + 28 + extra, entry_end) if k == b"esds"]
    if not boxes:
        # QuickTime keeps the esds inside a "wave" box of the sound description.
        for k, s, e in _children(data, entry_start + 28 + extra, entry_end):
            if k == b"wave":
                boxes += [(s2, e2) for k2, s2, e2 in _children(data, s, e) if k2 == b"esds"]
    if len(boxes) != 1:
        raise HeaderError("mp4a without one esds")
    esds_start, esds_end = boxes[0]
    codec = _MP4A_CODECS.get(_object_type(data, esds_start + 4, esds_end))
    if codec is None:
        raise HeaderError("mp4a with an unknown object type")
    return codec


def _object_type(data: bytes, at: int, end: int) -> int:
    """objectTypeIndication of an esds: ES_Descriptor (tag 3) -> DecoderConfigDescriptor (tag 4)."""
    tag, at = _descriptor(data, at, end)
    if tag != 3:
        raise HeaderError("esds without an ES descriptor")
    (flags,) = _unpack(">B", data, at + 2, end)
    at += 3
    if flags & 0x80:  # streamDependenceFlag
        at += 2
    if flags & 0x40:  # URL_Flag
        (url_len,) = _unpack(">B", data, at, end)
        at += 1 + url_len
    if flags & 0x20:  # OCRstreamFlag
        at += 2
    tag, at = _descriptor(data, at, end)
    if tag != 4:
        raise HeaderError("esds without a decoder config")
    (object_type,) = _unpack(">B", data, at, end)
    return object_type


def _descriptor(data: bytes, at: int, end: int) -> tuple[int, int]:
    """(tag, payload start) of an MPEG-4 descriptor; its length takes 1-4 bytes of 7 bits."""
    (tag,) = _unpack(">B", data, at, end)
    at += 1
    for _ in range(4):
        (byte,) = _unpack(">B", data, at, end)
        at += 1
        if not byte & 0x80:
            return tag, at
    raise HeaderError("descriptor length too long")


def _as_ffprobe_prints(ticks: int, timescale: int) -> float:
    # ffprobe multiplies by the time base as a double and prints "%f"; the exporter reads that text.
    return float(f"{ticks * (1 / timescale):f}")
