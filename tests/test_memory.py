"""Corpus memory: a name established in one article of a run is known in the others.

Runs the real LAC pipeline. The corpus: article A defines a company's short
name (杭州瑞鸿康医疗科技有限公司（下称“瑞鸿康”）); article B writes the short
name alone, where the tagger reads it as a person's name; article C defines a
name no other article uses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from healthnews_nlp import load
from healthnews_nlp.cli import main
from healthnews_nlp.gazetteer import load_gazetteer
from healthnews_nlp.models import Entity, Mention
from healthnews_nlp.nlp.lexicons import Lexicons
from healthnews_nlp.nlp.established import established_names
from healthnews_nlp.run import EXTRACTIONS, MEMOS, Settings, run_extract, run_graph

ARTICLE_A = (
    "瑞鸿康完成新一轮融资\n"
    "杭州瑞鸿康医疗科技有限公司（下称“瑞鸿康”）今日宣布完成B轮融资。瑞鸿康成立于2015年，专注于肿瘤早筛。"
)
ARTICLE_B = "华山医院签约\n昨日，瑞鸿康与复旦大学附属华山医院签署战略合作协议。"
ARTICLE_C = (
    "新药获批\n苏州拓诺维生物制药有限公司（下称“拓诺维”）研发的新药获批上市。拓诺维表示将扩大产能。"
)


def entities_of(jsonl: Path, name: str) -> set[tuple[str, str]]:
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["article"] == name:
            return {(e["name"], e["type"]) for e in record["entities"]}
    raise AssertionError(f"{name} not in {jsonl}")


def line_of(jsonl: Path, name: str) -> str:
    return next(
        line
        for line in jsonl.read_text(encoding="utf-8").splitlines()
        if f'"article":"{name}"' in line
    )


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in (("a.txt", ARTICLE_A), ("b.txt", ARTICLE_B), ("c.txt", ARTICLE_C)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def remembered(corpus: Path, tmp_path: Path) -> Path:
    """A run of the corpus with corpus memory (the default), in one process."""
    out = tmp_path / "remembered" / EXTRACTIONS
    report = run_extract([corpus], out, jobs=1)
    assert report.remembered == 1  # B only
    return out


@pytest.fixture()
def forgetful(corpus: Path, tmp_path: Path) -> Path:
    out = tmp_path / "forgetful" / EXTRACTIONS
    report = run_extract([corpus], out, jobs=1, memory=False)
    assert report.remembered == 0
    return out


# --- what an article establishes --------------------------------------------------------------


def test_established_names_are_defined_short_names_of_confident_organizations_and_events() -> None:
    text = (
        "杭州瑞鸿康医疗科技有限公司（下称“瑞鸿康”）与第三届数字健康大会（以下简称“数健会”）"
        "拓诺维生物（下称“拓诺维”）上海市（以下简称“本市”）副院长（下称“院长”）"
        "市妇幼保健院（下称“妇幼院”）美国证券交易委员会（简称“SEC”）联影医疗科技公司今日"
    )

    def entity(name: str, kind: str, alias: str = "", confidence: float = 1.0) -> Entity:
        start = text.index(name)
        mentions = (Mention(start=start, end=start + len(name), text=name),)
        return Entity(
            name=name,
            type=kind,
            aliases=(alias,) if alias else (),
            mentions=mentions,
            confidence=confidence,
        )

    entities = [
        entity("杭州瑞鸿康医疗科技有限公司", "ORG", "瑞鸿康"),
        entity("第三届数字健康大会", "EVENT", "数健会"),
        entity("拓诺维生物", "ORG", "拓诺维", confidence=0.5),  # not sure enough
        entity("上海市", "ORG", "本市"),  # a place of the gazetteer, and a class noun
        entity("副院长", "ORG", "院长"),  # a title
        entity("市妇幼保健院", "ORG", "妇幼院"),  # the city of the article it is in
        entity("美国证券交易委员会", "ORG", "SEC"),  # an acronym: other bodies elsewhere
        entity("联影医疗科技公司", "ORG"),  # named, but no short name defined
    ]
    names = established_names(entities, text, Lexicons.load(), load_gazetteer())
    assert names == {
        "杭州瑞鸿康医疗科技有限公司": "ORG",
        "瑞鸿康": "ORG",
        "第三届数字健康大会": "EVENT",
        "数健会": "EVENT",
        "美国证券交易委员会": "ORG",
    }


# --- the component -------------------------------------------------------------------------------


def test_a_remembered_name_is_a_candidate_that_longer_readings_still_win_over() -> None:
    plain, remembering = load(), load(memory={"瑞鸿康": "ORG", "华山医院": "ORG"})
    text = "昨日，瑞鸿康与复旦大学附属华山医院签署战略合作协议。"
    assert ("瑞鸿康", "PERSON") in {(e.name, e.type) for e in plain(text)._.entities}
    doc = remembering(text)
    assert [(s.text, s.label_) for s in doc.spans["healthnews_memory"]] == [
        ("瑞鸿康", "ORG"),
        ("华山医院", "ORG"),
    ]
    assert doc.spans["healthnews_memory"].attrs["rules"] == ["memory", "memory"]
    # the longer name the rules read keeps 华山医院 inside it
    assert {(e.name, e.type) for e in doc._.entities} == {
        ("瑞鸿康", "ORG"),
        ("复旦大学附属华山医院", "ORG"),
    }


def test_remembered_names_survive_to_disk_and_spacy_load(tmp_path: Path) -> None:
    load(memory={"瑞鸿康": "ORG"}).to_disk(tmp_path / "pipeline")
    code = (
        "import spacy\n"
        f"nlp = spacy.load({str(tmp_path / 'pipeline')!r})\n"
        "print(nlp.get_pipe('healthnews_memory').names)\n"
        "print(sorted((e.text, e.label_) for e in nlp('昨日，瑞鸿康发布新品。').ents))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["{'瑞鸿康': 'ORG'}", "[('瑞鸿康', 'ORG')]"]


def test_only_organizations_and_events_are_remembered() -> None:
    with pytest.raises(ValueError, match="ORG or EVENT"):
        load(memory={"张伟明": "PERSON"})


# --- a run -----------------------------------------------------------------------------------------


def test_a_name_established_in_one_article_is_known_in_another(
    remembered: Path, forgetful: Path
) -> None:
    assert ("瑞鸿康", "PERSON") in entities_of(forgetful, "b.txt")
    assert ("瑞鸿康", "ORG") in entities_of(remembered, "b.txt")
    relations = json.loads(line_of(remembered, "b.txt"))["relations"]
    assert {(r["head"], r["type"], r["tail"]) for r in relations} == {
        ("复旦大学附属华山医院", "PARTNERS_WITH", "瑞鸿康")
    }


def test_a_name_of_one_article_only_changes_nothing(remembered: Path, forgetful: Path) -> None:
    for name in (
        "a.txt",
        "c.txt",
    ):  # their own names, no other article's: extracted once, as without
        assert line_of(remembered, name) == line_of(forgetful, name)


def test_one_job_or_two_and_a_resume_give_the_same_bytes(
    corpus: Path, remembered: Path, tmp_path: Path
) -> None:
    # batches of one file: three tasks, two worker processes, both passes in them
    two = tmp_path / "two"
    run_graph([corpus], two, jobs=2, settings=Settings(batch_size=1))
    assert (two / EXTRACTIONS).read_bytes() == remembered.read_bytes()
    one = tmp_path / "one"
    run_graph([corpus], one, jobs=1)
    for name in ("graph.graphml", "graph.json", "nodes.csv", "edges.csv", MEMOS):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    # resumed: A extracted again (B's memo is reused, B's line was made with the same memory)
    jsonl = one / EXTRACTIONS
    jsonl.write_text("".join(f"{l}\n" for l in lines_but(jsonl, "a.txt")), encoding="utf-8")
    report = run_graph([corpus], one, jobs=1)
    assert (report.run.extracted, report.run.remembered) == (1, 0)
    for name in (EXTRACTIONS, "graph.graphml", MEMOS):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def lines_but(jsonl: Path, name: str) -> list[str]:
    return [
        l for l in jsonl.read_text(encoding="utf-8").splitlines() if f'"article":"{name}"' not in l
    ]


def test_a_run_stopped_in_the_second_pass_resumes_it(
    corpus: Path, remembered: Path, forgetful: Path
) -> None:
    expected = remembered.read_bytes()
    # as a kill leaves it: B's first-pass line in the JSONL, its second-pass line not yet written
    first_pass = line_of(forgetful, "b.txt")
    remembered.write_text(
        "".join(f"{l}\n" for l in [*lines_but(remembered, "b.txt"), first_pass]), encoding="utf-8"
    )
    memos = remembered.with_name(MEMOS)
    memos.write_text(
        "".join(
            f"{l}\n" for l in memos.read_text(encoding="utf-8").splitlines() if '"applied"' not in l
        ),
        encoding="utf-8",
    )
    report = run_extract([corpus], remembered, jobs=1)
    assert (report.extracted, report.remembered) == (0, 1)
    assert remembered.read_bytes() == expected


def test_a_second_pass_line_cut_by_a_kill_after_it_is_written_keeps_the_last_line(
    corpus: Path, remembered: Path, forgetful: Path
) -> None:
    expected = remembered.read_bytes()
    # the first-pass line of B, then its second-pass line appended: the last one is B's
    text = remembered.read_text(encoding="utf-8")
    remembered.write_text(line_of(forgetful, "b.txt") + "\n" + text, encoding="utf-8")
    report = run_extract([corpus], remembered, jobs=1)
    assert (report.extracted, report.remembered) == (0, 0)
    assert remembered.read_bytes() == expected


def test_an_article_whose_memory_is_gone_is_made_again_without(
    corpus: Path, remembered: Path, forgetful: Path
) -> None:
    (corpus / "a.txt").unlink()  # the article that established 瑞鸿康
    report = run_extract([corpus], remembered, jobs=1)
    assert report.remembered == 1
    assert line_of(remembered, "b.txt") == line_of(forgetful, "b.txt")


def test_no_memory_on_the_command_line(corpus: Path, tmp_path: Path, forgetful: Path) -> None:
    out = tmp_path / "cli" / "x.jsonl"
    assert main(["extract", str(corpus), "-o", str(out), "--jobs", "1", "--no-memory"]) == 0
    assert out.read_bytes() == forgetful.read_bytes()
    assert not out.with_name("x.memory.jsonl").exists()
    assert (
        main(["extract", str(corpus), "-o", str(out), "--jobs", "1"]) == 0
    )  # another pipeline: again
    assert ("瑞鸿康", "ORG") in entities_of(out, "b.txt")
    assert out.with_name("x.memory.jsonl").exists()


def test_extractions_without_their_memos_are_made_again(corpus: Path, remembered: Path) -> None:
    expected, memos = remembered.read_bytes(), remembered.with_name(MEMOS)
    kept = memos.read_text(encoding="utf-8").splitlines()
    memos.write_text("".join(f"{l}\n" for l in kept if "/b.txt" not in l), encoding="utf-8")
    report = run_extract([corpus], remembered, jobs=1)
    assert (report.resumed, report.extracted, report.remembered) == (2, 1, 1)
    assert remembered.read_bytes() == expected
    memos.unlink()  # lost: every article is extracted again, for its names
    report = run_extract([corpus], remembered, jobs=1)
    assert (report.resumed, report.extracted) == (0, 3)
    assert remembered.read_bytes() == expected


def test_a_memo_cut_short_by_a_kill_is_cut_off(corpus: Path, remembered: Path) -> None:
    expected, memos = remembered.read_bytes(), remembered.with_name(MEMOS)
    before = memos.read_bytes()
    memos.write_bytes(before + before[: len(before) // 3])  # a kill in the middle of a memo
    remembered.write_text(
        "".join(f"{l}\n" for l in lines_but(remembered, "c.txt")), encoding="utf-8"
    )
    report = run_extract([corpus], remembered, jobs=1)
    assert (report.extracted, report.remembered) == (1, 0)
    assert remembered.read_bytes() == expected
    assert memos.read_bytes() == before


def test_a_file_size_limit_while_appending_the_memos_stops_the_run_saying_so(
    corpus: Path, tmp_path: Path
) -> None:
    """RLIMIT_FSIZE hit on the memos (written before each line): an OutputError naming them."""
    import resource

    out = tmp_path / "out"

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "healthnews_nlp.cli",
            "graph",
            str(corpus),
            "-o",
            str(out),
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limited,
        check=False,
    )
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{out / MEMOS}: cannot write: File too large" in done.stderr
