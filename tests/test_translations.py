"""The Chinese edition is complete and keeps the mathematics and markup of the English source.

The English pages are the source; ``locales/zh_CN/LC_MESSAGES/book/<page>.po`` hold their Chinese text.
The templates are extracted afresh from the English pages (``tools/zh_edition.py pot``), so a changed
English paragraph is a message the catalog does not translate yet, and this test fails until the
translation is updated (``make translations`` merges the new templates, marking changed entries fuzzy).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"

# What a translation must carry over unchanged: formulas, code, glued values, cross-references, links.
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)
CODE = re.compile(r"``.+?``|`[^`\n]+`(?!`)")  # roles are removed before this runs
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
URL = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>")
# Roles whose visible text may be translated (``{term}`中文 <english term>```): only the target counts.
TEXT_ROLES = {"term", "doc", "ref", "numref", "prf:ref"}


def _role_targets(text: str) -> Counter:
    found = Counter()
    for name, body in ROLE.findall(text):
        if name in TEXT_ROLES:
            m = re.search(r"<([^<>]+)>\s*$", body)
            body = m.group(1) if m else body
        found[(name, body.strip())] += 1
    return found


def markup(text: str) -> dict[str, Counter]:
    without_roles = ROLE.sub(" ", text)
    return {
        "formulas": Counter(m.strip() for m in MATH.findall(without_roles)),
        "code": Counter(CODE.findall(MATH.sub(" ", without_roles))),
        "roles": _role_targets(text),
        "links": Counter(a or b for a, b in URL.findall(text)),
    }


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, list]:
    out = tmp_path_factory.mktemp("pot")
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "zh_edition.py"), "pot", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    pots = {}
    for pot in sorted(out.rglob("*.pot")):
        with pot.open("rb") as f:
            pots[pot.relative_to(out).with_suffix("").as_posix()] = [m for m in read_po(f) if m.id]
    assert pots, "no templates were extracted"
    return pots


def _catalog(page: str) -> dict[str, object]:
    path = LOCALE / f"{page}.po"
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        return {m.id: m for m in read_po(f) if m.id}


def test_every_page_has_a_catalog(templates):
    missing = [p for p in templates if not (LOCALE / f"{p}.po").is_file()]
    assert not missing, f"no Chinese catalog for {missing} (run `make translations`)"


def _pairs(templates):
    """``(page, message, catalog entry or None)`` for every English message of every template."""
    for page, messages in templates.items():
        catalog = _catalog(page)
        for m in messages:
            yield page, m, catalog.get(m.id)


def test_every_message_is_translated_and_none_is_fuzzy(templates):
    problems = []
    for page, m, entry in _pairs(templates):
        if entry is None or not entry.string:
            problems.append(f"{page}: untranslated: {m.id[:90]!r}")
        elif entry.fuzzy:
            problems.append(f"{page}: fuzzy (the English changed): {m.id[:90]!r}")
    total = sum(len(v) for v in templates.values())
    assert not problems, f"{len(problems)} of {total} messages need a translation:\n" + "\n".join(problems[:60])


def test_translations_keep_formulas_code_references_and_links(templates):
    problems = []
    for page, m, entry in _pairs(templates):
        if entry is None or not entry.string:
            continue
        source, target = markup(m.id), markup(entry.string)
        for kind in source:
            if source[kind] != target[kind]:
                lost = list((source[kind] - target[kind]).elements())
                added = list((target[kind] - source[kind]).elements())
                problems.append(f"{page}: {kind} differ in {m.id[:70]!r}: lost {lost[:3]}, added {added[:3]}")
    assert not problems, "\n".join(problems[:60])


def test_the_markup_check_sees_what_it_must():
    # an independent example: each kind of markup is found, and a translation that drops one is caught
    src = 'At $z = 0$ the {term}`gradient` is {eval}`glued("x", ".3f")` (see `relu_backward`, [CS231n](https://cs231n.github.io)).'
    good = '在 $z = 0$ 处{term}`梯度 <gradient>`为 {eval}`glued("x", ".3f")`（见 `relu_backward`、[CS231n](https://cs231n.github.io)）。'
    bad = '在 z = 0 处梯度为 {eval}`glued("x", ".2f")`（见 relu_backward）。'
    assert markup(src) == markup(good)
    assert all(markup(src)[k] != markup(bad)[k] for k in ("formulas", "code", "roles", "links"))
