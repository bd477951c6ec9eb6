"""How a page reads (issue 13, rendering classes 1-4), judged from what ``pagefacts.py`` collected in
the browser: math that swallowed prose, raw TeX in prose, formulas and tables wider than their column,
numbers in sentences set unlike the sentence, and code-cell noise.

Each rule is a plain function from the collected facts to a list of findings (page section, window
width, TeX or text), so a guard test can show it failing on a broken fixture page and the per-page
tests can print exactly what to look for in the notebook source.
"""

from __future__ import annotations

import re

SNIPPET = 80  # characters of TeX or prose quoted in a failure


def snip(text: str, n: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def q(text: str, n: int = SNIPPET) -> str:
    """Quoted as written (TeX keeps single backslashes, so it can be searched for in the sources)."""
    return f"«{snip(text, n)}»"


# -- class 1: math that swallows prose, raw TeX in prose ---------------------------------------------
# Text inside these commands is meant to be words; commands themselves are not words.
TEXT_COMMANDS = re.compile(r"\\(?:text\w*|math(?:rm|it|sf|tt|bf)|mbox|hbox|operatorname\*?|label|tag)\s*\{[^{}]*\}")
COMMAND = re.compile(r"\\[A-Za-z]+|\\.")
# A run of four words of two or more letters, separated only by spaces and punctuation: running
# prose. A formula names things with single letters and macros; "dW db" is two words, not four.
PROSE_RUN = re.compile(r"(?<![\w^_{])[A-Za-z]{2,}(?:[ ,;:.'’]+[A-Za-z]{2,}){3,}")
MARKDOWN_IN_TEX = re.compile(r"\*\*|__\w|`")


def swallowed_prose(maths: list[dict]) -> list[str]:
    """Formulas whose TeX holds running English (four words in a row outside ``\\text{}``) or
    Markdown (``**``, a backtick): the ``$`` or ``$$`` pairing went wrong and the math ate a sentence."""
    bad = []
    for m in maths:
        tex = m["tex"]
        stripped = COMMAND.sub(" ", TEXT_COMMANDS.sub(" ", tex))
        run = PROSE_RUN.search(stripped)
        markdown = MARKDOWN_IN_TEX.search(tex)
        if run or markdown:
            why = f"Markdown {q(markdown.group(0))}" if markdown else f"prose {q(run.group(0), 40)}"
            bad.append(f"{m['where']} formula holds {why}: TeX {q(tex)}")
    return bad


# TeX that should have been typeset: a control word used in math, $$, a dollar touching a formula,
# a TeX sub/superscript group.
RAW_TEX = re.compile(
    r"\\(?:frac|dfrac|partial|begin|end|sum|prod|int|mathbf|mathrm|mathbb|vb|pd|sigma|delta|alpha|"
    r"cdot|times|odot|top|left|right|hat|bar|nabla|ell|in|to|mapsto|sqrt|log|exp|leq?|geq?|quad|text)(?![A-Za-z])"
    r"|\$\$|\\\(|\\\)|\\\[|\\\]"
    r"|(?<=[\w\\}^_)])\$|\$(?=[\w\\{^_(])"
    r"|[\w)}][_^]\{"
)


def raw_tex(blocks: list[dict]) -> list[str]:
    """Prose blocks showing TeX source to the reader."""
    bad = []
    for b in blocks:
        hits = list(RAW_TEX.finditer(b["text"]))
        if hits:
            shown = ", ".join(q(t) for t in dict.fromkeys(h.group(0) for h in hits))
            start = max(hits[0].start() - 30, 0)
            bad.append(f"{b['where']} raw TeX {shown} in prose: {q(b['text'][start:start + SNIPPET])}")
    return bad


# -- class 2: too wide --------------------------------------------------------------------------------
def too_wide(widths: dict) -> list[str]:
    """Every formula and prose table wider than its column, at each window width (code lines are
    judged apart, :func:`code_too_wide`)."""
    return [f"at {width} px {o['where']} {o['what']} is {o['natural']} px in a {o['room']} px column: {q(o['text'])}"
            for width, found in widths.items() for o in found if o["what"] != "code line"]


# -- class 3: numbers set unlike the sentence ---------------------------------------------------------
HYPHEN_MINUS = re.compile(r"(?<![\w\-–—/.])-(?=\.?\d)")  # "-0.19" (not "x-1", "2-3", "--", "seed-003")
PY_EXPONENT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+\-]?\d+\b")  # "4.0e-13", "9.4e+15", "1e-07"
ZERO_BOUND = re.compile(r"(?:<|≤|\\leq?(?![a-z]))\s*0(?![.,]?\d)(?!\w)")  # "|diff| < 0": a bound rounded to 0
ABS_ZERO_BOUND = re.compile(r"(?:\||\berr|\bdiff)[^<\n]*<\s*0(?![.\d])")  # the same in a printed line
# A glued value that finishes or continues a formula ("$\sigma'(z) =$ 0.19") belongs inside it.
RELATION_END = re.compile(r"(?:[=<>+\-−(,]|\\(?:approx|le|leq|ge|geq|neq|cdot|times|sim|in|to|mapsto))\s*$")
RELATION_START = re.compile(r"^\s*(?:[=<>+\-−)^_]|\\(?:approx|le|leq|ge|geq|neq|cdot|times|sim))")
NOT_NUMBER_PAGES = ("book/bibliography", "genindex", "search")  # entries, page ranges: not sentences


def numbers_unlike_sentence(name: str, facts: dict) -> list[str]:
    """Numbers in sentences must read as typeset math: a true minus (not ``-0.19``), ×10ᵏ (not
    ``4.0e-13``), the sentence's own weight and font (a glued value in bold is not, nor one that is the
    end of a formula set in the text font), and no bound printed as ``< 0`` (a tolerance rounded to zero)."""
    if name.removeprefix("zh_CN/") in NOT_NUMBER_PAGES:
        return []
    bad = []
    bold = [p for p in facts["pasted"] if p["self"]["weight"] >= 600 > p["sentence"]["weight"]]
    if bold:  # usually one stylesheet rule (MyST-NB's span.pasted-text {font-weight: bold}): one line
        values = ", ".join(q(p['text']) for p in bold[:12]) + (" …" if len(bold) > 12 else "")
        bad.append(f"{len(bold)} glued value(s) are bold in regular sentences: {values}")
    for p in facts["pasted"]:
        text = p["text"].strip()
        if p["self"]["family"] != p["sentence"]["family"] or p["self"]["italic"] != p["sentence"]["italic"]:
            bad.append(f"{p['where']} glued value {q(text)} is set in {q(p['self']['family'], 30)}, "
                       f"its sentence in {q(p['sentence']['family'], 30)}")
        if RELATION_END.search(p["before"]) or RELATION_START.search(p["after"]):
            bad.append(f"{p['where']} glued value {q(text)} completes a formula in the text font: "
                       f"TeX {q(p['before'], 40)} + {q(text)} + {q(p['after'], 20)}")
    for b in facts["blocks"]:
        text = b["text"]
        for rule, what in ((HYPHEN_MINUS, "ASCII hyphen as a minus"), (PY_EXPONENT, "Python-style exponent"),
                           (ZERO_BOUND, "a bound of 0")):
            for hit in rule.finditer(text):
                start = max(hit.start() - 30, 0)
                bad.append(f"{b['where']} {what} {q(hit.group(0))} in prose: {q(text[start:start + 60], 60)}")
    for m in facts["maths"]:
        for rule, what in ((PY_EXPONENT, "Python-style exponent"), (ABS_ZERO_BOUND, "a bound of 0")):
            hit = rule.search(m["tex"])
            if hit:
                bad.append(f"{m['where']} {what} {q(hit.group(0))} in a formula: TeX {q(m['tex'])}")
    for c in facts["cells"]:
        for line in c["printed"].splitlines():
            if ABS_ZERO_BOUND.search(line):
                bad.append(f"{c['where']} cell {c['index']} prints a bound of 0: {q(line)}")
    return bad


# -- class 4: code-cell noise ---------------------------------------------------------------------------
def code_noise(facts: dict) -> list[str]:
    """Test-harness comments shown to readers, and one cell's stream cut into several boxes."""
    bad = []
    for c in facts["cells"]:
        if "NBVAL_" in c["source"]:
            line = next(x for x in c["source"].splitlines() if "NBVAL_" in x)
            bad.append(f"{c['where']} cell {c['index']} shows {q(line)} to readers")
        split = [n for n in c["streams"] if n > 1]
        if split:
            bad.append(f"{c['where']} cell {c['index']} prints one stream in {max(split)} separate boxes")
    return bad


def code_too_wide(facts: dict) -> list[str]:
    """Code lines wider than the column (their end hidden behind a scrollbar), at each window width."""
    return [f"at {width} px {o['where']} code line of {o['chars']} characters (about {o['fit']} fit) is "
            f"{o['natural']} px in a {o['room']} px column: {q(o['text'])}"
            for width, found in facts["widths"].items() for o in found if o["what"] == "code line"]
