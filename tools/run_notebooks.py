"""Re-execute the chapters in place (``make notebooks``), as a reader's Run All in JupyterLab does.

Every code cell runs in order in a fresh kernel, and every Markdown cell's inline expressions
(``{eval}`glued("p1", ".4f")```) are evaluated when the run reaches that cell; their results are stored in
the cell's metadata under ``user_expressions``, in the format jupyterlab-myst writes when the reader runs
the cell. So a chapter opened in JupyterLab shows its numbers before it is run, and the HTML build
(``book/_ext/editions.py``) checks that what it evaluates itself equals what the notebook stores.

Usage: ``python tools/run_notebooks.py book/*.ipynb`` (each notebook is written back only if it ran
without error).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

#: An inline expression in a Markdown cell, as MyST writes it.
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
TIMEOUT_S = 300


def expressions(source: str) -> list[str]:
    """The distinct inline expressions of a Markdown cell, in order."""
    return list(dict.fromkeys(EVAL_ROLE.findall(source)))


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    problems = []
    # What NotebookClient.execute does, with the Markdown cells' expressions evaluated on the way.
    with client.setup_kernel():
        info = client.wait_for_reply(client.kc.kernel_info())
        nb.metadata["language_info"] = info["content"]["language_info"]
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            elif cell.cell_type == "markdown":
                found = expressions(cell.source)
                if not found:
                    cell.metadata.pop("user_expressions", None)
                    continue
                msg_id = client.kc.execute("", silent=True, store_history=False,
                                           user_expressions={str(k): e for k, e in enumerate(found)})
                reply = client.wait_for_reply(msg_id)
                results = reply["content"]["user_expressions"]
                problems += [f"Markdown cell {index}: {{eval}}`{e}`: {r.get('ename')}: {r.get('evalue')}"
                             for k, e in enumerate(found) for r in [results[str(k)]] if r["status"] != "ok"]
                cell.metadata["user_expressions"] = [{"expression": e, "result": results[str(k)]}
                                                     for k, e in enumerate(found)]
        client.set_widgets_metadata()  # the explorers' widget state, for the saved outputs' widget views
    if problems:
        raise RuntimeError(f"{path.name}: {len(problems)} inline expression(s) failed, the notebook is not "
                           "written:\n  " + "\n  ".join(problems))
    nbformat.write(nb, path)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"running {name}", flush=True)
        run(Path(name))
