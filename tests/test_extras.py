"""What each install gives: base dependencies, extras, and a clear error when an extra is missing.

The base install (``pip install healthnews-nlp``) must run the main job, so
every package the library imports unguarded is a base dependency. A package of
an extra (pandas, matplotlib, ipysigma for ``notebook``; dask for ``dask``)
is imported only inside ``requires_extra(...)`` (or a ``try`` that turns the
ImportError into an error of the library), so a feature used without its extra
says which extra to install instead of a bare ``No module named ...``. The
audit reads the package's source; the behaviour is checked by hiding the
modules (``sys.modules[name] = None`` makes their import fail as if they were
not installed).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from test_graph_seeds import seeds

from healthnews_nlp import KnowledgeGraph, MissingExtraError, build_graph, viz
from healthnews_nlp.errors import requires_extra

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "healthnews_nlp"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

#: Import names of the optional packages and the extra that installs each.
OPTIONAL = {
    "pandas": "notebook",
    "matplotlib": "notebook",
    "ipysigma": "notebook",
    "ipywidgets": "notebook",
    "IPython": "notebook",
    "dask": "dask",
    "distributed": "dask",
    "hanlp": "hanlp",
    "torch": "hanlp",
    "sklearn": "train",
    "scipy": "train",
    "threadpoolctl": "train",
}
#: Only the tests use these: the library must never import them.
TEST_ONLY = {"nbclient", "nbformat", "ipykernel", "pytest", "hypothesis"}


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared(requirements: list[str]) -> set[str]:
    """Distributions named by ``requirements`` and, one level down, what they require themselves."""
    names = {_requirement_name(r) for r in requirements}
    below: set[str] = set()
    for requirement in requirements:
        asked = set(re.findall(r"[\w-]+", requirement.split("[", 1)[1].split("]")[0])) if "[" in requirement else set()
        try:  # their dependencies, and those of the extras asked for (dask[distributed]) only
            requires = metadata.requires(_requirement_name(requirement)) or []
        except metadata.PackageNotFoundError:
            continue
        for sub in requires:
            extra = re.search(r"extra\s*==\s*['\"]([\w-]+)['\"]", sub)
            if extra is None or extra[1] in asked:
                below.add(_requirement_name(sub))
    return names | below


def _distributions(module: str) -> set[str]:
    """The distributions that install ``module`` (its own name when it is not installed here)."""
    found = metadata.packages_distributions().get(module) or [module]
    return {d.lower().replace("_", "-") for d in found}


def _imports() -> Iterator[tuple[Path, int, str, list[ast.AST]]]:
    """Every import of another package in the library: file, line, top-level module, parents."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        stack: list[tuple[ast.AST, list[ast.AST]]] = [(tree, [])]
        while stack:
            node, parents = stack.pop()
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            for module in modules:
                top = module.split(".")[0]
                if (
                    top != "healthnews_nlp"
                    and top not in sys.stdlib_module_names
                    and top != "__future__"
                ):
                    yield path, node.lineno, top, parents  # type: ignore[attr-defined]
            stack.extend((child, [*parents, node]) for child in ast.iter_child_nodes(node))


def _type_checking_only(parents: list[ast.AST]) -> bool:
    return any(isinstance(p, ast.If) and "TYPE_CHECKING" in ast.unparse(p.test) for p in parents)


def _guard(parents: list[ast.AST]) -> str | None:
    """The extra of an enclosing ``requires_extra()``; "try" in a try/except ImportError."""
    for parent in reversed(parents):
        if isinstance(parent, ast.With):
            for item in parent.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and ast.unparse(call.func).endswith("requires_extra"):
                    return str(ast.literal_eval(call.args[0]))
        if isinstance(parent, ast.Try) and any(
            h.type is not None and "ImportError" in ast.unparse(h.type) for h in parent.handlers
        ):
            return "try"
    return None


def test_every_unguarded_import_is_a_base_dependency() -> None:
    base = _declared(PYPROJECT["dependencies"])
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path, line, module, parents in _imports()
        if not _type_checking_only(parents)
        and _guard(parents) is None
        and not _distributions(module) & base
    ]
    assert missing == [], (
        "imported without a guard, yet not installed by `pip install healthnews-nlp`"
    )


def test_lxml_is_a_base_dependency() -> None:
    """The GEXF export streams with lxml, and KnowledgeGraph.read parses GraphML/GEXF with it."""
    assert "lxml" in {_requirement_name(r) for r in PYPROJECT["dependencies"]}


def test_every_optional_import_is_guarded_and_names_the_extra_that_installs_it() -> None:
    extras = PYPROJECT["optional-dependencies"]
    problems = []
    for path, line, module, parents in _imports():
        where = f"{path.relative_to(ROOT)}:{line}: {module}"
        assert module not in TEST_ONLY, f"{where}: only the tests may import it"
        if module not in OPTIONAL or _type_checking_only(parents):
            continue
        guard = _guard(parents)
        if guard is None:
            problems.append(f"{where}: not inside requires_extra(...)")
        elif guard != "try" and guard != OPTIONAL[module]:
            problems.append(
                f"{where}: requires_extra names {guard!r}; the {OPTIONAL[module]!r} extra has it"
            )
        elif not _distributions(module) & _declared(extras[OPTIONAL[module]]):
            problems.append(f"{where}: the {OPTIONAL[module]!r} extra does not install it")
    assert problems == []


# --- the errors a user of the base install gets -----------------------------------------------


@pytest.fixture
def hide(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make modules (and their submodules) fail to import, as on an install without them."""

    def hide_modules(*names: str) -> None:
        for name in names:
            for loaded in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
                monkeypatch.setitem(sys.modules, loaded, None)
            monkeypatch.setitem(sys.modules, name, None)

    return hide_modules


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return build_graph(seeds())


#: Each notebook feature: the module it needs and a call of it on a graph (writing into a folder).
NOTEBOOK_FEATURES: dict[str, tuple[str, Callable[[KnowledgeGraph, Path], Any]]] = {
    "top_partners": ("pandas", lambda kg, _: kg.top_partners(5)),
    "communities": ("pandas", lambda kg, _: kg.communities()),
    "timeline": ("pandas", lambda kg, _: kg.timeline()),
    "graph.to_dataframe": ("pandas", lambda kg, _: kg.to_dataframe("relations")),
    "extraction.to_dataframe": ("pandas", lambda _, __: seeds()[0].to_dataframe()),
    "entity_table.to_dataframe": ("pandas", lambda _, __: seeds()[0].entity_table().to_dataframe()),
    "plot": ("matplotlib", lambda kg, folder: kg.plot(folder / "graph.png")),
    "plot_timeline": ("matplotlib", lambda kg, folder: kg.plot_timeline(folder / "timeline.png")),
    "find_cjk_font": ("matplotlib", lambda _, __: viz.find_cjk_font()),
    "show": ("ipysigma", lambda kg, _: kg.show()),
    "show(widget=True)": ("ipysigma", lambda kg, _: kg.show(widget=True)),
    "to_html": ("ipysigma", lambda kg, folder: kg.to_html(folder / "graph.html")),
}


@pytest.mark.parametrize("feature", list(NOTEBOOK_FEATURES))
def test_a_notebook_feature_without_its_extra_names_the_extra(
    feature: str, kg: KnowledgeGraph, tmp_path: Path, hide: Callable[..., None]
) -> None:
    module, call = NOTEBOOK_FEATURES[feature]
    hide(module)
    with pytest.raises(MissingExtraError) as raised:
        call(kg, tmp_path)
    message = str(raised.value)
    assert f"needs {module}, which is not installed" in message
    assert "pip install 'healthnews-nlp[notebook]'" in message
    assert not message.startswith("No module named")
    assert isinstance(raised.value, ImportError) and raised.value.extra == "notebook"
    assert not list(tmp_path.iterdir())  # nothing written


def test_the_dask_runner_without_its_extra_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, hide: Callable[..., None]
) -> None:
    monkeypatch.delitem(sys.modules, "healthnews_nlp.distributed", raising=False)
    hide("distributed", "dask")
    with pytest.raises(
        MissingExtraError, match=r"needs distributed, .*pip install 'healthnews-nlp\[dask\]'"
    ):
        import healthnews_nlp.distributed  # noqa: F401


def test_a_broken_optional_package_is_named_with_its_own_error() -> None:
    with pytest.raises(MissingExtraError, match=r"needs pandas, which cannot be imported \(boom\)"):
        with requires_extra("notebook", "a table"):
            raise ImportError("boom", name="pandas")
