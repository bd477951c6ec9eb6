"""The live path of issue 18, checked in a real JupyterLab (``make lab-check``; not part of ``make unit``:
this file's name does not start with ``test_``, so only an explicit path collects it).

JupyterLab runs from the project's venv on 127.0.0.1 with a random free port and token (``labserver.py``),
on *copies* of the chapters in a temporary folder, trusted as ``make lab`` trusts them, with the project's
lab settings; Debian's Chromium, driven by Playwright, may only talk to that server.  JupyterLab is loaded
once, in one tab; each chapter is opened in it (the first by its URL, the others as File > Open does) and
closed with its kernel shut down, and what the tab records in between (JavaScript errors, requests) belongs
to that chapter.  A chapter counts as open once its kernel is idle, every Markdown cell is rendered and every
widget output has settled (a view, or ipywidgets' "model not found", which it shows only once the kernel is
up).  For each chapter with an explorer:

* before any run, every explorer shows its static slider, which works (a move shows another frame), and
  the line that says to run the chapter; no widget error is visible;
* Run All: no error output (no traceback, nothing on stderr), no JavaScript error, matplotlib's inline
  backend in the kernel (MPLBACKEND=Agg of the builds does not leak into it); every explorer now
  shows its live widget and hides the static slider; every live control is moved (a slider to the end of
  its range, a checkbox clicked) and its figure is seen to change, and a slider that has a static twin
  reaches past the last frame (the live version recomputes at values the HTML does not have);
* saved, closed (its kernel shut down), reopened: no "Error displaying widget", the static slider is back
  and works, the saved notebook carries the widget state; and reopened once more with that state removed
  (JupyterLab's default settings save none): every widget is "model not found", none of it is shown;
* every chapter (those without an explorer in ``test_run_all_and_read``), before and after Run All, shows
  no raw MyST markup ({glue:...}, {cite}, {doc}, {term}, ::: fences, "Unknown Directive" ...), no
  unevaluated inline expression (``glued("...")`` as code) and every stored value in its rendered
  Markdown; after Run All no error output and no inline expression that failed;
* no chapter has a glue role or directive in its source (jupyterlab-myst renders an unknown role's content,
  e.g. the glue key, so the source is where they show; this one needs no browser).

The server and its kernels are stopped by PID at the end, whatever happens.  Browser-observed latencies
of the live controls (key press -> new picture on screen) are printed in the summary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from labserver import ROOT, LabServer

# DLMATH_LAB_SOURCE: another folder of chapters to check (default book/), e.g. freshly executed copies.
SOURCE = Path(os.environ.get("DLMATH_LAB_SOURCE", ROOT / "book"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CHAPTERS = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
WIDGET_CHAPTERS = [c for c in CHAPTERS if "Explorer(" in (SOURCE / f"{c}.ipynb").read_text()]
# Every cell rendered (JupyterLab otherwise renders only what is near the viewport), no news pop-up.
CHECK_SETTINGS = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}
RUN_TIMEOUT_S = 600
RAW_MYST = re.compile(r"\{(?:glue(?::\w+)?|cite(?::\w+)?|doc|term|ref|numref|eq|eval|download|prf:\w+)\}"
                      r"|^\s*(?::::*|```+)\s*\{[\w:-]+\}|^\s*:::+\s*$|^\s*:(?:class|label|name|nonumber):")
# jupyterlab-myst 2.7.0 reports with console.error what it cannot resolve inside one notebook (a {term} whose
# glossary is another page), and that a math {eval} it re-renders was already detached: diagnostics, collected
# and printed at the end, not JavaScript errors.
MYST_NOTICES = ("Cross reference target was not found", "Could not dispose of renderer for",
                "Unable to detach expression renderer for",
                # its expression renderer asked to render again after Run All disposed it (the new one shows)
                "Our layout is already disposed")
MYST_PAGE_ERRORS = ("Host is not attached", "Our layout is already disposed")
NOTICES: list[str] = []
# jupyterlab-myst has no glue (upstream issue jupyter-book/jupyterlab-myst#165) and renders an unknown role's
# *content*: {glue:text}`p1:.4f` shows "p1:.4f", no brace left to see. So these are refused in the source.
NO_RENDERER_IN_LAB = re.compile(r"\{glue(?::\w+)?\}`[^`]*`|^[ \t]*(?::::*|```+)[ \t]*\{glue(?::\w+)?\}[^\n]*", re.M)
LATENCIES: list[tuple[str, str, float]] = []


# -- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab") / "book"
    folder.mkdir()
    for name in CHAPTERS:
        shutil.copy(SOURCE / f"{name}.ipynb", folder)
    server = LabServer(folder, settings=CHECK_SETTINGS)
    try:
        server.start()
        server.trust(*folder.glob("*.ipynb"))
        yield server
    finally:
        server.stop()
        print(f"\nJupyterLab stopped: PIDs {server.stopped}")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM} (make chromium installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Session:
    """One browser tab on the lab, recording JavaScript errors and requests that left the lab."""

    def __init__(self, browser, lab: LabServer) -> None:
        self.lab = lab
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.notices: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", self._pageerror)
        self.loaded = False

    def _console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if any(n in text for n in MYST_NOTICES) or (any(m in text for m in MYST_PAGE_ERRORS)
                                                      and "/jupyterlab-myst/" in text):
            self.notices.append(text[:300])
        else:
            self.errors.append(text)

    def _pageerror(self, error) -> None:
        # jupyterlab-myst 2.7.0 attaches an inline expression's renderer from a React effect that can run
        # before its host is in the page ("Host is not attached."), and disposes it twice when Run All
        # renders the cell again ("Our layout is already disposed!!"); the values still show (checked below).
        stack = getattr(error, "stack", "") or ""
        if any(m in str(error) for m in MYST_PAGE_ERRORS) and "/jupyterlab-myst/" in stack:
            self.notices.append(str(error))
        else:
            self.errors.append(f"{error} {stack[:600]}")

    def _route(self, route) -> None:
        if route.request.url.startswith(self.lab.base):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, name: str) -> None:
        """Open a chapter as a reader does: the first one by its URL (JupyterLab loads), later ones from the
        running JupyterLab (File > Open). What the tab records from here on belongs to this chapter."""
        NOTICES.extend(self.notices)
        self.errors, self.blocked, self.notices = [], [], []
        path = f"{name}.ipynb"
        if not self.loaded:
            self.page.goto(self.lab.url(path))
            self.page.wait_for_selector(".jp-Notebook .jp-Cell")
            self.loaded = True
        else:
            self.close_notebook()  # whatever a failed check left open (its explorers would be in the page too)
            self.page.evaluate("(p) => { window.jupyterapp.commands.execute('docmanager:open', {path: p}); }", path)
        self.page.wait_for_function("""(p) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const k = w && w.context && w.context.path === p && w.sessionContext && w.sessionContext.session
                      && w.sessionContext.session.kernel;
            return k && k.status === 'idle'; }""", arg=path, timeout=120_000)
        # every Markdown cell rendered (under load, jupyterlab-myst can take seconds for a long chapter)
        self.page.wait_for_function("""() => { const cells = [...window.jupyterapp.shell.currentWidget.node
                .querySelectorAll('.jp-MarkdownCell')];
            return cells.length > 0 && cells.every(c => c.querySelector('.jp-RenderedMarkdown, .lm-Widget.myst')); }""",
                                    timeout=120_000)
        # every widget output settled: a view, or an error (its model missing; ipywidgets says so once the
        # kernel is up and the saved state restored, until then it shows "Loading widget...")
        self.page.wait_for_function("""() => [...window.jupyterapp.shell.currentWidget.node.querySelectorAll(
            '.jp-OutputArea-output:not([data-mime-type])')].every(o => o.children.length ||
                                                                   /^(?!Loading widget)\\S/.test(o.textContent.trim()))""",
                                    timeout=60_000)
        self.page.wait_for_timeout(300)  # MathJax

    def close_notebook(self) -> None:
        """Close every open notebook and shut its kernel down (as closing JupyterLab would), without saving."""
        self.page.evaluate("""async () => {
            for (const w of [...window.jupyterapp.shell.widgets('main')].filter(w => w.context && w.sessionContext)) {
                await w.sessionContext.shutdown(); w.context.model.dirty = false; w.dispose(); } }""")

    def command(self, name: str):
        return self.page.evaluate(f"() => window.jupyterapp.commands.execute('{name}')")

    def close(self) -> None:
        NOTICES.extend(self.notices)
        self.context.close()


def explorer_states(page) -> list[dict]:
    """Per cell that builds an Explorer (its source says ``Explorer(``): is its static slider / live widget
    shown, the static slider's labels, and any widget error or placeholder shown in its outputs."""
    return page.evaluate(r"""() => window.jupyterapp.shell.currentWidget.content.widgets
      .filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().includes('Explorer('))
      .map(c => {
        const shown = el => !!el && el.getClientRects().length > 0;
        const st = c.node.querySelector('.dlmath-explorer');
        const script = st && st.querySelector('script');
        const data = script ? JSON.parse(script.textContent.match(/var d=(\{.*?\});var r=/)[1]) : null;
        return {static: shown(st), live: shown(c.node.querySelector('.dlx-live')),
                note: shown(st && st.querySelector('.dlx-jupyter-note')),
                names: data ? data.names : [], labels: data ? data.labels : [],
                errors: [...c.node.querySelectorAll('.jp-OutputArea-output')].filter(o => shown(o) &&
                         /Error displaying widget|Loading widget/.test(o.textContent)).map(o => o.textContent),
                widgets: [...c.node.querySelectorAll('.widget-vbox')].filter(shown).length};
      })""")


def output_errors(page) -> list[str]:
    return page.evaluate("""() => { const errs = [];
      window.jupyterapp.shell.currentWidget.content.widgets.forEach((c, i) => {
        if (c.model.type !== 'code') return;
        c.model.outputs.toJSON().forEach(o => {
          if (o.output_type === 'error') errs.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
          if (o.output_type === 'stream' && o.name === 'stderr') errs.push(`cell ${i} stderr: ${String(o.text).slice(0, 300)}`);
        });
      }); return errs; }""")


def expression_errors(page) -> list[str]:
    """Inline expressions ({eval}) of the Markdown cells whose stored result is not 'ok' (jupyterlab-myst
    evaluates them when Run All reaches the cell, and keeps the results in the cell's metadata)."""
    return page.evaluate("""() => { const errs = [];
      window.jupyterapp.shell.currentWidget.content.widgets.forEach((c, i) => {
        if (c.model.type !== 'markdown') return;
        (c.model.getMetadata('user_expressions') || []).forEach(e => {
          if (!e.result || e.result.status !== 'ok')
            errs.push(`cell ${i}: ${e.expression}: ${e.result && (e.result.ename + ': ' + e.result.evalue)}`);
        });
      }); return errs; }""")


def run_all(s, chapter: str) -> None:
    t0 = time.perf_counter()
    s.command("notebook:run-all-cells")
    s.page.wait_for_function("""() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        return k.status === 'idle' && ![...document.querySelectorAll('.jp-InputArea-prompt')]
          .some(p => p.textContent.includes('*')); }""", timeout=RUN_TIMEOUT_S * 1000)
    print(f"\n{chapter}: Run All took {time.perf_counter() - t0:.1f} s")
    s.page.wait_for_timeout(1000)
    assert output_errors(s.page) == [], f"{chapter}: error outputs after Run All: {output_errors(s.page)[:3]}"
    errs = expression_errors(s.page)
    assert errs == [], f"{chapter}: {len(errs)} inline expressions failed after Run All, e.g. {errs[:3]}"
    missing = missing_values(s.page)
    assert missing == [], f"{chapter}: {len(missing)} values not shown after Run All, e.g. {missing[:4]}"


def static_slider_works(page, k: int) -> bool:
    """Move the first range input of the k-th explorer to another position: does its picture change?"""
    return page.evaluate("""(k) => { const st = [...document.querySelectorAll('.dlmath-explorer')][k];
        if (!st) return false;
        const s = st.querySelector('input[type=range]'), im = st.querySelector('img'), before = im.src;
        s.value = (+s.value === +s.max) ? +s.min : +s.max; s.dispatchEvent(new Event('input'));
        return im.src !== before && im.src.startsWith('data:image/png;base64,'); }""", k)


def move_live_controls(page, chapter: str) -> list[str]:
    """Move every control of every live widget; return what went wrong (an empty list is a pass)."""
    problems = []
    boxes = page.locator(".dlx-live")
    for b in range(boxes.count()):
        box = boxes.nth(b)
        img = box.locator("img").first
        controls = box.locator(".widget-slider, .widget-checkbox")
        for c in range(controls.count()):
            control = controls.nth(c)
            name = control.locator(".widget-label, label").first.inner_text().strip()
            before = img.get_attribute("src")
            control.scroll_into_view_if_needed()
            t0 = time.perf_counter()
            if "widget-checkbox" in (control.get_attribute("class") or ""):
                control.locator("input[type=checkbox]").click()
            else:
                handle = control.locator(".noUi-handle")
                handle.focus()
                handle.press("End")
            try:
                page.wait_for_function("([el, before]) => el.src !== before && el.complete",
                                       arg=[img.element_handle(), before], polling="raf", timeout=30_000)
            except Exception:  # noqa: BLE001 (reported below)
                status = box.locator(".widget-html").last.inner_text().strip()
                problems.append(f"{chapter}: moving {name!r} did not change the figure within 30 s ({status})")
                continue
            LATENCIES.append((chapter, name, time.perf_counter() - t0))
            status = box.locator(".widget-html").last.inner_text().strip()
            if status:
                problems.append(f"{chapter}: {name!r} at the end of its range: {status}")
    return problems


def reaches_past_the_frames(page, states) -> list[str]:
    """A live slider named like a static one reaches past the static grid's last value (after End)."""
    problems = []
    boxes = page.locator(".dlx-live")
    for b, state in enumerate(states):
        for name, labels in zip(state["names"], state["labels"], strict=True):
            slider = boxes.nth(b).locator(".widget-slider", has=page.locator(".widget-label", has_text=name))
            if slider.count() == 0:
                problems.append(f"no live slider named {name!r}")
                continue
            shown = slider.first.locator(".widget-readout").inner_text().strip()
            try:
                past = float(shown) > max(float(v) for v in labels)
            except ValueError:
                past = shown not in labels
            if not past:
                problems.append(f"live {name!r} ends at {shown}, not past the frames' {labels[-1]}")
    return problems


# -- the checks -----------------------------------------------------------------------------------------
def prose_problems(s, chapter: str, when: str) -> list[str]:
    """The rendered Markdown of the open chapter: every cell rendered, no raw MyST markup or unevaluated
    expression, every stored string value shown."""
    texts = rendered_markdown(s.page)
    n_cells = s.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell").count()
    problems = []
    if not n_cells or len(texts) < n_cells:
        problems.append(f"{chapter} {when}: {len(texts)} rendered Markdown cells of {n_cells}")
    raw = raw_markup(texts)
    if raw:
        problems.append(f"{chapter} {when}: {len(raw)} raw MyST constructs in the rendered Markdown, e.g. {raw[:6]}")
    missing = missing_values(s.page)
    if missing:
        problems.append(f"{chapter} {when}: {len(missing)} stored values not shown, e.g. {missing[:4]}")
    return problems


@pytest.fixture(scope="module")
def tab(lab, browser):
    """One tab on JupyterLab for the whole check; each chapter is opened and closed in it."""
    s = Session(browser, lab)
    try:
        yield s
    finally:
        s.close()


@pytest.mark.parametrize("chapter", WIDGET_CHAPTERS)
def test_run_move_save_reopen(lab, tab, chapter):
    s = tab
    s.open(chapter)
    before = explorer_states(s.page)
    assert before, f"{chapter}: no cell builds an Explorer"
    for k, st in enumerate(before):
        assert st["static"] and not st["live"] and not st["errors"], (chapter, "before the run", st)
        assert st["note"], f"{chapter}: the line telling the reader to run the chapter is not shown"
        assert static_slider_works(s.page, k), f"{chapter}: static slider {k} does not change its picture"
    assert s.errors == [], f"{chapter}: JavaScript errors on opening: {s.errors}"
    problems = prose_problems(s, chapter, "before the run")

    run_all(s, chapter)
    problems += prose_problems(s, chapter, "after Run All")
    assert problems == [], problems
    backend = s.page.evaluate("""async () => {
        const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const r = await k.requestExecute({code: 'import matplotlib', silent: true, store_history: false,
                                          user_expressions: {b: 'matplotlib.get_backend()'}}).done;
        return r.content.user_expressions.b.data['text/plain']; }""")
    assert "inline" in backend, f"{chapter}: the kernel draws with {backend}, not inline (MPLBACKEND leaked?)"
    after = explorer_states(s.page)
    for st in after:
        assert st["live"] and not st["static"] and not st["errors"], (chapter, "after the run", st)
    problems = move_live_controls(s.page, chapter)
    problems += reaches_past_the_frames(s.page, after)
    assert problems == [], problems
    assert s.errors == [], f"{chapter}: JavaScript errors while running and moving: {s.errors}"

    mtime = (lab.folder / f"{chapter}.ipynb").stat().st_mtime
    s.command("docmanager:save")
    for _ in range(100):
        if (lab.folder / f"{chapter}.ipynb").stat().st_mtime != mtime:
            break
        time.sleep(0.1)
    s.page.wait_for_timeout(500)
    s.close_notebook()  # the reader closes the chapter: its kernel is gone
    saved = json.loads((lab.folder / f"{chapter}.ipynb").read_text())
    assert "application/vnd.jupyter.widget-state+json" in saved["metadata"].get("widgets", {}), (
        f"{chapter}: the saved notebook has no widget state")

    s.open(chapter)
    reopened = explorer_states(s.page)
    assert len(reopened) == len(before)
    for k, st in enumerate(reopened):
        assert st["static"] and not st["live"] and not st["errors"], (chapter, "reopened", st)
        assert static_slider_works(s.page, k), f"{chapter}: reopened, static slider {k} does not work"
    assert s.errors == [], f"{chapter}: JavaScript errors on reopening: {s.errors}"
    assert s.blocked == [], f"{chapter}: requests outside the lab: {s.blocked}"
    s.close_notebook()

    # Saved without widget state (JupyterLab's default setting, or a notebook from elsewhere): every widget
    # output is "model not found". The reader must still see the working static slider and no error.
    saved["metadata"].pop("widgets")
    (lab.folder / f"{chapter}.ipynb").write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    lab.trust(lab.folder / f"{chapter}.ipynb")  # JupyterLab signs what it saves; our edit must be signed again
    s.open(chapter)
    stateless = explorer_states(s.page)
    for k, st in enumerate(stateless):
        assert st["static"] and not st["live"] and not st["errors"], (chapter, "reopened without state", st)
        assert static_slider_works(s.page, k), f"{chapter}: without widget state, static slider {k} is dead"
    # ipywidgets logs the missing model it was asked for; that, and nothing else, is expected here
    others = [e for e in s.errors if "widget model not found" not in e]
    assert others == [], f"{chapter}: JavaScript errors on reopening without widget state: {others}"
    s.close_notebook()


@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if c not in WIDGET_CHAPTERS])
def test_run_all_and_read(lab, tab, chapter):
    """The chapters without an explorer: read before the run, Run All, read again."""
    s = tab
    s.open(chapter)
    problems = prose_problems(s, chapter, "before the run")
    try:
        run_all(s, chapter)
        problems += prose_problems(s, chapter, "after Run All")
    finally:
        s.close_notebook()
    assert problems == [], problems
    assert s.errors == [], f"{chapter}: JavaScript errors: {s.errors}"
    assert s.blocked == [], f"{chapter}: requests outside the lab: {s.blocked}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_construct_jupyterlab_cannot_render(chapter):
    source = "\n\n".join("".join(c["source"]) for c in json.loads((SOURCE / f"{chapter}.ipynb").read_text())["cells"]
                           if c["cell_type"] == "markdown")
    unrendered = [m.group(0).strip() for m in NO_RENDERER_IN_LAB.finditer(source)]
    assert unrendered == [], (
        f"{chapter}: {len(unrendered)} glue roles/directives that JupyterLab cannot render, e.g. {unrendered[:6]}")


def missing_values(page) -> list[str]:
    """Inline expressions whose value (a string result: text/plain without its quotes) is not in the rendered
    text of its Markdown cell."""
    return page.evaluate("""() => { const missing = [];
      window.jupyterapp.shell.currentWidget.content.widgets.forEach((c, i) => {
        if (c.model.type !== 'markdown') return;
        const text = c.node.textContent.replace(/\\s+/g, ' ');
        (c.model.getMetadata('user_expressions') || []).forEach(e => {
          const d = e.result && e.result.data;
          if (!d || d['text/latex']) return;
          const v = String(d['text/plain']).replace(/^(["'])(.*)\\1$/, '$2').replace(/\\s+/g, ' ');
          if (!text.includes(v)) missing.push(`cell ${i}: ${e.expression} = ${v}`);
        });
      }); return missing; }""")


def rendered_markdown(page) -> list[str]:
    # JupyterLab's own renderer (.jp-RenderedMarkdown) or jupyterlab-myst's (.myst)
    return page.evaluate("""() => [...document.querySelectorAll(
        '.jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .lm-Widget.myst')].map(m => m.innerText)""")


def raw_markup(texts: list[str]) -> list[str]:
    raw = [m.group(0).strip() for t in texts for line in t.splitlines() for m in [RAW_MYST.search(line)] if m]
    raw += [line.strip() for t in texts for line in t.splitlines() if line.strip().endswith("Unknown Directive")]
    return raw + [m.group(0) for t in texts for m in UNEVALUATED.finditer(t)]


UNEVALUATED = re.compile(r'glued\("[^"]*"[^)]*\)')



def teardown_module(module):
    if NOTICES:
        print(f"\njupyterlab-myst notices (console, not errors): {len(NOTICES)}, e.g. {sorted(set(NOTICES))[:3]}")
    if LATENCIES:
        print("\nlive controls in the browser (key press or click -> new picture on screen):")
        for chapter, name, seconds in LATENCIES:
            print(f"  {chapter:10s} {name:45s} {1e3 * seconds:7.0f} ms")
