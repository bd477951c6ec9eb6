r"""The live version of an :class:`~dlmath.explore.Explorer`: ipywidgets controls and a figure that is redrawn.

Controls (:func:`_control`) cover a wider range than the HTML frames and take any value in it
(:func:`_live_range`).  A redraw recomputes and draws on one figure kept for the widget's life
(:class:`_ReusedFigure`): the axes that the chapter's ``plot`` made last time are emptied and handed back
to it, so their ticks and tick labels are not built again — half the time of drawing on a new figure,
with the same pixels (``tests/test_explore.py`` compares them for the chapters' plots).

Everything here is private to :mod:`dlmath.explore` (names with ``_``), apart from the widget MIME type.
"""

from __future__ import annotations

import html
import io
import math
import time
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .errors import ShapeError

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# A title at a fixed height: matplotlib otherwise measures every tick label of an axes at each draw to
# place its title (a fifth of the redraw); the chapters' plots have no axis on top, so nothing moves.
_LIVE_RC = {"axes.titley": 1.0}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)


def _live_range(p) -> tuple[str, float, float, float]:
    """``(kind, low, high, step)`` of a :class:`~dlmath.explore.Param`'s live control.

    kind: "toggle" (a True/False grid), "select" (any other non-numeric grid), "log" (positive numbers
    spanning a factor 100 or more: low, high and step are powers of ten), "int" (whole numbers; not for a
    ``log10_`` exponent) or "float".  Raises ShapeError for a bad ``Param.live``."""
    values = p.values
    if all(isinstance(v, bool | np.bool_) for v in values):
        kind = "toggle"
    elif not all(_is_number(v) for v in values):
        kind = "select"
    elif not np.all(np.isfinite(np.asarray(values, dtype=float))):
        raise ShapeError(f"Explorer: param {p.name!r} has a non-finite value in its grid {values!r:.60}")
    elif min(values) > 0 and max(values) >= 100 * min(values) and not p.name.startswith("log10_"):
        kind = "log"
    elif all(isinstance(v, int | np.integer) for v in values) and not p.name.startswith("log10_"):
        kind = "int"
    else:
        kind = "float"
    if kind in ("toggle", "select"):
        if p.live is not None:
            raise ShapeError(f"Explorer: param {p.name!r} has a live range but its grid is not numbers "
                             f"(got live={p.live!r})")
        return kind, 0.0, 0.0, 0.0
    if p.live is not None:
        live = p.live
        if (not isinstance(live, tuple | list) or len(live) not in (2, 3) or not all(_is_number(v) for v in live)
                or not all(math.isfinite(v) for v in live) or not live[0] < live[1]
                or (len(live) == 3 and not live[2] > 0) or (kind == "log" and not live[0] > 0)):
            raise ShapeError(f"Explorer: live range of {p.name!r} must be (low, high) or (low, high, step) "
                             f"with {'0 < ' if kind == 'log' else ''}low < high and step > 0 (got {live!r})")
        low, high = float(live[0]), float(live[1])
        if kind == "log":  # the step of a log slider is a step of the exponent
            low, high = math.log10(low), math.log10(high)
        step = float(live[2]) if len(live) == 3 else (1.0 if kind == "int" else (high - low) / 100)
        return kind, low, high, step
    grid = np.log10(np.asarray(values, dtype=float)) if kind == "log" else np.asarray(values, dtype=float)
    lo, hi = float(grid.min()), float(grid.max())
    span = hi - lo or max(abs(hi), 1.0)
    gaps = np.diff(np.unique(grid))
    pad = max(float(np.median(gaps)), span / 8) if gaps.size else span / 4
    step = 1.0 if kind == "int" else _nice(gaps.min() / 10 if gaps.size else span / 100)
    low = math.floor((lo - pad) / step) * step
    high = math.ceil((hi + pad) / step) * step
    if kind in ("int", "float") and lo >= 0 and not p.name.startswith("log10_"):
        low = max(low, 1.0 if lo >= 1 else 0.0)  # counts and sizes stay positive
    return kind, round(low, 10), round(high, 10), step


def _nice(x: float) -> float:
    """The largest of 1, 2, 5 times a power of ten that is <= x."""
    e = math.floor(math.log10(x))
    return max(m * 10.0**e for m in (1, 2, 5) if m * 10.0**e <= x * (1 + 1e-9))


def _control(w, p):
    """The live ipywidgets control of one param (see :func:`_live_range`), at the param's start value."""
    kind, low, high, step = _live_range(p)
    start = p.values[p.start()]
    desc = p.label or p.name
    common = {"description": desc, "continuous_update": False, "style": {"description_width": "initial"},
              "layout": w.Layout(width="95%")}
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step else 0
    if kind == "toggle":
        return w.Checkbox(value=bool(start), description=desc, indent=False)
    if kind == "int":
        return w.IntSlider(value=int(start), min=int(low), max=int(high), step=int(step), **common)
    if kind == "float":
        return w.FloatSlider(value=float(start), min=low, max=high, step=step, readout_format=f".{decimals}f",
                             **common)
    if kind == "log":
        return w.FloatLogSlider(value=float(start), base=10, min=low, max=high, step=step, readout_format=".3g",
                                **common)
    return w.SelectionSlider(options=[(p.show(v), v) for v in p.values], value=start, **common)


class _ReusedFigure(Figure):
    """A figure whose ``subplots``/``add_subplot``/``add_axes`` calls hand back, emptied, the axes the same
    call made at the previous draw (call :meth:`start` before each draw).  Axes a draw did not ask for
    again are removed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._made: dict[tuple, Any] = {}
        self._calls = 0

    def start(self) -> None:
        self._calls = 0
        for ax in self.axes:
            _empty(ax)
        for artist in [*self.texts, *self.legends, *self.images, *self.lines, *self.patches]:
            artist.remove()
        self._suptitle = self._supxlabel = self._supylabel = None
        self.subplots_adjust(**{k: mpl.rcParams[f"figure.subplot.{k}"]
                                for k in ("left", "right", "bottom", "top", "wspace", "hspace")})

    def reset(self) -> None:
        """Forget every axes (after a failed draw): the next draw starts from an empty figure."""
        self.clear()
        self._made.clear()

    def _reuse(self, kind: str, make, args, kwargs):
        key = (self._calls, kind, repr(args), repr(sorted(kwargs.items())))
        self._calls += 1
        if key not in self._made:
            self._made[key] = make(*args, **kwargs)
        return self._made[key]

    def subplots(self, *args, **kwargs):
        return self._reuse("subplots", super().subplots, args, kwargs)

    def add_subplot(self, *args, **kwargs):
        return self._reuse("add_subplot", super().add_subplot, args, kwargs)

    def add_axes(self, *args, **kwargs):
        return self._reuse("add_axes", super().add_axes, args, kwargs)


def _empty(ax) -> None:
    """Back to what a new axes shows, keeping its tick objects: no artists, inset axes, legend, titles,
    labels or grid; linear scales, automatic limits, default margins and colour cycle."""
    for child in list(ax.child_axes):
        child.remove()
    for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.artists, *ax.tables]:
        artist.remove()
    if ax.legend_ is not None:
        ax.legend_.remove()
    for loc in ("center", "left", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xscale("linear")
    ax.set_yscale("linear")
    ax.set_aspect("auto")
    ax.grid(False)
    ax.set_prop_cycle(None)  # colours start again at C0
    ax.relim()  # no artists left: empty data limits
    ax.set_autoscale_on(True)
    ax.set_xmargin(mpl.rcParams["axes.xmargin"])
    ax.set_ymargin(mpl.rcParams["axes.ymargin"])


def _live_png(explorer, fig: _ReusedFigure, values: dict[str, Any]) -> bytes:
    """Recompute at ``values`` and redraw the live figure: PNG bytes (fast compression, not quantized)."""
    result = explorer.compute(**values)
    try:
        with mpl.rc_context(_LIVE_RC):
            fig.start()
            explorer.plot(result, fig)
    except Exception:
        fig.reset()
        raise
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=explorer.dpi, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _live_widget(explorer, first_png: bytes | None = None):
    """The widget of :meth:`~dlmath.explore.Explorer.widget` (see there)."""
    import ipywidgets as w

    controls = {p.name: _control(w, p) for p in [*explorer.params, *explorer.live_params]}

    def values() -> dict[str, Any]:
        return {name: control.value for name, control in controls.items()}

    # The figure is an Image widget holding PNG bytes, so the live version draws what the HTML frames
    # show, whatever matplotlib backend the kernel uses; the Figure is not pyplot's, never shown twice.
    first = explorer.render(values()) if first_png is None else first_png
    image = w.Image(format="png", value=first, layout=w.Layout(width="100%"))
    status = w.HTML("")
    fig = _ReusedFigure(figsize=explorer.figsize, dpi=explorer.dpi)
    FigureCanvasAgg(fig)

    def redraw(change: Any = None) -> None:
        t0 = time.perf_counter()
        try:
            image.value = _live_png(explorer, fig, values())
        except Exception as exc:  # shown to the reader, who can move the control back
            status.value = (f'<span style="color:#b00020">{html.escape(type(exc).__name__)}: '
                            f"{html.escape(str(exc)[:300])}</span>")
        else:
            status.value = ""
        redraw.seconds = time.perf_counter() - t0

    redraw.seconds = 0.0
    for control in controls.values():
        control.observe(redraw, names="value")
    uid = explorer.uid()
    # While this widget is live, the static slider of the same cell is hidden; a view restored from saved
    # widget state without a kernel ("disconnected") hides itself and leaves the static slider.
    style = (f"<style>.jp-Cell:has(.{uid}-live:not(.jupyter-widgets-disconnected)) .jp-OutputArea-child:has(#{uid})"
             f"{{display:none}} .jp-OutputArea-child:has(.{uid}-live.jupyter-widgets-disconnected){{display:none}}"
             "</style>")
    box = w.VBox([w.HTML(f"{style}<b>{html.escape(explorer.title)}</b>"), *controls.values(), image, status],
                 layout=w.Layout(max_width=f"{int(explorer.figsize[0] * explorer.dpi)}px"))
    box.add_class("dlx-live")
    box.add_class(f"{uid}-live")
    box.redraw = redraw  # benchmarks/bench_live.py reads redraw.seconds
    return box
