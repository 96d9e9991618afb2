"""Related tags by co-occurrence (NPMI with a minimum support), pure and from the store."""

from __future__ import annotations

from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.core.related import co_counts, npmi, related_tags


def corpus():
    videos = []
    for _ in range(5):
        videos.append(("pasta", "cooking", "fyp"))
    for _ in range(3):
        videos.append(("pasta", "fyp"))
    for _ in range(40):
        videos.append(("fyp", "dance"))
    videos.append(("pasta", "oneoff"))
    return videos


def counts(videos):
    out = {}
    for tags in videos:
        for t in tags:
            out[t] = out.get(t, 0) + 1
    return out


def test_strong_companions_first_one_offs_and_weak_ones_out():
    videos = corpus()
    together = co_counts("pasta", (v for v in videos if "pasta" in v))
    assert together == {"cooking": 5, "fyp": 8, "oneoff": 1}
    rows = related_tags("pasta", together, counts(videos), len(videos))
    assert [t for t, _ in rows] == ["cooking"]  # fyp is everywhere (NPMI < 0); oneoff lacks support
    assert 0 < rows[0][1] <= 1


def test_npmi_bounds():
    assert npmi(10, 10, 10, 10) == 1.0
    assert npmi(0, 5, 5, 100) == -1.0
    assert abs(npmi(25, 50, 50, 100)) < 1e-9  # independent


def test_unknown_and_empty_give_nothing():
    assert related_tags("nothing", {}, {}, 0) == []


def test_store_related_tags_match_the_pure_function(tmp_path, make_store):
    videos = [Video(str(i), Song(str(i % 3)), tags, Stats(play=i)) for i, tags in enumerate(corpus(), start=1)]
    with make_store(tmp_path / "t.db") as store:
        store.save_videos(videos)
        assert store.related_tags("pasta") == related_tags(
            "pasta",
            co_counts("pasta", (v.hashtags for v in videos if "pasta" in v.hashtags)),
            counts([v.hashtags for v in videos]),
            len(videos),
        )
        assert store.related_tags("unknown") == []
        corpus_stats = store.corpus(["pasta", "fyp", "nope"])
        assert corpus_stats.total == len(videos) and corpus_stats.tag_videos == {"pasta": 9, "fyp": 48}


def test_tags_related_cli(tmp_path, capsys):
    from tiktune_tui.cli import main

    assert main(["tags", "--related", "fyp", "--source", "catalog", "--limit", "3", "--json"]) == 0
    assert '"npmi"' in capsys.readouterr().out
    assert main(["tags", "--related", "a b"]) == 2


def test_store_estimates_a_common_tags_companions_from_its_newest_videos(tmp_path, monkeypatch, make_store):
    import tiktune_tui.library.store.database as store_module

    # 40 videos carry #common; with a sample of 10 only the newest 10 are counted, scaled by 4.
    videos = [
        Video(str(i), Song("s"), ("common", "old") if i <= 30 else ("common", "new"), Stats()) for i in range(1, 41)
    ]
    videos += [Video(str(100 + i), Song("s"), ("new",), Stats()) for i in range(10)]
    with make_store(tmp_path / "t.db") as store:
        store.save_videos(videos)
        exact = dict(store.related_tags("common", limit=None))
        monkeypatch.setattr(store_module, "RELATED_SAMPLE", 10)
        sampled = dict(store.related_tags("common", limit=None))
    assert set(exact) == {"old"} and set(sampled) == {"new"}
    assert sampled["new"] == max(0.0, npmi(20, 40, 20, 50))  # min(20 videos of #new, 10 seen x 4)


def test_a_tag_seen_often_with_the_query_beats_a_private_tag_that_always_is():
    # #trending on 700 videos: #viral on 288 of them (and 1,100 others), a shop's #myshop on
    # 18 (its only 18). NPMI alone ranks #myshop first; a user wants #viral suggested.
    from tiktune_tui.core.related import npmi, related_tags

    together = {"viral": 288, "myshop": 18}
    tag_videos = {"trending": 700, "viral": 1374, "myshop": 18}
    assert npmi(18, 700, 18, 16_000) > npmi(288, 700, 1374, 16_000)
    assert [tag for tag, _ in related_tags("trending", together, tag_videos, 16_000)] == ["viral", "myshop"]
