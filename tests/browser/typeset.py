"""How a page reads, measured in the browser and judged here: math that swallowed prose, raw TeX in
prose, formulas and tables wider than their column, numbers in sentences set unlike the sentence, and
code-cell noise (issue 13, rendering classes 1-4).

The browser only *collects* (:data:`TEXT_JS` once per page, :data:`WIDTH_JS` at every width in
:data:`WIDTHS`); the rules are the plain-Python functions below, so a guard test can show each one
failing on a broken fixture page and the per-page tests name the page, the width and the TeX.

What counts as *prose*: the text of ``article.bd-article`` outside code (``pre``, ``code``, code
cells' inputs and outputs), outside math (MathJax containers, still-unrendered ``.math``), and outside
scripts, styles, citation labels and header links. Code outputs may print ``-0.19`` or ``4e-13`` as
Python does; a reader's sentence may not.
"""

from __future__ import annotations

import re

WIDTHS = (1280, 1024)  # a laptop window, and a small one (STYLE.md: "look at the page at 1024 px")
HEIGHT = 900
SLACK_PX = 2  # sub-pixel rounding of widths; anything wider is a real overflow (a scrollbar or a cut)
SNIPPET = 80  # characters of TeX or prose quoted in a failure

# Open every collapsed part a reader can open (hidden exercise solutions, "show code" cells), so what
# is measured is what a reader sees after a click. Run after the screenshot: it changes the page.
REVEAL_JS = """() => {
  for (const d of document.querySelectorAll('details')) d.open = true;
  for (const t of document.querySelectorAll('.toggle-hidden')) t.classList.remove('toggle-hidden');
  return document.fonts.ready.then(() => null);
}"""

# Where a node is, for a failure message: its section's anchor, and the theorem, exercise or solution
# box it sits in ("#depth (Theorem 6 (Backward block ...))").
HEADING_JS = r"""el => {
    let s = el.closest('section[id]');
    while (s && /-content$/.test(s.id)) s = s.parentElement.closest('section[id]');
    const box = el.closest('.admonition');
    const title = box && box.querySelector('.admonition-title');
    return (s ? '#' + s.id : '') + (title ? ' (' + title.textContent.trim().replace(/\s+/g, ' ').slice(0, 40) + ')' : '');
  }"""

# Text-level facts (the same at every width): each MathJax formula's TeX, the prose of each block,
# each glued inline value with its style and its sentence's style, and the code cells.
TEXT_JS = r"""() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const NOT_PROSE = 'pre, code, kbd, samp, script, style, .cell_input, .cell_output, .output, .highlight,' +
                    ' mjx-container, .math, .MathJax, .headerlink, .bibtex-citation, .citation-label, nav';
  const MATH = 'mjx-container, .math, .MathJax';
  const heading = %HEADING%;
  const mj = window.MathJax;
  const maths = [];
  const texOf = new Map();
  if (mj && mj.startup && mj.startup.document) {
    for (const item of mj.startup.document.math) {
      if (item.typesetRoot) texOf.set(item.typesetRoot, item.math);
      const root = item.typesetRoot;
      if (!root || !article.contains(root)) continue;
      if (root.closest('.cell_output, .output')) continue;  // math printed by code (Latex outputs)
      maths.push({tex: item.math, display: !!item.display, where: heading(root)});
    }
  }
  const blocks = [];
  const isBlock = el => { const d = getComputedStyle(el).display; return !d.startsWith('inline') && d !== 'contents'; };
  const walk = (node, buf, owner) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) { buf.push(child.textContent); continue; }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      if (child.matches(NOT_PROSE)) {
        if (child.matches(MATH)) buf.push(' \u27E8math\u27E9 ');
        else if (isBlock(child)) flush(buf, owner);
        continue;
      }
      if (isBlock(child)) { flush(buf, owner); const inner = []; walk(child, inner, child); flush(inner, child); }
      else walk(child, buf, owner);
    }
  };
  const flush = (buf, owner) => {
    const text = buf.join('').replace(/\s+/g, ' ').trim();
    buf.length = 0;
    if (text && text !== '\u27E8math\u27E9') blocks.push({text, where: heading(owner)});
  };
  const top = []; walk(article, top, article); flush(top, article);
  const style = el => { const s = getComputedStyle(el);
    return {weight: parseInt(s.fontWeight, 10), family: s.fontFamily, italic: s.fontStyle !== 'normal'}; };
  const pasted = [...article.querySelectorAll('.pasted-text')]
    .filter(el => !el.closest('.cell_output, .output, pre, code'))
    .map(el => {
      // Compared with its parent (an author's *emphasis* stays allowed); the formula right before or
      // after it, when only spaces separate them ("$\sigma'(z) =$ 0.19").
      const near = (step) => {
        let n = el[step];
        while (n && n.nodeType === Node.TEXT_NODE && !n.textContent.trim()) n = n[step];
        if (!n || n.nodeType !== Node.ELEMENT_NODE || !n.matches('.math')) return '';
        const c = n.querySelector('mjx-container');
        return (c && texOf.get(c)) || n.textContent.replace(/^\\\(|\\\)$/g, '');
      };
      return {text: el.textContent, where: heading(el), self: style(el), sentence: style(el.parentElement),
              before: near('previousSibling'), after: near('nextSibling')};
    });
  const cells = [...article.querySelectorAll('.cell')].map((cell, i) => {
    const input = cell.querySelector('.cell_input');
    const output = cell.querySelector('.cell_output');
    const streams = [];
    if (output) {  // runs of consecutive stream boxes of the same stream (stdout/stderr)
      let prev = null;
      for (const box of output.children) {
        const kind = box.matches('.output.stderr') ? 'stderr' : box.matches('.output.stream') ? 'stdout' : null;
        if (kind && kind === prev) streams[streams.length - 1] += 1; else if (kind) streams.push(1);
        prev = kind;
      }
    }
    const printed = output ? [...output.querySelectorAll('.output.stream, .output.stderr, .output.text_plain')]
      .map(o => o.textContent).join('\n') : '';
    return {index: i, where: heading(cell), source: input ? input.textContent : '', streams, printed};
  });
  return {maths, blocks, pasted, cells, article: !!document.querySelector('article.bd-article')};
}""".replace("%HEADING%", HEADING_JS)

# Width-level facts at the current window width: every formula, prose table and code line whose
# content is wider than the box it must fit in (a scrollbar, a clipped end, or a page that scrolls).
WIDTH_JS = r"""(slack) => {
  const article = document.querySelector('article.bd-article') || document.body;
  const contentWidth = el => {
    const s = getComputedStyle(el);
    return el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  };
  const heading = %HEADING%;
  const out = [];
  const mj = window.MathJax;
  const texOf = new Map();
  if (mj && mj.startup && mj.startup.document) {
    for (const item of mj.startup.document.math) if (item.typesetRoot) texOf.set(item.typesetRoot, item.math);
  }
  for (const c of article.querySelectorAll('mjx-container')) {
    if (c.closest('.cell_output, .output')) continue;
    const math = c.querySelector(':scope > mjx-math');
    if (!math) continue;
    const display = c.getAttribute('display') === 'true';
    const box = display ? (c.closest('div.math') || c.parentElement)
                        : c.parentElement.closest('p, li, dd, dt, td, th, figcaption, caption, div');
    const natural = math.getBoundingClientRect().width;
    const eqno = display && box.querySelector(':scope > .eqno');
    const room = contentWidth(box) - (eqno ? eqno.getBoundingClientRect().width : 0);
    if (natural > room + slack) {
      out.push({what: display ? 'display formula' : 'inline formula', where: heading(c),
                text: texOf.get(c) || c.textContent, natural: Math.round(natural), room: Math.round(room)});
    }
  }
  for (const t of article.querySelectorAll('table')) {
    if (t.closest('.cell_output, .output, .highlight, mjx-container')) continue;
    let box = t.parentElement;
    while (box !== article && (getComputedStyle(box).display.startsWith('inline') ||
           /table-container|table-wrapper/.test(box.className))) box = box.parentElement;
    const natural = Math.max(t.scrollWidth, t.getBoundingClientRect().width);
    const room = contentWidth(box);
    if (natural > room + slack) {
      const head = [...t.querySelectorAll('th')].map(h => h.textContent.trim()).join(' | ');
      out.push({what: 'table', where: heading(t), text: head || t.textContent.trim(),
                natural: Math.round(natural), room: Math.round(room)});
    }
  }
  for (const pre of article.querySelectorAll('.cell_input pre')) {
    if (pre.scrollWidth > pre.clientWidth + slack) {
      const lines = pre.textContent.split('\n');
      const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
      out.push({what: 'code line', where: heading(pre), text: longest.trim(),
                natural: pre.scrollWidth, room: pre.clientWidth});
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + slack) {
    out.push({what: 'page', where: '', text: 'the whole page scrolls sideways',
              natural: page.scrollWidth, room: page.clientWidth});
  }
  return out;
}""".replace("%HEADING%", HEADING_JS)


def measure(page) -> dict:
    """Everything the rules below judge, from one loaded page: text facts once, widths at each of
    :data:`WIDTHS` (the viewport is put back to the first width afterwards)."""
    page.evaluate(REVEAL_JS)
    facts = page.evaluate(TEXT_JS)
    facts["widths"] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        facts["widths"][width] = page.evaluate(WIDTH_JS, SLACK_PX)
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    return facts


def snip(text: str, n: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


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
            why = f"Markdown {markdown.group(0)!r}" if markdown else f"prose {snip(run.group(0), 40)!r}"
            bad.append(f"{m['where']} formula holds {why}: TeX {snip(tex)!r}")
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
            shown = ", ".join(repr(t) for t in dict.fromkeys(h.group(0) for h in hits))
            start = max(hits[0].start() - 30, 0)
            bad.append(f"{b['where']} raw TeX {shown} in prose: {snip(b['text'][start:start + SNIPPET])!r}")
    return bad


# -- class 2: too wide --------------------------------------------------------------------------------
def too_wide(widths: dict) -> list[str]:
    """Every formula and prose table wider than its column, at each window width (code lines are
    judged with the code, :func:`code_noise`)."""
    return [f"at {width} px {o['where']} {o['what']} is {o['natural']} px in a {o['room']} px column: {snip(o['text'])!r}"
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
    if name in NOT_NUMBER_PAGES:
        return []
    bad = []
    bold = [p for p in facts["pasted"] if p["self"]["weight"] >= 600 > p["sentence"]["weight"]]
    if bold:  # usually one stylesheet rule (MyST-NB's span.pasted-text {font-weight: bold}): one line
        values = ", ".join(f"{p['text'].strip()!r}" for p in bold[:12]) + (" …" if len(bold) > 12 else "")
        bad.append(f"{len(bold)} glued value(s) are bold in regular sentences: {values}")
    for p in facts["pasted"]:
        text = p["text"].strip()
        if p["self"]["family"] != p["sentence"]["family"] or p["self"]["italic"] != p["sentence"]["italic"]:
            bad.append(f"{p['where']} glued value {text!r} is set in {p['self']['family'][:30]!r}, "
                       f"its sentence in {p['sentence']['family'][:30]!r}")
        if RELATION_END.search(p["before"]) or RELATION_START.search(p["after"]):
            bad.append(f"{p['where']} glued value {text!r} completes a formula in the text font: "
                       f"TeX {snip(p['before'], 40)!r} + {text!r} + {snip(p['after'], 20)!r}")
    for b in facts["blocks"]:
        text = b["text"]
        for rule, what in ((HYPHEN_MINUS, "ASCII hyphen as a minus"), (PY_EXPONENT, "Python-style exponent"),
                           (ZERO_BOUND, "a bound of 0")):
            for hit in rule.finditer(text):
                start = max(hit.start() - 30, 0)
                bad.append(f"{b['where']} {what} {hit.group(0)!r} in prose: {snip(text[start:start + 60], 60)!r}")
    for m in facts["maths"]:
        for rule, what in ((PY_EXPONENT, "Python-style exponent"), (ABS_ZERO_BOUND, "a bound of 0")):
            hit = rule.search(m["tex"])
            if hit:
                bad.append(f"{m['where']} {what} {hit.group(0)!r} in a formula: TeX {snip(m['tex'])!r}")
    for c in facts["cells"]:
        for line in c["printed"].splitlines():
            if ABS_ZERO_BOUND.search(line):
                bad.append(f"{c['where']} cell {c['index']} prints a bound of 0: {snip(line)!r}")
    return bad


# -- class 4: code-cell noise ---------------------------------------------------------------------------
def code_noise(facts: dict) -> list[str]:
    """Test-harness comments shown to readers, one cell's stream cut into several boxes, and code lines
    wider than the column (cut off behind a scrollbar) at each window width."""
    bad = []
    for c in facts["cells"]:
        if "NBVAL_" in c["source"]:
            line = next(x for x in c["source"].splitlines() if "NBVAL_" in x)
            bad.append(f"{c['where']} cell {c['index']} shows {line.strip()!r} to readers")
        split = [n for n in c["streams"] if n > 1]
        if split:
            bad.append(f"{c['where']} cell {c['index']} prints one stream in {max(split)} separate boxes")
    bad += [f"at {width} px {o['where']} code line is {o['natural']} px in a {o['room']} px column: {snip(o['text'])!r}"
            for width, found in facts["widths"].items() for o in found if o["what"] == "code line"]
    return bad
