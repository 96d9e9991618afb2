import gzip

import pytest

from tests.support.factories import video, write_catalog
from tiktune_tui.library.catalog import CatalogError, load_catalog


def test_the_bundled_catalog_is_the_real_data():
    catalog = load_catalog()
    assert len(catalog.videos) == 16086
    assert len({v.song.id for v in catalog.videos}) == 11605
    assert len(catalog.by_tag["fyp"]) == 2620 and len(catalog.by_tag["xuhuong"]) == 2446
    assert all(v.song.id.isdigit() for v in catalog.videos)


def test_a_user_csv_in_the_same_schema(tmp_path):
    path = write_catalog(tmp_path / "mine.csv", [video("1", "10", "a b", play=3), video("2", "10", "b", play=4)])
    catalog = load_catalog(path)
    assert [v.id for v in catalog.videos_with_any(["b", "a"])] == ["1", "2"]
    assert catalog.label == "catalog mine.csv"


def test_gzipped_csv(tmp_path):
    plain = write_catalog(tmp_path / "c.csv", [video("1", "10", "a")])
    packed = tmp_path / "c.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert len(load_catalog(packed).videos) == 1


def test_a_bad_number_names_file_and_line(tmp_path):
    path = write_catalog(tmp_path / "c.csv", [video("1", "10", "a"), video("2", "10", "a")])
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace(",0,0,0,0,", ",12x,0,0,0,", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CatalogError, match=r"c\.csv:3: play_count '12x' is not a whole number"):
        load_catalog(path)


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("video_id,hashtags,music_id\n1,a,2\n")
    with pytest.raises(CatalogError, match=r"c\.csv:1: missing columns music_title, music_author"):
        load_catalog(path)


@pytest.mark.parametrize(
    "content, message",
    [(None, "no such file"), (b"\xff\xfe\x00bad", "not a UTF-8 CSV"), ("dir", "is a directory")],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "c.csv"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(CatalogError, match=message):
        load_catalog(path)


def test_a_count_beyond_what_a_store_can_hold_is_refused_before_any_output(tmp_path):
    import subprocess
    import sys

    path = write_catalog(tmp_path / "huge.csv", [video("1", "10", "a", play=5), video("2", "11", "a", play=10**400)])
    with pytest.raises(
        CatalogError, match=r"huge.csv:3: play_count is too large \(more than 9,223,372,036,854,775,807\)"
    ):
        load_catalog(path)
    result = subprocess.run(
        [sys.executable, "-m", "tiktune_tui", "recommend", "a", "--catalog", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "play_count is too large" in result.stderr


def test_counts_too_long_for_int_and_odd_digits_are_one_clean_error(tmp_path):
    path = write_catalog(tmp_path / "long.csv", [video("1", "10", "a", share=7)])
    path.write_text(path.read_text(encoding="utf-8").replace(",7,", "," + "9" * 5000 + ","), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(caught.value) == f"{path}:2: share_count is too large (more than 9,223,372,036,854,775,807)"
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "video_id,hashtags,music_id,music_title,music_author,play_count,digg_count,comment_count,share_count,"
        "create_time,music_duration_s\n1,a,10,T,A,1,1,1,1,,²\n2,a,11,T,A,1,1,1,1,,30\n",
        encoding="utf-8",
    )
    assert [v.song.duration_s for v in load_catalog(odd).videos] == [None, 30]  # "²".isdigit() is true


def test_ctrl_c_stops_the_load_of_a_large_catalog_within_seconds(tmp_path):
    """A real child process, a real 25 MB CSV and a real SIGINT, sent once the child is
    reading the file; the load alone takes several times the bound."""
    import signal
    import subprocess
    import sys
    import time

    from tiktune_tui.library.catalog import REQUIRED_COLUMNS

    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(REQUIRED_COLUMNS) + "\n")
        for i in range(200_000):
            out.write(
                f"{7 * 10**18 + i},t{i % 1000} fyp,{6 * 10**18 + i % 50000},Song {i % 50000},Artist,"
                f"{i * 7919 % 10**9},{i % 10**6},{i % 1000},{i % 100},2025-05-01T00:00:00Z\n"
            )
    size = path.stat().st_size
    # As a shell starts it: SIGINT raises KeyboardInterrupt (a test runner's worker may ignore it).
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        "from tiktune_tui.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, "recommend", "fyp", "--catalog", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        position = read_position(child.pid, path, deadline=time.monotonic() + 60)
        assert 0 < position < size / 2, "the child read half the file before the interrupt: the test proves nothing"
        child.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        out, err = child.communicate(timeout=60)
        took = time.monotonic() - interrupted
    finally:
        child.kill()
    assert child.returncode == 130 and err == "tiktune: interrupted\n" and out == ""
    assert took < 5, f"Ctrl-C took {took:.1f} s to stop the load"


def read_position(pid, path, deadline):
    """How far the child has read `path`, once it has read some of it."""
    import os
    import time

    while time.monotonic() < deadline:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") != str(path):
                        continue
                    with open(f"/proc/{pid}/fdinfo/{fd}") as info:
                        position = int(info.readline().split()[1])
                except OSError:
                    continue
                if position > 0:
                    return position
        except FileNotFoundError:
            break
        time.sleep(0.005)  # polling for a condition, not a pause
    raise AssertionError("the child never started reading the catalog")
