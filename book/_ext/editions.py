"""Sphinx extension: the book's two editions, English (the source) and Chinese (gettext catalogs).

* Every page links to the same page in the other edition (``_build/html/<page>.html`` and
  ``_build/html/zh_CN/<page>.html``), with a relative link that works from disk.
* The prose's inline expressions (``{eval}`glued("p1", ".4f")```, see ``dlmath.present``). The English
  build runs each notebook inline (MyST-NB evaluates an expression when the text reaches it, as
  JupyterLab does on Run All) and checks the result against the one the notebook stores in the Markdown
  cell's ``user_expressions`` metadata (``make notebooks`` writes it; JupyterLab shows it before the
  reader runs anything): a stored value the chapter no longer computes is a build error (a timing,
  glued with ``varies=True``, may differ). The Chinese build does not execute again: its expressions
  take the stored results, the very values the English pages show. Sphinx translates a paragraph by
  parsing its translated text as a small new document, after the chapter itself has been read, so this
  extension also keeps each notebook's MyST-NB renderer after reading, for the expressions of
  translated paragraphs.
* What Sphinx's own translation does not reach: the table of contents' part captions
  (:class:`TranslateTocCaptions`), the self-check questions (:class:`TranslateQuizzes`, from ``quiz.po``)
  and the few glued values that are words, not numbers (:func:`glued_words`, from ``glue.po``).
"""

from __future__ import annotations

import ast
import contextvars
import dataclasses
import json
import os
import posixpath
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform, i18n
from sphinx.util.i18n import docname_to_domain

_CHAPTER: contextvars.ContextVar[str | None] = contextvars.ContextVar("dlmath_i18n_chapter", default=None)
_RENDERERS: dict[str, object] = {}  # docname -> MyST-NB's NbElementRenderer of that notebook
_LAST: list[object] = []


def _patch() -> None:
    import myst_nb.ext.eval as ev
    import myst_nb.sphinx_ as nb_sphinx

    if getattr(i18n.Locale.apply, "_dlmath_i18n", False):
        return

    original_load = nb_sphinx.load_renderer

    def load_renderer(name):
        cls = original_load(name)

        def make(*args, **kwargs):
            renderer = cls(*args, **kwargs)
            _LAST[:] = [renderer]
            return renderer

        return make

    nb_sphinx.load_renderer = load_renderer

    original_parse = nb_sphinx.Parser.parse

    def parse(self, inputstring, document):
        _LAST.clear()
        env = document.settings.env
        _SOURCES[env.docname] = str(env.doc2path(env.docname))
        result = original_parse(self, inputstring, document)
        if _LAST:
            _RENDERERS[env.docname] = _LAST[0]
        return result

    nb_sphinx.Parser.parse = parse

    original_apply = i18n.Locale.apply

    def apply(self, **kwargs):
        token = _CHAPTER.set(self.env.docname)
        try:
            return original_apply(self, **kwargs)
        finally:
            _CHAPTER.reset(token)

    apply._dlmath_i18n = True
    i18n.Locale.apply = apply

    original_retrieve = ev.retrieve_eval_data

    def retrieve_eval_data(document, key):
        chapter = _CHAPTER.get()
        if "nb_renderer" not in document and chapter in _RENDERERS:
            document = {"nb_renderer": _RENDERERS[chapter]}
        docname = chapter or document.settings.env.docname
        results, varying = stored_results(_SOURCES.get(docname, ""))
        stored = results.get(key)
        try:
            outputs = original_retrieve(document, key)
        except ev.RetrievalError as exc:
            if "running kernel" not in str(exc):
                raise
            if stored is None:
                raise ev.RetrievalError(
                    f"{key!r}: the notebook stores no result for it (run `make notebooks`)") from None
            outputs = [ev.VariableOutput(data=stored["data"], metadata=stored.get("metadata", {}),
                                         nb_renderer=document["nb_renderer"], vtype="eval", index=0)]
        else:
            fresh = outputs[0].data if outputs else {}
            name = re.match(r'glued\("(\w+)"', key)
            if name and name.group(1) in varying:
                pass  # a timing (glue(..., varies=True)): this run's value is as right as the stored one
            elif stored is None or stored["data"] != fresh:
                def shown(data):
                    return data.get("text/latex", data.get("text/plain"))

                raise ev.RetrievalError(
                    f"{key!r} is {shown(fresh)} now, but the notebook stores "
                    f"{'nothing' if stored is None else shown(stored['data'])} for JupyterLab: run `make notebooks`")
        return [_translate_glued_words(o) for o in outputs]

    ev.retrieve_eval_data = retrieve_eval_data


_SOURCES: dict[str, str] = {}  # docname -> the notebook's path
_STORED: dict[str, tuple[dict[str, dict], set[str]]] = {}


def stored_results(path) -> tuple[dict[str, dict], set[str]]:
    """What the notebook at ``path`` stores for its prose, read once: ``expression -> result`` of the Markdown
    cells' ``user_expressions`` (written by ``make notebooks`` or JupyterLab), and the glued names that its
    last cell, ``glued_table()``, lists as varying from run to run. Empty for a page that is not a notebook."""
    path = str(path)
    if path not in _STORED:
        table: dict[str, dict] = {}
        varying: set[str] = set()
        if path.endswith(".ipynb") and os.path.isfile(path):
            cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
            for cell in cells:
                for item in cell.get("metadata", {}).get("user_expressions", []):
                    table[item["expression"]] = item["result"]
            if cells and "glued_table()" in "".join(cells[-1].get("source", "")):
                from dlmath.present import read_glued_table

                text = "".join("".join(o.get("text", "")) for o in cells[-1].get("outputs", [])
                               if o.get("output_type") == "stream")
                varying = read_glued_table(text)[1]
        _STORED[path] = (table, varying)
    return _STORED[path]


EDITIONS = {"en": ("zh_CN", "中文版", "zh-CN"), "zh_CN": ("..", "English edition", "en")}


def _edition_link(app, pagename, templatename, context, doctree) -> None:
    """Put a link to this page in the other edition at the top of the page's body."""
    if app.builder.format != "html" or "body" not in context:
        return
    lang = app.config.language or "en"
    other_root, label, other_lang = EDITIONS["zh_CN" if lang.startswith("zh") else "en"]
    href = posixpath.relpath(posixpath.join(other_root, pagename + ".html"), posixpath.dirname(pagename) or ".")
    context["body"] = (f'<p class="dlmath-edition"><a href="{href}" hreflang="{other_lang}" lang="{other_lang}">'
                       f"{label}</a></p>\n") + context["body"]


# Words a cell computed and glued into a sentence ("unit 1 of layer 1, unit 3 of layer 2"): translated in
# the other edition from locales/<lang>/LC_MESSAGES/glue.po (numbers and formulas alone need nothing).
_GLUE_WORDS: dict[str, str] = {}
WORDS = re.compile(r"[A-Za-z]{3,}")


def glued_words(data: dict) -> str | None:
    """The text of a glued value if it holds words to translate (a string or Markdown), else None."""
    plain = data.get("text/plain", "")
    if "text/markdown" in data:
        text = data["text/markdown"]
    elif len(plain) >= 2 and plain[0] == plain[-1] and plain[0] in "'\"":
        text = ast.literal_eval(plain)
    else:
        return None
    return text if WORDS.search(re.sub(r"\$[^$]*\$", " ", text)) else None


def _translate_glued_words(output):
    text = glued_words(output.data)
    if text is None or text not in _GLUE_WORDS:
        return output
    data = dict(output.data)
    if "text/markdown" in data:
        data["text/markdown"] = _GLUE_WORDS[text]
    else:
        data["text/plain"] = repr(_GLUE_WORDS[text])
    return dataclasses.replace(output, data=data)


def _load_glue_words(app) -> None:
    language = app.config.language or "en"
    _GLUE_WORDS.clear()
    if language != "en":
        _GLUE_WORDS.update(_catalog(app.srcdir, app.config.locale_dirs, language, "glue.po"))


QUIZ_DATA = re.compile(r"var (questionsdlq[0-9a-f]+) = (\[.*?\]);\n", re.S)
# What jupyterquiz itself writes on the page (its library comes with the first quiz of a page).
QUIZ_UI = ["Type numeric answer here:"]


def quiz_records(text: str):
    """``(variable, records)`` for every question list (``dlmath.quiz``) in a page's script text."""
    for m in QUIZ_DATA.finditer(text):
        yield m.group(1), json.loads(m.group(2))


def quiz_texts(records) -> list[str]:
    """The reader-facing strings of question records, in order."""
    out = []
    for q in records:
        out.append(q["question"])
        for a in q["answers"]:
            out += [a[k] for k in ("answer", "feedback") if a.get(k)]
    return out


def _catalog(srcdir, locale_dirs: list[str], language: str, name: str) -> dict[str, str]:
    """The translated, non-fuzzy entries of ``<locale dir>/<language>/LC_MESSAGES/<name>``."""
    from babel.messages.pofile import read_po

    for d in locale_dirs:
        path = os.path.join(str(srcdir), d, language, "LC_MESSAGES", name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}
    return {}


class TranslateQuizzes(SphinxTransform):
    """The self-check questions in the reader's language: their texts are data in the page's script (the
    cell computed them), translated here from ``locales/<lang>/LC_MESSAGES/quiz.po``, like jupyterquiz's
    own label. The answers, tolerances and hints' values are untouched."""

    default_priority = 890

    def apply(self, **kwargs) -> None:
        language = self.config.language or "en"
        if language == "en":
            return
        table = _catalog(self.env.srcdir, self.config.locale_dirs, language, "quiz.po")
        if not table:
            return

        def translate(records):
            for q in records:
                q["question"] = table.get(q["question"], q["question"])
                for a in q["answers"]:
                    for k in ("answer", "feedback"):
                        if a.get(k):
                            a[k] = table.get(a[k], a[k])
            return records

        def data(m: re.Match) -> str:
            return f"var {m.group(1)} = {json.dumps(translate(json.loads(m.group(2))), ensure_ascii=False)};\n"

        for node in list(self.document.findall(nodes.raw)):
            text = node.astext()
            if "var questionsdlq" not in text:
                continue
            new = QUIZ_DATA.sub(data, text)
            for ui in QUIZ_UI:
                new = new.replace(json.dumps(ui), json.dumps(table.get(ui, ui), ensure_ascii=False))
            node.replace_self(nodes.raw(new, new, format=node.get("format", "html")))


class TranslateTocCaptions(SphinxTransform):
    """Translate the captions of the table of contents ("Foundations", …) from the root page's catalog.

    sphinx-external-toc inserts the toctrees (transform priority 100) after Sphinx's own translation
    (priority 20) has run, so the captions would stay English in the Chinese sidebar.
    """

    default_priority = 110

    def apply(self, **kwargs) -> None:
        language = self.config.language or "en"
        if language == "en":
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        dirs = [os.path.join(self.env.srcdir, d) for d in self.config.locale_dirs]
        catalog, has_catalog = init_locale(dirs, language, domain)
        if not has_catalog:
            return
        for toctree in self.document.findall(addnodes.toctree):
            caption = toctree.get("caption")
            if caption:
                toctree["caption"] = catalog.gettext(caption)


def setup(app):
    _patch()
    app.add_transform(TranslateTocCaptions)
    app.add_transform(TranslateQuizzes)
    app.connect("builder-inited", _load_glue_words)
    app.connect("html-page-context", _edition_link)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
