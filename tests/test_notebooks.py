"""The analyst notebooks run top to bottom on the samples, in a kernel of this interpreter.

A notebook with a cell tagged ``parameters`` (papermill's convention) runs here with the
smaller values of :data:`PARAMETERS`, set in a cell added right after it."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ["01-explore.ipynb", "02-tune-detection.ipynb", "03-outcomes.ipynb", "04-replay.ipynb"]
#: Per notebook, its parameters as the tests set them, and a text its outputs then show.
PARAMETERS = {"04-replay.ipynb": ("DAYS = 7", "7 simulated days in")}


def test_the_notebooks_are_there_without_outputs() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4
        assert notebook["metadata"]["kernelspec"]["name"] == "python3"
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert code and notebook["cells"][0]["cell_type"] == "markdown"
        for cell in code:
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``python3`` kernelspec running this very interpreter, found first via JUPYTER_PATH.

    Jupyter's state (runtime files, IPython profile) goes to a temporary folder too.
    """
    pytest.importorskip("nbclient", reason="notebook tests need nbclient (dev dependency)")
    pytest.importorskip("ipykernel", reason="notebook tests need ipykernel (dev dependency)")
    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (Teplokarty tests)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(home))
        patch.setenv("JUPYTER_RUNTIME_DIR", str(home / "runtime"))
        patch.setenv("JUPYTER_PLATFORM_DIRS", "1")
        patch.setenv("IPYTHONDIR", str(home / "ipython"))
        patch.setenv("PYTHONPATH", path)
        yield "python3"


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_top_to_bottom(name: str, kernel_name: str) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    given, shown = PARAMETERS.get(name, ("", ""))
    if given:
        tagged = [i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{name} has one cell tagged parameters"
        notebook.cells.insert(tagged[0] + 1, nbformat.v4.new_code_cell(given))
    # one more cell, to prove which interpreter ran it
    notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    client = NotebookClient(
        notebook, kernel_name=kernel_name, timeout=600, resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    started = time.monotonic()
    client.execute()  # a failing cell raises CellExecutionError; nothing is saved
    elapsed = time.monotonic() - started
    printed = "".join(o.get("text", "") for o in notebook.cells[-1].outputs).strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()
    errors = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    texts = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert shown in texts, f"{name} ran with {given!r}"
    assert elapsed < 300, f"{name} took {elapsed:.0f} s"
