"""Tests for the s² rule of input scaling: dlmath.scaling_rule and dlmath.scaling_explorer (chapter "TestNet")."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dlmath import scaling as sc  # noqa: E402
from dlmath import scaling_explorer as se  # noqa: E402
from dlmath import scaling_rule as sr  # noqa: E402
from dlmath import testnet as tn  # noqa: E402
from dlmath.errors import ShapeError  # noqa: E402
from dlmath.explore import Explorer, Param  # noqa: E402
from dlmath.losses import softmax_cross_entropy  # noqa: E402

# Two computations of the same sums in another order (a few hundred roundings of 1.1e-16 each).
SAME_SUM_TOL = 1e-12
# Training runs that agree step for step drift apart only by rounding that gradient descent carries along:
# after 200 steps of rate <= 0.5 on well-conditioned data the losses agree to ~1e-13; 1e-10 leaves margin.
RUN_TOL = 1e-10
# A Hessian entry from central differences of the gradient (step h) vs second differences of the loss
# (step k = 1e-4): the first is accurate to ~1e-9, the second to ~k^2 |J''''| + u/k^2 ~ 1e-8 relative to
# the largest entry; 1e-5 leaves margin and a wrong entry (a missing factor s) misses by far more.
HESSIAN_TOL = 1e-5
# An eigenvalue ratio computed from two finite-difference Hessians: each carries ~1e-8 relative error.
RATIO_TOL = 1e-6


@pytest.fixture(scope="module")
def trained():
    """The chapter's setting: blob data at scale 1 and the point 3000 steps of rate 0.1 reach."""
    X, y = sc.make_blobs(120, 0)
    return X, y, sr.descend(X, y, sc.init_params(0), 0.1, 3000).params


def _random_params(rng) -> tn.TestNetParams:
    return tn.TestNetParams(rng.normal(size=(4, 3)), rng.normal(size=(4, 1)) * 0.3, rng.normal(size=(2, 4)),
                            rng.normal(size=(2, 1)) * 0.3)


def _loss(X, y, params) -> float:
    return softmax_cross_entropy(tn.testnet_forward(X, params)[0], y)[0]


# -- gradient descent with one rate per parameter --------------------------------------------------------


def test_descend_matches_train_testnet_step_for_step():
    X, y = sc.make_blobs(40, 3)
    p0 = sc.init_params(3)
    fast, slow = sr.descend(X, y, p0, 0.3, 150), sc.train_testnet(X, y, p0, 0.3, 150)
    np.testing.assert_allclose(fast.losses, slow.losses, rtol=SAME_SUM_TOL, atol=0)
    for a, b in zip(fast.params, slow.params, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=SAME_SUM_TOL)
    assert fast.increases == int(np.sum(np.diff(slow.losses) > 0)) and not fast.diverged


def test_descend_uses_one_rate_per_parameter():
    """Oracle: the obvious loop over testnet_loss_and_grads with four separate updates."""
    rng = np.random.default_rng(5)
    X, y, p = rng.normal(size=(3, 12)), rng.integers(0, 2, 12), _random_params(rng)
    rates = (0.2, 0.05, 0.0, 0.7)
    out = sr.descend(X, y, p, rates, 5)
    for t in range(5):
        loss, g = tn.testnet_loss_and_grads(X, y, p)
        assert out.losses[t] == pytest.approx(loss, rel=SAME_SUM_TOL)
        p = tn.TestNetParams(*(w - r * d for w, r, d in zip(p, rates, (g.dW1, g.db1, g.dW2, g.db2), strict=True)))
    for a, b in zip(out.params, p, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=SAME_SUM_TOL)


def test_descend_stops_on_divergence_and_counts_increases():
    X, y = sc.make_blobs(40, 0)
    out = sr.descend(1000 * X, y, sc.init_params(0), 1.0, 50)
    assert out.diverged and np.isnan(out.losses[-1]) and max(np.abs(p).max() for p in out.params) > sr.DIVERGENCE_LIMIT


# -- the reparametrisation J_s(W1) = J_1(s W1) ----------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), log_s=st.floats(-2, 3))
def test_scaling_the_input_is_scaling_the_first_weights(seed, log_s):
    """J_s(W1, ...) = J_1(s W1, ...), and the W1 gradient carries the factor s (chain rule)."""
    rng = np.random.default_rng(seed)
    s = 10.0**log_s
    X, y, p = rng.normal(size=(3, 7)), rng.integers(0, 2, 7), _random_params(rng)
    ls, gs = tn.testnet_loss_and_grads(s * X, y, p)
    l1, g1 = tn.testnet_loss_and_grads(X, y, p._replace(W1=s * p.W1))
    assert ls == pytest.approx(l1, rel=SAME_SUM_TOL, abs=1e-300)
    scale = max(np.abs(gs.dW1).max(), 1e-300)
    np.testing.assert_allclose(gs.dW1 / scale, s * g1.dW1 / scale, rtol=0, atol=SAME_SUM_TOL)
    for a, b in ((gs.db1, g1.db1), (gs.dW2, g1.dW2), (gs.db2, g1.db2)):
        np.testing.assert_allclose(a, b, rtol=0, atol=SAME_SUM_TOL * max(1.0, np.abs(a).max()))


@pytest.mark.parametrize("s", [10.0, 1000.0])
def test_training_on_scaled_inputs_is_training_with_rate_s_squared_on_W1(s):
    """Rate alpha on s X from W1 equals rate (alpha s^2, alpha, alpha, alpha) on X from s W1, step for step."""
    X, y = sc.make_blobs(60, 1)
    p0 = sc.init_params(1)
    alpha = 0.2 / s**2
    a = sr.descend(s * X, y, p0._replace(W1=p0.W1 / s), alpha, 200)
    b = sr.descend(X, y, p0, (alpha * s**2, alpha, alpha, alpha), 200)
    np.testing.assert_allclose(a.losses, b.losses, rtol=RUN_TOL, atol=0)
    np.testing.assert_allclose(s * a.params.W1, b.params.W1, rtol=0, atol=RUN_TOL)
    for u, v in zip(a.params[1:], b.params[1:], strict=True):
        np.testing.assert_allclose(u, v, rtol=0, atol=RUN_TOL)


# -- curvature ----------------------------------------------------------------------------------------------


def _second_differences(X, y, params, block, k):
    """Oracle: Hessian of the loss in one block from loss values only (4 evaluations per entry)."""
    theta = sr.flatten(params)
    idx = {"W1": range(0, 12), "all": range(26)}[block]
    steps = np.array([k / np.abs(X).max() if i < 12 else k for i in idx])
    H = np.empty((len(idx), len(idx)))

    def J(v):
        return _loss(X, y, sr._unflatten(v))

    for a, i in enumerate(idx):
        for b, j in enumerate(idx):
            ei, ej = np.zeros(26), np.zeros(26)
            ei[i], ej[j] = steps[a], steps[b]
            H[a, b] = (J(theta + ei + ej) - J(theta + ei - ej) - J(theta - ei + ej) + J(theta - ei - ej)) / (
                4 * steps[a] * steps[b])
    return H


@pytest.mark.parametrize("s", [1.0, 100.0])
def test_loss_hessian_matches_second_differences_of_the_loss(trained, s):
    X, y, p = trained
    q = p._replace(W1=p.W1 / s)
    H = sr.loss_hessian(s * X, y, q)
    oracle = _second_differences(s * X, y, q, "all", 1e-4)
    assert np.max(np.abs(H - oracle)) < HESSIAN_TOL * np.abs(oracle).max()
    np.testing.assert_array_equal(H, H.T)


def test_top_eigenvalue_in_W1_grows_like_s_squared(trained):
    """lambda_max of the W1 block at the equivalent point (W1/s on s X) is s^2 times its scale-1 value;
    each Hessian comes from second differences of the loss alone."""
    X, y, p = trained
    lam = {s: np.linalg.eigvalsh(_second_differences(s * X, y, p._replace(W1=p.W1 / s), "W1", 1e-4))[-1]
           for s in (1.0, 10.0, 1000.0)}
    assert lam[1.0] > 1.0  # a real curvature, not a vanishing one
    for s in (10.0, 1000.0):
        assert lam[s] / lam[1.0] == pytest.approx(s**2, rel=1e-5)
    fd = {s: np.linalg.eigvalsh(sr.loss_hessian(s * X, y, p._replace(W1=p.W1 / s))[:12, :12])[-1] for s in (1, 100)}
    assert fd[100] / fd[1] == pytest.approx(1e4, rel=RATIO_TOL)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), s=st.sampled_from([0.1, 3.0, 50.0]))
def test_hessian_block_in_W1_is_s_squared_times_the_rescaled_one(seed, s):
    """At any point: H_s(W1) = s^2 H_1(s W1) in the W1 block (not only at equivalent points)."""
    rng = np.random.default_rng(seed)
    X, y, p = rng.normal(size=(3, 9)), rng.integers(0, 2, 9), _random_params(rng)
    if np.abs(p.W1 @ X + p.b1).min() * min(s, 1) < 1e-3:  # too close to a ReLU kink for differences
        return
    Hs = sr.loss_hessian(s * X, y, p)[:12, :12]
    H1 = sr.loss_hessian(X, y, p._replace(W1=s * p.W1))[:12, :12]
    # Differences of the gradient carry a rounding error of ~u |dW1| / h with h = 1e-5 / max|sX| and
    # |dW1| <= ~ max|sX|: about 1e-11 (s max|X|)^2, which matters when the softmax saturates (tiny Hs).
    noise = 1e-9 * (s * np.abs(X).max()) ** 2
    assert np.max(np.abs(Hs - s**2 * H1)) < HESSIAN_TOL * np.abs(Hs).max() + noise


def test_largest_stable_rate_is_two_over_lambda_max(trained):
    X, y, p = trained
    for s in (1.0, 100.0):
        q = p._replace(W1=p.W1 / s)
        lam = np.linalg.eigvalsh(sr.loss_hessian(s * X, y, q))[-1]
        assert sr.largest_stable_rate(s * X, y, q) == pytest.approx(2 / lam, rel=0.05)
    r10 = sr.largest_stable_rate(10 * X, y, p._replace(W1=p.W1 / 10))
    r1000 = sr.largest_stable_rate(1000 * X, y, p._replace(W1=p.W1 / 1000))
    assert r1000 / r10 == pytest.approx(1e-4, rel=0.01)


def test_stability_limit_is_two_over_lambda_max_at_the_trained_point(trained):
    X, y, p = trained
    for s in (1.0, 30.0):
        lam = np.linalg.eigvalsh(sr.loss_hessian(s * X, y, p._replace(W1=p.W1 / s)))[-1]
        assert se.stability_limit(s) == pytest.approx(2 / lam, rel=1e-6)
    # In all 26 parameters lambda_max = s^2 lambda_W1 + O(1) (the other blocks do not scale): the limit
    # follows 1/s^2 up to a relative O(1/(s^2 lambda_W1)), 2.4e-5 at s = 100.
    assert se.stability_limit(1000.0) * 1e6 == pytest.approx(se.stability_limit(100.0) * 1e4, rel=1e-4)


# -- explorer and map -----------------------------------------------------------------------------------------


def test_scaling_frame_is_the_run_it_describes():
    X, y = sc.make_blobs(120, 0)
    p0 = sc.init_params(0)
    frame = se.scaling_frame(2, -4, epochs=80)
    run = sr.descend(100 * X, y, p0._replace(W1=p0.W1 / 100), 1e-4, 80)
    np.testing.assert_array_equal(frame.losses, run.losses)
    assert frame.increases == run.increases and frame.limit == se.stability_limit(100.0)
    np.testing.assert_array_equal(frame.reference_losses, se.scaling_frame(0, -1, epochs=80).reference_losses)


def test_frames_start_from_the_same_function_at_every_scale():
    first = [se.scaling_frame(e, -3, epochs=2).losses[0] for e in (0, 1.5, 3)]
    assert max(first) - min(first) < SAME_SUM_TOL


def test_frame_and_map_agree_and_plot(tmp_path):
    smap = se.stability_map([0.0, 3.0], [-7.0, -3.5], epochs=60)
    frame = se.scaling_frame(3.0, -3.5, epochs=60)
    assert smap.final_loss[1, 1] == frame.losses[-1] and smap.increases[1, 1] == frame.increases
    for plot, result in ((se.plot_scaling_frame, frame), (se.plot_stability_map, smap)):
        fig = plt.figure()
        plot(result, fig)
        labelled = [ax for ax in fig.axes if ax.get_xlabel() and ax.get_ylabel()]
        assert labelled and all(ax.get_legend() is not None for ax in labelled)
        plt.close(fig)


def test_explorer_renders_a_frame_with_fixed_axes():
    ex = Explorer(se.scaling_frame, se.plot_scaling_frame,
                  [Param("log10_scale", [0, 3]), Param("log10_lr", [-6.0, -1.0])])
    fig = plt.figure()
    try:
        ex.plot(se.scaling_frame(0, -1, epochs=30), fig)
        limits = [ax.get_ylim() for ax in fig.axes]
        fig.clear()
        ex.plot(se.scaling_frame(3, -6, epochs=30), fig)
        assert [ax.get_ylim() for ax in fig.axes] == limits
    finally:
        plt.close(fig)
    assert ex.render({"log10_scale": 3, "log10_lr": -6.0})[:8] == b"\x89PNG\r\n\x1a\n"


# -- bad input ------------------------------------------------------------------------------------------------


def test_bad_arguments_raise_shape_errors_naming_the_function():
    X, y = sc.make_blobs(10, 0)
    p = sc.init_params(0)
    with pytest.raises(ShapeError, match=r"descend: lr must be one rate or four rates"):
        sr.descend(X, y, p, (0.1, 0.1), 3)
    with pytest.raises(ShapeError, match=r"descend: lr for b2: the learning rate must be a finite number >= 0"):
        sr.descend(X, y, p, (0.1, 0.1, 0.1, -1.0), 3)
    with pytest.raises(ShapeError, match=r"descend: X must be \(3, m\)"):
        sr.descend(X.T, y, p, 0.1, 3)
    with pytest.raises(ShapeError, match=r"descend: y: "):
        sr.descend(X, y[:-1], p, 0.1, 3)
    with pytest.raises(ShapeError, match=r"loss_hessian: eps must be a finite real number > 0"):
        sr.loss_hessian(X, y, p, eps=0.0)
    with pytest.raises(ShapeError, match=r"largest_stable_rate: epochs must be at least 2"):
        sr.largest_stable_rate(X, y, p, epochs=1)
    with pytest.raises(ShapeError, match=r"stability_limit: scale must be a finite real number >= 1e-06"):
        se.stability_limit(-1.0)
    with pytest.raises(ShapeError, match=r"scaling_frame: log10_lr must be a finite real number"):
        se.scaling_frame(0, np.nan)
    with pytest.raises(ShapeError, match=r"stability_map: log10_lrs must be a non-empty grid"):
        se.stability_map([0.0], [], epochs=3)
    with pytest.raises(ShapeError, match=r"plot_stability_map: smap: expected the StabilityMap"):
        se.plot_stability_map(se.scaling_frame(0, -1, epochs=3), plt.figure())
    plt.close("all")
