"""Tests for dlmath.batch: the row-layout d-h-1 sigmoid network of seed 001 and batch gradient descent."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dlmath.batch import (  # noqa: E402
    Params,
    backward_rows,
    batch_gradient_descent,
    check_params,
    forward_rows,
    gradients_columns,
    gradients_loop,
    init_params,
    loss_and_gradients,
    make_circles,
    predict_proba,
)
from dlmath.batch_explorer import (  # noqa: E402
    LOG10_LR_GRID,
    LR_GRID,
    LRResult,
    explore_alpha,
    explore_learning_rate,
    loss_regime,
    plot_learning_rate,
    time_gradients,
    top_hessian_eigenvalue,
)
from dlmath.errors import ShapeError  # noqa: E402
from dlmath.gradcheck import numerical_gradient, relative_error  # noqa: E402
from dlmath.linear import linear_forward  # noqa: E402

# Central differences with eps = 1e-6 on a smooth function agree to ~1e-9 relative; 1e-7 leaves margin.
GRAD_TOL = 1e-7
# Loop, vectorized and column-layout gradients do the same arithmetic in a different order: rounding only.
SAME_MATH_TOL = 1e-12
# Absolute tolerance for values of order 1 computed in two different orders.
ABS_TOL = 1e-12


def batch(n=5, d=3, h=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    Y = (rng.random((n, 1)) < 0.5).astype(np.float64)
    p = Params(rng.standard_normal((h, d)), rng.standard_normal((h, 1)), rng.standard_normal((1, h)),
               rng.standard_normal((1, 1)))
    return X, Y, p


def bce_by_hand(X, Y, p):
    """Mean binary cross-entropy written out with the textbook formula (probabilities, not logits)."""
    a1 = 1.0 / (1.0 + np.exp(-(X @ p.W1.T + p.b1.T)))
    a2 = 1.0 / (1.0 + np.exp(-(a1 @ p.W2.T + p.b2.T)))
    return float(-np.mean(Y * np.log(a2) + (1 - Y) * np.log(1 - a2)))


# --- forward ------------------------------------------------------------------------------------
def test_forward_shapes_341():
    X, _, p = batch(n=7)
    A2, c = forward_rows(X, p)
    assert c.Z1.shape == c.A1.shape == (7, 4)
    assert c.Z2.shape == A2.shape == (7, 1)


def test_forward_is_transpose_of_column_layout():
    X, _, p = batch(n=6)
    _, c = forward_rows(X, p)
    Z1_cols, _ = linear_forward(X.T, p.W1, p.b1)
    np.testing.assert_allclose(c.Z1, Z1_cols.T, rtol=0, atol=ABS_TOL)


def test_forward_by_hand_one_example():
    # x = (1, 2), W1 = I, b1 = 0  ->  z1 = (1, 2); W2 = (1, -1), b2 = 0.5  ->  z2 = σ(1) - σ(2) + 0.5
    p = Params(np.eye(2), np.zeros((2, 1)), np.array([[1.0, -1.0]]), np.array([[0.5]]))
    A2, c = forward_rows(np.array([[1.0, 2.0]]), p)
    s1, s2 = 1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(c.A1, [[s1, s2]], rtol=1e-15)
    np.testing.assert_allclose(A2, [[1 / (1 + np.exp(-(s1 - s2 + 0.5)))]], rtol=1e-15)


# --- backward: three referees -------------------------------------------------------------------
@pytest.mark.parametrize("name", Params._fields)
def test_backward_rows_random_upstream_matches_finite_differences(name):
    X, _, p = batch(n=6, seed=1)
    G = np.random.default_rng(2).standard_normal((6, 1))
    _, c = forward_rows(X, p)
    grads = backward_rows(G, c)

    def f(value):
        _, cc = forward_rows(X, p._replace(**{name: value}))
        return float(np.sum(G * cc.Z2))

    num = numerical_gradient(f, getattr(p, name))
    assert relative_error(getattr(grads, name), num) < GRAD_TOL


@pytest.mark.parametrize("name", Params._fields)
def test_loss_gradients_match_finite_differences(name):
    X, Y, p = batch(n=8, seed=3)
    loss, grads = loss_and_gradients(X, Y, p)
    assert loss == pytest.approx(bce_by_hand(X, Y, p), rel=1e-12)
    num = numerical_gradient(lambda v: loss_and_gradients(X, Y, p._replace(**{name: v}))[0], getattr(p, name))
    assert relative_error(getattr(grads, name), num) < GRAD_TOL


def test_vectorized_equals_loop_and_columns():
    X, Y, p = batch(n=9, seed=4)
    loss_v, g_v = loss_and_gradients(X, Y, p)
    loss_l, g_l = gradients_loop(X, Y, p)
    loss_c, g_c = gradients_columns(X, Y, p)
    assert loss_v == pytest.approx(loss_l, rel=SAME_MATH_TOL) and loss_v == pytest.approx(loss_c, rel=SAME_MATH_TOL)
    for a, b, c in zip(g_v, g_l, g_c, strict=True):
        assert a.shape == b.shape == c.shape
        assert relative_error(a, b) < SAME_MATH_TOL
        assert relative_error(a, c) < SAME_MATH_TOL


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 12), d=st.integers(1, 4), h=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_property_three_ways_agree_and_shapes(n, d, h, seed):
    X, Y, p = batch(n, d, h, seed)
    _, g_v = loss_and_gradients(X, Y, p)
    _, g_l = gradients_loop(X, Y, p)
    _, g_c = gradients_columns(X, Y, p)
    for param, a, b, c in zip(p, g_v, g_l, g_c, strict=True):
        assert a.shape == param.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-14)


def test_batch_of_one_equals_single_example_formula():
    # n = 1: the seed's single-example gradients with D = diag(a1 (1 - a1)), written out directly.
    X, Y, p = batch(n=1, seed=5)
    _, g = loss_and_gradients(X, Y, p)
    x, y = X.T, Y[0, 0]
    a1 = 1 / (1 + np.exp(-(p.W1 @ x + p.b1)))
    a2 = 1 / (1 + np.exp(-(p.W2 @ a1 + p.b2)))[0, 0]
    D = np.diag((a1 * (1 - a1))[:, 0])
    dz1 = (a2 - y) * D @ p.W2.T
    np.testing.assert_allclose(g.W1, dz1 @ x.T, rtol=1e-12)
    np.testing.assert_allclose(g.b1, dz1, rtol=1e-12)
    np.testing.assert_allclose(g.W2, (a2 - y) * a1.T, rtol=1e-12)


def test_sum_over_examples_is_one_matrix_product():
    X, Y, p = batch(n=10, seed=6)
    _, c = forward_rows(X, p)
    dZ2 = (c.A2 - Y) / 10
    _, g = loss_and_gradients(X, Y, p)
    by_sum = sum(dZ2[i, 0] * c.A1[i] for i in range(10))
    np.testing.assert_allclose(g.W2[0], by_sum, rtol=1e-12)


def test_inputs_not_modified():
    X, Y, p = batch(n=4)
    copies = [X.copy(), Y.copy(), *(a.copy() for a in p)]
    _, c = forward_rows(X, p)
    G = np.random.default_rng(7).standard_normal((4, 1))
    G_copy = G.copy()
    backward_rows(G, c)
    loss_and_gradients(X, Y, p)
    gradients_loop(X, Y, p)
    gradients_columns(X, Y, p)
    batch_gradient_descent(X, Y, p, 0.5, 3)
    for before, after in zip(copies, [X, Y, *p], strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(G, G_copy)


def test_labels_as_flat_vector():
    X, Y, p = batch(n=5)
    np.testing.assert_allclose(loss_and_gradients(X, Y[:, 0], p)[1].W1, loss_and_gradients(X, Y, p)[1].W1)


def test_extreme_logits_are_finite():
    X, Y, p = batch(n=4)
    big = p._replace(W2=1e3 * np.ones_like(p.W2))  # saturated output: the loss from logits stays finite
    loss, g = loss_and_gradients(X, Y, big)
    assert np.isfinite(loss) and all(np.all(np.isfinite(a)) for a in g)


# --- errors -------------------------------------------------------------------------------------
def test_errors():
    X, Y, p = batch(n=5)
    with pytest.raises(ShapeError, match=r"forward_rows: X must have 2 dimensions"):
        forward_rows(X[0], p)
    with pytest.raises(ShapeError, match=r"forward_rows: X has 2 columns .* but W1 has 3"):
        forward_rows(X[:, :2], p)
    with pytest.raises(ShapeError, match=r"loss_and_gradients: parameter shapes disagree .*W2 \(1, 3\)"):
        loss_and_gradients(X, Y, p._replace(W2=np.ones((1, 3))))
    with pytest.raises(ShapeError, match=r"loss_and_gradients: Y must be \(n, 1\)"):
        loss_and_gradients(X, Y[:4], p)
    with pytest.raises(ShapeError, match=r"gradients_loop: labels Y must lie in \[0, 1\]"):
        gradients_loop(X, 2 * Y + 1, p)
    with pytest.raises(ShapeError, match=r"gradients_columns: W1 contains 1 NaN"):
        gradients_columns(X, Y, p._replace(W1=np.where(np.arange(12).reshape(4, 3) == 0, np.nan, 1.0)))
    with pytest.raises(ShapeError, match=r"check_params: params must be \(W1, b1, W2, b2\)"):
        check_params("check_params", (p.W1, p.b1))
    _, c = forward_rows(X, p)
    with pytest.raises(ShapeError, match=r"backward_rows: dZ2 must have the shape of Z2"):
        backward_rows(np.ones((5, 2)), c)
    with pytest.raises(ShapeError, match=r"batch_gradient_descent: the learning rate"):
        batch_gradient_descent(X, Y, p, -1.0, 3)
    with pytest.raises(ShapeError, match=r"batch_gradient_descent: epochs"):
        batch_gradient_descent(X, Y, p, 1.0, -1)
    with pytest.raises(ShapeError, match=r"make_circles: need at least 2"):
        make_circles(1)
    with pytest.raises(ShapeError, match=r"make_circles: noise"):
        make_circles(10, noise=-0.1)
    with pytest.raises(ShapeError, match=r"init_params: d and h"):
        init_params(0, 4)


# --- data and training --------------------------------------------------------------------------
def test_circles_standardised_balanced_deterministic():
    X, Y = make_circles(200, seed=3)
    assert X.shape == (200, 2) and Y.shape == (200, 1)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)
    assert Y.sum() == 100
    X2, _ = make_circles(200, seed=3)
    np.testing.assert_array_equal(X, X2)
    radius = np.linalg.norm(X, axis=1)
    assert radius[Y[:, 0] == 1].mean() < radius[Y[:, 0] == 0].mean()  # the inner circle is label 1


def test_circles_not_linearly_separable():
    # A network with no hidden layer (logistic regression) trained to convergence stays near chance level.
    X, Y = make_circles(200, seed=0)
    w, b = np.zeros((2, 1)), 0.0
    for _ in range(2000):
        a = 1 / (1 + np.exp(-(X @ w + b)))
        w -= 1.0 * X.T @ (a - Y) / 200
        b -= 1.0 * float(np.mean(a - Y))
    acc = np.mean(((X @ w + b) > 0) == (Y > 0.5))
    assert acc < 0.65


def test_circles_best_line_beats_chance_but_logistic_regression_does_not_find_it():
    # The chapter's claim: a straight line reaches about 68.5 % (it cuts a cap off the outer ring), so chance
    # level of logistic regression comes from the data's symmetry, not from the lack of a good line.
    X, Y = make_circles(200, seed=0)
    y = Y[:, 0] > 0.5
    best = 0.0
    for t in np.linspace(0.0, np.pi, 3600, endpoint=False):  # a slow, obvious search: every cut of every direction
        s = X @ np.array([np.cos(t), np.sin(t)])
        acc = np.mean((s[None, :] > s[:, None]) == y, axis=1)  # row k: cut at the k-th point
        best = max(best, acc.max(), 1.0 - acc.min())
    assert 0.68 <= best < 0.70
    # at w = 0 the cross-entropy gradient is (mu_0 - mu_1) / 4: tiny, because both rings are centred at 0
    grad0 = X.T @ (0.5 - Y) / 200
    mu0, mu1 = X[~y].mean(axis=0), X[y].mean(axis=0)
    np.testing.assert_allclose(grad0[:, 0], (mu0 - mu1) / 4, atol=1e-15)
    assert np.linalg.norm(grad0) < 0.05


def test_gradient_descent_history_and_convergence():
    X, Y = make_circles(200, seed=0)
    p0 = init_params(2, 4, seed=0)
    tr = batch_gradient_descent(X, Y, p0, 3.0, 400)
    assert tr.losses.shape == (401,)
    assert tr.losses[0] == pytest.approx(loss_and_gradients(X, Y, p0)[0], rel=1e-15)
    assert tr.losses[-1] == pytest.approx(loss_and_gradients(X, Y, tr.params)[0], rel=1e-15)
    assert tr.losses[-1] < 0.2 < 0.6 < tr.losses[0]
    assert np.mean((predict_proba(X, tr.params) > 0.5) == (Y[:, 0] > 0.5)) > 0.95


def test_one_step_is_the_update_rule():
    X, Y, p = batch(n=6)
    _, g = loss_and_gradients(X, Y, p)
    tr = batch_gradient_descent(X, Y, p, 0.3, 1)
    for new, old, dw in zip(tr.params, p, g, strict=True):
        np.testing.assert_allclose(new, old - 0.3 * dw, rtol=1e-15)


def test_zero_learning_rate_keeps_loss():
    X, Y, p = batch(n=6)
    tr = batch_gradient_descent(X, Y, p, 0.0, 5)
    np.testing.assert_array_equal(tr.losses, np.full(6, tr.losses[0]))


# --- explorer -----------------------------------------------------------------------------------
def test_explorer_compute_regimes():
    small, good, large = (explore_learning_rate(v) for v in (-1.5, 0.5, 1.5))
    assert isinstance(good, LRResult) and good.proba.shape == (good.grid_y.size, good.grid_x.size)
    assert small.losses[-1] > 0.6  # too small: still crawling near log 2
    assert good.losses[-1] < 0.15 and good.accuracy > 0.95 and np.all(np.diff(good.losses) <= 1e-12)
    assert np.sum(np.diff(large.losses) > 0) > 50  # too large: the loss keeps going up and down


def test_explorer_hidden_width_and_plot_smoke():
    r = explore_learning_rate(0.0, hidden=2, epochs=20, grid=10)
    assert r.hidden == 2 and r.losses.shape == (21,)
    fig = plt.figure()
    plot_learning_rate(r, fig)
    ax1, ax2 = fig.axes[:2]
    assert ax1.get_xlabel() and ax1.get_ylabel() and ax1.get_title()
    assert ax2.get_xlabel() and ax2.get_title() and ax2.get_legend() is not None
    plt.close(fig)


def test_explorer_frame_is_the_plain_gradient_descent_run():
    r = explore_learning_rate(0.5, hidden=3, epochs=30, n=40, seed=2, grid=7)
    X, Y = make_circles(40, seed=2)
    tr = batch_gradient_descent(X, Y, init_params(2, 3, seed=2), 10**0.5, 30)
    np.testing.assert_array_equal(r.losses, tr.losses)
    assert r.lr == pytest.approx(10**0.5) and r.proba.shape == (7, 7) and r.grid_x.shape == (7,)
    # the grid is evaluated point by point: its corner is the network's probability there
    corner = np.array([[r.grid_x[0], r.grid_y[0]]])
    assert r.proba[0, 0] == pytest.approx(predict_proba(corner, tr.params)[0], rel=1e-14)
    assert r.accuracy == pytest.approx(np.mean((predict_proba(X, tr.params) > 0.5) == (Y[:, 0] > 0.5)))


def test_explorer_and_timing_errors():
    with pytest.raises(ShapeError, match=r"explore_learning_rate: the evaluation grid needs at least 2 points"):
        explore_learning_rate(0.0, epochs=2, grid=1)
    with pytest.raises(ShapeError, match=r"explore_learning_rate: hidden must be an integer >= 1 \(got 0\)"):
        explore_learning_rate(0.0, hidden=0, epochs=2)
    with pytest.raises(ShapeError, match=r"explore_learning_rate: log10_lr must be a finite real number"):
        explore_learning_rate(np.nan, epochs=2)
    with pytest.raises(ShapeError, match=r"time_gradients: need at least 1 example"):
        time_gradients(0)


def test_time_gradients_returns_two_positive_times():
    loop, vec = time_gradients(20, repeat=1)
    assert loop > 0 and vec > 0


# ---- issue 15: seeds, sizes and scales of the batch chapter ---------------------------------------------------


def test_batch_helpers_check_seeds_sizes_and_scales():
    for seed in (-1, 2.5, "abc", True):
        with pytest.raises(ShapeError, match=r"^make_circles: seed must be None or an integer >= 0"):
            make_circles(10, seed=seed)
    with pytest.raises(ShapeError, match=r"^make_circles: need at least 2 examples, one per class; n must be an integer"):
        make_circles(10.0)
    with pytest.raises(ShapeError, match=r"^init_params: scale must be a finite real number > 0 \(got nan\)"):
        init_params(2, 3, scale=float("nan"))
    with pytest.raises(ShapeError, match=r"^init_params: d and h must be integers of at least 1 \(d 2, h 2.5\)"):
        init_params(2, 2.5)
    with pytest.raises(ShapeError, match=r"^explore_learning_rate: hidden must be an integer >= 1 \(got 2.5\)"):
        explore_learning_rate(0.0, hidden=2.5, epochs=2)
    with pytest.raises(ShapeError, match=r"^time_gradients: need at least 1 example and 1 repeat; repeat must be"):
        time_gradients(3, repeat=True)


# ---- the learning-rate grid, the regimes and the curvature (chapter "Backprop on a batch") -------------------
def test_lr_grid_is_alpha_and_refined_near_the_stability_limit():
    assert LR_GRID == tuple(10.0**v for v in LOG10_LR_GRID)
    assert np.all(np.diff(LR_GRID) > 0)
    near_limit = [a for a in LR_GRID if 5.0 <= a <= 26.0]  # 2/lambda is 7 to 16 on this problem
    assert len(near_limit) >= 6


def test_explore_alpha_is_explore_learning_rate_bit_for_bit():
    for v in (0.5, 1.2):
        a, b = explore_alpha(10.0**v, epochs=30, grid=5), explore_learning_rate(v, epochs=30, grid=5)
        np.testing.assert_array_equal(a.losses, b.losses)
        np.testing.assert_array_equal(a.proba, b.proba)
        assert a.lr == b.lr
    with pytest.raises(ShapeError, match=r"^explore_alpha: alpha must be a finite real number >= 0"):
        explore_alpha(-1.0, epochs=2)


def test_loss_regime_on_hand_made_curves():
    t = np.arange(150.0)
    assert loss_regime(1.0 / (1.0 + t)) == "settled"
    assert loss_regime(np.full(150, 0.3)) == "settled"  # a flat tail never goes up
    cycle = np.where(t % 2 == 0, 11.566, 13.434)
    assert loss_regime(cycle) == "2-cycle"
    assert loss_regime(cycle + 1e-7 * t) == "2-cycle"  # a two-cycle that drifts slowly, as at alpha = 100
    assert loss_regime(cycle * (1 + 1e-3 * t)) == "erratic"  # drifts too fast to be a cycle
    rng = np.random.default_rng(0)
    assert loss_regime(0.2 + 0.01 * rng.random(150)) == "erratic"
    wiggle = 1.0 / (1.0 + t)
    wiggle[-10] += 0.5  # one rise inside the tail
    assert loss_regime(wiggle) == "erratic"
    assert loss_regime(wiggle, tail=5) == "settled"  # ... but not in the last 5 updates
    with pytest.raises(ShapeError, match=r"^loss_regime: losses must hold at least tail \+ 1 = 101 values"):
        loss_regime(np.ones(50))
    with pytest.raises(ShapeError, match=r"^loss_regime: the tail needs at least 2 updates"):
        loss_regime(np.ones(50), tail=1)


def test_explorer_regimes_at_both_ends_of_the_grid():
    assert loss_regime(explore_alpha(10.0, grid=2).losses) == "settled"
    huge = explore_alpha(100.0, grid=2)
    assert loss_regime(huge.losses) == "2-cycle"
    assert 10 < huge.losses[-2:].min() < 12 < 13 < huge.losses[-2:].max() < 14


def _hessian_from_loss_values(X, Y, p, h=1e-4):
    """Independent oracle: every entry of the Hessian from second differences of the loss itself."""
    theta = np.concatenate([w.ravel() for w in p])
    sizes = np.cumsum([w.size for w in p])[:-1]

    def J(v):
        parts = np.split(v, sizes)
        return loss_and_gradients(X, Y, Params(*(q.reshape(w.shape) for q, w in zip(parts, p, strict=True))))[0]

    k = theta.size
    H = np.empty((k, k))
    E = np.eye(k) * h
    for i in range(k):
        for j in range(k):
            H[i, j] = (J(theta + E[i] + E[j]) - J(theta + E[i] - E[j]) - J(theta - E[i] + E[j])
                       + J(theta - E[i] - E[j])) / (4 * h * h)
    return H


def test_top_hessian_eigenvalue_matches_second_differences_of_the_loss():
    X, Y = make_circles(40, seed=1)
    p = init_params(2, 2, seed=3)  # 9 parameters
    lam = top_hessian_eigenvalue(X, Y, p)
    oracle = np.linalg.eigvalsh(_hessian_from_loss_values(X, Y, p))[-1]
    # second differences of J with h = 1e-4: truncation ~1e-8, rounding ~1e-16 / 1e-8 = 1e-8 (absolute)
    assert lam == pytest.approx(oracle, rel=1e-5)


def test_top_hessian_eigenvalue_bounds_every_direction_and_backs_the_chapter():
    X, Y = make_circles(200, seed=0)
    p0 = init_params(2, 4, seed=0)
    lam0 = top_hessian_eigenvalue(X, Y, p0)
    theta = [w.copy() for w in p0]
    rng = np.random.default_rng(5)
    J0 = loss_and_gradients(X, Y, p0)[0]
    for _ in range(20):  # the curvature along any unit direction is at most lambda
        v = [rng.standard_normal(w.shape) for w in theta]
        norm = np.sqrt(sum(float(np.sum(u * u)) for u in v))
        h = 1e-4 / norm
        Jp = loss_and_gradients(X, Y, Params(*(w + h * u for w, u in zip(theta, v, strict=True))))[0]
        Jm = loss_and_gradients(X, Y, Params(*(w - h * u for w, u in zip(theta, v, strict=True))))[0]
        assert (Jp - 2 * J0 + Jm) / 1e-8 <= lam0 * (1 + 1e-4)
    # the chapter's limits 2/lambda: about 5 at the start, 7 after alpha = 3.16, 16 after alpha = 10
    assert 4.5 < 2 / lam0 < 6
    for alpha, lo, hi in ((10**0.5, 6, 8), (10.0, 14, 17)):
        end = batch_gradient_descent(X, Y, p0, alpha, 400).params
        assert lo < 2 / top_hessian_eigenvalue(X, Y, end) < hi


def test_plot_shows_an_inset_only_when_the_loss_rises_at_the_end():
    for alpha, insets in ((3.0, 0), (100.0, 1)):
        fig = plt.figure()
        plot_learning_rate(explore_alpha(alpha, grid=3), fig)
        ax1 = fig.axes[0]
        assert len(ax1.child_axes) == insets
        assert ("two-cycle" in ax1.get_title()) == (alpha == 100.0)
        plt.close(fig)
