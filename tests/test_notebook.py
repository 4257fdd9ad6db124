"""notebooks/explore.ipynb runs top to bottom in a real Jupyter kernel, with outputs as committed: none.

The kernel is this interpreter (the venv ``make test`` made), started in
notebooks/ as Jupyter would be. A cell that raises fails the test with the
cell's traceback (nbclient's ``CellExecutionError``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"


@pytest.fixture(scope="module")
def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_the_notebook_is_committed_with_outputs_cleared(notebook: nbformat.NotebookNode) -> None:
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.slow
def test_every_cell_runs_top_to_bottom(notebook: nbformat.NotebookNode) -> None:
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    executed = client.execute(cwd=str(NOTEBOOK.parent))
    outputs = [output for cell in executed.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) + str(o.get("data", {}).get("text/html", ""))
        for o in outputs
    )
    # the notebook showed what it is for: the seeds, one article's tables, the graph page, the exports
    assert "5 articles read, 0 failed" in text
    assert "深圳市第三人民医院" in text and "PARTNERS_WITH" in text
    assert "<iframe" in text  # kg.show(): the interactive view
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # kg.plot_timeline() and kg.plot()
    assert "graph.gexf" in text and "graph.graphml" in text
