"""Average and L2 pooling: by hand, loops == vectorized, finite differences, properties, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import small_floats

from dlmath import ShapeError, numerical_gradient, relative_error
from dlmath import conv as conv_vec
from dlmath import pool as vec
from dlmath import pool_loops as loops

# Average pooling is linear, so central differences are exact up to rounding (~1e-10 relative); the L2
# norm is smooth away from 0 and the inputs below keep every |entry| >= 0.5, so its third derivative is
# small and the O(eps^2) truncation error is ~1e-10 too.  1e-7 is the usual bar for smooth functions.
GRAD_TOL = 1e-7
# Loop and vectorized versions add the same numbers in different orders (and the vectorized L2 norm
# rescales by the window's largest entry): they differ by a few ulps of the result.
SAME_TOL = 1e-12
IMPLS = [vec, loops]
IDS = ["vectorized", "loops"]
KINDS = ["avgpool2d", "l2pool2d"]

# (m, C, H, W, size, stride): tiling, overlapping (stride < size), non-tiling (rows/columns left over),
# stride > size (gaps between windows), a batch of one, a 1x1 window.
CASES = [
    (2, 3, 6, 6, 2, 2),
    (1, 2, 5, 6, 3, 1),
    (2, 1, 7, 8, 3, 2),
    (1, 1, 7, 5, 2, 3),
    (1, 2, 4, 4, 4, 1),
    (2, 2, 3, 3, 1, 1),
]


def _fns(impl, kind):
    return getattr(impl, f"{kind}_forward"), getattr(impl, f"{kind}_backward")


def _away_from_zero(rng, shape):
    """Entries with 0.5 <= |a| <= 2 and random signs: every window's norm is >= 0.5 (far from the kink at 0)."""
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


# ---------------------------------------------------------------- by hand

# The 4x4 example, size 2, stride 2 (four windows; the bottom-left one is all zero):
#   A = [[3, 4 | 1, -2],      window sums      squared sums           norms
#        [0, 0 | 2,  4],      TL 3+4 = 7       9+16 = 25              5
#        [0, 0 | 6,  0],      TR 1-2+2+4 = 5   1+4+4+16 = 25          5
#        [0, 0 | 0, -8]]      BL 0, BR 6-8=-2  BL 0, BR 36+64 = 100   0, 10
# average = sums/4 = [[1.75, 1.25], [0, -0.5]];  L2 = [[5, 5], [0, 10]].
# Upstream G = [[2, -1], [3, 0.5]].
#   average: every entry of window (i, j) gets G[i, j]/4: 0.5 (TL), -0.25 (TR), 0.75 (BL), 0.125 (BR).
#   L2: entry a of window (i, j) gets G[i, j] * a / norm:
#     TL 2*[3, 4, 0, 0]/5 = [1.2, 1.6, 0, 0];  TR -1*[1, -2, 2, 4]/5 = [-0.2, 0.4, -0.4, -0.8];
#     BL all-zero window -> 0 (the zero subgradient);  BR 0.5*[6, 0, 0, -8]/10 = [0.3, 0, 0, -0.4].
HAND_A = np.array([[[[3.0, 4, 1, -2], [0, 0, 2, 4], [0, 0, 6, 0], [0, 0, 0, -8]]]])
HAND_G = np.array([[[[2.0, -1], [3, 0.5]]]])
HAND = {
    "avgpool2d": (
        [[1.75, 1.25], [0, -0.5]],
        [[0.5, 0.5, -0.25, -0.25], [0.5, 0.5, -0.25, -0.25], [0.75, 0.75, 0.125, 0.125], [0.75, 0.75, 0.125, 0.125]],
    ),
    "l2pool2d": (
        [[5, 5], [0, 10]],
        [[1.2, 1.6, -0.2, 0.4], [0, 0, -0.4, -0.8], [0, 0, 0.3, 0], [0, 0, 0, -0.4]],
    ),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_hand_worked_4x4(impl, kind):
    forward, backward = _fns(impl, kind)
    P, cache = forward(HAND_A, 2, 2)
    expected_P, expected_dA = HAND[kind]
    np.testing.assert_allclose(P[0, 0], expected_P, rtol=SAME_TOL, atol=0)
    np.testing.assert_allclose(backward(HAND_G, cache)[0, 0], expected_dA, rtol=SAME_TOL, atol=1e-15)


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_non_tiling_window_leaves_the_last_row_and_column_out(impl):
    # size 3, stride 2 on 4x4: floor((4 - 3)/2) + 1 = 1 window (rows/columns 0..2), row 3 and column 3 are
    # in no window.  Top-left 3x3 of HAND_A: sum 3+4+1+0+0+2+0+0+6 = 16, squares 9+16+1+4+36 = 66.
    A = HAND_A.copy()
    A[0, 0, 3, :] = 7.0  # values in the leftover row/column change nothing
    A[0, 0, :, 3] = -9.0
    P, cache = impl.avgpool2d_forward(A, 3, 2)
    np.testing.assert_allclose(P, [[[[16 / 9]]]], rtol=SAME_TOL)
    dA = impl.avgpool2d_backward(np.array([[[[4.5]]]]), cache)
    np.testing.assert_allclose(dA[0, 0, :3, :3], np.full((3, 3), 0.5), rtol=SAME_TOL)  # 4.5 / 9
    assert not dA[0, 0, 3, :].any() and not dA[0, 0, :, 3].any()
    P, cache = impl.l2pool2d_forward(A, 3, 2)
    np.testing.assert_allclose(P, [[[[np.sqrt(66)]]]], rtol=SAME_TOL)
    dA = impl.l2pool2d_backward(np.array([[[[2.0]]]]), cache)
    np.testing.assert_allclose(dA[0, 0, :3, :3], 2 * HAND_A[0, 0, :3, :3] / np.sqrt(66), rtol=SAME_TOL)
    assert not dA[0, 0, 3, :].any() and not dA[0, 0, :, 3].any()


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_overlapping_average_by_hand(impl):
    # 2x3 image, size 2, stride 1: two windows sharing column 1.  Averages (1+2+4+5)/4 = 3 and
    # (2+3+5+6)/4 = 4; with G = [g1, g2] = [4, 8], column 0 gets g1/4 = 1, column 1 gets (g1 + g2)/4 = 3,
    # column 2 gets g2/4 = 2.
    P, cache = impl.avgpool2d_forward(np.array([[[[1.0, 2, 3], [4, 5, 6]]]]), 2, 1)
    np.testing.assert_allclose(P, [[[[3.0, 4.0]]]], rtol=SAME_TOL)
    np.testing.assert_allclose(impl.avgpool2d_backward(np.array([[[[4.0, 8.0]]]]), cache), [[[[1, 3, 2], [1, 3, 2]]]])


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_one_by_one_window_is_identity_and_absolute_value(impl):
    A = np.array([[[[-2.0, 0.0], [3.0, 0.5]]]])
    G = np.array([[[[1.5, 7.0], [-2.0, 4.0]]]])
    P, cache = impl.avgpool2d_forward(A, 1, 1)
    np.testing.assert_array_equal(P, A)
    np.testing.assert_array_equal(impl.avgpool2d_backward(G, cache), G)
    P, cache = impl.l2pool2d_forward(A, 1, 1)
    np.testing.assert_array_equal(P, np.abs(A))
    # d|a|/da = sign(a); at a = 0 the zero-subgradient convention gives 0
    np.testing.assert_array_equal(impl.l2pool2d_backward(G, cache), [[[[-1.5, 0.0], [-2.0, 4.0]]]])


# ---------------------------------------------------------------- the all-zero L2 window


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_l2_all_zero_window_gets_the_zero_subgradient_without_warnings(impl):
    # An all-zero window has norm 0 and no derivative: it sends nothing back.  Case 1: every window is zero.
    # Case 2: a 2x5 image, zero except column 2 = [3, 4]; size 2, stride 1 gives windows at columns 0-1
    # (zero), 1-2 and 2-3 (norm 5 each) and 3-4 (zero), so zero and non-zero windows overlap.
    A2 = np.zeros((1, 1, 2, 5))
    A2[0, 0, :, 2] = [3.0, 4.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a 0/0 or x/0 would warn; it must not happen
        P, cache = impl.l2pool2d_forward(np.zeros((1, 1, 4, 4)), 2, 2)
        np.testing.assert_array_equal(P, np.zeros((1, 1, 2, 2)))
        np.testing.assert_array_equal(impl.l2pool2d_backward(np.full((1, 1, 2, 2), 3.0), cache), np.zeros((1, 1, 4, 4)))
        P, cache = impl.l2pool2d_forward(A2, 2, 1)
        np.testing.assert_allclose(P[0, 0, 0], [0, 5, 5, 0], rtol=SAME_TOL)
        dA = impl.l2pool2d_backward(np.array([[[[10.0, 1.0, 2.0, 10.0]]]]), cache)
    # column 2 gets (1 + 2) * [3, 4]/5 from the two non-zero windows and nothing from the zero ones
    np.testing.assert_allclose(dA[0, 0, :, 2], [1.8, 2.4], rtol=SAME_TOL)
    assert not np.delete(dA, 2, axis=3).any()
    assert np.all(np.isfinite(dA))


def test_l2_norm_neither_overflows_nor_underflows():
    # Squaring first would give inf for 3e200 and 0 for 3e-200; the rescaled norm gives 5e200 and 5e-200,
    # and the gradient [3, 4]/5 = [0.6, 0.8] at both scales.
    for scale in (1e200, 1e-200):
        A = np.array([[[[3.0, 4.0], [0.0, 0.0]]]]) * scale
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            P, cache = vec.l2pool2d_forward(A, 2, 2)
            dA = vec.l2pool2d_backward(np.ones((1, 1, 1, 1)), cache)
        np.testing.assert_allclose(P, [[[[5 * scale]]]], rtol=SAME_TOL)
        np.testing.assert_allclose(dA, [[[[0.6, 0.8], [0.0, 0.0]]]], rtol=SAME_TOL)


@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_average_of_huge_entries_does_not_overflow(impl):
    # 4 * 1.5e308 overflows, but the mean of four entries equal to 1.5e308 is 1.5e308: each term is divided first.
    P, _ = impl.avgpool2d_forward(np.full((1, 1, 2, 2), 1.5e308), 2, 2)
    np.testing.assert_allclose(P, [[[[1.5e308]]]], rtol=SAME_TOL)


def test_l2_norm_that_overflows_is_refused():
    # the norm of four entries of 1e308 is 2e308, above the largest float64 (1.8e308)
    with pytest.raises(ShapeError, match=r"l2pool2d_forward: a window's norm overflows float64 \(largest \|a\| = 1e\+308\)"):
        vec.l2pool2d_forward(np.full((1, 1, 2, 2), 1e308), 2, 2)
    with pytest.raises(ShapeError, match=r"l2pool2d_forward: this loop version squares first, so \|a\| must stay below 1e150"):
        loops.l2pool2d_forward(np.full((1, 1, 2, 2), 1e200), 2, 2)


# ---------------------------------------------------------------- finite differences, loops == vectorized


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_backward_matches_finite_differences(impl, kind, case):
    m, C, H, W, k, s = case
    rng = np.random.default_rng(sum(case))
    A = _away_from_zero(rng, (m, C, H, W))
    forward, backward = _fns(impl, kind)
    P, cache = forward(A, k, s)
    G = rng.standard_normal(P.shape)  # a random upstream gradient, never all ones
    num = numerical_gradient(lambda a: float(np.sum(G * forward(a, k, s)[0])), A)
    assert relative_error(backward(G, cache), num) < GRAD_TOL


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", KINDS)
def test_loops_equal_vectorized_on_the_cases(kind, case):
    m, C, H, W, k, s = case
    rng = np.random.default_rng(7)
    A = rng.standard_normal((m, C, H, W))
    (vf, vb), (lf, lb) = _fns(vec, kind), _fns(loops, kind)
    (P, vcache), (Q, lcache) = vf(A, k, s), lf(A, k, s)
    assert P.shape == (m, C, (H - k) // s + 1, (W - k) // s + 1)
    np.testing.assert_allclose(P, Q, rtol=SAME_TOL, atol=1e-15)
    G = rng.standard_normal(P.shape)
    np.testing.assert_allclose(vb(G, vcache), lb(G, lcache), rtol=SAME_TOL, atol=1e-15)


pool_shapes = st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 7), st.integers(1, 7))
# The loops' textbook sqrt(sum a^2) underflows to 0 for |a| below ~1e-154 (a^2 below the smallest float),
# where dlmath.pool's rescaled norm does not (test_l2_norm_neither_overflows_nor_underflows): the oracle is
# only fed values it computes correctly, zeros (all-zero windows) included.
oracle_floats = small_floats.map(lambda x: x if abs(x) > 1e-100 else 0.0)


@settings(max_examples=40, deadline=None)
@given(pool_shapes.flatmap(lambda sh: arrays(np.float64, sh, elements=oracle_floats)), st.integers(1, 4),
       st.integers(1, 4), st.sampled_from(KINDS), st.integers(0, 2**32 - 1))
def test_property_loops_equal_vectorized(A, size, stride, kind, seed):
    # hypothesis draws zeros freely, so all-zero L2 windows (and partly-zero ones) are compared here too
    (vf, vb), (lf, lb) = _fns(vec, kind), _fns(loops, kind)
    if size > min(A.shape[2:]):
        with pytest.raises(ShapeError, match=f"{kind}_forward: the .* window \\({size}\\) is larger"):
            vf(A, size, stride)
        with pytest.raises(ShapeError, match=f"{kind}_forward: the .* window \\({size}\\) is larger"):
            lf(A, size, stride)
        return
    A0 = A.copy()
    (P, vcache), (Q, lcache) = vf(A, size, stride), lf(A, size, stride)
    np.testing.assert_allclose(P, Q, rtol=SAME_TOL, atol=1e-12)
    G = np.random.default_rng(seed).standard_normal(P.shape)
    G0 = G.copy()
    dA = vb(G, vcache)
    np.testing.assert_allclose(dA, lb(G, lcache), rtol=SAME_TOL, atol=1e-12)
    assert dA.shape == A.shape
    np.testing.assert_array_equal(A, A0)  # inputs are never modified
    np.testing.assert_array_equal(G, G0)
    # rows/columns in no window get zero gradient
    Ho, Wo = P.shape[2:]
    assert not dA[:, :, stride * (Ho - 1) + size :, :].any()
    assert not dA[:, :, :, stride * (Wo - 1) + size :].any()


# ---------------------------------------------------------------- properties


def _coverage(n, k, s, n_out):
    """How many windows cover each index along one axis: #{i < n_out : s i <= h < s i + k}."""
    return np.array([sum(s * i <= h < s * i + k for i in range(n_out)) for h in range(n)], dtype=float)


@settings(max_examples=40, deadline=None)
@given(pool_shapes, st.integers(1, 3), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_property_average_gradient_distributes_exactly_G(shape, size, stride, seed):
    if size > min(shape[2:]):
        return
    rng = np.random.default_rng(seed)
    P, cache = vec.avgpool2d_forward(rng.standard_normal(shape), size, stride)
    G = rng.standard_normal(P.shape)
    dA = vec.avgpool2d_backward(G, cache)
    # Each window hands out exactly its G[i, j] (k^2 shares of G[i, j]/k^2), overlapping or not, and the
    # leftover rows/columns get nothing: the total of dA is the total of G, per image and channel.
    np.testing.assert_allclose(dA.sum(axis=(2, 3)), G.sum(axis=(2, 3)), rtol=1e-12, atol=1e-12)
    Ho, Wo = P.shape[2:]
    if stride >= size:
        # Disjoint windows: window (i, j) of dA is the constant G[i, j]/k^2, so it sums to G[i, j].
        for i in range(Ho):
            for j in range(Wo):
                block = dA[:, :, stride * i : stride * i + size, stride * j : stride * j + size]
                np.testing.assert_allclose(block, np.broadcast_to((G[:, :, i, j] / size**2)[:, :, None, None], block.shape))
    else:
        # Overlapping windows: a window of dA also holds its neighbours' shares, so it does NOT sum to its
        # own G[i, j].  What holds is dA[h, w] = (sum of G over the windows covering (h, w)) / k^2; with
        # G = 1 that is k^2 dA = (row coverage) x (column coverage), counted independently here.
        ones = vec.avgpool2d_backward(np.ones(P.shape), cache) * size**2
        cover = np.outer(_coverage(shape[2], size, stride, Ho), _coverage(shape[3], size, stride, Wo))
        np.testing.assert_allclose(ones, np.broadcast_to(cover, shape), rtol=1e-12)


def test_average_pooling_equals_a_convolution_with_a_constant_filter():
    # avg pool of each channel = conv of that channel alone with the filter 1/k^2 (dlmath.conv as the oracle);
    # a tiling case, since the convolution refuses a non-whole output size.
    rng = np.random.default_rng(3)
    A = rng.standard_normal((2, 3, 7, 7))
    P, cache = vec.avgpool2d_forward(A, 3, 2)
    Z, zcache = conv_vec.conv2d_forward(A.reshape(6, 1, 7, 7), np.full((1, 1, 3, 3), 1 / 9), np.zeros(1), stride=2)
    np.testing.assert_allclose(P, Z.reshape(P.shape), rtol=SAME_TOL)
    G = rng.standard_normal(P.shape)
    dX, _, _ = conv_vec.conv2d_backward(G.reshape(Z.shape), zcache)
    np.testing.assert_allclose(vec.avgpool2d_backward(G, cache), dX.reshape(A.shape), rtol=SAME_TOL, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(pool_shapes.flatmap(lambda sh: arrays(np.float64, sh, elements=oracle_floats)), st.integers(1, 3),
       st.integers(1, 3), st.floats(0.01, 100.0), st.integers(0, 2**32 - 1))
def test_property_l2_homogeneity(A, size, stride, c, seed):
    # (oracle_floats: a subnormal entry times c could round to 0 and change the input itself)
    if size > min(A.shape[2:]):
        return
    P, cache = vec.l2pool2d_forward(A, size, stride)
    G = np.random.default_rng(seed).standard_normal(P.shape)
    dA = vec.l2pool2d_backward(G, cache)
    # A norm is absolutely homogeneous of degree 1: P(cA) = |c| P(A) for c > 0 and for -c.
    for factor in (c, -c):
        Pc, cache_c = vec.l2pool2d_forward(factor * A, size, stride)
        np.testing.assert_allclose(Pc, c * P, rtol=1e-12, atol=1e-300)
        # so its gradient a/||w|| is homogeneous of degree 0: invariant to c > 0, sign-flipped by -c
        np.testing.assert_allclose(vec.l2pool2d_backward(G, cache_c), np.sign(factor) * dA, rtol=1e-12, atol=1e-14)
    # Euler's theorem for a degree-1 function: sum over pixels of a * dL/da = sum over windows of G * P
    # (all-zero windows add 0 on both sides, so it holds with the zero-subgradient convention too).
    np.testing.assert_allclose(np.sum(A * dA), np.sum(G * P), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- errors and module hygiene


def test_pool_output_size_by_hand_and_its_errors():
    assert vec.pool_output_size("f", "height", 7, 3, 2) == 3  # (7 - 3)/2 + 1, whole
    assert vec.pool_output_size("f", "height", 6, 4, 3) == 1  # floor(2/3) + 1
    assert vec.pool_output_size("f", "width", 5, 2, 2) == 2  # floor(3/2) + 1: column 4 is left over
    assert vec.pool_output_size("f", "width", 5, 5, 9) == 1
    with pytest.raises(ShapeError, match=r"f: the width window \(6\) is larger than the input width \(5\)"):
        vec.pool_output_size("f", "width", 5, 6, 1)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("impl", IMPLS, ids=IDS)
def test_errors_name_the_function_and_the_rule(impl, kind):
    forward, backward = _fns(impl, kind)
    f = f"{kind}_forward"
    with pytest.raises(ShapeError, match=rf"{f}: A must have 4 dimensions but has 3 \(A \(1, 4, 4\)\)"):
        forward(np.zeros((1, 4, 4)))
    with pytest.raises(ShapeError, match=rf"{f}: the height window \(3\) is larger than the input height \(2\)"):
        forward(np.zeros((1, 1, 2, 4)), 3, 1)
    with pytest.raises(ShapeError, match=rf"{f}: the width window \(3\) is larger than the input width \(2\)"):
        forward(np.zeros((1, 1, 4, 2)), 3, 1)
    for name, bad in (("size", 0), ("size", 2.0), ("size", True), ("stride", 0), ("stride", 1.5), ("stride", -1)):
        kwargs = {"size": 2, "stride": 2, name: bad}
        with pytest.raises(ShapeError, match=rf"{f}: {name} must be an integer >= 1 \(got {bad!r}\)"):
            forward(np.zeros((1, 1, 4, 4)), **kwargs)
    for value in (np.nan, np.inf, -np.inf):
        A = np.zeros((1, 1, 4, 4))
        A[0, 0, 1, 2] = value
        with pytest.raises(ShapeError, match=rf"{f}: A contains 1 NaN or infinite value\(s\) \(A \(1, 1, 4, 4\)\)"):
            forward(A)
    with pytest.raises(ShapeError, match=rf"{f}: A must be an array of numbers"):
        forward("not an image")
    P, cache = forward(np.ones((1, 1, 5, 5)), 2, 2)  # floor((5 - 2)/2) + 1 = 2
    b = f"{kind}_backward"
    with pytest.raises(ShapeError, match=rf"{b}: dP must have the shape of the forward output \(1, 1, 2, 2\) \(dP \(1, 1, 3, 3\)\)"):
        backward(np.zeros((1, 1, 3, 3)), cache)
    with pytest.raises(ShapeError, match=rf"{b}: dP contains 1 NaN"):
        backward(np.array([[[[0.0, np.nan], [0.0, 0.0]]]]), cache)


def test_a_wrong_cache_is_refused_by_name():
    A = np.ones((1, 1, 4, 4))
    _, avg_cache = vec.avgpool2d_forward(A)
    _, l2_cache = vec.l2pool2d_forward(A)
    _, max_cache = conv_vec.maxpool2d_forward(A)
    dP = np.ones((1, 1, 2, 2))
    for bad, name in ((l2_cache, "a L2Pool2dCache"), (max_cache, "a MaxPool2dCache from dlmath.conv.maxpool2d_forward"),
                      (tuple(avg_cache), "a tuple")):
        with pytest.raises(ShapeError, match=rf"avgpool2d_backward: cache: expected the AvgPool2dCache from avgpool2d_forward, got {name}"):
            vec.avgpool2d_backward(dP, bad)
    for bad, name in ((avg_cache, "an AvgPool2dCache"), (max_cache, "a MaxPool2dCache"), (None, "None")):
        with pytest.raises(ShapeError, match=rf"l2pool2d_backward: cache: expected the L2Pool2dCache from l2pool2d_forward, got {name}"):
            vec.l2pool2d_backward(dP, bad)
    for kind in KINDS:  # the loop versions check theirs too
        with pytest.raises(ShapeError, match=rf"{kind}_backward: cache: expected the LoopFloorPoolCache from dlmath.pool_loops.{kind}_forward, got an AvgPool2dCache"):
            getattr(loops, f"{kind}_backward")(dP, avg_cache)


def test_caches_print_readably():
    _, cache = vec.avgpool2d_forward(np.ones((1, 2, 5, 4)), 3, 1)
    assert repr(cache) == "AvgPool2dCache(shape=(1, 2, 5, 4), size=3, stride=1)"
    _, cache = vec.l2pool2d_forward(np.ones((1, 1, 2, 2)), 2, 2)
    assert repr(cache).startswith("L2Pool2dCache(A=array(")


def test_loops_do_not_call_the_vectorized_functions(monkeypatch):
    # The loop module may borrow only the argument checks, never a computation: otherwise "loops ==
    # vectorized" would compare a function with itself.
    borrowed = {name for name, obj in vars(loops).items() if getattr(obj, "__module__", None) in (vec.__name__, conv_vec.__name__)}
    assert borrowed == {"check_floor_pool_args", "check_upstream"}

    def broken(*args, **kwargs):
        raise AssertionError("a loop version called the vectorized code")

    for kind in KINDS:
        for name in (f"{kind}_forward", f"{kind}_backward"):
            assert getattr(loops, name).__module__ == loops.__name__
            monkeypatch.setattr(vec, name, broken)
    monkeypatch.setattr(vec, "_taps", broken)
    rng = np.random.default_rng(0)
    A = rng.standard_normal((1, 2, 5, 5))
    for kind in KINDS:
        forward, backward = _fns(loops, kind)
        P, cache = forward(A, 3, 2)
        backward(rng.standard_normal(P.shape), cache)
