"""Shared fixtures: the seed articles and an independent reference conversion.

The reference conversion (``reference``) is written here, in the tests, on
purpose: strip tone-marked pinyin annotations with its own pattern, convert
with OpenCC ``t2s`` directly, map full-width letters and digits to ASCII and
compare ignoring whitespace. The ingest tests check the library's clean text
and its offsets against it instead of against the library's own output.
"""

from __future__ import annotations

import faulthandler
import re
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from healthnews_nlp import Article, read_article

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE = rf"[a-zü]*[{_TONE}][a-zü{_TONE}]*"
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_WHITESPACE = re.compile(r"\s+")
_FULLWIDTH = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}


class Reference:
    """Independent text conversion used as the oracle of the ingest tests."""

    #: An inline pinyin annotation: tone-marked syllables in half- or full-width parentheses.
    PINYIN = re.compile(rf"[(（]{_SYLLABLE}(?:\s+{_SYLLABLE})*[)）]")

    def __init__(self) -> None:
        import opencc

        self._t2s = opencc.OpenCC("t2s")

    def strip_pinyin(self, text: str) -> str:
        return self.PINYIN.sub("", text)

    def t2s(self, text: str) -> str:
        return str(self._t2s.convert(text))

    def simplified(self, raw: str, *, traditional: bool = True) -> str:
        """``raw`` with pinyin annotations stripped and (if ``traditional``) converted to simplified."""
        text = self.strip_pinyin(raw)
        return self.t2s(text) if traditional else text

    @staticmethod
    def fold(text: str) -> str:
        """Comparable form: no whitespace or zero-width characters, full-width alnum as ASCII.

        The aspect particle is folded to one character (着 and 著 both to 著):
        OpenCC's table keeps 著, the library fixes it to 着 from a data file,
        and that fix is checked by its own tests.
        """
        text = _ZERO_WIDTH.sub("", text).translate(_FULLWIDTH)
        return _WHITESPACE.sub("", text).replace("着", "著")

    def comparable(self, raw: str, *, traditional: bool = True, markup: bool = False) -> str:
        """The folded simplified form of a raw span; ``markup`` spans go through html_to_text first."""
        if markup:
            from healthnews_nlp.ingest.html import html_to_text

            raw = html_to_text(raw)[0]
        return self.fold(self.simplified(raw, traditional=traditional))


@lru_cache(maxsize=1)
def _reference() -> Reference:
    return Reference()


@pytest.fixture(scope="session")
def reference() -> Reference:
    return _reference()


@pytest.fixture(scope="session")
def seed_path() -> Callable[[str], Path]:
    """``seed_path("003")``: the seed file whose name starts with that number."""

    def find(number: str) -> Path:
        matches = sorted(SEEDS_DIR.glob(f"{number}_*.txt"))
        assert len(matches) == 1, f"expected one seed {number} in {SEEDS_DIR}, found {matches}"
        return matches[0]

    return find


@pytest.fixture(scope="session")
def seed_articles() -> dict[str, Article]:
    """Every seed read once per session, keyed by its number (``"000"`` … ``"004"``)."""
    return {path.name[:3]: read_article(path) for path in sorted(SEEDS_DIR.glob("*.txt"))}


# --- the fuzz and fault suite (tests marked ``fuzz``): a hang guard and its numbers --------------

#: Seconds a whole fuzz test may run before the process is ended with a traceback of every
#: thread: the last resort against a hang inside C code, which no per-case alarm interrupts.
FUZZ_TEST_LIMIT = 300


@pytest.fixture(autouse=True)
def _fuzz_hang_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("fuzz") is None:
        yield
        return
    faulthandler.dump_traceback_later(FUZZ_TEST_LIMIT, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


_fuzz_reports: dict[str, float] = {"tests": 0, "failed": 0, "seconds": 0.0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "fuzz" not in report.keywords:
        return
    _fuzz_reports["seconds"] += report.duration
    if report.when == "call":
        _fuzz_reports["tests"] += 1
    if report.failed:
        _fuzz_reports["failed"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line with the suite's measured numbers (what the README's Robustness section quotes)."""
    support = sys.modules.get("fuzz_support")
    if support is None or not _fuzz_reports["tests"]:
        return
    cases = support.CASES
    terminalreporter.write_line(
        f"fuzz/fault suite: {cases['generated']} generated cases + {cases['fixed']} fixed nasty inputs "
        f"in {int(_fuzz_reports['tests'])} tests, {int(_fuzz_reports['failed'])} failed, "
        f"{_fuzz_reports['seconds']:.1f} s"
    )
