"""Untrusted input: nothing in a file can run code, expand entities, read other files or place output.

* YAML front matter goes through a safe loader: Python tags are refused,
  never run; an alias bomb costs nothing, as aliases are references.
* HTML is read with the standard library's tokenizer: a DOCTYPE's entity
  declarations are skipped and never expanded, external entities never read.
* The GraphML and GEXF readers of ``KnowledgeGraph.read`` refuse any
  DOCTYPE (``test_export.py``); fields of input records never become output
  paths (``test_run.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from healthnews_nlp import IngestError, read_article


def test_python_tags_in_front_matter_are_refused_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for tag in (
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
    ):
        page = tmp_path / "page.md"
        page.write_text(
            f'---\ntitle: {tag} ["touch {marker}"]\n---\n<p>正文。</p>\n', encoding="utf-8"
        )
        with pytest.raises(IngestError, match="front matter is not valid YAML.*constructor"):
            read_article(page)
    assert not marker.exists()


def test_a_yaml_alias_bomb_costs_nothing(tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh"):  # 9**9 strings if aliases were copies
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    front = "\n".join([*levels, "title: *i", "categories: *i", "author: *i", "url: *i"])
    page = tmp_path / "bomb.md"
    page.write_text(f"---\n{front}\n---\n<p>正文。</p>\n", encoding="utf-8")
    started = time.perf_counter()
    article = read_article(page)
    assert time.perf_counter() - started < 2
    assert article.text == "正文。" and article.author is None and article.url is None


BILLION_LAUGHS = """<!DOCTYPE lolz [
<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY secret SYSTEM "file://{secret}">
]>
<html><body><h1>深圳三院签约</h1><p>正文&lol9;与&secret;。</p></body></html>
"""


def test_html_entities_are_never_expanded_nor_external_ones_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("绝密内容", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(BILLION_LAUGHS.format(secret=secret), encoding="utf-8")
    started = time.perf_counter()
    article = read_article(page)
    assert time.perf_counter() - started < 2
    assert article.title == "深圳三院签约"  # the DOCTYPE, internal subset and all, shows no text
    assert article.text == "深圳三院签约\n正文&lol9;与&secret;。"  # references stay as written
    assert "lollol" not in article.text and "绝密" not in article.text
