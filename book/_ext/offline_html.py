"""Sphinx extension: keep the built HTML book offline, error-free and light (registered in _config.yml).

* Jupyter Book 1 always loads sphinx-thebe, even with thebe switched off. Its inline configuration
  names a CDN URL and is emitted twice, and a ``const`` declared twice is a page error. Thebe (running
  code through a remote kernel) is off in this book, so its scripts and stylesheet are dropped.
* Sphinx emits some inline scripts twice; duplicates are dropped.
* pydata-sphinx-theme loads ``scripts/fontawesome.js`` (1.5 MB of SVG icons) on every page although
  its stylesheet already ships the same icons as a webfont. The file is replaced by a stub, which
  takes a page's weight from about 3.7 MB to about 2.2 MB.
* MathJax (the local copy of ``sphinx-mathjax-offline``, MathJax 3.2.2) is started from
  ``startup.js`` and loads only the components listed in ``mathjax3_config.loader`` of _config.yml,
  instead of the combined ``tex-chtml.js`` whose context menu alone is 0.4 MB.
* sphinx-book-theme has no top bar: its sidebar holds the title and the search field. It says so with an
  empty ``navbar_persistent`` in its theme.conf, which pydata-sphinx-theme 0.17 does not read there: it
  adds a search field in a 64 px bar above every page, which covers the book's title in the sidebar.
  The option is set empty here, as the book theme means it.
"""

from __future__ import annotations

from pathlib import Path

FONTAWESOME_STUB = (
    "/* Replaced by the book's offline_html extension: the icons come from the Font Awesome webfont\n"
    "   that pydata-sphinx-theme's stylesheet already loads, so this 1.5 MB script is not needed. */\n"
)


def _use_mathjax_startup(app, config) -> None:
    if (config.mathjax3_config or {}).get("loader"):
        config.mathjax_path = "mathjax/startup.js"


def _no_top_bar(app, config) -> None:
    config.html_theme_options.setdefault("navbar_persistent", [])


def _is_thebe(asset) -> bool:
    filename = str(getattr(asset, "filename", asset) or "")
    body = getattr(asset, "attributes", {}).get("body", "")
    return "thebe" in filename or "THEBE_JS_URL" in body


def _clean_page_assets(app, pagename, templatename, context, doctree) -> None:
    seen, scripts = set(), []
    for js in context.get("script_files", []):
        key = (str(getattr(js, "filename", js)), tuple(sorted(getattr(js, "attributes", {}).items())))
        if _is_thebe(js) or key in seen:
            continue
        seen.add(key)
        scripts.append(js)
    context["script_files"] = scripts
    context["css_files"] = [css for css in context.get("css_files", []) if not _is_thebe(css)]


def _stub_fontawesome(app, exc) -> None:
    target = Path(app.outdir, "_static", "scripts", "fontawesome.js")
    if exc is None and target.is_file():
        target.write_text(FONTAWESOME_STUB, encoding="utf-8")
        for extra in ("fontawesome.js.map", "fontawesome.js.LICENSE.txt"):
            Path(target.parent, extra).unlink(missing_ok=True)


def setup(app):
    app.connect("config-inited", _use_mathjax_startup)
    app.connect("config-inited", _no_top_bar)
    app.connect("html-page-context", _clean_page_assets, priority=900)
    app.connect("build-finished", _stub_fontawesome)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
