r"""Sliders that work in a live kernel *and* in the built HTML book (chapter "TestNet", "Batch").

A chapter supplies a tested ``compute(**params) -> result`` function, a ``plot(result, fig)``
function that draws on an empty matplotlib figure, and a grid of parameter values::

    Explorer(compute, plot, [Param("log10_lr", np.linspace(-3, 0, 7), label="log10 α")])

As the last expression of a cell (or given to ``display``), an explorer displays two outputs:

* ``text/html``: a self-contained slider over frames precomputed at every grid point, embedded as
  PNG data URIs with a few lines of inline JavaScript: no kernel, no CDN.  Its bytes are deterministic,
  so nbval compares them like any other output; the HTML book shows it.  In Jupyter, a line under the
  sliders (hidden by the script everywhere else) says to run the chapter for the live version.
* in a kernel, ``application/vnd.jupyter.widget-view+json``: ipywidgets controls that call ``compute``
  again at any value, over a wider range than the frames (continuous sliders, log-scale for positive values
  over two decades or more, and a ``log10_`` exponent is a log scale already), and redraw one reused figure
  (:mod:`dlmath.explore_live`).  Its fallback is empty HTML, so the book (which drops widget views:
  ``nb_mime_priority_overrides`` in ``_config.yml``) and an untrusted notebook show nothing for it.

The two outputs hide one another with CSS in Jupyter: while the widget is live, the static slider of the
same cell is hidden; a widget whose model is gone (a chapter saved and reopened: "model not found"),
still loading, or restored from saved state without a kernel is hidden instead, and the static slider,
which needs no kernel, is the one the reader sees.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from .errors import ShapeError
from .explore_live import WIDGET_MIME, _live_range

#: Under the static slider, in Jupyter only (the script hides it elsewhere; an untrusted notebook runs no script).
JUPYTER_NOTE = ("In Jupyter: run the chapter (Run \u25b8 Run All Cells) to get live controls that recompute "
                "at any value.")


class Param(NamedTuple):
    """One slider: a name passed to ``compute``, the grid of values the HTML frames are drawn at,
    a label for the reader and a format for the value.  ``default`` is an index into ``values``; without
    it a slider starts in the middle of its grid and a True/False toggle starts at its first value.

    ``live`` is the live slider's range ``(low, high)`` or ``(low, high, step)`` (for a log slider, values,
    not exponents).  Without it a numeric grid gets the grid widened at each end by its median spacing or an
    eighth of its span, whichever is larger, in steps of a tenth of its smallest spacing (whole numbers for
    a grid of ints, never below 1 or 0 if the grid is not); positive values over two decades or more get a
    log-scale slider (the same rule on their exponents); a parameter whose name starts with ``log10_`` is an
    exponent and always gets a continuous slider.  Give ``live`` when ``compute`` accepts less than that."""

    name: str
    values: Sequence[Any]
    label: str | None = None
    fmt: str = "{:g}"
    default: int | None = None
    live: tuple[float, ...] | None = None

    def show(self, value: Any) -> str:
        return self.fmt.format(value)

    def start(self) -> int:
        if self.default is not None:
            return self.default
        if all(isinstance(v, bool | np.bool_) for v in self.values):
            return 0
        return len(self.values) // 2


class Explorer:
    """An interactive figure over a grid of one or two parameters (see the module docstring).

    Parameters
    ----------
    compute : callable(**params) -> result; the tested function behind the figure
    plot : callable(result, fig) -> None; draws on an empty figure
    params : one or two :class:`Param`, the sliders of both versions
    live_params : extra controls shown only in the live version (a bool grid gives a checkbox);
        the HTML frames use each one's default value
    title : shown above the sliders; the image's alt text is the title, the values shown and the description
    description : what the figure shows, for the alt text (a reader who cannot see the picture hears it
        with the current values, which the HTML slider updates as it moves)
    figsize, dpi : size of the figure (the frames' pixel size is figsize * dpi)
    """

    def __init__(
        self,
        compute: Callable[..., Any],
        plot: Callable[[Any, plt.Figure], None],
        params: Sequence[Param],
        *,
        live_params: Sequence[Param] = (),
        title: str = "Explorer",
        description: str = "",
        figsize: tuple[float, float] = (8.0, 3.2),
        dpi: int = 80,
    ) -> None:
        for name, fn in (("compute", compute), ("plot", plot)):
            if not callable(fn):
                raise ShapeError(f"Explorer: {name} must be a function (got {type(fn).__name__})")
        for name, ps in (("params", params), ("live_params", live_params)):
            if not isinstance(ps, list | tuple):
                raise ShapeError(f"Explorer: {name} must be a list of Param (got {type(ps).__name__})")
        if not 1 <= len(params) <= 2:
            raise ShapeError(f"Explorer: give one or two params to slide over (got {len(params)})")
        for p in [*params, *live_params]:
            if not isinstance(p, Param):
                raise ShapeError(f"Explorer: params must be Param(name, values, ...) (got {type(p).__name__})")
            if not isinstance(p.name, str) or not isinstance(p.fmt, str):
                raise ShapeError(f"Explorer: a Param's name and fmt must be strings (got {p.name!r}, {p.fmt!r})")
            if isinstance(p.values, str | bytes) or np.ndim(p.values) != 1:
                raise ShapeError(f"Explorer: param {p.name!r} needs a 1-D grid of values (got {p.values!r:.60})")
            if len(p.values) == 0:
                raise ShapeError(f"Explorer: param {p.name!r} has an empty grid of values")
            if p.default is not None and (isinstance(p.default, bool) or not isinstance(p.default, int | np.integer)):
                raise ShapeError(f"Explorer: default of {p.name!r} is an index into its values, an int "
                                 f"(got {p.default!r})")
            if not 0 <= p.start() < len(p.values):
                raise ShapeError(f"Explorer: default index {p.default} of {p.name!r} is outside 0..{len(p.values) - 1}")
            _live_range(p)  # checks Param.live
        if len(figsize) != 2 or not all(np.isfinite(v) and v > 0 for v in figsize) or not int(dpi) == dpi > 0:
            raise ShapeError(f"Explorer: figsize must be two positive inches and dpi a positive int "
                             f"(got figsize {figsize}, dpi {dpi})")
        names = [p.name for p in [*params, *live_params]]
        if len(set(names)) != len(names):
            raise ShapeError(f"Explorer: param names must be distinct (got {names})")
        self.compute, self.plot = compute, plot
        self.params, self.live_params = list(params), list(live_params)
        self.title, self.description, self.figsize, self.dpi = title, description, figsize, dpi

    # -- the frames behind the HTML slider ---------------------------------------------------
    def fixed_values(self) -> dict[str, Any]:
        """The value each live-only control takes in the HTML frames."""
        return {p.name: p.values[p.start()] for p in self.live_params}

    def render(self, values: dict[str, Any], fig: plt.Figure | None = None) -> bytes:
        """PNG bytes of the figure at one point (deterministic: no timestamps in the metadata).

        The figure is drawn on ``fig`` when given (it is cleared first), else on a new figure that is
        closed afterwards, so no figure is left open for a notebook to display twice."""
        own = fig is None
        fig = fig or plt.figure(figsize=self.figsize, dpi=self.dpi)
        try:
            fig.clear()
            self.plot(self.compute(**values), fig)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=self.dpi, metadata={"Software": None})
            # A 256-colour palette keeps line plots visually identical at about a third of the bytes
            # (~13 kB for an 8 x 3.2 in frame at 80 dpi): the book's pages must stay under 3 MB.
            buf.seek(0)
            image = Image.open(buf).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT,
                                                            dither=Image.Dither.NONE)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
        finally:
            if own:
                plt.close(fig)

    def frames(self) -> dict[str, bytes]:
        """Every grid point's PNG, keyed by slider indices joined with '_' (e.g. '3_0')."""
        fig = plt.figure(figsize=self.figsize, dpi=self.dpi)
        try:
            out = {}
            for idx in itertools.product(*(range(len(p.values)) for p in self.params)):
                values = {p.name: p.values[i] for p, i in zip(self.params, idx, strict=True)}
                out["_".join(map(str, idx))] = self.render({**values, **self.fixed_values()}, fig)
            return out
        finally:
            plt.close(fig)

    def start_key(self) -> str:
        """The key in :meth:`frames` of the figure both versions show first (every slider at its start)."""
        return "_".join(str(p.start()) for p in self.params)

    def uid(self) -> str:
        """The HTML id of the static slider; the live widget carries the class ``uid + '-live'``.

        Deterministic (nbval compares this output) and distinct for distinct explorers: made from what the
        explorer shows in words, not from the PNG bytes, which change in a few pixels with the CPU's
        floating-point kernels. Two explorers on one page need different titles, labels or descriptions."""
        labels = [[p.show(v) for v in p.values] for p in self.params]
        words = json.dumps([self.title, labels, [p.label or p.name for p in self.params], self.description])
        return "dlx-" + hashlib.sha1(words.encode()).hexdigest()[:12]

    def static_html(self, frames: dict[str, bytes] | None = None) -> str:
        """A self-contained slider over the precomputed frames (:meth:`frames`, computed unless given):
        one <img>, one range input per param, a note for Jupyter only, and the CSS that hides the live
        widget's output of the same cell while that widget cannot show (see the module docstring)."""
        frames = {k: "data:image/png;base64," + base64.b64encode(v).decode()
                  for k, v in (self.frames() if frames is None else frames).items()}
        start = [p.start() for p in self.params]
        labels = [[p.show(v) for v in p.values] for p in self.params]
        uid = self.uid()
        names = [html.escape(p.label or p.name) for p in self.params]
        key = self.start_key()
        alt = self._alt([lab[i] for lab, i in zip(labels, start, strict=True)])
        rows = "".join(
            f'<label style="display:block;margin:.2em 0">{name} = <output>{html.escape(lab[i])}</output><br>'
            f'<input type="range" min="0" max="{len(lab) - 1}" step="1" value="{i}" style="width:100%" '
            f'aria-label="{name}" aria-valuetext="{html.escape(lab[i])}"></label>'
            for name, lab, i in zip(names, labels, start, strict=True)
        )
        data = json.dumps({"frames": frames, "labels": labels, "names": [p.label or p.name for p in self.params],
                           "title": self.title, "desc": self._alt_suffix()})
        # Inside <script> a "</script>" in a title or label would end the script: escape <, > and & in the JSON.
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        # Jupyter: a widget output of this cell with no live view in it is hidden: "model not found" (the widget
        # renderer then marks its node .jupyter-widgets: the whole output row goes) or still loading (no
        # data-mime-type: JupyterLab's own renderers set it, the widget renderer does not). A :has() cannot
        # hold another :has(), hence two rules.
        style = (f"<style>.jp-Cell:has(#{uid}) .jp-OutputArea-child:has(> .jp-OutputArea-output.jupyter-widgets),"
                 f".jp-Cell:has(#{uid}) .jp-OutputArea-output:not([data-mime-type]):not(:has(.{uid}-live))"
                 "{display:none}</style>")
        note = (f'<p class="dlx-jupyter-note" style="font-style:italic;font-size:90%;margin:.2em 0">'
                f'{html.escape(JUPYTER_NOTE)}</p>')
        return (
            f'<div class="dlmath-explorer" id="{uid}" style="max-width:{int(self.figsize[0] * self.dpi)}px">'
            f'{style}<p style="font-weight:bold;margin:.2em 0">{html.escape(self.title)}</p>{rows}{note}'
            f'<img src="{frames[key]}" alt="{html.escape(alt)}" style="width:100%">'
            f"<script>(function(){{var d={data};var r=document.getElementById('{uid}');"
            "if(!r.closest('.jp-OutputArea,.output_area')){r.querySelector('.dlx-jupyter-note').remove();}"
            "var s=r.querySelectorAll('input'),o=r.querySelectorAll('output'),im=r.querySelector('img');"
            "function u(){var k=[],v=[];for(var i=0;i<s.length;i++){k.push(s[i].value);"
            "var t=d.labels[i][+s[i].value];o[i].textContent=t;s[i].setAttribute('aria-valuetext',t);"
            "v.push(d.names[i]+' = '+t);}"
            "im.src=d.frames[k.join('_')];im.alt=d.title+': '+v.join(', ')+d.desc;}"
            "for(var i=0;i<s.length;i++){s[i].addEventListener('input',u);}})();</script></div>"
        )

    def _alt(self, shown: list[str]) -> str:
        names = [p.label or p.name for p in self.params]
        values = ", ".join(f"{n} = {v}" for n, v in zip(names, shown, strict=True))
        return self.title + ": " + values + self._alt_suffix()

    def _alt_suffix(self) -> str:
        return ". " + self.description.strip() if self.description.strip() else ""

    # -- the live version ----------------------------------------------------------------------
    def widget(self, first_png: bytes | None = None):
        """ipywidgets controls that recompute and redraw (needs a running kernel to be useful).

        Every numeric param gets a continuous slider over its live range (:class:`Param`; a log-scale
        slider for a grid spanning two decades or more), a True/False grid a checkbox, any other grid a
        selection slider.  A move calls ``compute`` at the controls' values and redraws one figure kept for
        the widget's life, whose axes are emptied and reused (:mod:`dlmath.explore_live`); an error from
        ``compute`` or ``plot`` is shown under the figure, which keeps its last picture.
        ``first_png``: the figure at the controls' start values, if already drawn (the start frame)."""
        from .explore_live import _live_widget

        return _live_widget(self, first_png)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        """The static slider (and a text summary); in a kernel :meth:`_ipython_display_` adds the widget."""
        return {"text/plain": f"<{self.title}: {self._summary()}>", "text/html": self.static_html()}

    def _ipython_display_(self) -> None:
        """Two outputs in a kernel: the static slider, then the live widget (empty HTML as its fallback)."""
        from IPython.display import display

        frames = self.frames()
        display({"text/plain": f"<{self.title}: {self._summary()}>", "text/html": self.static_html(frames)},
                raw=True)
        if _in_kernel():
            # Live-only controls start at the values the frames are drawn with, so the start frame is
            # exactly the live figure's first picture: no need to draw it again.
            view = self.widget(first_png=frames[self.start_key()])
            display({WIDGET_MIME: {"version_major": 2, "version_minor": 0, "model_id": view.model_id},
                     "text/html": "", "text/plain": ""}, raw=True)

    def _summary(self) -> str:
        return ", ".join(f"{p.label or p.name} over {len(p.values)} values" for p in self.params)


def _in_kernel() -> bool:
    """True inside a Jupyter kernel that has ipywidgets installed."""
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
