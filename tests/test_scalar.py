"""Tests for the scalar reverse-mode engine ``dlmath.scalar``.

Referees: hand derivations, central differences (``numerical_gradient``) and the array
functions of ``dlmath`` evaluated on the same expression.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath import (
    ShapeError,
    linear_backward,
    linear_forward,
    numerical_gradient,
    relative_error,
    sigmoid_backward,
    sigmoid_forward,
    softmax_cross_entropy,
    squared_error,
    tanh_backward,
    tanh_forward,
)
from dlmath.errors import DomainError
from dlmath.scalar import Value, topological_order, value_and_grad, vmax

# Central differences with eps=1e-6 on smooth float64 functions agree to ~1e-8 relative error.
FD_TOL = 1e-7
# Random expression trees can produce gradients near 0, where a relative error is meaningless:
# compare with an absolute floor instead (the FD truncation error is ~1e-9 for these sizes).
TREE_ATOL, TREE_RTOL = 1e-6, 1e-5
# The engine and the array code do the same float64 arithmetic in a different order.
SAME_MATH_TOL = 1e-12
# Sums over several examples accumulate in a different order (and tanh' via 1 - t^2 vs the
# engine's local derivative): allow a little more for gradients that nearly cancel.
SUM_ORDER_RTOL = 1e-9

small = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)


# ------------------------------------------------------------------ hand-derived examples
def test_sigmoid_neuron_matches_hand_derivation():
    # f = sigma(w0 x0 + w1 x1 + w2) at the CS231n point: z = 1, so df/dz = s(1-s) with s = sigma(1).
    w0, x0, w1, x1, w2 = (Value(v) for v in (2.0, -1.0, -3.0, -2.0, -3.0))
    f = (w0 * x0 + w1 * x1 + w2).sigmoid()
    f.backward()
    s = 1 / (1 + math.exp(-1.0))
    dz = s * (1 - s)
    assert f.data == pytest.approx(s, abs=1e-15)
    got = [w0.grad, x0.grad, w1.grad, x1.grad, w2.grad]
    want = [dz * -1.0, dz * 2.0, dz * -2.0, dz * -3.0, dz]
    assert np.allclose(got, want, rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    ("build", "x", "dfdx"),
    [
        (lambda x: x * x * x, 2.0, 12.0),  # 3x^2
        (lambda x: x.exp(), 0.5, math.exp(0.5)),
        (lambda x: x.log(), 4.0, 0.25),
        (lambda x: 1 / x, 2.0, -0.25),
        (lambda x: x**0.5, 9.0, 1 / 6),
        (lambda x: x.tanh(), 0.3, 1 - math.tanh(0.3) ** 2),
        (lambda x: 3 - x, 1.0, -1.0),
        (lambda x: -x + 2 * x, 5.0, 1.0),
        (lambda x: x.relu(), -1.0, 0.0),
        (lambda x: x.relu(), 2.0, 1.0),
        (lambda x: x.relu(), 0.0, 0.0),  # convention ReLU'(0) = 0
    ],
)
def test_simple_derivatives(build, x, dfdx):
    v = Value(x)
    build(v).backward()
    assert v.grad == pytest.approx(dfdx, rel=1e-14, abs=1e-15)


def test_gate_patterns():
    # CS231n's example: f = 2 * (x*y + max(z, w)).
    x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
    out = 2 * (x * y + vmax(z, w))
    out.backward()
    assert (x.grad, y.grad) == (-8.0, 6.0)  # multiply swaps: dx = y * 2, dy = x * 2
    assert (z.grad, w.grad) == (2.0, 0.0)  # max routes to the larger input only


def test_max_tie_routes_to_first_argument():
    a, b = Value(1.0), Value(1.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


# ------------------------------------------------------------------ properties
@settings(max_examples=40, deadline=None)
@given(small, small)
def test_product_rule_swaps(a, b):
    va, vb = Value(a), Value(b)
    (va * vb).backward()
    assert (va.grad, vb.grad) == (b, a)


@settings(max_examples=40, deadline=None)
@given(small, small)
def test_sum_distributes(a, b):
    va, vb = Value(a), Value(b)
    (va + vb).backward()
    assert (va.grad, vb.grad) == (1.0, 1.0)


@settings(max_examples=30, deadline=None)
@given(small, st.integers(min_value=1, max_value=12))
def test_fan_out_accumulates(a, n):
    va = Value(a)
    total = va
    for _ in range(n - 1):
        total = total + va  # va feeds n different nodes
    total.backward()
    assert va.grad == float(n)
    sq = Value(a)
    (sq * sq).backward()  # the same Value twice in one node: both contributions count
    assert sq.grad == pytest.approx(2 * a, abs=1e-15)


def test_backward_twice_does_not_double():
    x = Value(1.5)
    f = x * x + x
    f.backward()
    first = x.grad
    f.backward()
    assert x.grad == first == 4.0


def test_backward_without_zero_grad_accumulates():
    # zero_grad=False adds this sweep's gradient to every .grad: a second sweep of f = x^2 + x adds
    # df/dx = 2x + 1 = 4 once more (a sweep that reused the stale gradients of the inner nodes gave 15).
    x = Value(1.5)
    sq = x * x
    f = sq + x
    f.backward()
    f.backward(zero_grad=False)
    assert (x.grad, sq.grad, f.grad) == (8.0, 2.0, 2.0)
    # Two outputs sharing a node: d(sq)/dx + d(f)/dx = 2x + (2x + 1) = 7.
    sq.backward()
    f.backward(zero_grad=False)
    assert x.grad == 7.0 and sq.grad == 2.0


def test_forward_values_unchanged_by_backward():
    xs = [Value(v) for v in (0.3, -1.2, 2.0)]
    f = (xs[0] * xs[1]).sigmoid() + xs[2].tanh() * xs[0]
    before = [v.data for v in topological_order(f)]
    f.backward()
    assert [v.data for v in topological_order(f)] == before


def test_deep_chain_has_no_recursion_problem():
    x = Value(0.5)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    assert len(topological_order(y)) == 1 + 4 * 20_000


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = topological_order(d)
    pos = {id(v): i for i, v in enumerate(order)}
    for v in order:
        for p in v.parents:
            assert pos[id(p)] < pos[id(v)]
    assert order[-1] is d and len(order) == 4


# Random expression trees (smooth operations only, so finite differences are exact enough).
_UNARY = {
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x))),
    "tanh": (lambda v: v.tanh(), math.tanh),
    "exp_tanh": (lambda v: v.tanh().exp(), lambda x: math.exp(math.tanh(x))),
    "log1p_sq": (lambda v: (1 + v * v).log(), lambda x: math.log(1 + x * x)),
    "square": (lambda v: v**2, lambda x: x**2),
    "neg": (lambda v: -v, lambda x: -x),
}
_BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (1 + b * b),  # denominator >= 1: no division blow-up
}
trees = st.recursive(
    st.sampled_from(["x0", "x1", "x2"]) | st.floats(-2, 2, allow_nan=False).map(lambda c: ("const", c)),
    lambda kids: st.tuples(st.sampled_from(sorted(_UNARY)), kids)
    | st.tuples(st.sampled_from(sorted(_BINARY)), kids, kids),
    max_leaves=10,
)


def _evaluate(tree, env, use_value: bool):
    if isinstance(tree, str):
        return env[int(tree[1])]
    if tree[0] == "const":
        return tree[1]
    if len(tree) == 2:
        op = _UNARY[tree[0]]
        arg = _evaluate(tree[1], env, use_value)
        if use_value:
            return op[0](arg if isinstance(arg, Value) else Value(arg))
        return op[1](arg)
    return _BINARY[tree[0]](_evaluate(tree[1], env, use_value), _evaluate(tree[2], env, use_value))


@settings(max_examples=50, deadline=None)
@given(trees, st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=3, max_size=3))
def test_random_expression_trees_match_finite_differences(tree, xs):
    x = np.array(xs)

    def f_value(v):
        out = _evaluate(tree, list(v), True)
        return out if isinstance(out, Value) else Value(out) + 0.0 * v[0]

    value, grad = value_and_grad(f_value, x)
    numeric = numerical_gradient(lambda a: float(_evaluate(tree, list(a), False)), x)
    assert value == pytest.approx(float(_evaluate(tree, list(x), False)), rel=1e-12, abs=1e-12)
    assert np.allclose(grad, numeric, rtol=TREE_RTOL, atol=TREE_ATOL)


# ------------------------------------------------------------------ against the array functions
def _neuron_values(W, x, b):
    """sigma(W x + b) for one example and one output unit, with Value arithmetic."""
    z = b[0, 0]
    for j in range(W.shape[1]):
        z = z + W[0, j] * x[j, 0]
    return z.sigmoid()


def test_sigmoid_neuron_matches_linear_and_sigmoid_layers():
    rng = np.random.default_rng(0)
    W, x, b = rng.normal(size=(1, 3)), rng.normal(size=(3, 1)), rng.normal(size=(1, 1))
    Z, lin = linear_forward(x, W, b)
    A, act = sigmoid_forward(Z)
    dx, dW, db = linear_backward(sigmoid_backward(np.ones_like(A), act), lin)

    params = np.concatenate([W.ravel(), x.ravel(), b.ravel()])

    def f(p):
        return _neuron_values(p[:3].reshape(1, 3), p[3:6].reshape(3, 1), p[6:].reshape(1, 1))

    value, grad = value_and_grad(f, params)
    assert value == pytest.approx(A[0, 0], rel=SAME_MATH_TOL)
    assert relative_error(grad, np.concatenate([dW.ravel(), dx.ravel(), db.ravel()])) < SAME_MATH_TOL


def test_two_layer_tanh_net_matches_array_backprop_and_fd():
    # 3 -> 4 (tanh) -> 2, squared error against a target, one example.
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 1))
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=(4, 1))
    W2, b2 = rng.normal(size=(2, 4)), rng.normal(size=(2, 1))
    T = rng.normal(size=(2, 1))
    Z1, c1 = linear_forward(x, W1, b1)
    A1, ca = tanh_forward(Z1)
    Z2, c2 = linear_forward(A1, W2, b2)
    loss, dZ2 = squared_error(Z2, T)
    dA1, dW2, db2 = linear_backward(dZ2, c2)
    _, dW1, db1 = linear_backward(tanh_backward(dA1, ca), c1)
    shapes = [(4, 3), (4, 1), (2, 4), (2, 1)]
    theta = np.concatenate([W1.ravel(), b1.ravel(), W2.ravel(), b2.ravel()])

    def unpack(p):
        out, i = [], 0
        for s in shapes:
            out.append(p[i : i + s[0] * s[1]].reshape(s))
            i += s[0] * s[1]
        return out

    def f_value(p):
        w1, c, w2, d = unpack(p)
        h = [sum((w1[i, j] * x[j, 0] for j in range(3)), c[i, 0]).tanh() for i in range(4)]
        y = [sum((w2[k, i] * h[i] for i in range(4)), d[k, 0]) for k in range(2)]
        return 0.5 * sum((y[k] - T[k, 0]) ** 2 for k in range(2))

    def f_array(p):
        w1, c, w2, d = unpack(p)
        return 0.5 * float(np.sum((w2 @ np.tanh(w1 @ x + c) + d - T) ** 2))

    value, grad = value_and_grad(f_value, theta)
    array_grad = np.concatenate([dW1.ravel(), db1.ravel(), dW2.ravel(), db2.ravel()])
    assert value == pytest.approx(loss, rel=SAME_MATH_TOL)
    assert relative_error(grad, array_grad) < SAME_MATH_TOL
    assert relative_error(grad, numerical_gradient(f_array, theta)) < FD_TOL


def test_softmax_cross_entropy_with_values_matches_losses():
    z = np.array([1.0, -0.5, 2.0, 0.3])
    label = 2

    def f(v):
        exps = [vi.exp() for vi in v]
        total = sum(exps[1:], exps[0])
        return -(exps[label] / total).log()

    value, grad = value_and_grad(f, z)
    loss, dZ = softmax_cross_entropy(z.reshape(4, 1), np.array([label]))
    assert value == pytest.approx(loss, rel=SAME_MATH_TOL)
    assert relative_error(grad, dZ[:, 0]) < SAME_MATH_TOL


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", None])
def test_value_rejects_non_numbers(bad):
    with pytest.raises(ShapeError, match="Value: data must be"):
        Value(bad)


def test_value_of_value_is_rejected():
    with pytest.raises(ShapeError, match="not a Value"):
        Value(Value(1.0))


def test_domain_errors_are_not_shape_errors():
    """A number outside an operation's domain is a DomainError (a ValueError), not a ShapeError."""
    cases = [
        (lambda: Value(-1.0).log(), "Value.log: the argument must be positive \\(got -1.0\\)"),
        (lambda: Value(0.0).log(), "Value.log: the argument must be positive \\(got 0.0\\)"),
        (lambda: Value(-2.0) ** 0.5, "Value.__pow__: a negative base \\(-2.0\\) needs an integer exponent"),
        (lambda: Value(710.0).exp(), r"Value.exp: e\^710 overflows float64"),
    ]
    for call, message in cases:
        with pytest.raises(DomainError, match=message) as info:
            call()
        assert isinstance(info.value, ValueError) and not isinstance(info.value, ShapeError)
    assert (Value(-2.0) ** 3).data == -8.0  # an integer power of a negative base is in the domain
    assert Value(1e-300).log().data == pytest.approx(math.log(1e-300))


def test_error_paths():
    with pytest.raises(ShapeError, match="exponent must be a plain number"):
        Value(2.0) ** Value(3.0)
    assert Value(709.0).exp().data == pytest.approx(math.exp(709.0))
    with pytest.raises(ZeroDivisionError, match="data is 0"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ShapeError, match="topological_order: root must be a Value"):
        topological_order(3.0)
    with pytest.raises(ShapeError, match="value_and_grad: f must return a Value"):
        value_and_grad(lambda v: 1.0, np.ones(2))
    with pytest.raises(ShapeError, match="value_and_grad: x contains 1 NaN"):
        value_and_grad(lambda v: v[0], np.array([np.nan, 1.0]))


def test_sigmoid_does_not_overflow():
    x = Value(-1000.0)
    s = x.sigmoid()
    s.backward()
    assert s.data == 0.0 and x.grad == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_tanh_layer_with_random_upstream_matches_array_backward(n, n_prev, m, seed):
    # loss = sum(G * tanh(W A + b)) with a random upstream G: the scalar engine against
    # linear_forward/tanh_forward and their backwards, entry by entry.
    rng = np.random.default_rng(seed)
    A, W, b = rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1))
    G = rng.normal(size=(n, m))
    Z, lin = linear_forward(A, W, b)
    out, act = tanh_forward(Z)
    dA, dW, db = linear_backward(tanh_backward(G, act), lin)
    sizes = [A.size, W.size, b.size]

    def f(p):
        Av = p[: sizes[0]].reshape(A.shape)
        Wv = p[sizes[0] : sizes[0] + sizes[1]].reshape(W.shape)
        bv = p[sizes[0] + sizes[1] :].reshape(b.shape)
        total = Value(0.0)
        for i in range(n):
            for j in range(m):
                z = sum((Wv[i, k] * Av[k, j] for k in range(n_prev)), bv[i, 0])
                total = total + G[i, j] * z.tanh()
        return total

    value, grad = value_and_grad(f, np.concatenate([A.ravel(), W.ravel(), b.ravel()]))
    assert value == pytest.approx(float(np.sum(G * out)), rel=1e-10, abs=1e-12)
    expected = np.concatenate([dA.ravel(), dW.ravel(), db.ravel()])
    assert np.allclose(grad, expected, rtol=SUM_ORDER_RTOL, atol=SAME_MATH_TOL)
