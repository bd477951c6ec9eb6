"""Build the Chinese edition and the translation templates from the book's own configuration.

Jupyter Book 1 has no language option, so this calls its Sphinx entry point (``jupyter_book.sphinx.
build_sphinx``, what ``jupyter-book build`` runs) with the same ``_config.yml`` and ``_toc.yml`` and a
few configuration overrides:

* ``zh``: the Chinese edition, ``language = zh_CN``, built in ``_build/zh_CN`` and copied to
  ``_build/html/zh_CN`` (beside the English pages, so relative links between the editions work from
  disk; MyST-NB's working files stay outside the published folder). The notebooks are not
  executed again: the English build (and nbval) have just checked their stored outputs, so both editions
  show the same numbers, figures and sliders.
* ``pot``: the gettext templates (one ``.pot`` per page) of the English text, for ``sphinx-intl update``
  and for ``tests/test_translations.py``; plus ``quiz.pot``, the texts of the self-check questions
  (``dlmath.quiz``), which a cell computes and the pages carry as data: the Chinese build translates
  them with ``locales/zh_CN/LC_MESSAGES/quiz.po`` (``book/_ext/editions.py``); and ``glue.pot``, the few
  glued values that are words ("unit 1 of layer 1"; the prose shows them with ``{eval}`glued(...)```, and
  the notebooks store the results), translated likewise from ``glue.po``.

Usage: ``python tools/zh_edition.py zh`` or ``python tools/zh_edition.py pot OUTDIR``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from editions import QUIZ_UI, glued_words, quiz_records, quiz_texts, stored_results  # noqa: E402  (the extension owns the formats)

BUILD = ROOT / "_build"
# The book's title (_config.yml's `title`) in the Chinese edition: the sidebar, the tab and the search page.
# Strings the extensions themselves print, where they come from configuration and not from a catalog.
ZH_OVERRIDES = {
    "language": "zh_CN", "html_title": "反向传播的数学", "project": "反向传播的数学",
    "togglebutton_hint": "点击显示", "togglebutton_hint_hide": "点击隐藏",
    "nb_code_prompt_show": "显示代码", "nb_code_prompt_hide": "隐藏代码",
    # Offline search: jieba would cut 反向传播 into 反向 + 传播; the book's terms are kept whole.
    "html_search_options": {"dict": str(ROOT / "locales" / "zh_CN" / "search_terms.txt")},
}


def build(builder: str, outdir: Path, overrides: dict, doctrees: Path) -> int:
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        ROOT, outdir, noconfig=True, path_config=str(ROOT / "_config.yml"),
        confoverrides={"external_toc_path": (ROOT / "_toc.yml").as_posix(), "latex_individualpages": False,
                       "nb_execution_mode": "off",
                       **overrides},
        doctreedir=doctrees, builder=builder, warningiserror=True, keep_going=True, quiet=True,
    )
    if isinstance(result, Exception):
        raise result
    return int(result)


def quiz_messages() -> list[str]:
    """Every quiz string of the book's notebooks (their stored outputs), each once, in reading order."""
    seen: dict[str, None] = dict.fromkeys(QUIZ_UI)
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                script = output.get("data", {}).get("application/javascript", "")
                script = "".join(script) if isinstance(script, list) else script
                for _, records in quiz_records(script):
                    seen.update(dict.fromkeys(quiz_texts(records)))
    return list(seen)


def glue_messages() -> list[str]:
    """Every glued value the prose shows that is words, not numbers or formulas alone (see glued_words):
    the results the notebooks store for their inline expressions, in reading order."""
    seen: dict[str, None] = {}
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        for result in stored_results(nb)[0].values():
            text = glued_words(result.get("data", {}))
            if text is not None:
                seen[text] = None
    return list(seen)


def write_pot(path: Path, project: str, messages: list[str]) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(project=project)
    for text in messages:
        catalog.add(text)
    with path.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False)


def main(argv: list[str]) -> int:
    if argv[:1] == ["zh"]:
        status = build("html", BUILD / "zh_CN" / "html", ZH_OVERRIDES, BUILD / "zh_CN" / ".doctrees")
        if status == 0:
            shutil.rmtree(BUILD / "html" / "zh_CN", ignore_errors=True)
            shutil.copytree(BUILD / "zh_CN" / "html", BUILD / "html" / "zh_CN")
        return status
    if argv[:1] == ["pot"] and len(argv) == 2:
        out = Path(argv[1]).resolve()
        # No source locations or ids in the templates: the catalogs change only when the text does.
        status = build("gettext", out, {"gettext_location": False, "gettext_uuid": False}, out / ".doctrees")
        write_pot(out / "quiz.pot", "dlmath self-check questions", quiz_messages())
        write_pot(out / "glue.pot", "dlmath glued words", glue_messages())
        return status
    print(__doc__.strip().splitlines()[-1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
