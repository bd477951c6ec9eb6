"""Convolution and max pooling: loops == vectorized, finite differences, ties, errors; the seed's CNN."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmath import ShapeError, numerical_gradient, relative_error
from dlmath import conv as vec
from dlmath import conv_loops as loops
from dlmath.cnn import CNNParams, cnn_loss_and_grads, init_cnn, one_hot, predict, train_cnn
from dlmath.digits import make_digits

# Convolution is linear in X, W and b, so central differences are exact up to rounding (~1e-10
# relative); 1e-7 is the usual bar for smooth functions and leaves room.
GRAD_TOL = 1e-7
# Loop and vectorized versions add the same products in different orders: they differ by a few ulps.
SAME_TOL = 1e-12
# A max pool is piecewise linear; the inputs below keep every window's entries at least 0.1 apart,
# far beyond the finite-difference step 1e-6, so the check never straddles a kink.
IMPLS = [vec, loops]
IDS = ["vectorized", "loops"]

# (m, C, H, W, F, kh, kw, stride, pad): one-example batch, stride > 1 with padding, rectangular
# filters with pad 2, stride 3, and the seed's layer (6x6 image, 3 filters 3x3).
CONV_CASES = [
    (1, 1, 6, 6, 3, 3, 3, 1, 0),
    (2, 3, 7, 7, 4, 3, 3, 2, 1),
    (2, 2, 5, 8, 3, 2, 4, 1, 2),
    (3, 1, 9, 9, 2, 3, 3, 3, 0),
    (1, 2, 4, 6, 1, 1, 1, 1, 1),
]


def _conv_inputs(case, seed=0):
    m, C, H, W, F, kh, kw, s, p = case
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, C, H, W))
    Wt = rng.standard_normal((F, C, kh, kw))
    b = rng.standard_normal(F)
    return rng, X, Wt, b, s, p


def _separated(rng, shape):
    """Array whose entries are all distinct and at least 0.1 apart (no ties, no kinks near eps)."""
    return (rng.permutation(int(np.prod(shape))) * 0.1 - 1.0).reshape(shape)


# ---------------------------------------------------------------- convolution, by hand


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_conv_forward_hand_example_is_cross_correlation(impl):
    # x[i, j] = 4 i + j, so x[i+1, j+1] = x[i, j] + 5; the filter [[1, 0], [0, -1]] NOT flipped gives
    # z = x[i, j] - x[i+1, j+1] + b = -5 + 0.5 everywhere (a flipped filter, true convolution, gives +5.5).
    X = np.arange(16.0).reshape(1, 1, 4, 4)
    Z, _ = impl.conv2d_forward(X, np.array([[[[1.0, 0.0], [0.0, -1.0]]]]), np.array([0.5]))
    np.testing.assert_array_equal(Z, np.full((1, 1, 3, 3), -4.5))


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_conv_padding_and_stride_by_hand(impl):
    # A 1x1 all-ones filter with pad 1 and stride 2 on a 3x3 image samples the padded 5x5 image at rows
    # and columns 0, 2, 4: the corners are padding (0) and the centre is x[1, 1].
    X = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    Z, _ = impl.conv2d_forward(X, np.ones((1, 1, 1, 1)), np.zeros(1), stride=2, pad=1)
    np.testing.assert_array_equal(Z[0, 0], [[0, 0, 0], [0, 5, 0], [0, 0, 0]])


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_conv_backward_hand_example(impl):
    # 3x3 image, 2x2 filter of ones, dZ = 1 everywhere: dW[p, q] = sum of the 2x2 sub-image at (p, q),
    # db = 4, and dX[h, w] counts the windows covering (h, w): [[1, 2, 1], [2, 4, 2], [1, 2, 1]].
    X = np.arange(9.0).reshape(1, 1, 3, 3)
    _, cache = impl.conv2d_forward(X, np.ones((1, 1, 2, 2)), np.zeros(1))
    dX, dW, db = impl.conv2d_backward(np.ones((1, 1, 2, 2)), cache)
    np.testing.assert_array_equal(dW[0, 0], [[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]])
    np.testing.assert_array_equal(db, [4.0])
    np.testing.assert_array_equal(dX[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


# ---------------------------------------------------------------- convolution, loops == vectorized == finite differences


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_loops_equal_vectorized(case):
    rng, X, Wt, b, s, p = _conv_inputs(case)
    Z1, c1 = vec.conv2d_forward(X, Wt, b, s, p)
    Z2, c2 = loops.conv2d_forward(X, Wt, b, s, p)
    assert relative_error(Z1, Z2) < SAME_TOL
    G = rng.standard_normal(Z1.shape)
    for a, c in zip(vec.conv2d_backward(G, c1), loops.conv2d_backward(G, c2), strict=True):
        assert a.shape == c.shape
        assert relative_error(a, c) < SAME_TOL


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_backward_matches_finite_differences(impl, case):
    rng, X, Wt, b, s, p = _conv_inputs(case, seed=1)
    Z, cache = impl.conv2d_forward(X, Wt, b, s, p)
    G = rng.standard_normal(Z.shape)  # random upstream gradient: loss = sum(G * Z)
    dX, dW, db = impl.conv2d_backward(G, cache)
    nX = numerical_gradient(lambda x: float(np.sum(G * impl.conv2d_forward(x, Wt, b, s, p)[0])), X)
    nW = numerical_gradient(lambda w: float(np.sum(G * impl.conv2d_forward(X, w, b, s, p)[0])), Wt)
    nb = numerical_gradient(lambda v: float(np.sum(G * impl.conv2d_forward(X, Wt, v, s, p)[0])), b)
    assert relative_error(dX, nX) < GRAD_TOL
    assert relative_error(dW, nW) < GRAD_TOL
    assert relative_error(db, nb) < GRAD_TOL


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_conv_backward_does_not_modify_inputs(impl):
    rng, X, Wt, b, s, p = _conv_inputs(CONV_CASES[1])
    Z, cache = impl.conv2d_forward(X, Wt, b, s, p)
    G = rng.standard_normal(Z.shape)
    copies = [a.copy() for a in (X, Wt, b, G)]
    impl.conv2d_backward(G, cache)
    for before, after in zip(copies, (X, Wt, b, G), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(cache.X, X)


conv_shapes = st.tuples(
    st.integers(1, 2), st.integers(1, 2), st.integers(3, 7), st.integers(3, 7),  # m, C, H, W
    st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2),  # F kh kw s p
)


@settings(max_examples=40, deadline=None)
@given(conv_shapes, st.integers(0, 2**32 - 1))
def test_property_conv_loops_equal_vectorized_whenever_shapes_fit(shape, seed):
    m, C, H, W, F, kh, kw, s, p = shape
    rng = np.random.default_rng(seed)
    X, Wt, b = rng.standard_normal((m, C, H, W)), rng.standard_normal((F, C, kh, kw)), rng.standard_normal(F)
    whole = (H + 2 * p - kh) % s == 0 and (W + 2 * p - kw) % s == 0
    if not whole:  # both must refuse, with the same message
        with pytest.raises(ShapeError, match="not a whole number") as e1:
            vec.conv2d_forward(X, Wt, b, s, p)
        with pytest.raises(ShapeError, match="not a whole number") as e2:
            loops.conv2d_forward(X, Wt, b, s, p)
        assert str(e1.value) == str(e2.value)
        return
    Z1, c1 = vec.conv2d_forward(X, Wt, b, s, p)
    Z2, c2 = loops.conv2d_forward(X, Wt, b, s, p)
    assert Z1.shape == (m, F, (H + 2 * p - kh) // s + 1, (W + 2 * p - kw) // s + 1)
    assert relative_error(Z1, Z2) < SAME_TOL
    G = rng.standard_normal(Z1.shape)
    g1, g2 = vec.conv2d_backward(G, c1), loops.conv2d_backward(G, c2)
    for a, c, like in zip(g1, g2, (X, Wt, b), strict=True):
        assert a.shape == like.shape  # every gradient has its input's shape
        assert relative_error(a, c) < SAME_TOL


# ---------------------------------------------------------------- max pooling


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_maxpool_hand_example_with_ties(impl):
    # Window (0,0) = [[0.7, 0.7], [0.2, 0.7]]: a three-way tie, the first in row-major order is (0, 0).
    # Window (0,1) = [[0.1, 0.9], [0.9, 0.3]]: a tie between (0, 1) and (1, 0); the first is (0, 1).
    A = np.array([[[[0.7, 0.7, 0.1, 0.9], [0.2, 0.7, 0.9, 0.3]]]])
    P, cache = impl.maxpool2d_forward(A, 2, 2)
    np.testing.assert_array_equal(P, [[[[0.7, 0.9]]]])
    dA = impl.maxpool2d_backward(np.array([[[[2.0, -3.0]]]]), cache)
    np.testing.assert_array_equal(dA, [[[[2.0, 0.0, 0.0, -3.0], [0.0, 0.0, 0.0, 0.0]]]])


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_maxpool_all_equal_window_sends_everything_to_the_top_left(impl):
    P, cache = impl.maxpool2d_forward(np.zeros((1, 1, 3, 3)), 3, 3)
    dA = impl.maxpool2d_backward(np.array([[[[5.0]]]]), cache)
    expected = np.zeros((1, 1, 3, 3))
    expected[0, 0, 0, 0] = 5.0
    np.testing.assert_array_equal(dA, expected)


POOL_CASES = [((1, 1, 4, 4), 2, 2), ((2, 3, 6, 6), 2, 2), ((2, 2, 5, 5), 3, 1), ((1, 2, 7, 5), 3, 2), ((2, 1, 6, 6), 3, 3)]


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
@pytest.mark.parametrize("shape,size,stride", POOL_CASES)
def test_maxpool_backward_matches_finite_differences(impl, shape, size, stride):
    rng = np.random.default_rng(2)
    A = _separated(rng, shape)
    P, cache = impl.maxpool2d_forward(A, size, stride)
    G = rng.standard_normal(P.shape)
    dA = impl.maxpool2d_backward(G, cache)
    num = numerical_gradient(lambda a: float(np.sum(G * impl.maxpool2d_forward(a, size, stride)[0])), A)
    assert relative_error(dA, num) < GRAD_TOL


@settings(max_examples=40, deadline=None)
@given(
    st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(2, 7), st.integers(2, 7)),
    st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**32 - 1), st.booleans(),
)
def test_property_maxpool_loops_equal_vectorized(shape, size, stride, seed, coarse):
    rng = np.random.default_rng(seed)
    # coarse values (few distinct levels) make ties common; fine ones make them rare
    A = rng.integers(0, 3, size=shape).astype(float) if coarse else rng.standard_normal(shape)
    H, W = shape[2:]
    if size > min(H, W) or (H - size) % stride or (W - size) % stride:
        with pytest.raises(ShapeError, match="maxpool2d_forward"):
            vec.maxpool2d_forward(A, size, stride)
        with pytest.raises(ShapeError, match="maxpool2d_forward"):
            loops.maxpool2d_forward(A, size, stride)
        return
    P1, c1 = vec.maxpool2d_forward(A, size, stride)
    P2, c2 = loops.maxpool2d_forward(A, size, stride)
    np.testing.assert_array_equal(P1, P2)
    G = rng.standard_normal(P1.shape)
    A_before, G_before = A.copy(), G.copy()
    dA1, dA2 = vec.maxpool2d_backward(G, c1), loops.maxpool2d_backward(G, c2)
    assert dA1.shape == A.shape
    np.testing.assert_array_equal(A, A_before)  # inputs are not modified
    np.testing.assert_array_equal(G, G_before)
    assert relative_error(dA1, dA2) < SAME_TOL
    # each window hands its whole gradient to exactly one entry, so the totals agree (any stride)
    assert abs(dA1.sum() - G.sum()) < SAME_TOL * (1 + np.abs(G).sum())
    if stride >= size:  # non-overlapping: every nonzero of dA is one window's gradient
        assert np.count_nonzero(dA1) == np.count_nonzero(G)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_conv_errors(impl):
    X, Wt, b = np.zeros((2, 3, 6, 6)), np.zeros((4, 3, 3, 3)), np.zeros(4)
    with pytest.raises(ShapeError, match=r"conv2d_forward: output height .*\(6 \+ 2\*0 - 3\)/2 \+ 1 = 2.5 is not a whole"):
        impl.conv2d_forward(X, Wt, b, stride=2)
    with pytest.raises(ShapeError, match=r"output width .* is not a whole number"):
        impl.conv2d_forward(np.zeros((2, 3, 7, 6)), Wt, b, stride=2)
    with pytest.raises(ShapeError, match=r"window \(3\) is larger than the padded input \(2 \+ 2\*0 = 2\)"):
        impl.conv2d_forward(np.zeros((1, 3, 2, 6)), Wt, b)
    with pytest.raises(ShapeError, match=r"W has 2 input channels but X has 3"):
        impl.conv2d_forward(X, np.zeros((4, 2, 3, 3)), b)
    with pytest.raises(ShapeError, match=r"b must be \(F,\) = \(4,\), one bias per filter"):
        impl.conv2d_forward(X, Wt, np.zeros(3))
    with pytest.raises(ShapeError, match=r"b must have 1 dimension but has 2 \(b \(4, 1\)\)"):
        impl.conv2d_forward(X, Wt, np.zeros((4, 1)))
    with pytest.raises(ShapeError, match=r"X must have 4 dimensions but has 3"):
        impl.conv2d_forward(np.zeros((3, 6, 6)), Wt, b)
    with pytest.raises(ShapeError, match=r"stride must be an integer >= 1 \(got 0\)"):
        impl.conv2d_forward(X, Wt, b, stride=0)
    with pytest.raises(ShapeError, match=r"stride must be an integer >= 1 \(got 1.5\)"):
        impl.conv2d_forward(X, Wt, b, stride=1.5)
    with pytest.raises(ShapeError, match=r"pad must be an integer >= 0 \(got -1\)"):
        impl.conv2d_forward(X, Wt, b, pad=-1)
    bad = Wt.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ShapeError, match=r"conv2d_forward: W contains 1 NaN"):
        impl.conv2d_forward(X, bad, b)
    _, cache = impl.conv2d_forward(X, Wt, b)
    with pytest.raises(ShapeError, match=r"conv2d_backward: dZ must have the shape of the forward output \(2, 4, 4, 4\)"):
        impl.conv2d_backward(np.zeros((2, 4, 3, 3)), cache)


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_maxpool_errors(impl):
    with pytest.raises(ShapeError, match=r"maxpool2d_forward: output height .*\(5 \+ 2\*0 - 2\)/2 \+ 1 = 2.5"):
        impl.maxpool2d_forward(np.zeros((1, 1, 5, 4)), 2, 2)
    with pytest.raises(ShapeError, match=r"maxpool2d_forward: the height window \(3\) is larger"):
        impl.maxpool2d_forward(np.zeros((1, 1, 2, 4)), 3, 1)
    with pytest.raises(ShapeError, match=r"A must have 4 dimensions but has 2"):
        impl.maxpool2d_forward(np.zeros((4, 4)))
    with pytest.raises(ShapeError, match=r"size must be an integer >= 1 \(got 0\)"):
        impl.maxpool2d_forward(np.zeros((1, 1, 4, 4)), 0)
    with pytest.raises(ShapeError, match=r"A contains 1 NaN"):
        impl.maxpool2d_forward(np.array([[[[np.nan, 0.0], [0.0, 0.0]]]]))
    _, cache = impl.maxpool2d_forward(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ShapeError, match=r"maxpool2d_backward: dP must have the shape of the forward output \(1, 1, 2, 2\)"):
        impl.maxpool2d_backward(np.zeros((1, 1, 4, 4)), cache)


# ---------------------------------------------------------------- the seed's network


@pytest.mark.parametrize("m", [1, 4])
def test_cnn_gradients_match_finite_differences(m):
    data = make_digits(2, seed=5)
    X, y = data.X[:m], data.y[:m]
    params = init_cnn(seed=3, scale=1.0)
    params = params._replace(bF=np.array([0.1, -0.2, 0.3]), bO=np.array([[0.05], [-0.1], [0.2]]))
    _, grads = cnn_loss_and_grads(params, X, y)
    for name in CNNParams._fields:
        def loss_of(v, name=name):
            return cnn_loss_and_grads(params._replace(**{name: v}), X, y)[0]
        num = numerical_gradient(loss_of, getattr(params, name))
        assert relative_error(getattr(grads, name), num) < GRAD_TOL, name


def test_cnn_learns_the_training_set():
    data = make_digits(8, seed=11)
    result = train_cnn(init_cnn(0), data.X, data.y, lr=4.0, epochs=600)
    assert result.losses[-1] < result.losses[0]
    np.testing.assert_array_equal(predict(result.params, data.X), data.y)


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0])), [[0, 1], [0, 0], [1, 0]])
    with pytest.raises(ShapeError, match=r"one_hot: y must be integer labels"):
        one_hot(np.array([0, 3]))


def test_cnn_errors_name_the_network_and_its_rule():
    params, data = init_cnn(0), make_digits(2, seed=0)
    for bad in (np.zeros((2, 1, 5, 5)), np.zeros((2, 1, 8, 8)), np.zeros((2, 2, 6, 6))):
        with pytest.raises(ShapeError, match=r"predict: .* X must be \(m, 1, 6, 6\)"):
            predict(params, bad)
    with pytest.raises(ShapeError, match=r"cnn_loss_and_grads: y must hold one label per image, shape \(m,\) = \(6,\)"):
        cnn_loss_and_grads(params, data.X, data.y[:3])
    with pytest.raises(ShapeError, match=r"train_cnn: y must hold one label per image, .* \(y \(6, 1\)\)"):
        train_cnn(params, data.X, data.y[:, None], epochs=1)


def test_loops_do_not_call_the_vectorized_functions(monkeypatch):
    # The loop module may borrow only the argument checks from dlmath.conv, never a computation:
    # otherwise "loops == vectorized" would compare a function with itself.
    borrowed = {name for name, obj in vars(loops).items() if getattr(obj, "__module__", None) == vec.__name__}
    assert borrowed == {"check_conv_args", "check_pool_args", "check_upstream"}

    # and with every vectorized computation broken, the loops still run
    def broken(*args, **kwargs):
        raise AssertionError("a loop version called the vectorized code")

    for name in ("conv2d_forward", "conv2d_backward", "maxpool2d_forward", "maxpool2d_backward"):
        assert getattr(loops, name).__module__ == loops.__name__
        monkeypatch.setattr(vec, name, broken)
    monkeypatch.setattr(vec, "sliding_window_view", broken)
    rng, X, Wt, b, s, p = _conv_inputs(CONV_CASES[1])
    Z, cache = loops.conv2d_forward(X, Wt, b, s, p)
    loops.conv2d_backward(rng.standard_normal(Z.shape), cache)
    P, pcache = loops.maxpool2d_forward(X, 3, 2)
    loops.maxpool2d_backward(rng.standard_normal(P.shape), pcache)


def test_conv_output_size_by_hand_and_its_errors():
    # (28 + 2*1 - 4)/2 + 1 = 14 and (6 - 3)/1 + 1 = 4, the seed's feature-map side
    assert vec.conv_output_size("f", "height", 28, 4, 2, 1) == 14
    assert vec.conv_output_size("f", "height", 6, 3, 1, 0) == 4
    with pytest.raises(ShapeError, match=r"f: stride must be an integer >= 1 \(got 0\)"):
        vec.conv_output_size("f", "height", 6, 3, 0, 0)
    with pytest.raises(ShapeError, match=r"f: pad must be an integer >= 0 \(got -2\)"):
        vec.conv_output_size("f", "height", 6, 3, 1, -2)
    with pytest.raises(ShapeError, match=r"conv2d_forward: width of the window must be an integer >= 1 \(got 0\)"):
        vec.conv2d_forward(np.zeros((1, 1, 6, 6)), np.zeros((2, 1, 3, 0)), np.zeros(2))


# ---- issue 15: the CNN chapter's helpers check their own arguments --------------------------------------------


def test_cnn_helpers_refuse_bad_arguments_by_name():
    params, data = init_cnn(0), make_digits(2, seed=0)
    for bad in (None, {"WF": 1}, [1, 2]):
        with pytest.raises(ShapeError, match=r"^predict: params must be CNNParams\(WF, bF, WO, bO\) from init_cnn"):
            predict(bad, data.X)
    with pytest.raises(ShapeError, match=r"^cnn_loss_and_grads: X holds no images \(X \(0, 1, 6, 6\)\)"):
        cnn_loss_and_grads(params, data.X[:0], data.y[:0])
    for kw, match in (({"n_filters": 0}, "n_filters must be an integer >= 1"), ({"n_filters": 2.5}, "n_filters"),
                      ({"scale": float("nan")}, "scale must be a finite real number > 0"), ({"seed": -1}, "seed")):
        with pytest.raises(ShapeError, match=rf"^init_cnn: {match}"):
            init_cnn(**kw)
    with pytest.raises(ShapeError, match=r"^one_hot: k \(the number of classes\) must be an integer >= 1 \(got 2.5\)"):
        one_hot(np.array([0, 1]), k=2.5)
    for epochs in (-1, 2.5, None):
        with pytest.raises(ShapeError, match=r"^train_cnn: epochs must be a whole number >= 0"):
            train_cnn(params, data.X, data.y, epochs=epochs)
    with pytest.raises(ShapeError, match=r"^train_cnn: the learning rate must be a finite number >= 0 \(lr -1\)"):
        train_cnn(params, data.X, data.y, lr=-1, epochs=3)
    with pytest.raises(ShapeError, match=r"^train_cnn: y must hold one label per image"):
        train_cnn(params, data.X, data.y[:3], epochs=0)  # epochs = 0 still checks y


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_a_pooling_backward_refuses_a_convolution_cache(impl):
    _, conv_cache = impl.conv2d_forward(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), np.zeros(1))
    with pytest.raises(ShapeError, match=r"^maxpool2d_backward: cache: expected the (Loop|MaxPool2d)\w*Cache from .*"
                                         r"maxpool2d_forward, got a (Loop)?Conv\w*Cache from .*conv2d_forward"):
        impl.maxpool2d_backward(np.ones((1, 1, 2, 2)), conv_cache)
