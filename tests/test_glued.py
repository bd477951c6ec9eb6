"""The numbers in the chapters' prose follow from the values their cells compute.

A sentence shows a computed value with an inline expression, ``{eval}`glued("name", ".4f")```
(``dlmath.present``). Each notebook stores two things about these values:

* the last cell's output, ``glued_table()``: every glued value as the run computed it (rounded as
  ``glue`` keeps it), which nbval re-computes and compares on every machine, under two BLAS kernels;
* the result of every inline expression, in its Markdown cell's ``user_expressions`` metadata, which
  JupyterLab shows before the reader runs anything and the Chinese edition prints.

This file checks the second against the first, without a kernel: every expression of the text has a
stored result, and that result is exactly what ``glued`` gives for the stored values. With nbval this
makes every number of the prose current and portable; a chapter edited without ``make notebooks`` fails
here. It also checks that every expression is one the book build accepts (``nb_eval_name_regex``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from IPython.core.formatters import DisplayFormatter

from dlmath import present

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
NAME_REGEX = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["nb_eval_name_regex"]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def stored_table(nb: dict) -> tuple[dict, set[str]]:
    """The values the last cell (``glued_table()``) printed, rebuilt as ``glue`` kept them, and the names of
    the measurements that vary from run to run (listed without a value)."""
    last = nb["cells"][-1]
    assert last["cell_type"] == "code" and "glued_table()" in "".join(last["source"]), "no glued_table() cell last"
    text = "".join("".join(o.get("text", "")) for o in last.get("outputs", []) if o.get("output_type") == "stream")
    return present.read_glued_table(text)


def prose_chapters() -> list[Path]:
    return [p for p in CHAPTERS if any(EVAL_ROLE.search("".join(c["source"])) for c in load(p)["cells"]
                                       if c["cell_type"] == "markdown")]


@pytest.mark.parametrize("path", prose_chapters(), ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_stored_and_follows_from_the_computed_values(path, monkeypatch):
    nb = load(path)
    table, varies = stored_table(nb)
    monkeypatch.setattr(present, "_GLUED", table)
    formatter = DisplayFormatter()
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        wanted = list(dict.fromkeys(EVAL_ROLE.findall("".join(cell["source"]))))
        stored = cell.get("metadata", {}).get("user_expressions", [])
        if [s["expression"] for s in stored] != wanted:
            problems.append(f"cell {index}: stores results for {[s['expression'] for s in stored]}, "
                            f"the text has {wanted}")
            continue
        for item in stored:
            expression, result = item["expression"], item["result"]
            if not re.match(NAME_REGEX, expression):
                problems.append(f"cell {index}: {expression} is not an expression the build accepts ({NAME_REGEX})")
                continue
            if result.get("status") != "ok":
                problems.append(f"cell {index}: {expression} failed when it was stored: {result}")
                continue
            if re.match(r'glued\("(\w+)"', expression).group(1) in varies:
                continue  # a timing: any stored value is right
            data, _ = formatter.format(eval(expression, {"glued": present.glued}))  # noqa: S307 (the book's own text)
            if result.get("data") != data:
                problems.append(f"cell {index}: {expression} stores {result.get('data')}, the values give {data}")
    assert problems == [], f"{path.name} (run `make notebooks`): " + "\n".join(problems[:8])


def test_the_check_sees_a_stale_number(tmp_path, monkeypatch):
    """The same check on a chapter whose stored result no longer matches: it must fail."""
    path = prose_chapters()[0]
    nb = load(path)
    for cell in nb["cells"]:
        for item in cell.get("metadata", {}).get("user_expressions", []):
            data = item["result"]["data"]
            if "text/latex" not in data:
                data["text/plain"] = repr("999.999")
                break
        else:
            continue
        break
    stale = tmp_path / path.name
    stale.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(AssertionError, match="999.999"):
        test_every_number_in_the_prose_is_stored_and_follows_from_the_computed_values(stale, monkeypatch)
