r"""Draw the computational graph of a :class:`~dlmath.scalar.Value` (chapter "The chain rule").

Matplotlib only (no Graphviz).  Every node is a box showing its name or operation, its forward
value (green) and, after ``backward()``, its gradient :math:`\partial f/\partial v` (red), in the
style of the CS231n backpropagation notes.  Nodes are placed in columns by *depth* (the length
of the longest path from a leaf), so inputs sit on the left and the output on the right; the
order inside a column is chosen by a few barycentre sweeps to keep edges from crossing.
"""

from __future__ import annotations

from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.textpath import TextPath

from .errors import ShapeError, as_array, check_bool, check_format, describe, reraise_as
from .scalar import Value, topological_order

NODE_LABEL_GID = "dlmath-node-label"
FORWARD_COLOR = "#1a7f37"
GRADIENT_COLOR = "#c0392b"
_BOX_W, _BOX_H = 1.15, 0.9  # node box, in data units
_COL_GAP, _ROW_GAP = 1.6, 1.2  # distance between column centres / row centres
_INCH = 0.72  # inches per data unit: with 10 pt text the figure is legible at a book's column width


_EXPRESSIONS = {  # how a node's operation reads with its parents' names filled in
    "+": "{0} + {1}", "-": "{0} − {1}", "*": "{0}·{1}", "/": "{0}/{1}", "neg": "−{0}", "1/x": "1/{0}",
    "exp": "exp({0})", "log": "ln({0})", "σ": "σ({0})", "tanh": "tanh({0})", "relu": "relu({0})",
    "max": "max({0}, {1})",
}


def _title_width(text: str) -> float:
    """Width of a node title (10 pt bold) in data units."""
    return TextPath((0, 0), text, size=10, prop=FontProperties(weight="bold")).get_extents().width / 72 / _INCH


def _name(v: Value) -> str:
    """What a parent is called inside its child's title: its label, a constant's value, or "…"."""
    if v.label:
        return v.label
    return f"{v.data:g}" if not v.op else "…"


def node_title(v: Value) -> str:
    """Text naming a node: ``label = expression`` with the parents' names, e.g. ``"f = 1/r"``.

    A parent without a label appears as ``…`` (a constant as its value); a node without a label shows the
    expression alone, a leaf its label or value.
    """
    if not isinstance(v, Value):
        raise ShapeError(f"node_title: v must be a Value (got {describe(v)})")
    if not v.op:
        return v.label if v.label else f"{v.data:g}"
    names = [_name(p) for p in v.parents]
    if v.op.startswith("x^"):
        expr = f"{names[0]}^{v.op[2:]}" if len(names[0]) == 1 else f"({names[0]})^{v.op[2:]}"
    else:
        expr = _EXPRESSIONS.get(v.op, v.op + "(" + ", ".join(names) + ")").format(*names)
    return f"{v.label} = {expr}" if v.label else expr


def graph_layout(root: Value, col_gap: float = _COL_GAP) -> dict[int, tuple[float, float]]:
    """Centre ``(x, y)`` of every node, keyed by ``id(node)``: columns by depth, rows by barycentre.

    ``col_gap`` is the distance between the centres of neighbouring columns, in data units.

    Returns
    -------
    dict id(node) -> (x, y); the output ``root`` is the rightmost node.
    """
    with reraise_as("graph_layout"):
        order = topological_order(root)
    depth: dict[int, int] = {}
    for v in order:  # parents come first, so their depth is known
        depth[id(v)] = 1 + max((depth[id(p)] for p in v.parents), default=-1)
    children: dict[int, list[Value]] = {id(v): [] for v in order}
    for v in order:
        for p in v.parents:
            children[id(p)].append(v)
    for v in order:  # a leaf sits just left of its first consumer, not in the far-left column
        if not v.parents and children[id(v)]:
            depth[id(v)] = min(depth[id(c)] for c in children[id(v)]) - 1
    n_cols = max(depth.values()) + 1
    columns: list[list[Value]] = [[] for _ in range(n_cols)]
    for v in order:
        columns[depth[id(v)]].append(v)
    rank = {id(v): float(i) for col in columns for i, v in enumerate(col)}

    def sweep(cols: list[list[Value]], neighbours) -> None:
        for col in cols:
            def key(v: Value, col=col) -> float:
                nb = neighbours(v)
                return sum(rank[id(u)] for u in nb) / len(nb) if nb else rank[id(v)]
            col.sort(key=key)
            for i, v in enumerate(col):
                rank[id(v)] = float(i) - (len(col) - 1) / 2

    for _ in range(3):
        sweep(columns[1:], lambda v: v.parents)
        sweep(columns[-2::-1], lambda v: children[id(v)])
    sweep(columns[1:], lambda v: v.parents)
    return {id(v): (d * col_gap, -rank[id(v)] * _ROW_GAP) for d, col in enumerate(columns) for v in col}


def draw_graph(
    root: Value,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    show_grad: bool = True,
    fmt: str = ".2f",
) -> Figure:
    """Draw the graph that computes ``root``, with forward values and gradients on the nodes.

    Parameters
    ----------
    root : the output Value (call ``root.backward()`` first to show gradients).
    ax : axes to draw into; a new figure sized to the graph is made when None.
    title : axes title.
    show_grad : print each node's ``.grad`` under its value.
    fmt : format spec for the numbers, e.g. ``".2f"`` or ``".3g"``.

    Returns
    -------
    The matplotlib Figure.  Each node contributes exactly one text artist whose gid is
    :data:`NODE_LABEL_GID` (its title), which is how the tests count nodes.
    """
    if not isinstance(root, Value):
        raise ShapeError(f"draw_graph: root must be a Value (got {type(root).__name__})")
    show_grad, fmt = check_bool("draw_graph", "show_grad", show_grad), check_format("draw_graph", fmt)
    if ax is not None and not isinstance(ax, Axes):
        raise ShapeError(f"draw_graph: ax must be None or matplotlib Axes (got {describe(ax)})")
    order = topological_order(root)
    box_w = max(_BOX_W, max(_title_width(node_title(v)) for v in order) + 0.2)  # the longest title fits
    col_gap = box_w + 0.4
    pos = graph_layout(root, col_gap)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    bends = [  # (parent, child) edges that skip a column: they arc over the boxes in between
        (p, v) for v in order for p in set(v.parents) if pos[id(v)][0] - pos[id(p)][0] > 1.5 * col_gap
    ]
    top_pad = 0.15 + (0.45 if bends else 0.0)
    if ax is None:
        width = max(3.0, _INCH * (max(xs) - min(xs) + box_w + 0.3))
        height = max(2.0, _INCH * (max(ys) - min(ys) + _BOX_H + 0.5 + top_pad) + 0.5)
        fig, ax = plt.subplots(figsize=(round(width, 1), round(height, 1)))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99 if not title else 1 - 0.35 / height)
    else:
        fig = ax.figure
    for v in order:  # edges first so the boxes cover their ends
        seen = Counter()
        for p in v.parents:
            (x0, y0), (x1, y1) = pos[id(p)], pos[id(v)]
            k = seen[id(p)]
            seen[id(p)] += 1
            n_same, rad = v.parents.count(p), 0.0
            start, end = (x0 + box_w / 2, y0), (x1 - box_w / 2, y1)
            if n_same > 1:  # x * x: parallel edges between the same two boxes, spread apart vertically
                shift = 0.36 * (k - (n_same - 1) / 2) / max(1, n_same - 1)
                start, end = (start[0], y0 + shift), (end[0], y1 + shift)
            elif (p, v) in bends:  # from the top of one box to the top of the other, arcing over the boxes between
                start, end = (x0, y0 + _BOX_H / 2), (x1, y1 + _BOX_H / 2)
                rad = -2 * 0.4 / (x1 - x0)  # arc3 bulges by |rad| * length / 2 = 0.4; rad < 0 bends it up
            ax.add_patch(
                FancyArrowPatch(
                    start, end, arrowstyle="-|>", mutation_scale=12,
                    color="0.35", lw=1.2, connectionstyle=f"arc3,rad={rad}", shrinkA=1, shrinkB=1,
                )
            )
    for v in order:
        x, y = pos[id(v)]
        face = "#eef3fb" if v.op else "#fdf6e3"
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - _BOX_H / 2), box_w, _BOX_H, boxstyle="round,pad=0.02,rounding_size=0.12",
                facecolor=face, edgecolor="0.25", lw=1.1, zorder=2,
            )
        )
        ax.text(x, y + 0.24, node_title(v), ha="center", va="center", fontsize=10, fontweight="bold",
                gid=NODE_LABEL_GID, zorder=3)
        ax.text(x, y - 0.02, format(v.data, fmt), ha="center", va="center", fontsize=9.5,
                color=FORWARD_COLOR, zorder=3)
        if show_grad:
            ax.text(x, y - 0.27, format(v.grad, fmt), ha="center", va="center", fontsize=9.5,
                    color=GRADIENT_COLOR, zorder=3)
    ax.set_xlim(min(xs) - box_w / 2 - 0.15, max(xs) + box_w / 2 + 0.15)
    ax.set_ylim(min(ys) - _BOX_H / 2 - 0.5, max(ys) + _BOX_H / 2 + top_pad)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [Patch(color=FORWARD_COLOR, label="forward value")]
    if show_grad:
        handles.append(Patch(color=GRADIENT_COLOR, label="gradient ∂f/∂node"))
    ax.legend(handles=handles, loc="lower center", ncol=2, fontsize=8.5, frameon=False,
              bbox_to_anchor=(0.5, -0.02))
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def _column(func: str, name: str, v) -> np.ndarray:
    """``v`` as an (n, 1) float64 column (one example), or a ShapeError naming it."""
    v = as_array(func, name, v)
    if v.ndim != 2 or v.shape[1] != 1:
        raise ShapeError(f"{func}: {name} must be a column (n, 1) holding one example ({name} {v.shape})")
    return v


def draw_network_passes(
    activations: list, pre_activations: list, dC_dz: list, weights: list, dC_dy=None, *, fmt: str = ".3f"
) -> Figure:
    r"""Seed 003's two passes through a small sigmoid network, one above the other (chapter "The chain rule").

    Top, the forward pass: every unit shows :math:`z` and :math:`a = \sigma(z)`, and every edge
    carries its weight; the value at the tail of an edge is :math:`\partial z/\partial w` for that
    edge.  Bottom, the backward pass drawn as the *reversed* network: arrows run from the output to
    the input, and each unit multiplies the weighted sum it receives by :math:`\sigma'(z) = a(1-a)`,
    giving :math:`\partial C/\partial z`.

    Parameters
    ----------
    activations : [a^[0] (n_0, 1), a^[1] (n_1, 1), ..., a^[L] (n_L, 1)], one example as columns
    pre_activations : [z^[1], ..., z^[L]], shapes (n_l, 1)
    dC_dz : [dC/dz^[1], ..., dC/dz^[L]], shapes (n_l, 1)
    weights : [W^[1] (n_1, n_0), ..., W^[L] (n_L, n_{L-1})]
    dC_dy : optional (n_L, 1), the gradient of the cost w.r.t. the outputs, drawn entering the reversed network
    fmt : format spec for the numbers

    Returns
    -------
    Figure with two axes, forward pass on top; each unit (inputs included) has one text artist with gid
    NODE_LABEL_GID per axes.
    """
    f = "draw_network_passes"
    fmt = check_format(f, fmt)
    for name, v in (("activations", activations), ("pre_activations", pre_activations), ("dC_dz", dC_dz),
                    ("weights", weights)):
        if not isinstance(v, list | tuple):
            raise ShapeError(f"{f}: {name} must be a list of arrays, one per layer (got {describe(v)})")
    L = len(weights)
    if not (len(activations) == L + 1 and len(pre_activations) == L == len(dC_dz)):
        raise ShapeError(
            f"{f}: need L+1 activations and L pre-activations, gradients and weights "
            f"(got {len(activations)}, {len(pre_activations)}, {len(dC_dz)}, {len(weights)})"
        )
    activations = [_column(f, f"activations[{l}]", a) for l, a in enumerate(activations)]
    sizes = [a.shape[0] for a in activations]
    columns = {}
    for name, arrays in (("pre_activations", pre_activations), ("dC_dz", dC_dz)):
        columns[name] = [_column(f, f"{name}[{l - 1}]", v) for l, v in enumerate(arrays, start=1)]
        for l, v in enumerate(columns[name], start=1):
            if v.shape[0] != sizes[l]:
                raise ShapeError(
                    f"{f}: {name}[{l - 1}] belongs to layer {l} and must be (n_{l}, 1) = ({sizes[l]}, 1) "
                    f"like activations[{l}] ({name}[{l - 1}] {v.shape})"
                )
    pre_activations, dC_dz = columns["pre_activations"], columns["dC_dz"]
    if dC_dy is not None:
        dC_dy = _column(f, "dC_dy", dC_dy)
        if dC_dy.shape[0] != sizes[-1]:
            raise ShapeError(f"{f}: dC_dy must be (n_L, 1) = ({sizes[-1]}, 1) like the output (dC_dy {dC_dy.shape})")
    weights = [as_array(f, f"weights[{l - 1}]", W, 2) for l, W in enumerate(weights, start=1)]
    for l, W in enumerate(weights, start=1):
        shape = (sizes[l], sizes[l - 1])
        if W.shape != shape:
            raise ShapeError(
                f"{f}: W^[{l}] must be (n_{l}, n_{l - 1}) = {shape} to match the activations (W {W.shape})"
            )
    pos = {(l, i): (2.4 * l, -1.5 * (i - (n - 1) / 2)) for l, n in enumerate(sizes) for i in range(n)}
    r = 0.5
    extra = 1.9 if dC_dy is not None else 0.0  # room for the arrows that bring dC/dy in
    span = 2.4 * L + 1.6
    fig, axes = plt.subplots(2, 1, figsize=(round(0.95 * (span + extra), 1), round(2 * (1.1 * max(sizes) + 1.2), 1)))
    for ax, backward in zip(axes, (False, True), strict=True):
        for l, W in enumerate(weights, start=1):
            if backward and l == 1:
                continue  # the reversed network stops at the first hidden layer: no dC/dx is needed
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    (x0, y0), (x1, y1) = pos[(l - 1, j)], pos[(l, i)]
                    start, end = ((x1 - r, y1), (x0 + r, y0)) if backward else ((x0 + r, y0), (x1 - r, y1))
                    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, color="0.5", lw=1))
                    # the weight sits 0.28 of the way from the unit that sends along the arrow (layer l-1
                    # forward; layer l backward, where the arrows run the other way), away from the middle
                    # where the crossing edges between two layers meet
                    t = 0.28 if not backward else 0.72
                    ax.text(x0 + r + t * (x1 - x0 - 2 * r), y0 + t * (y1 - y0) + 0.12, f"w={W[i, j]:.2f}",
                            fontsize=8, ha="center", color="0.25",
                            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
        for (l, i), (x, y) in pos.items():
            is_input = l == 0
            color = "#fdf6e3" if is_input else ("#fbeaea" if backward else "#eef3fb")
            ax.add_patch(plt.Circle((x, y), r, facecolor=color, edgecolor="0.25", lw=1.1, zorder=2))
            name = f"x{i + 1}" if is_input else f"unit {l}.{i + 1}"
            ax.text(x, y + 0.22, name, ha="center", va="center", fontsize=8.5, fontweight="bold",
                    gid=NODE_LABEL_GID, zorder=3)
            if is_input:
                ax.text(x, y - 0.08, format(float(activations[0][i, 0]), fmt), ha="center", va="center",
                        fontsize=8.5, color=FORWARD_COLOR, zorder=3)
            elif not backward:
                z, a = float(pre_activations[l - 1][i, 0]), float(activations[l][i, 0])
                ax.text(x, y - 0.05, f"z={z:{fmt}}", ha="center", va="center", fontsize=8, zorder=3)
                ax.text(x, y - 0.27, f"a={a:{fmt}}", ha="center", va="center", fontsize=8, color=FORWARD_COLOR,
                        zorder=3)
            else:
                a = float(activations[l][i, 0])
                ax.text(x, y - 0.05, f"×σ'={a * (1 - a):{fmt}}", ha="center", va="center", fontsize=8, zorder=3)
                ax.text(x, y - 0.27, f"{float(dC_dz[l - 1][i, 0]):{fmt}}", ha="center", va="center", fontsize=8.5,
                        color=GRADIENT_COLOR, zorder=3)
        if backward and dC_dy is not None:
            for i in range(sizes[-1]):
                x, y = pos[(L, i)]
                ax.add_patch(FancyArrowPatch((x + r + 1.5, y), (x + r, y), arrowstyle="-|>", mutation_scale=11,
                                             color=GRADIENT_COLOR, lw=1.2))
                ax.text(x + r + 0.8, y + 0.18, f"∂C/∂y={float(dC_dy[i, 0]):{fmt}}", fontsize=8, ha="center",
                        color=GRADIENT_COLOR)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8 + extra)  # same range in both panels: units line up
        ax.set_ylim(min(ys) - 0.9, max(ys) + 0.8)
        ax.set_aspect("equal")
        ax.axis("off")
    axes[0].set_title("forward pass: z, a = σ(z); ∂z/∂w = value at the edge's tail", fontsize=10)
    axes[1].set_title("backward pass: reversed network, red = ∂C/∂z", fontsize=10)
    return fig
