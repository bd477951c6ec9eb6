"""Smoke and layout tests for the computational-graph drawer ``dlmath.graph``."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from dlmath import ShapeError  # noqa: E402
from dlmath.graph import NODE_LABEL_GID, draw_graph, draw_network_passes, graph_layout, node_title  # noqa: E402
from dlmath.scalar import Value, topological_order, vmax  # noqa: E402


def _neuron():
    w1, x1, w2, x2, b = (Value(v, n) for v, n in zip((2, -1, -3, -2, -3), ("w1", "x1", "w2", "x2", "b"), strict=True))
    f = (w1 * x1 + w2 * x2 + b).sigmoid()
    f.backward()
    return f


def _labels(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == NODE_LABEL_GID]


def test_neuron_graph_has_one_label_per_node():
    f = _neuron()
    fig = draw_graph(f, title="neuron")
    try:
        labels = _labels(fig)
        # 5 leaves, 2 products, 2 sums, 1 sigmoid
        assert len(labels) == 10 == len(topological_order(f))
        assert sorted(labels) == sorted(["w1", "x1", "w2", "x2", "b", "w1·x1", "w2·x2", "… + …", "… + b", "σ(…)"])
        arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
        assert len(arrows) == 9  # one per (parent, child) edge
        assert fig.axes[0].get_title() == "neuron"
    finally:
        plt.close(fig)


def test_gradients_and_values_are_printed():
    f = _neuron()
    fig = draw_graph(f, fmt=".2f")
    try:
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert "0.73" in texts and "1.00" in texts and "-0.59" in texts  # sigma(1), df/df, df/dx2
    finally:
        plt.close(fig)
    fig = draw_graph(f, show_grad=False)
    try:
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert "-0.59" not in texts and len(texts) == 2 * 10
    finally:
        plt.close(fig)


def test_fan_out_and_repeated_parent_edges_are_all_drawn():
    a = Value(3.0, "a")
    q = a * a + a  # a -> * twice, a -> + once, * -> +
    q.backward()
    fig, ax = plt.subplots()
    try:
        assert draw_graph(q, ax=ax) is fig
        assert len(_labels(fig)) == 3
        assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == 4
    finally:
        plt.close(fig)


def test_layout_inputs_left_output_right():
    x, y, z, w = Value(3.0, "x"), Value(-4.0, "y"), Value(2.0, "z"), Value(-1.0, "w")
    out = 2 * (x * y + vmax(z, w))
    pos = graph_layout(out)
    for v in topological_order(out):
        for p in v.parents:
            assert pos[id(p)][0] < pos[id(v)][0]
    assert pos[id(out)][0] == max(px for px, _ in pos.values())
    assert len({p for p in pos.values()}) == len(pos)  # no two nodes on top of each other


def test_node_title():
    assert node_title(Value(2.5)) == "2.5"
    assert node_title(Value(1.0, "x")) == "x"
    s = Value(1.0) + Value(2.0)
    assert node_title(s) == "1 + 2"
    s.label = "s"
    assert node_title(s) == "s = 1 + 2"
    assert node_title(Value(2.0) ** -1) == "1/2"
    assert node_title(Value(2.0, "x") ** 3) == "x^3"
    assert node_title(Value(2.0, "pq") ** 3) == "(pq)^3"


def test_node_title_names_the_parents_not_a_placeholder():
    """The stage f = 1/r is titled with its parent's name r (it once read "f = 1/x")."""
    u = Value(-1.0, "u")
    t = u.exp()
    t.label = "t"
    r = 1 + t
    r.label = "r"
    f = r**-1
    f.label = "f"
    assert [node_title(v) for v in (t, r, f)] == ["t = exp(u)", "r = 1 + t", "f = 1/r"]
    assert node_title(-u) == "−u" and node_title(u.sigmoid()) == "σ(u)" and node_title(vmax(u, t)) == "max(u, t)"
    assert node_title(u * t) == "u·t" and node_title(u - t) == "u − t" and node_title(u / t) == "u/t"
    assert node_title((u * t).tanh()) == "tanh(…)"  # an unnamed inner node is not spelled out


def test_fan_out_edges_do_not_overlap_and_bends_clear_the_boxes():
    """q = b + a with b = a·a: the two a -> b edges run apart, and a -> q arcs over the box of b."""
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    q = b + a
    q.backward()
    fig = draw_graph(q)
    try:
        ax = fig.axes[0]
        fig.canvas.draw()
        arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
        assert len(arrows) == 4
        # get_path() is in data coordinates; to_polygons() flattens the Bezier curves to points on them
        ys = [np.concatenate([poly[:, 1] for poly in p.get_path().to_polygons(closed_only=False)]) for p in arrows]
        heights = sorted(((round(y.min(), 3), round(y.max(), 3)) for y in ys), key=lambda h: h[1])
        # every node sits in row y = 0; boxes reach y = +-0.45
        low, mid, high, bent = heights[0], heights[1], heights[2], heights[3]
        assert high[0] > low[1] + 0.2  # the two parallel a -> b edges: the lower lies wholly below the upper
        assert bent[1] > 0.45 + 0.05  # the a -> q arc passes above the box of b
        assert mid[0] > -0.1 and mid[1] < 0.1  # b -> q: straight along the row
        assert bent[1] < ax.get_ylim()[1]  # and the arc is not cut off by the axes
    finally:
        plt.close(fig)


def test_draw_graph_rejects_non_values():
    with pytest.raises(ShapeError, match="draw_graph: root must be a Value"):
        draw_graph(1.0)


def _tiny_net():
    # 2-3-1 sigmoid network, one example; dC/dz computed by hand-written reversed network
    x = np.array([[0.5], [-1.0]])
    W1 = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    W2 = np.array([[0.6, -0.2, 0.9]])
    z1 = W1 @ x
    a1 = 1 / (1 + np.exp(-z1))
    z2 = W2 @ a1
    y = 1 / (1 + np.exp(-z2))
    d2 = y * (1 - y) * 2 * y
    d1 = a1 * (1 - a1) * (W2.T @ d2)
    return [x, a1, y], [z1, z2], [d1, d2], [W1, W2], 2 * y


def test_network_passes_has_one_label_per_unit_per_panel():
    acts, zs, ds, Ws, dy = _tiny_net()
    fig = draw_network_passes(acts, zs, ds, Ws, dy)
    try:
        assert len(fig.axes) == 2
        for ax in fig.axes:
            labels = [t.get_text() for t in ax.texts if t.get_gid() == NODE_LABEL_GID]
            assert labels == ["x1", "x2", "unit 1.1", "unit 1.2", "unit 1.3", "unit 2.1"]
        back = [t.get_text() for t in fig.axes[1].texts]
        assert f"{ds[1][0, 0]:.3f}" in back and f"{ds[0][2, 0]:.3f}" in back
        # forward: 6 + 3 weighted edges; backward: only the 3 edges of layer 2, plus one dC/dy arrow
        assert len([p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]) == 9
        assert len([p for p in fig.axes[1].patches if isinstance(p, FancyArrowPatch)]) == 4
    finally:
        plt.close(fig)


def test_network_passes_rejects_mismatched_inputs():
    acts, zs, ds, Ws, _ = _tiny_net()
    with pytest.raises(ShapeError, match="draw_network_passes: need L\\+1 activations"):
        draw_network_passes(acts[:2], zs, ds, Ws)
    with pytest.raises(ShapeError, match=r"draw_network_passes: W\^\[2\] must be \(n_2, n_1\) = \(1, 3\)"):
        draw_network_passes(acts, zs, ds, [Ws[0], Ws[1].T])


def test_network_passes_forward_panel_is_on_top():
    acts, zs, ds, Ws, dy = _tiny_net()
    fig = draw_network_passes(acts, zs, ds, Ws, dy)
    try:
        top, bottom = (ax.get_position() for ax in fig.axes)
        assert top.y0 > bottom.y1  # the chapter's caption says "top: forward, bottom: backward"
        assert "forward" in fig.axes[0].get_title() and "backward" in fig.axes[1].get_title()
    finally:
        plt.close(fig)


def test_network_passes_rejects_badly_shaped_columns():
    acts, zs, ds, Ws, dy = _tiny_net()
    with pytest.raises(ShapeError, match=r"draw_network_passes: activations\[0\] must be a column \(n, 1\).*\(2,\)"):
        draw_network_passes([acts[0].ravel(), acts[1], acts[2]], zs, ds, Ws)
    with pytest.raises(ShapeError, match=r"draw_network_passes: dC_dz\[0\] belongs to layer 1 and must be \(n_1, 1\) = \(3, 1\)"):
        draw_network_passes(acts, zs, [ds[0][:2], ds[1]], Ws)
    with pytest.raises(ShapeError, match=r"draw_network_passes: pre_activations\[1\] must be a column"):
        draw_network_passes(acts, [zs[0], np.ones((1, 2))], ds, Ws)
    with pytest.raises(ShapeError, match=r"draw_network_passes: dC_dy must be \(n_L, 1\) = \(1, 1\)"):
        draw_network_passes(acts, zs, ds, Ws, np.ones((2, 1)))
    with pytest.raises(ShapeError, match=r"draw_network_passes: weights\[0\] contains 1 NaN"):
        draw_network_passes(acts, zs, ds, [np.where(Ws[0] > 0.6, np.nan, Ws[0]), Ws[1]])
