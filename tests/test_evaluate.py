"""healthnews_nlp.evaluate must agree exactly with the reference scorer.

The reference (``shared/tools/score.py``) and the gold live next to the repo,
in ``../shared``; the tests that need them are skipped when it is absent.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthnews_nlp.evaluate import (
    Counts,
    EvaluationInputError,
    GoldArticle,
    Scores,
    load_gold,
    load_predictions,
    normalize,
    score,
)

SHARED = Path(__file__).parents[1].parent / "shared"
GOLD_DIR = SHARED / "gold"
SCORER = SHARED / "tools" / "score.py"

ENTITY_TYPES = ("ORG", "PERSON", "LOC", "EVENT")
RELATION_TYPES = (
    "PARTNERS_WITH",
    "ORGANIZES",
    "PARTICIPATES_IN",
    "WORKS_FOR",
    "HELD_IN",
    "LOCATED_IN",
    "PART_OF",
)
WRONG_NAMES = ("不存在的机构", "张三", "火星", "第九届虚构大会", "中国", "腾讯", "")

Doc = dict[str, Any]


# --------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_dir() -> Path:
    if not (GOLD_DIR.is_dir() and SCORER.is_file()):
        pytest.skip(f"shared gold and reference scorer not found under {SHARED}")
    return GOLD_DIR


@pytest.fixture(scope="module")
def gold_docs(gold_dir: Path) -> list[Doc]:
    """The raw gold JSON, the material perturbations start from."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.json"))]


@pytest.fixture(scope="module")
def gold(gold_dir: Path) -> dict[str, GoldArticle]:
    return load_gold(gold_dir)


@lru_cache(maxsize=1)
def _s2t() -> Any:
    from opencc import OpenCC

    return OpenCC("s2t")


def traditional(s: str) -> str:
    return str(_s2t().convert(s))


def write_jsonl(path: Path, docs: list[Any]) -> Path:
    path.write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
    )
    return path


def run_reference(gold_dir: Path, predictions: Path, *, as_json: bool = True) -> str:
    """score.py's output; run with this interpreter so it finds opencc as we do."""
    args = [sys.executable, str(SCORER), str(gold_dir), str(predictions)]
    done = subprocess.run(
        args + (["--json"] if as_json else []),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    return done.stdout


def assert_same_scores(ours: dict[str, Any], reference: dict[str, Any]) -> None:
    assert ours.keys() == reference.keys()
    assert ours["missing_articles"] == reference["missing_articles"]
    for part in ("entities", "relations"):
        assert list(ours[part]) == list(reference[part]), part
        for type_, row in reference[part].items():
            assert ours[part][type_] == pytest.approx(row), (part, type_)


def check_against_reference(gold_dir: Path, docs: list[Any], tmp: Path) -> Scores:
    predictions = write_jsonl(tmp / "pred.jsonl", docs)
    ours = score(load_gold(gold_dir), load_predictions(predictions))
    reference = json.loads(run_reference(gold_dir, predictions))
    assert_same_scores(ours.to_dict(), reference)
    return ours


# --------------------------------------------------------------------------
# Perturbations
# --------------------------------------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]


def _pick(draw: Draw, items: list[Any]) -> Any:
    return items[draw(st.integers(0, len(items) - 1))]


def _entities(doc: Doc) -> list[Doc]:
    return [e for e in doc["entities"] if isinstance(e, dict)]


def op_drop_entity(doc: Doc, draw: Draw) -> None:
    if doc["entities"]:
        doc["entities"].pop(draw(st.integers(0, len(doc["entities"]) - 1)))


def op_add_wrong_entity(doc: Doc, draw: Draw) -> None:
    names = list(WRONG_NAMES) + [e["name"] for e in _entities(doc)]
    doc["entities"].insert(
        draw(st.integers(0, len(doc["entities"]))),
        {
            "name": draw(st.sampled_from(names)),
            "type": draw(st.sampled_from((*ENTITY_TYPES, "MISC"))),
            "aliases": [],
        },
    )


def op_swap_type(doc: Doc, draw: Draw) -> None:
    if ents := _entities(doc):
        entity = _pick(draw, ents)
        entity["type"] = draw(st.sampled_from([t for t in ENTITY_TYPES if t != entity["type"]]))


def op_alias_as_name(doc: Doc, draw: Draw) -> None:
    if ents := [e for e in _entities(doc) if e.get("aliases")]:
        entity = _pick(draw, ents)
        alias = _pick(draw, entity["aliases"])
        keep_name = draw(st.booleans())
        entity["aliases"] = [entity["name"]] if keep_name else []
        entity["name"] = alias


def op_traditional(doc: Doc, draw: Draw) -> None:
    if ents := _entities(doc):
        entity = _pick(draw, ents)
        entity["name"] = traditional(entity["name"])
        entity["aliases"] = [traditional(a) for a in entity.get("aliases") or []]


def op_decorate(doc: Doc, draw: Draw) -> None:
    """Quotes, spaces, title marks and full-width letters: all normalized away."""
    if ents := _entities(doc):
        entity = _pick(draw, ents)
        wrap = draw(st.sampled_from(["“{}”", " {} ", "《{}》", "「{}」\n", "'{}'", "{}"]))
        name = wrap.format(entity["name"])
        if draw(st.booleans()):  # ASCII to full width (NFKC maps it back)
            name = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
        entity["name"] = name


def op_empty_name(doc: Doc, draw: Draw) -> None:
    if ents := _entities(doc):
        entity = _pick(draw, ents)
        entity["name"] = draw(st.sampled_from(["", " ", "“”"]))


def op_merge_forms(doc: Doc, draw: Draw) -> None:
    """One prediction carries forms of two gold entities: exercises greedy matching."""
    ents = _entities(doc)
    if len(ents) >= 2:
        first, second = _pick(draw, ents), _pick(draw, ents)
        first.setdefault("aliases", []).append(second["name"])
        if draw(st.booleans()):
            first["type"] = second["type"]


def op_shuffle_entities(doc: Doc, draw: Draw) -> None:
    doc["entities"] = draw(st.permutations(doc["entities"]))


def op_duplicate_entity(doc: Doc, draw: Draw) -> None:
    if doc["entities"]:
        doc["entities"].append(copy.deepcopy(_pick(draw, doc["entities"])))


def op_junk_entity(doc: Doc, draw: Draw) -> None:
    doc["entities"].append(draw(st.sampled_from(["中国电信", 42, None, ["宁夏"]])))


def op_extra_keys(doc: Doc, draw: Draw) -> None:
    doc["metadata"] = {"model": "test", "version": 1}
    for item in _entities(doc) + doc["relations"]:
        if draw(st.booleans()):
            item["offsets"] = [[0, 3]]
            item["confidence"] = 0.5


def op_null_aliases(doc: Doc, draw: Draw) -> None:
    if ents := _entities(doc):
        entity = _pick(draw, ents)
        if draw(st.booleans()):
            entity["aliases"] = None
        else:
            entity.pop("aliases", None)


def op_drop_relation(doc: Doc, draw: Draw) -> None:
    if doc["relations"]:
        doc["relations"].pop(draw(st.integers(0, len(doc["relations"]) - 1)))


def op_reverse_relation(doc: Doc, draw: Draw) -> None:
    """Mostly PARTNERS_WITH (symmetric, still right), sometimes another type (wrong)."""
    if rels := doc["relations"]:
        partners = [r for r in rels if r["type"] == "PARTNERS_WITH"]
        relation = _pick(draw, partners if partners and draw(st.booleans()) else rels)
        relation["head"], relation["tail"] = relation["tail"], relation["head"]


def op_retype_relation(doc: Doc, draw: Draw) -> None:
    if rels := doc["relations"]:
        relation = _pick(draw, rels)
        relation["type"] = draw(st.sampled_from((*RELATION_TYPES, "FOUNDED")))


def op_unknown_relation(doc: Doc, draw: Draw) -> None:
    names = [e["name"] for e in _entities(doc)] or ["中国"]
    known, unknown = _pick(draw, names), draw(st.sampled_from(WRONG_NAMES))
    head, tail = (known, unknown) if draw(st.booleans()) else (unknown, known)
    doc["relations"].append(
        {"head": head, "type": draw(st.sampled_from(RELATION_TYPES)), "tail": tail}
    )


def op_random_relation(doc: Doc, draw: Draw) -> None:
    """Two known names, any type: right or wrong by chance."""
    if names := [e["name"] for e in _entities(doc)]:
        doc["relations"].append(
            {
                "head": _pick(draw, names),
                "type": draw(st.sampled_from(RELATION_TYPES)),
                "tail": _pick(draw, names),
            }
        )


def op_relation_by_other_form(doc: Doc, draw: Draw, gold_doc: Doc) -> None:
    """Name a relation end by an alias or a traditional spelling of the gold entity."""
    if rels := doc["relations"]:
        relation = _pick(draw, rels)
        end = draw(st.sampled_from(["head", "tail"]))
        entity = next((e for e in gold_doc["entities"] if e["name"] == relation[end]), None)
        if entity is not None:
            forms = [traditional(entity["name"]), *entity["aliases"]]
            relation[end] = _pick(draw, forms)


def op_duplicate_relation(doc: Doc, draw: Draw) -> None:
    if rels := doc["relations"]:
        doc["relations"].append(copy.deepcopy(_pick(draw, rels)))


OPS: tuple[Callable[..., None], ...] = (
    op_drop_entity,
    op_add_wrong_entity,
    op_swap_type,
    op_alias_as_name,
    op_traditional,
    op_decorate,
    op_empty_name,
    op_merge_forms,
    op_shuffle_entities,
    op_duplicate_entity,
    op_junk_entity,
    op_extra_keys,
    op_null_aliases,
    op_drop_relation,
    op_reverse_relation,
    op_retype_relation,
    op_unknown_relation,
    op_random_relation,
    op_relation_by_other_form,
    op_duplicate_relation,
)


@st.composite
def perturbed_predictions(draw: Draw, gold_docs: list[Doc]) -> list[Any]:
    """Prediction lines: each gold article perturbed, some missing, some doubled."""
    lines: list[Any] = []
    for gold_doc in gold_docs:
        if draw(st.integers(0, 7)) == 0:
            continue  # missing article
        doc = copy.deepcopy(gold_doc)
        for op in draw(st.lists(st.sampled_from(OPS), max_size=12)):
            if op is op_relation_by_other_form:
                op(doc, draw, gold_doc)
            else:
                op(doc, draw)
        if draw(st.booleans()):
            doc["article"] = "out/articles/" + doc["article"]  # keyed by file name
        if draw(st.integers(0, 5)) == 0:  # an earlier line the later one replaces
            lines.append({"article": doc["article"], "entities": [], "relations": []})
        lines.append(doc)
    if draw(st.booleans()):
        lines.append({"article": "999_not_in_gold.txt", "entities": [], "relations": []})
    return list(draw(st.permutations(lines)))


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_gold_against_itself_is_perfect(gold: dict[str, GoldArticle]) -> None:
    scores = score(gold, gold)
    assert scores.missing_articles == ()
    for table in (scores.entities, scores.relations):
        assert table.types  # every real type is present...
        for type_ in (*table.types, "ALL"):
            counts = table[type_]
            assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)
            assert counts.fp == counts.fn == 0


def test_gold_through_jsonl_matches_reference(
    gold_dir: Path, gold_docs: list[Doc], tmp_path: Path
) -> None:
    scores = check_against_reference(gold_dir, gold_docs, tmp_path)
    assert scores.entities.total.f1 == scores.relations.total.f1 == 1.0


# Each example runs the reference once (~0.2-0.45 s: its uncached pure-Python
# OpenCC normalization dominates), so the example count is what keeps this
# file within ~15 s; a random subset of the gold articles keeps runs short
# and varies which types appear in the tables.
@settings(
    max_examples=35,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_perturbed_predictions_match_reference(
    gold_dir: Path, gold_docs: list[Doc], data: st.DataObject
) -> None:
    chosen = data.draw(
        st.lists(st.sampled_from(range(len(gold_docs))), min_size=1, unique=True),
        label="gold articles",
    )
    docs = [gold_docs[i] for i in sorted(chosen)]
    lines = data.draw(perturbed_predictions(docs), label="prediction lines")
    with tempfile.TemporaryDirectory(prefix="healthnews-eval-") as tmp:
        subset = Path(tmp) / "gold"
        subset.mkdir()
        files = sorted(gold_dir.glob("*.json"))  # the order of gold_docs
        for i in chosen:
            shutil.copyfile(files[i], subset / files[i].name)
        check_against_reference(subset, lines, Path(tmp))


def _fixed_perturbation(gold_docs: list[Doc]) -> list[Doc]:
    """A hand-made prediction set touching every kind of error, one article missing."""
    docs = copy.deepcopy(gold_docs[:-1])
    first = docs[0]
    first["entities"][0]["name"] = traditional(first["entities"][0]["name"])
    first["entities"][1]["type"] = "LOC"
    first["entities"].append({"name": "虚构公司", "type": "ORG", "aliases": []})
    first["relations"].append({"head": "虚构公司", "type": "PARTNERS_WITH", "tail": "刘桂清"})
    partners = next(r for r in first["relations"] if r["type"] == "PARTNERS_WITH")
    partners["head"], partners["tail"] = partners["tail"], partners["head"]
    docs[1]["entities"] = docs[1]["entities"][::2]
    docs[1]["relations"] = docs[1]["relations"][1::2]
    docs[2]["relations"] = docs[2]["relations"] * 2
    return docs


@pytest.mark.parametrize("which", ["gold", "empty", "perturbed"])
def test_table_matches_reference_text(
    gold_dir: Path, gold_docs: list[Doc], tmp_path: Path, which: str
) -> None:
    docs = {"gold": gold_docs, "empty": [], "perturbed": _fixed_perturbation(gold_docs)}[which]
    predictions = write_jsonl(tmp_path / "pred.jsonl", docs)
    ours = score(load_gold(gold_dir), load_predictions(predictions))
    assert ours.format_table() + "\n" == run_reference(gold_dir, predictions, as_json=False)


def test_fixed_perturbation_counts(gold_dir: Path, gold_docs: list[Doc], tmp_path: Path) -> None:
    scores = check_against_reference(gold_dir, _fixed_perturbation(gold_docs), tmp_path)
    assert scores.missing_articles == (Path(gold_docs[-1]["article"]).name,)
    assert 0.0 < scores.entities.total.f1 < 1.0
    assert scores.relations["PARTNERS_WITH"].fp >= 1  # the unknown-name relation


def test_shared_forms_follow_reference_order(gold_dir: Path, tmp_path: Path) -> None:
    """Gold entities sharing a form: first-found resolution and greedy matching."""
    gold = {
        "article": "x.txt",
        "entities": [
            {"name": "中国电信集团", "type": "ORG", "aliases": ["中国电信"]},
            {"name": "中国电信宁夏公司", "type": "ORG", "aliases": ["中国电信"]},
            {"name": "中国电信", "type": "LOC", "aliases": []},
            {"name": "刘桂清", "type": "PERSON", "aliases": []},
        ],
        "relations": [
            {"head": "刘桂清", "type": "WORKS_FOR", "tail": "中国电信集团"},
            {"head": "中国电信宁夏公司", "type": "PART_OF", "tail": "中国电信集团"},
        ],
    }
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "x.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    prediction = {
        "article": "x.txt",
        "entities": [
            {"name": "中国電信", "type": "ORG", "aliases": ["中国电信宁夏公司"]},
            {"name": "中国电信宁夏公司", "type": "ORG"},
            {"name": "中国电信", "type": "LOC"},
        ],
        "relations": [
            {"head": "刘桂清", "type": "WORKS_FOR", "tail": "中国电信宁夏公司"},
            {"head": "刘桂清", "type": "WORKS_FOR", "tail": "中国电信"},  # the first holder
            {"head": "中国电信", "type": "PART_OF", "tail": "中国电信"},
        ],
    }
    scores = check_against_reference(tmp_path / "gold", [prediction], tmp_path)
    assert scores.entities["ORG"] == Counts(tp=2, fp=0, fn=0)
    assert scores.relations["WORKS_FOR"] == Counts(tp=1, fp=1, fn=0)


# --------------------------------------------------------------------------
# Unit tests that need no shared data
# --------------------------------------------------------------------------


def test_normalize_matches_guidelines() -> None:
    assert normalize(" “中國電信” ") == "中国电信"
    assert normalize("大专家．ＣＯＭ") == "大专家.COM"
    assert normalize("2021“医生云”大会") == "2021医生云大会"
    assert normalize("《「數字 健康」》\n") == "数字健康"
    assert normalize("") == ""


def test_import_does_not_build_converter() -> None:
    code = (
        "import sys, healthnews_nlp.evaluate as e; "
        "assert e._t2s.cache_info().currsize == 0; "
        "assert 'opencc' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _article(**extra: Any) -> dict[str, Any]:
    return {
        "article": "a.txt",
        "entities": [
            {"name": "中国电信", "type": "ORG", "aliases": []},
            {"name": "刘桂清", "type": "PERSON", "aliases": []},
        ],
        "relations": [{"head": "刘桂清", "type": "WORKS_FOR", "tail": "中国电信"}],
        **extra,
    }


def test_predictions_ignore_unknown_keys(tmp_path: Path) -> None:
    doc = _article(metadata={"model": "x"})
    doc["entities"][0]["offsets"] = [[0, 4]]
    doc["relations"][0]["sentence"] = 3
    preds = load_predictions(write_jsonl(tmp_path / "p.jsonl", [doc]))
    assert preds["a.txt"].entities[0].name == "中国电信"


def test_gold_is_strict(tmp_path: Path) -> None:
    good = _article()
    (tmp_path / "a.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    assert list(load_gold(tmp_path)) == ["a.txt"]

    for bad in (
        _article(metadata={}),
        {**good, "entities": [{"name": "中国电信", "type": "ORG", "offsets": []}]},
        {**good, "entities": [{"name": "中国电信", "type": "COMPANY"}]},
        {**good, "relations": [{"head": "马云", "type": "WORKS_FOR", "tail": "中国电信"}]},
    ):
        (tmp_path / "a.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(EvaluationInputError, match="a.json"):
            load_gold(tmp_path)


def test_scores_are_immutable() -> None:
    article = GoldArticle.model_validate(_article())
    scores = score({"a.txt": article}, {})
    assert scores.missing_articles == ("a.txt",)
    with pytest.raises(ValueError):
        scores.missing_articles = ()  # type: ignore[misc]
    assert scores.entities["PERSON"].fn == 1
    assert scores.to_dict()["relations"]["ALL"] == {
        "p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "fp": 0, "fn": 1,
    }


# --- per-article reports and error listings ------------------------------------------------------


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_per_article_reports_add_up_to_the_scores(gold_dir: Path, gold_docs: list[Doc], data: st.DataObject) -> None:
    from healthnews_nlp.evaluate import Counts
    from healthnews_nlp.evaluate_errors import article_reports

    lines = data.draw(perturbed_predictions(gold_docs), label="prediction lines")
    with tempfile.TemporaryDirectory(prefix="healthnews-eval-") as tmp:
        predictions = write_jsonl(Path(tmp) / "pred.jsonl", lines)
        gold = load_gold(gold_dir)
        scores = score(gold, load_predictions(predictions))
        reports = article_reports(gold, predictions)
    assert sum((r.entities for r in reports), Counts()) == scores.entities.total
    assert sum((r.relations for r in reports), Counts()) == scores.relations.total
    for report in reports:
        assert len([i for i in report.missed if i.kind == "entity"]) == report.entities.fn
        assert len([i for i in report.spurious if i.kind == "relation"]) == report.relations.fp


def test_errors_quote_the_sentence_they_stand_in(tmp_path: Path) -> None:
    from healthnews_nlp.evaluate_errors import article_reports, format_reports

    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "a.json").write_text(json.dumps({
        "article": "a.txt",
        "entities": [{"name": "腾讯", "type": "ORG", "aliases": []}, {"name": "深圳", "type": "LOC", "aliases": []}],
        "relations": [{"head": "腾讯", "type": "LOCATED_IN", "tail": "深圳"}],
    }, ensure_ascii=False), encoding="utf-8")
    text = "腾讯总部位于深圳。张三出席。"
    predictions = write_jsonl(tmp_path / "pred.jsonl", [{
        "article": "a.txt",
        "entities": [{"name": "张三", "type": "PERSON", "aliases": [], "mentions": [{"start": 9, "end": 11, "text": "张三"}]},
                     {"name": "腾讯", "type": "ORG", "aliases": []}],
        "relations": [],
    }])
    (report,) = article_reports(load_gold(tmp_path / "gold"), predictions, {"a.txt": text})
    listing = format_reports([report])
    assert "- LOC             深圳  「腾讯总部位于深圳」" in listing
    assert "- LOCATED_IN      腾讯 -LOCATED_IN-> 深圳  「腾讯总部位于深圳」" in listing
    assert "+ PERSON          张三  「张三出席」" in listing


def test_gold_that_is_not_there_is_an_error_not_zero_scores(tmp_path: Path) -> None:
    with pytest.raises(EvaluationInputError, match="nonexistent: no such folder of gold files"):
        load_gold(tmp_path / "nonexistent")
    with pytest.raises(EvaluationInputError, match=r"no gold files \(\*\.json\) in this folder"):
        load_gold(tmp_path)
    (tmp_path / "b.json").mkdir()  # a folder where a gold file should be
    with pytest.raises(EvaluationInputError, match="b.json: cannot read"):
        load_gold(tmp_path)


def test_predictions_that_cannot_be_read_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(EvaluationInputError, match="missing.jsonl: cannot read the predictions"):
        load_predictions(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(EvaluationInputError, match="binary.jsonl: not UTF-8 text"):
        load_predictions(binary)
    text = tmp_path / "article.txt"
    text.write_text("标题\n\n正文。\n", encoding="utf-8")
    with pytest.raises(EvaluationInputError, match="article.txt:1: not a prediction"):
        load_predictions(text)


def test_relation_calibration_counts_right_relations_by_confidence(tmp_path: Path) -> None:
    if not GOLD_DIR.is_dir():
        pytest.skip(f"no gold under {GOLD_DIR}")
    from healthnews_nlp.evaluate_errors import relation_calibration

    gold = load_gold(GOLD_DIR)
    name, article = next(iter(gold.items()))
    right = article.relations[0].model_dump()
    wrong = {**right, "tail": right["head"], "head": "不存在的机构"}
    predicted = {
        "article": name,
        "entities": [e.model_dump() for e in article.entities],
        "relations": [{**right, "confidence": 0.9}, {**wrong, "confidence": 0.85}, {**right, "confidence": 0.3}],
    }
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps(predicted, ensure_ascii=False) + "\n", encoding="utf-8")
    rows = relation_calibration({name: article}, path)
    assert [(r["relations"], r["right"]) for r in rows] == [(1, 1), (0, 0), (2, 1)]
    assert rows[2]["share"] == 0.5 and (rows[2]["from"], rows[2]["to"]) == (0.8, 1.0)
