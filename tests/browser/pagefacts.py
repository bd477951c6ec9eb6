"""What ``typeset.py``'s rules judge, collected in the browser from one loaded page: the TeX of every
formula, the prose of every block, every glued inline value with its style and neighbours, every code
cell, and (at each window width of :data:`WIDTHS`) every formula, prose table and code line wider than
its column. The browser only collects; the rules, in plain Python, decide.

What counts as *prose*: the text of ``article.bd-article`` outside code (``pre``, ``code``, code
cells' inputs and outputs), outside math (MathJax containers, still-unrendered ``.math``), and outside
scripts, styles, citation labels and header links. Code outputs may print ``-0.19`` or ``4e-13`` as
Python does; a reader's sentence may not.
"""

from __future__ import annotations

WIDTHS = (1280, 1024)  # a laptop window, and a small one (STYLE.md: "look at the page at 1024 px")
HEIGHT = 900
SLACK_PX = 2  # sub-pixel rounding of widths; anything wider is a real overflow (a scrollbar or a cut)

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
  // A value pasted into a sentence: MyST-NB's {eval} result (span.output.text_plain) or a glue role's
  // (span.pasted-text); not what a cell prints (inside .cell_output).
  const pasted = [...article.querySelectorAll('.pasted-text, span.output.text_plain')]
    .filter(el => !el.parentElement.closest('.cell_output, .output, pre, code'))
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
    if (pre.scrollWidth > pre.clientWidth + slack) {  // then name every line that does not fit
      const lines = pre.textContent.split('\n');
      const longest = Math.max(...lines.map(l => l.length));
      const s = getComputedStyle(pre), pad = parseFloat(s.paddingLeft) + parseFloat(s.paddingRight);
      const charWidth = (pre.scrollWidth - pad) / longest;  // a monospace font
      const fit = Math.floor((pre.clientWidth - pad) / charWidth + 0.01);
      for (const line of lines.filter(l => l.length > fit)) {
        out.push({what: 'code line', where: heading(pre), text: line.trim(), chars: line.length, fit,
                  natural: Math.round(pad + line.length * charWidth), room: pre.clientWidth});
      }
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
    :data:`WIDTHS` (the window is put back to its size afterwards)."""
    original = page.viewport_size or {"width": WIDTHS[0], "height": HEIGHT}
    page.evaluate(REVEAL_JS)
    facts = page.evaluate(TEXT_JS)
    facts["widths"] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        facts["widths"][width] = page.evaluate(WIDTH_JS, SLACK_PX)
    page.set_viewport_size(original)
    return facts
