"""Execute the notebooks in notebooks/ and store them with their outputs (for readers
on GitHub). Run from the repository root after changing a notebook or the model:

    .venv/bin/python tools/execute_notebooks.py [notebooks/NAME.ipynb ...]

Each notebook runs in its own folder (its paths are relative to notebooks/); execution
times and kernel metadata are not stored, so a rerun changes only what changed.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"{path}: {sum(1 for c in nb.cells if c.cell_type == 'code')} code cells, "
          f"{path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for p in paths:
        execute(p)
