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
