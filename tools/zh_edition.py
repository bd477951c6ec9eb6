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
  and for ``tests/test_translations.py``.

Usage: ``python tools/zh_edition.py zh`` or ``python tools/zh_edition.py pot OUTDIR``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"


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


def main(argv: list[str]) -> int:
    if argv[:1] == ["zh"]:
        status = build("html", BUILD / "zh_CN" / "html", {"language": "zh_CN"}, BUILD / "zh_CN" / ".doctrees")
        if status == 0:
            shutil.rmtree(BUILD / "html" / "zh_CN", ignore_errors=True)
            shutil.copytree(BUILD / "zh_CN" / "html", BUILD / "html" / "zh_CN")
        return status
    if argv[:1] == ["pot"] and len(argv) == 2:
        out = Path(argv[1]).resolve()
        # No source locations or ids in the templates: the catalogs change only when the text does.
        return build("gettext", out, {"gettext_location": False, "gettext_uuid": False}, out / ".doctrees")
    print(__doc__.strip().splitlines()[-1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
