"""Sphinx extension: the book's two editions, English (the source) and Chinese (gettext catalogs).

* Every page links to the same page in the other edition (``_build/html/<page>.html`` and
  ``_build/html/zh_CN/<page>.html``), with a relative link that works from disk.
* Glued values inside translated paragraphs. Sphinx translates a paragraph by parsing its translated
  text as a small new document, after the chapter itself has been read. MyST-NB's glue roles look a key
  up in the notebook being read, which that small document is not (and MyST-NB forgets the notebook's
  glue data once it has read the chapter), so ``{glue:text}`key``` in a translation would find nothing.
  This extension keeps each notebook's glue data (MyST-NB's own renderer object) after reading, and
  while Sphinx's ``Locale`` transform translates a chapter, a glue look-up from a translated paragraph
  uses that chapter's data: the translated sentence shows the very value the English sentence shows.
"""

from __future__ import annotations

import contextvars
import posixpath

from sphinx.transforms import i18n

_CHAPTER: contextvars.ContextVar[str | None] = contextvars.ContextVar("dlmath_i18n_chapter", default=None)
_RENDERERS: dict[str, object] = {}  # docname -> MyST-NB's NbElementRenderer of that notebook
_LAST: list[object] = []


def _patch() -> None:
    import myst_nb.sphinx_ as nb_sphinx
    from myst_nb.ext.glue import directives, roles, utils

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
        result = original_parse(self, inputstring, document)
        if _LAST:
            _RENDERERS[document.settings.env.docname] = _LAST[0]
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

    original_retrieve = utils.retrieve_glue_data

    def retrieve_glue_data(document, key):
        chapter = _CHAPTER.get()
        if "nb_renderer" not in document and chapter in _RENDERERS:
            return original_retrieve({"nb_renderer": _RENDERERS[chapter]}, key)
        return original_retrieve(document, key)

    for module in (utils, roles, directives):
        module.retrieve_glue_data = retrieve_glue_data


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


def setup(app):
    _patch()
    app.connect("html-page-context", _edition_link)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
