"""Write-then-rename (tiktune_tui/files.py): a reader sees the old file or the new one, never half."""

import os

import pytest

from tiktune_tui.files import replacing, write_text


def test_a_file_is_replaced_whole_and_nothing_is_left_beside_it(tmp_path):
    target = tmp_path / "history.txt"
    target.write_text("old\n")
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert os.listdir(tmp_path) == ["history.txt"]


def test_an_error_while_writing_keeps_the_old_file_and_removes_the_temporary_one(
    tmp_path,
):
    target = tmp_path / "song.mp3"
    target.write_bytes(b"old")
    with (
        pytest.raises(RuntimeError),
        replacing(target, binary=True, prefix=".fetch-", suffix=".part") as out,
    ):
        out.write(b"half")
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fetch-")]  # written beside it
        raise RuntimeError("network gone")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["song.mp3"]


def test_the_rename_can_be_the_callers(tmp_path):
    seen = []

    def commit(temp, target):
        seen.append((temp.parent, temp.read_text(), target))
        os.replace(temp, target)

    with replacing(tmp_path / "a.txt", commit=commit) as out:
        out.write("x")
    assert seen == [(tmp_path, "x", tmp_path / "a.txt")]
    assert (tmp_path / "a.txt").read_text() == "x"
