"""The XML schemas the exports must validate against, from ``tests/data`` (see its README).

``tests/data/gexf-1.3/`` holds the official GEXF 1.3 schema (``gexf.xsd``
includes ``dynamics.xsd`` and imports ``viz.xsd``); ``tests/data/graphml.xsd``
the GraphML 1.0 schema. Both are read from files only: nothing is fetched.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

DATA = Path(__file__).resolve().parent / "data"
GEXF_XSD = DATA / "gexf-1.3" / "gexf.xsd"
GRAPHML_XSD = DATA / "graphml.xsd"


@cache
def schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def schema_errors(xsd: Path, document: Path | bytes) -> list[str]:
    """What the schema refuses in ``document`` (a file or its bytes), one line each; [] if valid."""
    tree = (
        etree.parse(str(document))
        if isinstance(document, Path)
        else etree.fromstring(document).getroottree()
    )
    checker = schema(xsd)
    if checker.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]
