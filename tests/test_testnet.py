"""Tests for dlmath.testnet: TestNet 3-4-2 and the input-scaling experiment (chapter "TestNet")."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

from dlmath import scaling as sc  # noqa: E402
from dlmath import testnet as tn  # noqa: E402
from dlmath.errors import ShapeError  # noqa: E402
from dlmath.explore import Explorer, Param  # noqa: E402
from dlmath.gradcheck import numerical_gradient, relative_error  # noqa: E402
from dlmath.losses import softmax_cross_entropy  # noqa: E402

# Central differences (eps 1e-6) on smooth float64 functions agree to ~1e-9; 1e-7 leaves margin.
GRAD_TOL = 1e-7
# Hand-computed decimals of the example are exact to float64 rounding of a few operations.
EXACT_TOL = 1e-12
# Minimum distance from the ReLU kink for finite differences to be valid (step 1e-6 cannot cross it).
KINK_MARGIN = 1e-3

weights = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


def _slow_forward(x, y, params):
    """Oracle: the example's forward pass with Python loops and math.exp, one example (lists of floats)."""
    W1, b1, W2, b2 = (p.tolist() for p in params)
    xs = [row[0] for row in x.tolist()]
    z1 = [b1[i][0] + sum(W1[i][j] * xs[j] for j in range(3)) for i in range(4)]
    a1 = [max(0.0, z) for z in z1]
    z2 = [b2[k][0] + sum(W2[k][i] * a1[i] for i in range(4)) for k in range(2)]
    e = [math.exp(z) for z in z2]
    p = [v / sum(e) for v in e]
    label = int(np.argmax(y[:, 0]))
    return z1, a1, z2, p, -math.log(p[label])


def _random_params(rng) -> tn.TestNetParams:
    return tn.TestNetParams(*(rng.standard_normal(s) for s in tn.SHAPES.values()))


# -- the worked example -------------------------------------------------------------------------------


def test_example_forward_matches_hand_computation():
    x, y, params = tn.testnet_example()
    z1, a1, z2, p, loss = _slow_forward(x, y, params)
    # by hand: z1 = (0.2-0.2+0.2+0.1, 0.5+0.6-0.1-0.1, -0.3+0.4+0.05, 0.1-0.8+0.15+0.2)
    np.testing.assert_allclose(z1, [0.3, 0.9, 0.15, -0.35], atol=EXACT_TOL)
    np.testing.assert_allclose(a1, [0.3, 0.9, 0.15, 0.0], atol=EXACT_TOL)
    np.testing.assert_allclose(z2, [0.035, 0.4], atol=EXACT_TOL)  # 0.09-0.18+0.075+0.05, -0.12+0.54+0.03-0.05
    Z2, cache = tn.testnet_forward(x, params)
    np.testing.assert_allclose(cache.lin1.A_prev, x)
    np.testing.assert_allclose(cache.act1.Z[:, 0], z1, atol=EXACT_TOL)
    np.testing.assert_allclose(cache.act1.A[:, 0], a1, atol=EXACT_TOL)
    np.testing.assert_allclose(Z2[:, 0], z2, atol=EXACT_TOL)
    got, _ = tn.testnet_loss_and_grads(x, y, params)
    assert got == pytest.approx(loss, abs=EXACT_TOL)


def test_example_has_one_inactive_unit_away_from_the_kink():
    x, _, params = tn.testnet_example()
    _, cache = tn.testnet_forward(x, params)
    z1 = cache.act1.Z[:, 0]
    assert list(z1 > 0) == [True, True, True, False]
    assert np.min(np.abs(z1)) > KINK_MARGIN


def test_example_gradients_match_hand_formulas():
    x, y, params = tn.testnet_example()
    _, _, _, p, _ = _slow_forward(x, y, params)
    _, g = tn.testnet_loss_and_grads(x, y, params)
    delta2 = np.array(p) - y[:, 0]  # p - y
    np.testing.assert_allclose(g.dZ2[:, 0], delta2, atol=EXACT_TOL)
    a1 = np.array([0.3, 0.9, 0.15, 0.0])
    np.testing.assert_allclose(g.dW2, np.outer(delta2, a1), atol=EXACT_TOL)
    da1 = [sum(params.W2[k, i] * delta2[k] for k in range(2)) for i in range(4)]
    np.testing.assert_allclose(g.dA1[:, 0], da1, atol=EXACT_TOL)
    delta1 = np.array(da1) * np.array([1, 1, 1, 0])
    np.testing.assert_allclose(g.dZ1[:, 0], delta1, atol=EXACT_TOL)
    np.testing.assert_allclose(g.dW1, np.outer(delta1, x[:, 0]), atol=EXACT_TOL)
    np.testing.assert_allclose(g.db1[:, 0], delta1, atol=EXACT_TOL)
    assert np.all(g.dW1[3] == 0) and g.db1[3, 0] == 0 and np.all(g.dW2[:, 3] == 0)


def test_every_example_gradient_matches_finite_differences():
    x, y, params = tn.testnet_example()
    _, g = tn.testnet_loss_and_grads(x, y, params)

    def loss_with(name):
        def f(value):
            return tn.testnet_loss_and_grads(x, y, params._replace(**{name: value}))[0]

        return f

    for name, grad in (("W1", g.dW1), ("b1", g.db1), ("W2", g.dW2), ("b2", g.db2)):
        assert relative_error(grad, numerical_gradient(loss_with(name), getattr(params, name))) < GRAD_TOL, name
    _, cache = tn.testnet_forward(x, params)

    def from_a1(A1):
        return softmax_cross_entropy(params.W2 @ A1 + params.b2, y)[0]

    def from_z1(Z1):
        return from_a1(np.maximum(Z1, 0))

    Z2 = params.W2 @ cache.act1.A + params.b2
    assert relative_error(g.dZ2, numerical_gradient(lambda Z: softmax_cross_entropy(Z, y)[0], Z2)) < GRAD_TOL
    assert relative_error(g.dA1, numerical_gradient(from_a1, cache.act1.A)) < GRAD_TOL
    assert relative_error(g.dZ1, numerical_gradient(from_z1, cache.act1.Z)) < GRAD_TOL


# -- the general backward pass ------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 4))
def test_backward_is_vjp_with_random_upstream_gradient(seed, m):
    rng = np.random.default_rng(seed)
    params, X = _random_params(rng), rng.standard_normal((3, m))
    _, cache = tn.testnet_forward(X, params)
    if np.min(np.abs(cache.act1.Z)) < KINK_MARGIN:
        return  # finite differences are not valid at the ReLU kink
    G = rng.standard_normal((2, m))  # random upstream gradient: loss = sum(G * Z2)
    g = tn.testnet_backward(G, cache)
    for name, grad in (("W1", g.dW1), ("b1", g.db1), ("W2", g.dW2), ("b2", g.db2)):
        def f(value, name=name):
            return float(np.sum(G * tn.testnet_forward(X, params._replace(**{name: value}))[0]))

        assert grad.shape == getattr(params, name).shape
        assert relative_error(grad, numerical_gradient(f, getattr(params, name))) < GRAD_TOL, name


def test_backward_and_step_do_not_modify_inputs():
    x, y, params = tn.testnet_example()
    copies = [p.copy() for p in params]
    x0 = x.copy()
    Z2, cache = tn.testnet_forward(x, params)
    dZ2 = Z2 - 0.3
    dZ2_copy, z1_copy = dZ2.copy(), cache.act1.Z.copy()
    grads = tn.testnet_backward(dZ2, cache)
    tn.sgd_step(params, grads, 0.5)
    np.testing.assert_array_equal(dZ2, dZ2_copy)
    np.testing.assert_array_equal(cache.act1.Z, z1_copy)
    np.testing.assert_array_equal(x, x0)
    for p, c in zip(params, copies, strict=True):
        np.testing.assert_array_equal(p, c)


def test_sgd_step_lowers_the_loss_by_about_lr_times_squared_gradient():
    x, y, params = tn.testnet_example()
    loss0, g = tn.testnet_loss_and_grads(x, y, params)
    lr = 1e-3
    loss1, _ = tn.testnet_loss_and_grads(x, y, tn.sgd_step(params, g, lr))
    sq = sum(float(np.sum(d**2)) for d in (g.dW1, g.db1, g.dW2, g.db2))
    assert loss1 < loss0
    assert (loss0 - loss1) == pytest.approx(lr * sq, rel=1e-2)  # first-order Taylor


def test_batch_gradient_is_mean_of_single_example_gradients():
    rng = np.random.default_rng(3)
    params, X, y = _random_params(rng), rng.standard_normal((3, 5)), rng.integers(0, 2, 5)
    _, g = tn.testnet_loss_and_grads(X, y, params)
    singles = [tn.testnet_loss_and_grads(X[:, [j]], y[[j]], params)[1] for j in range(5)]
    for name in ("dW1", "db1", "dW2", "db2"):
        mean = np.mean([getattr(s, name) for s in singles], axis=0)
        np.testing.assert_allclose(getattr(g, name), mean, atol=1e-14, err_msg=name)


# -- input scaling ------------------------------------------------------------------------------------


def test_example_first_layer_gradient_grows_at_least_like_the_scale():
    x, y, params = tn.testnet_example()
    norms = tn.gradient_norms_vs_scale(x, y, params, [1, 10, 100, 1000])
    assert norms.shape == (4, 4)
    ratios = norms[:, 0] / norms[0, 0]
    assert np.all(ratios[1:] >= np.array([10, 100, 1000]))  # seed 000: "at least 1000 times"
    # the net is confidently wrong at large scale, so p - y -> (-1, 1) and dW1 becomes exactly linear in s
    assert norms[3, 0] / norms[2, 0] == pytest.approx(10, rel=1e-9)
    assert norms[3, 3] == pytest.approx(math.sqrt(2), rel=1e-9)  # ||db2|| = ||p - y|| -> sqrt(2)


def test_gradient_norms_vs_scale_matches_finite_differences():
    x, y, params = tn.testnet_example()
    for s, row in zip([1.0, 10.0], tn.gradient_norms_vs_scale(x, y, params, [1.0, 10.0]), strict=True):
        def f(W1, s=s):
            return tn.testnet_loss_and_grads(s * x, y, params._replace(W1=W1))[0]

        assert row[0] == pytest.approx(np.linalg.norm(numerical_gradient(f, params.W1)), rel=1e-7)


@settings(max_examples=40, deadline=None)
@given(W=arrays(np.float64, (2, 4), elements=weights), x=arrays(np.float64, (3, 1), elements=weights),
       s=st.floats(0.1, 1000.0), label=st.integers(0, 1), seed=st.integers(0, 2**16))
# found by hypothesis: sum(x**2) underflows to 0 for |x| ~ 1e-163, so the norms are taken with math.hypot
@example(W=np.array([[0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0]]), x=np.array([[6.43778573e-163], [0.0], [0.0]]),
         s=2.0, label=0, seed=2)
def test_first_layer_gradient_is_bounded_by_the_input_scale(W, x, s, label, seed):
    # dW1 = delta1 (s x)^T with |delta1| <= ||W2||_2 ||p - y|| <= sqrt(2) ||W2||_2: linear growth at most
    params = _random_params(np.random.default_rng(seed))._replace(W2=W)
    _, g = tn.testnet_loss_and_grads(s * x, np.array([label]), params)
    bound = math.sqrt(2) * np.linalg.norm(W, 2) * s * math.hypot(*x.ravel())
    assert math.hypot(*g.dW1.ravel()) <= bound * (1 + 1e-12) + 1e-300


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), s=st.floats(0.01, 100.0))
def test_without_biases_logits_scale_exactly_with_the_input(seed, s):
    rng = np.random.default_rng(seed)
    params = _random_params(rng)._replace(b1=np.zeros((4, 1)), b2=np.zeros((2, 1)))
    X = rng.standard_normal((3, 3))
    np.testing.assert_allclose(tn.testnet_forward(s * X, params)[0], s * tn.testnet_forward(X, params)[0],
                               rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(X=arrays(np.float64, (3, 6), elements=weights), s=st.floats(0.01, 1000.0))
def test_standardize_gives_zero_mean_unit_std_whatever_the_scale(X, s):
    if np.any(X.std(axis=1) < 1e-3):
        return  # (near-)constant features cannot be standardized
    Xs, mean, std = sc.standardize(X)
    np.testing.assert_allclose(Xs.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Xs.std(axis=1), 1, rtol=1e-12)
    np.testing.assert_allclose(sc.standardize(s * X)[0], Xs, atol=1e-9)
    np.testing.assert_allclose(Xs * std + mean, X, atol=1e-12)


def test_make_blobs_is_seeded_and_balanced():
    X, y = sc.make_blobs(10, seed=4)
    X2, y2 = sc.make_blobs(10, seed=4)
    np.testing.assert_array_equal(X, X2)
    assert X.shape == (3, 10) and list(np.bincount(y)) == [5, 5]
    np.testing.assert_array_equal(y, y2)


def test_training_on_standardized_inputs_learns():
    X, y = sc.make_blobs()
    res = sc.train_testnet(sc.standardize(X)[0], y, sc.init_params(0), lr=0.5, epochs=60)
    assert not res.diverged
    assert res.losses[-1] < 0.5 * res.losses[0]
    assert res.grad_norms.shape == (60, 4)


def test_training_stops_and_pads_with_nan_when_it_diverges():
    X, y = sc.make_blobs()
    res = sc.train_testnet(1000 * X, y, sc.init_params(0), lr=1.0, epochs=60)
    assert res.diverged
    assert np.isnan(res.losses[-1]) and np.isfinite(res.losses[0])
    assert max(np.abs(p).max() for p in res.params) > sc.DIVERGENCE_LIMIT


def test_scaling_explorer_standardized_run_ignores_the_scale():
    a = sc.scaling_explorer(0, -1, standardize=True, epochs=20)
    b = sc.scaling_explorer(3, -1, standardize=True, epochs=20)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-9)
    np.testing.assert_array_equal(a.losses, a.reference_losses)
    raw = sc.scaling_explorer(3, -1, standardize=False, epochs=20)
    assert raw.scale == 1000 and raw.lr == pytest.approx(0.1)
    assert raw.losses.shape == (20,) and raw.grad_norms.shape == (20, 4)
    np.testing.assert_allclose(raw.reference_losses, a.losses, rtol=1e-9)


@pytest.mark.parametrize("point", [(0, -1.0, False), (3, 0.0, False), (2, -2.0, True)])
def test_plot_scaling_run_draws_two_labelled_panels(point):
    fig = plt.figure(figsize=(8, 3.2), dpi=50)
    try:
        sc.plot_scaling_run(sc.scaling_explorer(*point, epochs=15), fig)
        assert len(fig.axes) == 2
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    finally:
        plt.close(fig)


def test_explorer_renders_a_png_frame():
    ex = Explorer(sc.scaling_explorer, sc.plot_scaling_run,
                  [Param("log10_scale", np.arange(0, 4)), Param("log10_lr", np.linspace(-4, 0, 3))],
                  live_params=[Param("standardize", [False, True], default=0)], dpi=30)
    assert ex.render({"log10_scale": 3, "log10_lr": 0.0, "standardize": False}).startswith(b"\x89PNG")


# -- errors -------------------------------------------------------------------------------------------


def test_bad_shapes_and_values_raise_shape_errors():
    x, y, params = tn.testnet_example()
    with pytest.raises(ShapeError, match=r"testnet_forward: TestNet needs W1 of shape \(4, 3\) \(got W1 \(3, 4\)\)"):
        tn.testnet_forward(x, params._replace(W1=params.W1.T))
    with pytest.raises(ShapeError, match=r"testnet_forward: X must be \(3, m\), one example of 3 inputs per column \(X \(2, 1\)\)"):
        tn.testnet_forward(x[:2], params)
    with pytest.raises(ShapeError, match=r"testnet_forward: b2 contains 1 NaN"):
        tn.testnet_forward(x, params._replace(b2=np.array([[np.nan], [0.0]])))
    with pytest.raises(ShapeError, match=r"sgd_step: W2 must have 2 dimensions"):
        tn.sgd_step(params._replace(W2=np.zeros(8)), tn.testnet_loss_and_grads(x, y, params)[1], 0.1)
    with pytest.raises(ShapeError, match=r"testnet_backward: dZ2 must have the shape of the logits Z2, \(2, m\) = \(2, 1\) \(dZ2 \(2, 3\)\)"):
        tn.testnet_backward(np.zeros((2, 3)), tn.testnet_forward(x, params)[1])
    with pytest.raises(ShapeError, match=r"gradient_norms_vs_scale: scales must have 1 dimension"):
        tn.gradient_norms_vs_scale(x, y, params, [[1.0, 10.0]])
    with pytest.raises(ShapeError, match=r"standardize: a feature is constant"):
        sc.standardize(np.ones((3, 4)))
    with pytest.raises(ShapeError, match=r"make_blobs: need at least 2 examples"):
        sc.make_blobs(1)


def test_bad_training_arguments_raise_shape_errors():
    x, y, params = tn.testnet_example()
    grads = tn.testnet_loss_and_grads(x, y, params)[1]
    with pytest.raises(ShapeError, match=r"testnet_forward: params must be the 4 arrays \(W1, b1, W2, b2\), got 3"):
        tn.testnet_forward(x, params[:3])
    with pytest.raises(ShapeError, match=r"sgd_step: the learning rate must be a finite number >= 0 \(lr nan\)"):
        tn.sgd_step(params, grads, np.nan)
    with pytest.raises(ShapeError, match=r"sgd_step: the learning rate .* \(lr -0.1\)"):
        tn.sgd_step(params, grads, -0.1)
    # a (1, 3) gradient would broadcast silently over the 4 rows of W1
    with pytest.raises(ShapeError, match=r"sgd_step: dW1 must have the shape of W1 \(W1 \(4, 3\), dW1 \(1, 3\)\)"):
        tn.sgd_step(params, grads._replace(dW1=grads.dW1[:1]), 0.1)
    with pytest.raises(ShapeError, match=r"train_testnet: epochs must be a whole number >= 0 \(epochs -1\)"):
        sc.train_testnet(x, np.array([0]), params, 0.1, -1)
    with pytest.raises(ShapeError, match=r"train_testnet: the learning rate .* \(lr inf\)"):
        sc.train_testnet(x, np.array([0]), params, np.inf, 3)
    with pytest.raises(ShapeError, match=r"scaling_explorer: log10_scale must be a finite real number"):
        sc.scaling_explorer(np.nan, -1.0)


def test_network_is_assembled_from_the_core_layer_functions(monkeypatch):
    # TestNet must call dlmath's tested layers, not a second implementation of them
    calls = []
    for name in ("linear_forward", "relu_forward", "linear_backward", "relu_backward", "softmax_cross_entropy"):
        original = getattr(tn, name)

        def spy(*args, _original=original, _name=name):
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(tn, name, spy)
    x, y, params = tn.testnet_example()
    tn.testnet_loss_and_grads(x, y, params)
    assert calls == ["linear_forward", "relu_forward", "linear_forward", "softmax_cross_entropy",
                     "linear_backward", "relu_backward", "linear_backward"]


# ---- issue 15: errors name the function called; NaN gradients; no shared memory ---------------------------


def test_testnet_errors_name_the_function_called_and_its_arguments():
    x, y, params = tn.testnet_example()
    with pytest.raises(ShapeError, match=r"^testnet_loss_and_grads: X must be \(3, m\), one example of 3 inputs per "
                                         r"column \(X \(1, 3\)\)"):
        tn.testnet_loss_and_grads(x.T, y, params)
    with pytest.raises(ShapeError, match=r"^testnet_loss_and_grads: Y: softmax_cross_entropy: got 2 labels for 1 examples"):
        tn.testnet_loss_and_grads(x, np.array([0, 1]), params)
    with pytest.raises(ShapeError, match=r"^testnet_backward: cache: expected the TestNetCache from testnet_forward, "
                                         r"got None"):
        tn.testnet_backward(np.zeros((2, 1)), None)


def test_sgd_step_and_gradient_norms_refuse_nan_gradients():
    x, y, params = tn.testnet_example()
    grads = tn.testnet_loss_and_grads(x, y, params)[1]
    bad = grads._replace(db2=np.array([[np.nan], [0.0]]))
    with pytest.raises(ShapeError, match=r"sgd_step: db2 contains 1 NaN"):
        tn.sgd_step(params, bad, 0.1)
    with pytest.raises(ShapeError, match=r"gradient_norms: db2 contains 1 NaN"):
        tn.gradient_norms(bad)
    with pytest.raises(ShapeError, match=r"gradient_norms: grads: expected the TestNetGrads from testnet_loss_and_grads, "
                                         r"got a TestNetParams"):
        tn.gradient_norms(params)
    # squares of 1e300 overflow; the norm itself does not
    huge = grads._replace(dW1=np.full((4, 3), 1e300))
    assert tn.gradient_norms(huge)[0] == pytest.approx(np.sqrt(12) * 1e300, rel=1e-12)


def test_testnet_backward_does_not_share_dZ2_with_the_caller():
    x, y, params = tn.testnet_example()
    _, cache = tn.testnet_forward(x, params)
    dZ2 = np.array([[0.3], [-0.3]])
    g = tn.testnet_backward(dZ2, cache)
    g.dZ2[0, 0] = 5.0
    assert dZ2[0, 0] == 0.3


def test_scaling_helpers_check_seeds_sizes_and_flags():
    for seed in (-1, 2.5, "abc"):
        with pytest.raises(ShapeError, match=r"make_blobs: seed must be None or an integer >= 0"):
            sc.make_blobs(10, seed)
    with pytest.raises(ShapeError, match=r"make_blobs: need at least 2 examples, one per class: m must be an integer"):
        sc.make_blobs(10.0)
    with pytest.raises(ShapeError, match=r"scaling_explorer: log10_scale must be a finite real number"):
        sc.scaling_explorer(None, -1.0)
    with pytest.raises(ShapeError, match=r"scaling_explorer: standardize must be True or False \(got 'False'\)"):
        sc.scaling_explorer(0.0, -1.0, standardize="False")
    with pytest.raises(ShapeError, match=r"standardize: X is too large to standardize in float64"):
        sc.standardize(np.array([[1.0, -1.0, 3.0]]) * 1e155)  # the squares overflow: std would be inf
    x, y, params = tn.testnet_example()
    with pytest.raises(ShapeError, match=r"train_testnet: X must be \(3, m\)"):
        sc.train_testnet(x.T, y, params, 0.1, 0)  # epochs = 0 still checks X
