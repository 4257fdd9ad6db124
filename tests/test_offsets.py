"""OffsetMap: unit tests, properties of composition (hypothesis), and source spans of real articles.

The central promise: for every character of the clean text, ``article.source_span``
gives the raw text it came from, composed across every cleaning step (HTML,
page furniture, pinyin, OpenCC conversion, whitespace). The checks convert the
raw span independently (``conftest.Reference``: strip pinyin, OpenCC t2s,
full-width to ASCII, whitespace ignored; HTML spans through ``html_to_text``
first, since tags and entities map as blocks) and require the clean span back.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from healthnews_nlp import Article, OffsetMap, read_article
from healthnews_nlp.ingest.clean import clean, run_steps

if TYPE_CHECKING:
    from conftest import Reference

Span = tuple[int, int]

# --- unit tests ---------------------------------------------------------------------------------


def test_identity_maps_each_character_to_itself() -> None:
    identity = OffsetMap.identity(5)
    assert identity.length == 5
    assert [identity.char_span(i) for i in range(5)] == [(i, i + 1) for i in range(5)]
    assert identity.source_span(1, 4) == (1, 4)
    assert OffsetMap.identity(0).segments == ()


def test_from_pieces_merges_continuing_copies_and_keeps_blocks() -> None:
    # "a" "b" copied, "&" from "&amp;" (block), "c" copied, a deleted gap, "d" copied
    offsets = OffsetMap.from_pieces([(1, 0, 1), (1, 1, 2), (1, 2, 7), (1, 7, 8), (0, 8, 9), (1, 10, 11)])
    assert offsets.segments == ((0, 2, 0, 2), (2, 3, 2, 7), (3, 4, 7, 8), (4, 5, 10, 11))
    assert offsets.char_span(2) == (2, 7)
    assert offsets.source_span(0, 5) == (0, 11)
    assert offsets.source_span(4, 5) == (10, 11)


def test_empty_spans_and_bounds() -> None:
    offsets = OffsetMap.from_pieces([(2, 0, 2), (1, 4, 4), (2, 6, 8)])
    assert offsets.source_span(1, 1) == (1, 1)
    assert offsets.source_span(2, 3) == (4, 4)  # an inserted character with no source
    assert offsets.source_span(5, 5) == (8, 8)
    with pytest.raises(IndexError):
        offsets.source_span(0, 6)
    with pytest.raises(IndexError):
        offsets.source_span(3, 2)
    with pytest.raises(IndexError):
        offsets.char_span(5)


@pytest.mark.parametrize(
    "segments",
    [((1, 2, 0, 1),), ((0, 2, 0, 2), (3, 4, 2, 3)), ((0, 0, 0, 0),), ((0, 2, 5, 3),)],
    ids=["not from zero", "gap", "empty segment", "reversed source"],
)
def test_segments_must_tile_the_text(segments: tuple[tuple[int, int, int, int], ...]) -> None:
    with pytest.raises(ValidationError):
        OffsetMap(segments=segments)


def test_offset_map_is_frozen_and_round_trips_through_json() -> None:
    offsets = OffsetMap.from_pieces([(2, 0, 2), (1, 2, 7), (3, 9, 12)])
    offsets.char_span(3)  # fills the lookup cache; it must not leak into JSON or equality
    again = OffsetMap.model_validate_json(offsets.model_dump_json())
    assert again == offsets
    assert again.segments == offsets.segments and isinstance(again.segments[0], tuple)
    with pytest.raises(ValidationError):
        offsets.segments = ()  # type: ignore[misc]


def test_compose_examples() -> None:
    # raw "醫(yī)療&amp;" -> html step -> "醫(yī)療&" -> pinyin step -> "醫療&"
    html_step = OffsetMap.from_pieces([(6, 0, 6), (1, 6, 11)])
    pinyin_step = OffsetMap.from_pieces([(1, 0, 1), (2, 5, 7)])
    composed = pinyin_step.compose(html_step)
    assert [composed.char_span(i) for i in range(3)] == [(0, 1), (5, 6), (6, 11)]
    # a one-to-one step over a block keeps the whole block for each character
    assert OffsetMap.identity(1).compose(OffsetMap.from_pieces([(1, 3, 9)])).char_span(0) == (3, 9)


# --- properties of composition ------------------------------------------------------------------


@st.composite
def offset_maps(draw: st.DrawFn, source_length: int) -> tuple[OffsetMap, list[Span]]:
    """A random monotone map over a source of ``source_length`` and its character-by-character model.

    Pieces copy (same length, one to one), replace as a block, delete, or
    insert (empty source). A block whose length equals its source's is one to
    one by the map's definition, and so in the model.
    """
    pieces: list[tuple[int, int, int]] = []
    model: list[Span] = []
    position = 0
    while position < source_length:
        if draw(st.integers(0, 3)) == 0:  # now and then an insertion
            length = draw(st.integers(1, 3))
            pieces.append((length, position, position))
            model.extend((position, position) for _ in range(length))
        width = draw(st.integers(1, min(4, source_length - position)))
        kind = draw(st.sampled_from(["copy", "block", "delete"]))
        length = {"copy": width, "delete": 0}.get(kind, None)
        if length is None:
            length = draw(st.integers(1, 4))
        pieces.append((length, position, position + width))
        if length == width:
            model.extend((position + k, position + k + 1) for k in range(length))
        else:
            model.extend((position, position + width) for _ in range(length))
        position += width
    if not model:
        pieces.append((1, source_length, source_length))
        model.append((source_length, source_length))
    return OffsetMap.from_pieces(pieces), model


def _two_step(later: OffsetMap, earlier: OffsetMap, i: int) -> Span:
    """Character ``i`` of ``later`` mapped through ``later`` and then through ``earlier``."""
    return earlier.source_span(*later.char_span(i))


def _cover(spans: list[Span]) -> Span:
    return min(start for start, _ in spans), max(end for _, end in spans)


def _boundaries(offsets: OffsetMap) -> list[int]:
    return sorted({0, *(segment[1] for segment in offsets.segments)})


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: offset_maps(n)))
def test_from_pieces_agrees_with_the_character_model(map_and_model: tuple[OffsetMap, list[Span]]) -> None:
    offsets, model = map_and_model
    assert offsets.length == len(model)
    assert [offsets.char_span(i) for i in range(len(model))] == model
    for start in range(len(model)):
        for end in range(start + 1, len(model) + 1):
            assert offsets.source_span(start, end) == _cover(model[start:end])


@st.composite
def map_chains(draw: st.DrawFn) -> tuple[OffsetMap, OffsetMap]:
    earlier, _ = draw(offset_maps(draw(st.integers(1, 25))))
    later, _ = draw(offset_maps(earlier.length))
    return later, earlier


def _is_copy(segment: tuple[int, int, int, int]) -> bool:
    start, end, src_start, src_end = segment
    return end - start == src_end - src_start


@settings(max_examples=300, deadline=None)
@given(map_chains())
def test_composition_equals_mapping_twice(chain: tuple[OffsetMap, OffsetMap]) -> None:
    """``later.compose(earlier)`` maps each character as mapping it through both maps does.

    Exactly for every span between boundaries of ``later``'s segments, and
    for every single character when ``later`` has no blocks. Inside a block
    the composed character span is contained in the two-step one: a block
    that lands on a source of its own length cannot be told from a
    one-to-one copy in the piecewise representation.
    """
    later, earlier = chain
    composed = later.compose(earlier)
    assert composed.length == later.length
    two_step = [_two_step(later, earlier, i) for i in range(later.length)]
    for i, want in enumerate(two_step):
        got = composed.char_span(i)
        assert want[0] <= got[0] <= got[1] <= want[1]
    if all(_is_copy(segment) for segment in later.segments):
        assert [composed.char_span(i) for i in range(later.length)] == two_step
    boundaries = _boundaries(later)
    no_insertions = all(src_end > src_start for _, _, src_start, src_end in later.segments)
    for start in boundaries:
        for end in boundaries:
            if start < end:
                assert composed.source_span(start, end) == _cover(two_step[start:end])
                if no_insertions:  # then also the span as a whole, mapped twice
                    assert composed.source_span(start, end) == earlier.source_span(*later.source_span(start, end))


@st.composite
def edit_chains(draw: st.DrawFn) -> tuple[str, list[list[tuple[int, int, str]]]]:
    """A text of distinct Han characters and up to four rounds of edits in ASCII letters.

    Each round is a list of non-overlapping ``(start, end, replacement)`` edits
    of the text as the previous rounds left it: deletions, insertions,
    replacements of the same or another length.
    """
    length = draw(st.integers(1, 40))
    text = "".join(chr(0x4E00 + i) for i in range(length))
    rounds = []
    current = len(text)
    for _ in range(draw(st.integers(1, 4))):
        cuts = sorted(draw(st.lists(st.integers(0, current), max_size=8)))
        edits = []
        for start, end in zip(cuts[::2], cuts[1::2]):
            edits.append((start, end, draw(st.text("xyz", max_size=3))))
        rounds.append(edits)
        current += sum(len(r) - (e - s) for s, e, r in edits)
    return text, rounds


def _apply(edits: list[tuple[int, int, str]]) -> Callable[[str], tuple[str, OffsetMap]]:
    def step(text: str) -> tuple[str, OffsetMap]:
        parts, pieces, position = [], [], 0
        for start, end, replacement in edits:
            parts += [text[position:start], replacement]
            pieces += [(start - position, position, start), (len(replacement), start, end)]
            position = end
        parts.append(text[position:])
        pieces.append((len(text) - position, position, len(text)))
        return "".join(parts), OffsetMap.from_pieces(pieces)

    return step


@settings(max_examples=300, deadline=None)
@given(edit_chains())
def test_run_steps_composes_every_step_back_to_the_original(
    chain: tuple[str, list[list[tuple[int, int, str]]]],
) -> None:
    """Characters that survive every step map to exactly their original position; all others
    map inside the span the character-by-character model of the steps gives."""
    original, rounds = chain
    text, offsets = run_steps(original, [_apply(edits) for edits in rounds])
    assume(text)
    assert offsets.length == len(text)
    # reference model: the original span of every character, carried step by step
    model: list[Span] = [(i, i + 1) for i in range(len(original))]
    for edits in rounds:
        new_model: list[Span] = []
        position = 0
        for start, end, replacement in edits:
            new_model += model[position:start]
            if len(replacement) == end - start:
                new_model += model[start:end]
            elif end > start:
                new_model += [_cover(model[start:end])] * len(replacement)
            elif 0 < start < len(model) and model[start - 1] == model[start]:
                # inserted inside a block: the piecewise map may put it anywhere in the block
                # (a block as long as its source reads as one-to-one, see the test above)
                new_model += [model[start]] * len(replacement)
            else:
                at = model[start][0] if start < len(model) else (model[-1][1] if model else 0)
                new_model += [(at, at)] * len(replacement)
            position = end
        model = new_model + model[position:]
    for i, char in enumerate(text):
        got, want = offsets.char_span(i), model[i]
        if "\u4e00" <= char:
            assert original[got[0] : got[1]] == char
        assert want[0] <= got[0] <= got[1] <= want[1]


# --- the clean text maps back to the raw text that converts to it --------------------------------

TRADITIONAL_WORDS = ["醫療", "機構", "與", "騰訊", "國際", "會議", "標誌著", "發展", "數據", "臺灣", "著名", "這是", "說明"]
OTHER_TOKENS = [
    "中国", "合作", "平台", "(yī)", "(liáo)", "（guó）", "(zhōng guó)", "(Pfizer)", "(AI)", "(2020)",
    "DH400", "5G", "２０２１", "ＡＩ", "，", "。", "、", "“", "”", "《", "》", "！", "?", ",", "——",
    " ", "  ", "\u3000", "\t", "\u00a0", "\u200b", "\n", "\n\n", "\r\n", " \n ",
]
HTML_TOKENS = [
    "<p>", "</p>", "<br>", "<br/>", '<a href="http://x.example/a?b=1&amp;c=2">', "</a>", "<strong>",
    "</strong>", '<img src="http://img.example/1.png" alt="图片说明">', "&amp;", "&nbsp;", "&lt;",
    "&#x91AB;", "&#33;", "<!-- 注释 -->", "<script>var s = '<p>脚本</p>';</script>",
    "<style>p{color:red}</style>", '<p style="text-align:center">',
]

plain_texts = st.lists(st.sampled_from(TRADITIONAL_WORDS + OTHER_TOKENS), min_size=1, max_size=60).map("".join)
html_bodies = st.lists(
    st.sampled_from(TRADITIONAL_WORDS + OTHER_TOKENS + HTML_TOKENS), min_size=1, max_size=60
).map("".join)


def _check_clean_span(
    clean_text: str,
    offsets: OffsetMap,
    raw: str,
    start: int,
    end: int,
    reference: Reference,
    *,
    traditional: bool,
    markup: bool,
) -> None:
    """Check one clean span line by line: each line's raw span converts back to it, in order."""
    whole = offsets.source_span(start, end)
    previous_end = None
    position = start
    for line in clean_text[start:end].split("\n"):
        line_start, line_end = position, position + len(line)
        position = line_end + 1
        if not line:
            continue
        raw_start, raw_end = offsets.source_span(line_start, line_end)
        assert whole[0] <= raw_start < raw_end <= whole[1]
        if previous_end is not None:
            assert raw_start >= previous_end, "clean lines map to raw spans in order"
        previous_end = raw_end
        converted = reference.comparable(raw[raw_start:raw_end], traditional=traditional, markup=markup)
        assert converted == reference.fold(line), (line, raw[raw_start:raw_end])


@settings(max_examples=150, deadline=None)
@given(text=plain_texts, rng=st.randoms(use_true_random=False))
def test_clean_maps_back_through_pinyin_conversion_and_whitespace(
    text: str, rng: random.Random, reference: Reference
) -> None:
    cleaned, offsets, script = clean(text)
    assert offsets.length == len(cleaned)
    if not cleaned:
        return
    traditional = script == "traditional"
    spans = [(0, len(cleaned))] + [
        tuple(sorted(rng.sample(range(len(cleaned) + 1), 2))) for _ in range(5) if len(cleaned) > 1
    ]
    for start, end in spans:
        _check_clean_span(cleaned, offsets, text, start, end, reference, traditional=traditional, markup=False)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(body=html_bodies)
def test_reader_maps_hexo_articles_back_to_the_raw_file(
    body: str, tmp_path_factory: pytest.TempPathFactory, reference: Reference
) -> None:
    """The whole reader (front matter, HTML, furniture, cleaning) composes maps into the raw file."""
    path = tmp_path_factory.mktemp("hexo") / "article.md"
    path.write_text(f"---\ntitle: '测试标题'\ndate: 2021-10-18 09:00:00\n---\n{body}\n", encoding="utf-8")
    article = read_article(path)
    assert article.text.split("\n")[0] == "测试标题"
    _check_clean_span(
        article.text,
        article.offsets,
        article.raw,
        0,
        len(article.text),
        reference,
        traditional=article.script == "traditional",
        markup=True,
    )


# --- source spans of the seeds ------------------------------------------------------------------

SEED_NUMBERS = ["000", "001", "002", "003", "004"]


def _random_spans(text: str, rng: random.Random, count: int) -> list[Span]:
    spans = []
    for index in range(count):
        start = rng.randrange(len(text))
        longest = len(text) - start if index % 4 == 0 else min(len(text) - start, 40)
        spans.append((start, start + rng.randint(1, longest)))
    return spans


@pytest.mark.parametrize("number", SEED_NUMBERS)
def test_200_random_seed_spans_map_to_raw_text_that_converts_to_them(
    number: str, seed_articles: dict[str, Article], reference: Reference
) -> None:
    article = seed_articles[number]
    rng = random.Random(f"source-span-{number}")
    for start, end in _random_spans(article.text, rng, 200):
        raw_start, raw_end = article.offsets.source_span(start, end)
        assert article.source_span(start, end) == article.raw[raw_start:raw_end]
        _check_clean_span(
            article.text,
            article.offsets,
            article.raw,
            start,
            end,
            reference,
            traditional=article.script == "traditional",
            markup=article.format in ("hexo", "html"),
        )


@pytest.mark.parametrize("number", SEED_NUMBERS)
def test_every_seed_line_maps_back(number: str, seed_articles: dict[str, Article], reference: Reference) -> None:
    check_every_line(seed_articles[number], reference)


def check_every_line(article: Article, reference: Reference) -> None:
    """Every line of the article's clean text maps back to raw text that converts to it."""
    for start, end in article.paragraphs:
        _check_clean_span(
            article.text,
            article.offsets,
            article.raw,
            start,
            end,
            reference,
            traditional=article.script == "traditional",
            markup=article.format in ("hexo", "html"),
        )


def test_source_span_examples(seed_articles: dict[str, Article]) -> None:
    hexo = seed_articles["000"]
    assert hexo.source_span(0, len(hexo.title)) == hexo.title  # the title's value in the front matter
    page = seed_articles["003"]
    start = page.text.index("医疗")
    assert page.source_span(start, start + 2) == "醫(yī)療"
    start = page.text.index("标志")
    assert page.source_span(start, start + 2) == "標志"


def test_source_span_after_decoding_other_encodings(seed_path: Callable[[str], Path], tmp_path: Path) -> None:
    """Offsets point into the decoded raw text, whatever the file's encoding."""
    raw = seed_path("003").read_text(encoding="utf-8")
    path = tmp_path / "gbk.txt"
    path.write_bytes(raw.encode("gbk"))
    article = read_article(path)
    assert article.raw == raw
    start = article.text.index("医疗")
    assert article.source_span(start, start + 2) == "醫(yī)療"
