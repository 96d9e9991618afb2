import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktune_tui.core.tags import MAX_TAGS, TagError, normalize_tag, parse_tags, split_catalog_tags


def test_the_documented_example():
    assert parse_tags("#Cooking, diy  #DIY") == ["cooking", "diy"]


def test_command_line_words_and_pasted_runs():
    assert parse_tags(["#fyp#viral", "Dance,", "dance"]) == ["fyp", "viral", "dance"]


@pytest.mark.parametrize("tag", ["trieutim❤", "จองกุก", "ninhqueanh👩‍🏫", "douyin抖音", "snake_case", "xuhuong2025"])
def test_real_catalog_tags_in_any_script_are_accepted(tag):
    assert parse_tags(tag) == [normalize_tag(tag)]


def test_casefold_and_unicode_normalisation_match_the_catalog():
    decomposed = "tie\u0302\u0301ng"  # combining marks, as some keyboards send them
    assert parse_tags(decomposed) == ["tiếng"]
    assert parse_tags("STRASSE Straße") == ["strasse"]


@pytest.mark.parametrize("bad", ["rock&roll", "a.b", "what?", "c++", "tab\x07bell", "x\x1b[31m"])
def test_punctuation_and_control_characters_are_refused_naming_the_tag(bad):
    with pytest.raises(TagError) as error:
        parse_tags(f"ok {bad}")
    message = str(error.value)
    assert "invalid tag" in message
    assert "\x1b" not in message and "\x07" not in message


def test_limits():
    assert len(parse_tags(" ".join(f"t{i}" for i in range(MAX_TAGS)))) == MAX_TAGS
    with pytest.raises(TagError, match="too many tags"):
        parse_tags(" ".join(f"t{i}" for i in range(MAX_TAGS + 1)))
    parse_tags("a" * 100)
    with pytest.raises(TagError, match="longer than 100"):
        parse_tags("a" * 101)


@pytest.mark.parametrize("empty", ["", "   ", "# , ##", []])
def test_nothing_to_search_is_an_error(empty):
    with pytest.raises(TagError, match="no tags given"):
        parse_tags(empty)


def test_catalog_tags_keep_order_and_drop_duplicates():
    assert split_catalog_tags("fyp Viral fyp  xh") == ("fyp", "viral", "xh")


@given(st.text(max_size=200))
def test_parse_tags_either_returns_clean_tags_or_raises_tag_error(text):
    try:
        tags = parse_tags(text)
    except TagError:
        return
    assert 1 <= len(tags) <= MAX_TAGS
    assert len(set(tags)) == len(tags)
    for tag in tags:
        assert tag and len(tag) <= 100
        assert not any(ch.isspace() or ch in ",#" for ch in tag)
        assert parse_tags(tag) == [tag]  # canonical: parsing again changes nothing


def test_visible_controls_keeps_one_cell_per_character():
    from tiktune_tui.text import visible_controls

    assert visible_controls("a\x1b[31mb\x07\x7f\x9b\u202ec\t") == "a␛[31mb␇␡��c␉"
    assert visible_controls("plain — ✓ 日本") == "plain — ✓ 日本"


def test_file_sizes_read_at_a_glance():
    from tiktune_tui.text import file_size

    assert [file_size(n) for n in (0, 999, 1_000, 812_345, 3_400_000, 250_000_000, 1_200_000_000)] == [
        "0 bytes",
        "999 bytes",
        "1.0 KB",
        "812 KB",
        "3.4 MB",
        "250 MB",
        "1.2 GB",
    ]


def _check_parse(words):
    try:
        tags = parse_tags(words)
    except TagError as error:
        message = str(error)
        assert message and "\n" not in message
        message.encode("utf-8")  # no lone surrogate: the line can be printed as it stands
        return
    assert 1 <= len(tags) <= MAX_TAGS
    for tag in tags:
        tag.encode("utf-8")  # a tag that reaches the history file or SQLite is valid text


# Any code point, lone surrogates included (how Python keeps command-line bytes that are not UTF-8).
any_text = st.text(st.characters(blacklist_categories=()), max_size=200)
argv_word = st.binary(max_size=40).map(lambda raw: raw.decode("utf-8", "surrogateescape"))


@given(any_text)
def test_parse_tags_over_any_code_points(text):
    _check_parse(text)


@given(st.lists(argv_word, max_size=15))
def test_parse_tags_over_command_line_bytes(words):
    _check_parse(words)


def test_bytes_that_are_not_utf8_are_named_not_passed_on():
    with pytest.raises(TagError, match=r'invalid tag "caf\\xe9": not valid UTF-8'):
        parse_tags([b"caf\xe9".decode("utf-8", "surrogateescape")])
    with pytest.raises(TagError) as error:
        parse_tags("a&\ud800")  # a surrogate no byte gave, behind a forbidden character
    str(error.value).encode("utf-8")


def test_the_tag_count_is_checked_before_each_tag():
    started = time.monotonic()
    with pytest.raises(TagError, match=r"too many tags \(100000\)"):
        parse_tags([f"t{i}" for i in range(100_000)])
    assert time.monotonic() - started < 30  # it took minutes while each tag was checked against the others
    assert parse_tags(["fyp"] * 100_000) == ["fyp"]  # repeats are one tag
