"""Tests for dlmath.deep: shapes, errors, whole-model gradient checks, training."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath.deep import (
    LayerCache,
    check_params,
    dimension_table,
    format_dimension_table,
    identity_backward,
    identity_forward,
    init_params,
    model_backward,
    model_forward,
    train,
    update_params,
)
from dlmath.errors import ShapeError
from dlmath.gradcheck import numerical_gradient, relative_error
from dlmath.losses import binary_cross_entropy, binary_cross_entropy_with_logits, softmax_cross_entropy

# Central differences in float64 with eps=1e-6 on smooth functions agree to ~1e-9; 1e-7 leaves margin.
SMOOTH_TOL = 1e-7
# ReLU nets are piecewise linear: away from kinks finite differences are exact up to rounding,
# but a unit within eps of 0 would break that, so the test seeds are chosen with no |Z| < 1e-3.
KINK_MARGIN = 1e-3
# Central differences with eps=1e-6 carry a rounding error of about |f| * 1e-16 / 1e-6 = 1e-10 |f| per entry; when a
# random architecture makes a gradient tiny (say 1e-4), that floor alone exceeds SMOOTH_TOL in relative terms.
FD_ABS_TOL = 1e-9

SIZES = [3, 5, 4, 4, 2]  # a 4-layer net


def _random_case(hidden: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    params = init_params(SIZES, "lecun", seed=seed)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}  # nonzero biases too
    X = rng.standard_normal((SIZES[0], 6))
    G = rng.standard_normal((SIZES[-1], 6))  # random upstream gradient, never all ones
    return params, X, G


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu"])
def test_whole_model_gradient_every_parameter(hidden):
    params, X, G = _random_case(hidden, seed=3)
    AL, caches = model_forward(X, params, hidden)
    if hidden == "relu":
        assert min(np.abs(c.activation.Z).min() for c in caches[:-1]) > KINK_MARGIN
    grads = model_backward(G, caches, hidden)

    for key in params:
        def f(v, key=key):
            return float(np.sum(G * model_forward(X, {**params, key: v}, hidden)[0]))

        num = numerical_gradient(f, params[key])
        assert relative_error(grads["d" + key], num) < SMOOTH_TOL, key
    num_X = numerical_gradient(lambda x: float(np.sum(G * model_forward(x, params, hidden)[0])), X)
    assert relative_error(grads["dA0"], num_X) < SMOOTH_TOL


def test_gradient_with_loss_carries_one_over_m():
    """With a real loss, dW is the gradient of the *mean* loss: the 1/m comes from the loss alone."""
    params, X, _ = _random_case("tanh", seed=1)
    y = np.array([0, 1, 1, 0, 1, 0])
    AL, caches = model_forward(X, params, "tanh")
    _, dAL = softmax_cross_entropy(AL, y)
    grads = model_backward(dAL, caches, "tanh")
    num = numerical_gradient(lambda w: softmax_cross_entropy(model_forward(X, {**params, "W1": w}, "tanh")[0], y)[0],
                             params["W1"])
    assert relative_error(grads["dW1"], num) < SMOOTH_TOL


def test_single_example_equals_column_of_batch():
    params, X, _ = _random_case("relu")
    AL, _ = model_forward(X, params)
    for j in range(X.shape[1]):
        a, _ = model_forward(X[:, [j]], params)
        np.testing.assert_allclose(a, AL[:, [j]], rtol=1e-12)


def test_forward_matches_hand_written_two_layer_net():
    rng = np.random.default_rng(5)
    p = init_params([2, 3, 1], "he", seed=5)
    p["b1"] = rng.standard_normal((3, 1))
    X = rng.standard_normal((2, 4))
    expected = p["W2"] @ np.maximum(p["W1"] @ X + p["b1"], 0) + p["b2"]
    np.testing.assert_allclose(model_forward(X, p)[0], expected, rtol=1e-12)


def test_dimension_table_rows():
    rows = dimension_table([3, 5, 2], m=7)
    assert rows[0].A == (3, 7) and rows[0].W is None
    assert rows[1] == (1, (5, 3), (5, 1), (5, 7), (5, 7))
    assert rows[2] == (2, (2, 5), (2, 1), (2, 7), (2, 7))
    text = format_dimension_table([3, 5, 2])
    assert "(5, 3)" in text and "(2, m)" in text and len(text.splitlines()) == 4


@pytest.mark.parametrize("bad", [[3], [], [3, 0, 1], [3, 2.5, 1]])
def test_dimension_table_rejects_bad_sizes(bad):
    with pytest.raises(ShapeError, match="layer_sizes"):
        dimension_table(bad)


def test_bad_scalars_are_refused():
    p = init_params([2, 3, 1], seed=0)
    with pytest.raises(ShapeError, match="dimension_table: m must be a positive number"):
        dimension_table([2, 3], m=-1)
    with pytest.raises(ValueError, match=r"init_params: scale \(a standard deviation\) must be a finite real number > 0"):
        init_params([2, 3], "small", scale=float("nan"))
    with pytest.raises(ShapeError, match=r"update_params: the learning rate must be a finite number >= 0 \(lr nan\)"):
        update_params(p, {"d" + k: v for k, v in p.items()}, float("nan"))
    with pytest.raises(ShapeError, match=r"update_params: the learning rate must be a finite number >= 0 \(lr -0.1\)"):
        update_params(p, {"d" + k: v for k, v in p.items()}, -0.1)
    with pytest.raises(ShapeError, match=r"train: epochs must be a whole number >= 0 \(epochs -1\)"):
        train(np.zeros((2, 5)), np.zeros((1, 5)), p, epochs=-1)
    with pytest.raises(ShapeError, match=r"train: epochs must be a whole number >= 0 \(epochs 2.5\)"):
        train(np.zeros((2, 5)), np.zeros((1, 5)), p, epochs=2.5)
    with pytest.raises(ShapeError, match="train: the learning rate"):
        train(np.zeros((2, 5)), np.zeros((1, 5)), p, lr=float("inf"), epochs=2)


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=6), m=st.integers(1, 5),
       hidden=st.sampled_from(["relu", "tanh", "sigmoid"]), seed=st.integers(0, 10**6))
def test_shapes_follow_dimension_table(sizes, m, hidden, seed):
    params = init_params(sizes, "he", seed=seed)
    X = np.random.default_rng(seed).standard_normal((sizes[0], m))
    X_copy = X.copy()
    saved = {k: v.copy() for k, v in params.items()}
    AL, caches = model_forward(X, params, hidden)
    G = np.random.default_rng(seed + 1).standard_normal(AL.shape)
    G_copy = G.copy()
    grads = model_backward(G, caches, hidden)
    for row in dimension_table(sizes, m)[1:]:
        l = row.l
        assert params[f"W{l}"].shape == grads[f"dW{l}"].shape == row.W
        assert params[f"b{l}"].shape == grads[f"db{l}"].shape == row.b
        assert caches[l - 1].activation.Z.shape == row.Z == caches[l - 1].activation.A.shape
    assert grads["dA0"].shape == X.shape
    assert check_params(params) == sizes
    # nothing is modified in place
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(G, G_copy)
    for k in params:
        np.testing.assert_array_equal(params[k], saved[k])


def test_check_params_errors():
    p = init_params([3, 4, 2], seed=0)
    with pytest.raises(ShapeError, match=r"W2 has 5 columns but layer 1 has 4 units"):
        check_params({**p, "W2": np.zeros((2, 5))})
    with pytest.raises(ShapeError, match=r"b1 must be \(4, 1\)"):
        check_params({**p, "b1": np.zeros((4,)).reshape(1, 4)})
    with pytest.raises(ShapeError, match="missing b2"):
        check_params({k: v for k, v in p.items() if k != "b2"})
    with pytest.raises(ShapeError, match="unexpected key.*W4"):
        check_params({**p, "W4": np.zeros((1, 2)), "b4": np.zeros((1, 1))})
    with pytest.raises(ShapeError, match="without W1"):
        check_params({"W2": np.zeros((1, 1))})
    with pytest.raises(ShapeError, match="must be a dict"):
        check_params([p["W1"], p["b1"]])
    with pytest.raises(ShapeError, match=r"layer sizes \[3, 4, 2\] but layer_sizes is \[3, 4, 3\]"):
        check_params(p, [3, 4, 3])
    with pytest.raises(ShapeError, match="NaN"):
        check_params({**p, "W1": np.full((4, 3), np.nan)})


def test_model_forward_backward_errors():
    p = init_params([3, 4, 2], seed=0)
    with pytest.raises(ShapeError, match=r"model_forward: X has 2 rows but W1 expects 3"):
        model_forward(np.zeros((2, 5)), p)
    with pytest.raises(ShapeError, match="W2 has 3 columns"):
        model_forward(np.zeros((3, 5)), {**p, "W2": np.zeros((2, 3))})
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        model_forward(np.zeros((3, 5)), p, hidden="softplus")
    AL, caches = model_forward(np.ones((3, 5)), p)
    with pytest.raises(ShapeError, match=r"dAL must have the shape of the output AL"):
        model_backward(np.ones((5, 2)), caches)
    with pytest.raises(ValueError, match=r"layer 1's cache does not satisfy A = relu\(Z\)"):
        model_backward(np.ones((2, 5)), model_forward(np.ones((3, 5)), p, "tanh")[1])  # forward tanh, backward relu
    with pytest.raises(ValueError, match=r"layer 2's cache does not satisfy A = sigmoid\(Z\)"):
        model_backward(np.ones((2, 5)), caches, output="sigmoid")
    with pytest.raises(ShapeError, match=r"model_backward: caches\[0\]: expected the LayerCache from model_forward, got a tuple"):
        model_backward(np.ones((2, 5)), [tuple(caches[0]), caches[1]])
    with pytest.raises(ShapeError, match="identity_backward"):
        identity_backward(np.ones((2, 2)), identity_forward(np.ones((2, 3)))[1])
    assert isinstance(caches[0], LayerCache)


def test_update_params_is_pure_and_checks_shapes():
    p = init_params([2, 3, 1], seed=2)
    saved = {k: v.copy() for k, v in p.items()}
    rng = np.random.default_rng(2)
    g = {"d" + k: rng.standard_normal(v.shape) for k, v in p.items()}  # distinct per key: a key mix-up shows
    new = update_params(p, g, 0.5)
    for k in p:
        np.testing.assert_array_equal(p[k], saved[k])
        np.testing.assert_allclose(new[k], saved[k] - 0.5 * g["d" + k], rtol=1e-15)
    with pytest.raises(ShapeError, match=r"dW2 must have the shape of W2"):
        update_params(p, {**g, "dW2": np.ones((3, 1))}, 0.1)
    with pytest.raises(ShapeError, match="db1"):
        update_params(p, {k: v for k, v in g.items() if k != "db1"}, 0.1)


def test_init_schemes():
    sizes = [400, 300, 1]
    for scheme, std in [("small", 0.01), ("he", np.sqrt(2 / 400)), ("lecun", np.sqrt(1 / 400)),
                        ("xavier", np.sqrt(2 / (400 + 300)))]:  # variances by hand: 2/fan_in, 1/fan_in, 2/(in+out)
        p = init_params(sizes, scheme, seed=0)
        assert abs(p["W1"].std() / std - 1) < 0.02  # 120000 samples: std estimate good to ~0.2%
        assert not p["b1"].any()
    assert init_params([3, 1], "xavier", seed=0)["W1"].std() != init_params([3, 1], "lecun", seed=0)["W1"].std()
    np.testing.assert_array_equal(init_params(sizes, seed=4)["W2"], init_params(sizes, seed=4)["W2"])
    with pytest.raises(ValueError, match="unknown scheme"):
        init_params(sizes, "glorot_uniform")


def test_train_decreases_loss_on_separable_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 100))
    y = (X[0] + X[1] > 0).astype(float).reshape(1, -1)
    p0 = init_params([2, 8, 1], "he", seed=0)
    p, hist = train(X, y, p0, lr=0.5, epochs=300, loss=binary_cross_entropy_with_logits)
    assert hist.shape == (300,) and hist[-1] < 0.5 * hist[0]
    assert np.mean((model_forward(X, p)[0] > 0) == y) > 0.95
    np.testing.assert_array_equal(p0["W1"], init_params([2, 8, 1], "he", seed=0)["W1"])  # input not modified


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=5), m=st.integers(1, 4),
       hidden=st.sampled_from(["tanh", "sigmoid"]), seed=st.integers(0, 10**6))
def test_gradient_check_random_architectures(sizes, m, hidden, seed):
    """Smooth activations: every parameter of a random architecture matches central differences."""
    rng = np.random.default_rng(seed)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in init_params(sizes, "lecun", seed=seed).items()}
    X = rng.standard_normal((sizes[0], m))
    G = rng.standard_normal((sizes[-1], m))
    grads = model_backward(G, model_forward(X, params, hidden)[1], hidden)
    for key in params:
        num = numerical_gradient(lambda v, key=key: float(np.sum(G * model_forward(X, {**params, key: v}, hidden)[0])),
                                 params[key])
        assert relative_error(grads["d" + key], num) < SMOOTH_TOL or np.abs(grads["d" + key] - num).max() < FD_ABS_TOL, key


def test_sigmoid_output_with_probability_loss():
    """output="sigmoid" + binary_cross_entropy gives the same gradients as identity output + the logit loss."""
    params, X, _ = _random_case("tanh", seed=4)
    params = {**params, "W4": params["W4"][:1], "b4": params["b4"][:1]}
    y = np.array([[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]])
    A, c1 = model_forward(X, params, "tanh", "sigmoid")
    Z, c2 = model_forward(X, params, "tanh", "identity")
    g1 = model_backward(binary_cross_entropy(A, y)[1], c1, "tanh", "sigmoid")
    g2 = model_backward(binary_cross_entropy_with_logits(Z, y)[1], c2, "tanh", "identity")
    for key in g1:
        assert relative_error(g1[key], g2[key]) < SMOOTH_TOL, key


def test_train_history_is_loss_before_each_step():
    """Oracle: the loop written out by hand with the same blocks."""
    rng = np.random.default_rng(9)
    X = rng.standard_normal((2, 20))
    y = (X[0] * X[1] > 0).astype(float).reshape(1, -1)
    p = init_params([2, 5, 1], "he", seed=9)
    _, hist = train(X, y, p, lr=0.3, epochs=4)
    for t in range(4):
        AL, caches = model_forward(X, p)
        loss, dAL = binary_cross_entropy_with_logits(AL, y)
        assert hist[t] == pytest.approx(loss, rel=1e-12)
        grads = model_backward(dAL, caches)
        p = {k: v - 0.3 * grads["d" + k] for k, v in p.items()}


def test_identity_block():
    Z = np.arange(6.0).reshape(2, 3)
    A, cache = identity_forward(Z)
    np.testing.assert_array_equal(A, Z)
    dA = np.ones((2, 3))
    dZ = identity_backward(dA, cache)
    np.testing.assert_array_equal(dZ, dA)
    assert dZ is not dA


def test_train_checks_params_on_its_first_step():
    p = init_params([2, 3, 1], seed=0)
    with pytest.raises(ShapeError, match="W2 has 4 columns"):
        train(np.zeros((2, 5)), np.zeros((1, 5)), {**p, "W2": np.zeros((1, 4))}, epochs=3)
    with pytest.raises(ShapeError, match=r"train: X has 3 rows but W1 expects 2 inputs"):
        train(np.zeros((3, 5)), np.zeros((1, 5)), p, epochs=3)


# ---- issue 15: outer functions name themselves; epochs=0 still checks; NaN losses stop training -------------


def test_train_names_itself_and_the_students_arguments():
    p = init_params([2, 3, 1], seed=0)
    X, Y = np.ones((2, 5)), np.zeros((1, 5))
    with pytest.raises(ShapeError, match=r"^train: X has 5 rows but W1 expects 2 inputs \(X \(5, 2\)\)"):
        train(X.T, Y, p, epochs=3)
    with pytest.raises(ShapeError, match=r"^train: X must be an array of numbers \(got NoneType\)"):
        train(None, Y, p, epochs=0)  # epochs = 0 still checks its inputs
    with pytest.raises(ShapeError, match=r"^train: loss: binary_cross_entropy_with_logits: "):
        train(X, np.zeros((2, 5)), p, epochs=0)
    with pytest.raises(ShapeError, match=r"^train: activation must be one of .* \(unknown activation \['relu'\]\)"):
        train(X, Y, p, hidden=["relu"], epochs=1)


def test_train_stops_at_the_epoch_where_the_loss_is_nan():
    p = init_params([2, 3, 1], seed=0)
    calls = []

    def loss(AL, Y):
        calls.append(1)
        return (np.nan if len(calls) == 3 else 1.0), np.zeros_like(AL)

    with pytest.raises(ShapeError, match=r"^train: the loss at epoch 2 \(lower the learning rate\?\) must be a finite real number \(got nan\)"):
        train(np.ones((2, 4)), np.zeros((1, 4)), p, epochs=5, loss=loss)


def test_model_backward_checks_its_caches_before_using_them():
    p = init_params([2, 3, 1], seed=0)
    AL, caches = model_forward(np.ones((2, 4)), p)
    with pytest.raises(ShapeError, match=r"model_backward: caches\[0\]: expected the LayerCache from model_forward, "
                                         r"got a tuple"):
        model_backward(np.ones((1, 4)), [tuple(c) for c in caches])
    with pytest.raises(ShapeError, match=r"model_backward: caches must be the non-empty list"):
        model_backward(np.ones((1, 4)), None)
    with pytest.raises(ShapeError, match=r"model_backward: check must be True or False \(got 'False'\)"):
        model_backward(np.ones((1, 4)), caches, check="False")


def test_check_params_with_list_values_reports_instead_of_crashing():
    p = {k: v.tolist() for k, v in init_params([2, 3, 1], seed=0).items()}
    assert check_params(p) == [2, 3, 1]
    p["W2"] = [[1.0, 2.0]]
    with pytest.raises(ShapeError, match=r"check_params: W2 has 2 columns but layer 1 has 3 units \(W2 \(1, 2\), W1 \(3, 2\)\)"):
        check_params(p)


def test_init_params_seed_and_scale():
    for seed in (-1, 2.5, "abc", True):
        with pytest.raises(ShapeError, match=r"init_params: seed must be None or an integer >= 0"):
            init_params([2, 1], seed=seed)
    with pytest.raises(ShapeError, match=r"init_params: scale \(a standard deviation\) must be"):
        init_params([2, 1], "small", scale=float("nan"))


# ---- issue 14: every intermediate dA[l] on request (return_dA) --------------------------------------------------


def _tail(params: dict, l: int) -> dict:
    """Layers l+1..L of ``params`` as a network of their own (renumbered 1..L-l): its input is A[l]."""
    L = len(params) // 2
    return {f"{p}{k - l}": params[f"{p}{k}"] for k in range(l + 1, L + 1) for p in "Wb"}


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu"])
def test_return_dA_matches_finite_differences_at_every_layer(hidden):
    """dA[l] = dJ/dA[l] for J = sum(G * AL), G random: perturb A[l] and run the rest of the network forward."""
    params, X, G = _random_case(hidden, seed=3)
    AL, caches = model_forward(X, params, hidden)
    if hidden == "relu":
        assert min(np.abs(c.activation.Z).min() for c in caches[:-1]) > KINK_MARGIN
    grads = model_backward(G, caches, hidden, return_dA=True)
    L = len(caches)
    assert sorted(k for k in grads if k.startswith("dA")) == [f"dA{l}" for l in range(L)]
    for l in range(1, L):
        A_l = caches[l - 1].activation.A
        num = numerical_gradient(lambda a, l=l: float(np.sum(G * model_forward(a, _tail(params, l), hidden)[0])), A_l)
        assert grads[f"dA{l}"].shape == A_l.shape
        assert relative_error(grads[f"dA{l}"], num) < SMOOTH_TOL, l


def test_return_dA_with_a_real_loss_carries_one_over_m():
    """With softmax cross-entropy, dA[l] is the gradient of the mean loss with respect to A[l]."""
    params, X, _ = _random_case("tanh", seed=2)
    y = np.array([1, 0, 0, 1, 1, 0])
    AL, caches = model_forward(X, params, "tanh")
    grads = model_backward(softmax_cross_entropy(AL, y)[1], caches, "tanh", return_dA=True)
    for l in range(1, len(caches)):
        num = numerical_gradient(lambda a, l=l: softmax_cross_entropy(model_forward(a, _tail(params, l), "tanh")[0],
                                                                      y)[0], caches[l - 1].activation.A)
        assert relative_error(grads[f"dA{l}"], num) < SMOOTH_TOL, l


def test_return_dA_equals_a_hand_unrolled_backward():
    """Oracle: the forward and backward of a 4-layer ReLU net written out line by line with NumPy."""
    rng = np.random.default_rng(11)
    p = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in init_params([3, 5, 5, 3, 1], "he", seed=11).items()}
    X, G = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np.maximum(Z2, 0)
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = np.maximum(Z3, 0)
    dZ4 = G                               # identity output: dZ4 = dA4
    dA3 = p["W4"].T @ dZ4
    dZ3 = dA3 * (Z3 > 0)
    dA2 = p["W3"].T @ dZ3
    dZ2 = dA2 * (Z2 > 0)
    dA1 = p["W2"].T @ dZ2
    dZ1 = dA1 * (Z1 > 0)
    dA0 = p["W1"].T @ dZ1
    expected = {"dA3": dA3, "dA2": dA2, "dA1": dA1, "dA0": dA0, "dW4": dZ4 @ A3.T, "dW3": dZ3 @ A2.T,
                "dW2": dZ2 @ A1.T, "dW1": dZ1 @ X.T, "db1": dZ1.sum(axis=1, keepdims=True)}
    grads = model_backward(G, model_forward(X, p)[1], return_dA=True)
    for key, value in expected.items():
        np.testing.assert_allclose(grads[key], value, rtol=1e-12, atol=1e-15, err_msg=key)


def test_return_dA_is_opt_in_and_changes_nothing_else():
    params, X, G = _random_case("relu", seed=5)
    caches = model_forward(X, params)[1]
    plain, full = model_backward(G, caches), model_backward(G, caches, return_dA=True)
    assert isinstance(plain, dict) and sorted(plain) == sorted([f"d{p}{l}" for l in range(1, 5) for p in "Wb"] + ["dA0"])
    assert sorted(full) == sorted([*plain, "dA1", "dA2", "dA3"])
    for key in plain:
        np.testing.assert_array_equal(full[key], plain[key])
    one_layer = init_params([2, 1], seed=0)
    assert sorted(model_backward(np.ones((1, 3)), model_forward(np.ones((2, 3)), one_layer)[1], return_dA=True)) == \
        ["dA0", "dW1", "db1"]
    with pytest.raises(ShapeError, match=r"^model_backward: return_dA must be True or False \(got 'yes'\)"):
        model_backward(G, caches, return_dA="yes")


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=6), m=st.integers(1, 4), seed=st.integers(0, 10**6))
def test_return_dA_shapes_and_recursion(sizes, m, seed):
    """Property: dA[l] has the shape of A[l], and dA[l-1] = W[l]^T (dA[l] * tanh'(Z[l])) holds at every layer."""
    rng = np.random.default_rng(seed)
    params = init_params(sizes, "lecun", seed=seed)
    X, G = rng.standard_normal((sizes[0], m)), rng.standard_normal((sizes[-1], m))
    caches = model_forward(X, params, "tanh")[1]
    grads = model_backward(G, caches, "tanh", return_dA=True)
    dA = {**grads, f"dA{len(sizes) - 1}": G}
    for l in range(1, len(sizes)):
        act = caches[l - 1].activation
        assert dA[f"dA{l}"].shape == act.A.shape
        g_prime = 1.0 if l == len(sizes) - 1 else 1.0 - np.tanh(act.Z) ** 2
        np.testing.assert_allclose(dA[f"dA{l - 1}"], params[f"W{l}"].T @ (dA[f"dA{l}"] * g_prime), rtol=1e-12,
                                   atol=1e-14)
