"""Accuracy, special values and vector/scalar bitwise identity of :mod:`fastdescent.fastmath`.

The reference is the platform libm (``math.sin/cos/exp``, called in a njit loop so dense
samples are cheap; NumPy's ufuncs are *not* used: they may be SVML-based, a few ulp off).
"""
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from fastdescent.fastmath import (
    EXP_OVERFLOW,
    FAST_TRIG_MAX,
    cos_exact,
    fast_cos,
    fast_exp,
    fast_sin,
    fast_sincos,
    fast_sincos_in_range,
    fast_tanh,
    fma,
    select,
    sin_exact,
    sincos_exact,
    sincos_fixup,
    trig_args_ok,
    ulp_distance,
)

MAX_ULP_TRIG = 1  # the accuracy table of fastdescent.fastmath: at most 1 ulp from libm


@njit
def _select_many(c, a, b, out):
    for i in range(out.shape[0]):
        out[i] = select(c[i], a[i], b[i])


def test_select_is_the_conditional_expression_bit_for_bit():
    vals = np.array([1.5, -0.0, 0.0, np.inf, -np.inf, np.nan, 5e-324, -2.0])
    a = np.repeat(vals, vals.size)
    b = np.tile(vals, vals.size)
    for c in (np.zeros(a.size, bool), np.ones(a.size, bool), a > b):
        out = np.empty(a.size)
        _select_many(c, a, b, out)
        want = np.where(c, a, b)
        assert np.array_equal(out.view(np.int64), want.view(np.int64))


def test_select_rejects_non_float_operands():
    from numba.core.errors import TypingError

    @njit
    def f(c, x, y):
        return select(c, x, y)

    with pytest.raises(TypingError):
        f(True, 1, 2)
MAX_ULP_EXP = 1

# ----------------------------------------------------------------------------- helpers


def test_ulp_distance_helper():
    one = np.array([1.0])
    assert ulp_distance(one, np.nextafter(one, 2.0))[0] == 1
    assert ulp_distance(np.array([-0.0]), np.array([0.0]))[0] == 0
    assert ulp_distance(np.array([5e-324]), np.array([-5e-324]))[0] == 2
    assert ulp_distance(np.array([1.0]), np.array([-1.0]))[0] > 1e18
    assert ulp_distance(np.array([np.nan]), np.array([1.0]))[0] == np.inf
    assert ulp_distance(np.array([np.nan]), np.array([np.nan]))[0] == 0


@njit
def _libm(x, s, c, e):
    for i in range(x.shape[0]):
        s[i] = math.sin(x[i])
        c[i] = math.cos(x[i])
        e[i] = math.exp(x[i])  # libm: inf on overflow, no exception in njit


@njit
def _fast(x, s, c, e):
    # the production pattern: inlined into a (vectorizable) loop
    for i in range(x.shape[0]):
        s[i], c[i] = fast_sincos(x[i])
        e[i] = fast_exp(x[i])


@njit
def _fast_separate(x, s, c):
    for i in range(x.shape[0]):
        s[i] = fast_sin(x[i])
        c[i] = fast_cos(x[i])


def libm(x):
    x = np.ascontiguousarray(x, dtype=np.float64)
    s, c, e = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    _libm(x, s, c, e)
    return s, c, e


def fast(x):
    x = np.ascontiguousarray(x, dtype=np.float64)
    s, c, e = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    _fast(x, s, c, e)
    return s, c, e


def assert_trig_ulp(x, max_ulp=MAX_ULP_TRIG):
    s, c, _ = fast(x)
    rs, rc, _ = libm(x)
    for name, got, ref in (("sin", s, rs), ("cos", c, rc)):
        d = ulp_distance(got, ref)
        i = int(np.argmax(d))
        assert d[i] <= max_ulp, f"{name}({x[i]!r}) = {got[i]!r}, libm {ref[i]!r}: {d[i]} ulp"


def assert_exp_ulp(x, max_ulp=MAX_ULP_EXP):
    _, _, e = fast(x)
    _, _, re_ = libm(x)
    d = ulp_distance(e, re_)
    i = int(np.argmax(d))
    assert d[i] <= max_ulp, f"exp({x[i]!r}) = {e[i]!r}, libm {re_[i]!r}: {d[i]} ulp"


RNG = np.random.default_rng(20240611)
N = 400_000

# ----------------------------------------------------------------------------- sin / cos


@pytest.mark.parametrize(
    "lo, hi",
    [(-1.0, 1.0), (-100.0, 100.0), (-(2.0**20), 2.0**20), (-(2.0**20), -(2.0**19)),
     (1e5, 1e5 + 10)],
)
def test_trig_uniform(lo, hi):
    assert_trig_ulp(RNG.uniform(lo, hi, N))


def test_trig_log_uniform_magnitudes():
    x = np.exp2(RNG.uniform(-40.0, 20.0, N)) * RNG.choice([-1.0, 1.0], N)
    assert_trig_ulp(x)


def _neighbours(x, k=4):
    out = [x]
    lo = hi = x
    for _ in range(k):
        lo = np.nextafter(lo, -np.inf)
        hi = np.nextafter(hi, np.inf)
        out += [lo, hi]
    return np.concatenate(out)


# the doubles closest to a multiple of pi/2 in (0, 2**20] (exhaustive search over k with exact
# integer arithmetic): |x - k pi/2| = 2**-60 .. 2**-54, the Cody-Waite worst cases
HARDEST = [
    float.fromhex(h)
    for h in (
        "0x1.6c6cbc45dc8dep+5",
        "0x1.6c6cbc45dc8dep+6",
        "0x1.6c6cbc45dc8dep+7",
        "0x1.6c6cbc45dc8dep+8",
        "0x1.6c6cbc45dc8dep+9",
        "0x1.6c6cbc45dc8dep+10",
        "0x1.6c6cbc45dc8dep+11",
        "0x1.39c6fd67805a7p+18",
    )
]


def test_trig_near_multiples_of_pi_over_2():
    k = np.concatenate([np.arange(-2000, 2001), RNG.integers(-667_000, 667_000, 20_000)])
    x = k * (np.pi / 2)
    x = np.concatenate([x, 1e5 * np.pi / 2 + np.array([-1e-10, -1e-11, 0.0, 1e-11, 1e-10])])
    x = x[np.abs(x) <= FAST_TRIG_MAX]
    assert_trig_ulp(_neighbours(x))


def test_trig_hardest_cases():
    x = np.array(HARDEST)
    x = np.concatenate([x, -x])
    assert_trig_ulp(_neighbours(x, 8))
    # k = 29 is odd: cos(x) = +-(x - k pi/2) ~ 2**-60; a naive reduction is off by ~2**7 ulp
    _, c, _ = fast(np.array([HARDEST[0]]))
    assert 2.0**-61 < abs(c[0]) < 2.0**-59


@njit
def _in_range(x, s, c):
    for i in range(x.shape[0]):  # vectorized like the Gabor kernel
        s[i], c[i] = fast_sincos_in_range(x[i])


def test_unchecked_sincos_is_fast_sincos_bit_for_bit_in_range():
    k = RNG.integers(-667_000, 667_000, 5000)
    x = np.concatenate([RNG.uniform(-FAST_TRIG_MAX, FAST_TRIG_MAX, 20_000),
                        RNG.uniform(-10, 10, 5000), _neighbours(k * (np.pi / 2)),
                        [0.0, -0.0, 5e-324, -5e-324, 1e-310, FAST_TRIG_MAX, -FAST_TRIG_MAX],
                        np.array(HARDEST)])
    x = x[np.abs(x) <= FAST_TRIG_MAX]
    s, c, _ = fast(x)
    s2, c2 = np.empty_like(x), np.empty_like(x)
    _in_range(x, s2, c2)
    assert np.array_equal(_bits(s2), _bits(s)) and np.array_equal(_bits(c2), _bits(c))
    rs, rc, _ = libm(x)  # hence as accurate as fast_sincos: <= 1 ulp from libm
    assert np.max(ulp_distance(s2, rs)) <= MAX_ULP_TRIG
    assert np.max(ulp_distance(c2, rc)) <= MAX_ULP_TRIG
    for v in x[-20:]:  # scalar calls too
        sv, cv = fast_sincos_in_range(v)
        assert _bits(sv) == _bits(fast_sin(v)) and _bits(cv) == _bits(fast_cos(v))


def test_trig_tiny_and_subnormal_arguments():
    x = np.array([1e-300, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-20, 2.0**-27, 1e-8])
    x = np.concatenate([x, -x])
    s, c, _ = fast(x)
    rs, rc, _ = libm(x)
    assert np.array_equal(s.view(np.int64), rs.view(np.int64))
    assert np.all(c == 1.0) and np.array_equal(c, rc)
    assert np.array_equal(s[: len(x) // 2], x[: len(x) // 2])  # sin x == x exactly


def test_trig_special_values():
    s, c = fast_sincos(0.0)
    assert s == 0.0 and math.copysign(1.0, s) == 1.0 and c == 1.0
    s, c = fast_sincos(-0.0)
    assert s == 0.0 and math.copysign(1.0, s) == -1.0 and c == 1.0
    for v in (math.inf, -math.inf, math.nan):
        assert all(math.isnan(t) for t in fast_sincos(v))
        assert math.isnan(fast_sin(v)) and math.isnan(fast_cos(v))
        assert all(math.isnan(t) for t in sincos_exact(v))
        assert math.isnan(sin_exact(v)) and math.isnan(cos_exact(v))


def test_trig_range_boundary_and_huge_contract():
    edge = np.array([FAST_TRIG_MAX, -FAST_TRIG_MAX])
    assert_trig_ulp(_neighbours(edge, 0))
    above = np.nextafter(edge, [np.inf, -np.inf])
    huge = np.concatenate([above, [1e10, -1e10, 1e22, 1e300, -1e300, 1.7976931348623157e308]])
    s, c, _ = fast(huge)
    assert np.all(np.isnan(s)) and np.all(np.isnan(c))  # loud, never silently wrong
    assert not trig_args_ok(huge) and not trig_args_ok(np.array([0.0, math.nan]))
    assert trig_args_ok(RNG.uniform(-FAST_TRIG_MAX, FAST_TRIG_MAX, 100).reshape(10, 10))


def test_exact_variants_huge_arguments():
    x = np.concatenate([[1e10, 1e22, 1e300, 1.7976931348623157e308, 2.0**20 + 0.5],
                        np.exp2(RNG.uniform(20.0, 1023.0, 2000))])
    x = np.concatenate([x, -x])
    rs, rc, _ = libm(x)
    es = np.array([sin_exact(v) for v in x])
    ec = np.array([cos_exact(v) for v in x])
    esc = np.array([sincos_exact(v) for v in x])
    assert np.max(ulp_distance(es, rs)) <= 1 and np.max(ulp_distance(ec, rc)) <= 1
    assert np.array_equal(esc[:, 0], es) and np.array_equal(esc[:, 1], ec)
    # the array-level fixup after a vector pass
    y = np.concatenate([x, RNG.uniform(-100, 100, 50), [math.nan, math.inf]])
    s, c, _ = fast(y)
    assert sincos_fixup(y, s, c) == len(x)
    rs, rc, _ = libm(y)
    assert np.max(ulp_distance(s, rs)) <= 1 and np.max(ulp_distance(c, rc)) <= 1


def test_exact_variants_match_fast_bitwise_in_range():
    x = np.concatenate([RNG.uniform(-FAST_TRIG_MAX, FAST_TRIG_MAX, 2000), [0.0, -0.0, 5e-324],
                        [FAST_TRIG_MAX, -FAST_TRIG_MAX]])
    s, c, _ = fast(x)
    esc = np.array([sincos_exact(v) for v in x])
    assert np.array_equal(esc[:, 0].view(np.int64), s.view(np.int64))
    assert np.array_equal(esc[:, 1].view(np.int64), c.view(np.int64))
    assert np.array_equal(np.array([sin_exact(v) for v in x]).view(np.int64), s.view(np.int64))
    assert np.array_equal(np.array([cos_exact(v) for v in x]).view(np.int64), c.view(np.int64))


# ----------------------------------------------------------------------------- exp


@pytest.mark.parametrize(
    "lo, hi",
    [(-745.2, 710.0), (-1.0, 1.0), (-0.35, 0.35), (-745.2, -708.0), (700.0, 710.0)],
)
def test_exp_uniform(lo, hi):
    assert_exp_ulp(RNG.uniform(lo, hi, N))


def test_exp_log_uniform_small_arguments():
    x = np.exp2(RNG.uniform(-1074.0, 0.0, N)) * RNG.choice([-1.0, 1.0], N)
    assert_exp_ulp(x)


def test_exp_subnormal_results_and_boundaries():
    bounds = np.array([EXP_OVERFLOW, -708.3964185322641, -745.1332191019411, -744.44007192138122,
                       -745.13321910194122, 709.0, -709.0, 0.5 * math.log(2.0)])
    assert_exp_ulp(_neighbours(bounds, 16))
    # gradual underflow: results take subnormal values down to the smallest one
    _, _, e = fast(np.array([-740.0, -745.0, -745.1332191019411]))
    assert 0 < e[0] < 2.2250738585072014e-308 and e[2] == 5e-324
    assert fast_exp(np.nextafter(EXP_OVERFLOW, 0)) < math.inf
    assert fast_exp(np.nextafter(EXP_OVERFLOW, math.inf)) == math.inf
    assert fast_exp(-745.14) == 0.0 and fast_exp(-1e5) == 0.0 and fast_exp(1e5) == math.inf


def test_exp_special_values():
    assert fast_exp(0.0) == 1.0 and fast_exp(-0.0) == 1.0
    assert fast_exp(math.inf) == math.inf and fast_exp(1e308) == math.inf
    assert fast_exp(-math.inf) == 0.0 and fast_exp(-1e308) == 0.0
    assert math.copysign(1.0, fast_exp(-math.inf)) == 1.0
    assert math.isnan(fast_exp(math.nan))
    assert fast_exp(5e-324) == 1.0 and fast_exp(-5e-324) == 1.0
    assert ulp_distance(np.array([fast_exp(1.0)]), np.array([math.e]))[0] <= 1


# ----------------------------------------------------------------------------- hypothesis

any_float = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)


@settings(max_examples=400, deadline=None)
@given(any_float)
def test_trig_property_any_float(x):
    s, c = fast_sincos(x)
    if abs(x) <= FAST_TRIG_MAX:
        assert ulp_distance(np.array([s, c]), np.array([math.sin(x), math.cos(x)])).max() <= 1
        assert -1.0 <= s <= 1.0 and -1.0 <= c <= 1.0
        assert fast_sin(x) == s and fast_cos(x) == c
        # odd / even symmetry, bitwise
        s2, c2 = fast_sincos(-x)
        assert np.float64(s2).view(np.int64) == np.float64(-s).view(np.int64) and c2 == c
    else:
        assert math.isnan(s) and math.isnan(c)
    if math.isfinite(x):
        es, ec = sincos_exact(x)
        assert ulp_distance(np.array([es, ec]), np.array([math.sin(x), math.cos(x)])).max() <= 1


@settings(max_examples=400, deadline=None)
@given(st.floats(min_value=-FAST_TRIG_MAX, max_value=FAST_TRIG_MAX))
def test_trig_property_in_range(x):
    s, c = fast_sincos(x)
    assert ulp_distance(np.array([s, c]), np.array([math.sin(x), math.cos(x)])).max() <= 1
    assert abs(s * s + c * c - 1.0) <= 4e-16


@settings(max_examples=400, deadline=None)
@given(any_float)
def test_exp_property_any_float(x):
    e = fast_exp(x)
    if math.isnan(x):
        assert math.isnan(e)
    else:
        try:
            ref = math.exp(x)
        except OverflowError:
            ref = math.inf
        assert ulp_distance(np.array([e]), np.array([ref]))[0] <= 1
        assert e >= 0.0


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-700.0, max_value=700.0), st.floats(min_value=-700.0, max_value=700.0))
def test_exp_property_monotone(a, b):
    lo, hi = min(a, b), max(a, b)
    assert fast_exp(lo) <= fast_exp(hi)


# ----------------------------------------------------------------------------- fma


@njit
def _fma_scalar(a, b, c):
    return fma(a, b, c)


@njit
def _fma_loop(a, b, c, out):
    for i in range(a.shape[0]):  # vectorized: packed FMA instructions
        out[i] = fma(a[i], b[i], c[i])


def _fma_exact(a, b, c):
    """a*b + c rounded once, from exact rational arithmetic (int / int is correctly rounded)."""
    from fractions import Fraction

    q = Fraction(a) * Fraction(b) + Fraction(c)
    if q == 0:
        return math.copysign(0.0, a * b + c) if (a * b == 0) else 0.0
    return q.numerator / q.denominator


finite_mid = st.floats(min_value=-1e150, max_value=1e150, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(finite_mid, finite_mid, finite_mid)
def test_fma_is_correctly_rounded(a, b, c):
    got = _fma_scalar(a, b, c)
    assert _bits(got) == _bits(_fma_exact(a, b, c)) or got == _fma_exact(a, b, c) == 0.0


def test_fma_rounds_once_where_mul_then_add_does_not():
    # a*b = 1 - 2**-104 exactly: mul-then-add rounds a*b to 1 first and gives 0
    a = 1.0 + 2.0 ** -52
    b = 1.0 - 2.0 ** -52
    assert a * b - 1.0 == 0.0
    assert _fma_scalar(a, b, -1.0) == -(2.0 ** -104)


def test_fma_vector_lanes_equal_scalar_calls():
    a, b, c = (RNG.uniform(-1e3, 1e3, 203) for _ in range(3))
    out = np.empty(203)
    _fma_loop(a, b, c, out)
    ref = np.array([_fma_scalar(x, y, z) for x, y, z in zip(a, b, c)])
    assert np.array_equal(_bits(out), _bits(ref))
    assert np.array_equal(_bits(ref), _bits([_fma_exact(x, y, z) for x, y, z in zip(a, b, c)]))


# ----------------------------------------------------------------------------- vector lanes


@njit
def _block_kernel(a, c, x, out_s, out_c, out_e):
    # the engine's pattern: B trajectories innermost
    for b in range(a.shape[0]):
        z = a[b] + 0.06 * c[b] * x
        s, co = fast_sincos(z)
        out_s[b] = s
        out_c[b] = co
        out_e[b] = fast_exp(-z * z / 32.0)


@njit
def _plain_kernel(a, out):
    for b in range(a.shape[0]):
        out[b] = a[b] * 0.5 + 1.0


def _bits(v):
    return np.asarray(v, dtype=np.float64).view(np.int64)


@pytest.mark.parametrize("B", [1, 3, 64, 67, 131, 256])
def test_loop_bitwise_equals_scalar_calls(B):
    a = RNG.uniform(-50, 50, B)
    c = RNG.uniform(-30, 30, B)
    x = 1.7
    s, co, e = np.empty(B), np.empty(B), np.empty(B)
    _block_kernel(a, c, x, s, co, e)
    for b in range(B):
        z = a[b] + 0.06 * c[b] * x
        ss, cc = fast_sincos(z)  # stand-alone compiled scalar call
        assert _bits(ss) == _bits(s[b]) and _bits(cc) == _bits(co[b])
        assert _bits(fast_sin(z)) == _bits(s[b]) and _bits(fast_cos(z)) == _bits(co[b])
        assert _bits(fast_exp(-z * z / 32.0)) == _bits(e[b])


def test_vector_lane_and_remainder_loop_agree_bitwise():
    # the same value computed at every offset falls in a vector lane and in the scalar
    # remainder loop: results must not depend on where it lands
    x = np.concatenate([RNG.uniform(-1e4, 1e4, 61), [0.0, -0.0, 5e-324, 1e-310, -745.0, 709.7,
                                                    math.nan, math.inf, -math.inf, 2.0**21]])
    ref_s, ref_c, ref_e = fast(x)
    for off in range(1, 17):
        s, c, e = fast(x[off:])
        for got, ref in ((s, ref_s), (c, ref_c), (e, ref_e)):
            ref = ref[off:]
            same = (_bits(got) == _bits(ref)) | (np.isnan(got) & np.isnan(ref))
            assert same.all()
    s2, c2 = np.empty_like(x), np.empty_like(x)
    _fast_separate(x, s2, c2)
    assert np.array_equal(_bits(s2)[~np.isnan(s2)], _bits(ref_s)[~np.isnan(ref_s)])
    assert np.array_equal(_bits(c2)[~np.isnan(c2)], _bits(ref_c)[~np.isnan(ref_c)])


def _packed_ops(dispatcher):
    asm = dispatcher.inspect_asm(dispatcher.signatures[0])
    return asm, re.findall(r"\bv(?:mul|add|sub|div|blendm|f\w*)pd\s+%?[yz]mm", asm)


def _host_has(feature: str) -> bool:
    import llvmlite.binding as ll

    return f"+{feature}" in ll.get_host_cpu_features().flatten().split(",")


def test_block_loop_vectorizes():
    B = 64
    a = np.ones(B)
    _plain_kernel(a, np.empty(B))
    _, plain = _packed_ops(_plain_kernel)
    if not plain:
        pytest.skip("LLVM does not vectorize even a trivial loop on this CPU")
    _block_kernel(a, a, 0.5, np.empty(B), np.empty(B), np.empty(B))
    asm, packed = _packed_ops(_block_kernel)
    if _host_has("avx512dq"):
        # with AVX-512 (packed float64 <-> int64 conversions) the whole body vectorizes
        assert len(packed) > 25, "the fast_* block loop was not vectorized"
    else:
        # AVX2 has no packed float64 <-> int64 conversion: LLVM keeps the argument
        # reduction's integer part scalar and vectorizes the polynomials around it
        assert len(packed) > 5, "the fast_* block loop was not vectorized"
    # the explicit fused multiply-adds became packed FMA instructions (no libm fma calls)
    assert re.search(r"\bvfn?m(?:add|sub)\d+pd\s+%?[yz]mm", asm)
    assert not re.search(r"call\w*\s+\S*fma", asm)
    assert not re.search(r"call\w*\s+\S*(sin|cos|exp)", asm)


# ----------------------------------------------------------------------------------- tanh
@njit
def _tanh_loop(x, out):
    for i in range(x.shape[0]):
        out[i] = fast_tanh(x[i])


@njit
def _tanh_scalar(x):
    return fast_tanh(x)


def _tanh_ref(x):
    return np.array([math.tanh(v) for v in x])


@pytest.mark.parametrize("lo, hi", [(-1.0, 1.0), (-0.6, 0.6), (-25.0, 25.0), (0.5, 0.6)])
def test_tanh_within_4_ulp_uniform(lo, hi):
    x = RNG.uniform(lo, hi, 400_000)
    out = np.empty_like(x)
    _tanh_loop(x, out)
    assert ulp_distance(out, _tanh_ref(x)).max() <= 4


def test_tanh_log_uniform_magnitudes_and_specials():
    x = np.exp(RNG.uniform(math.log(1e-300), math.log(40.0), 200_000)) * RNG.choice([-1, 1],
                                                                                  200_000)
    out = np.empty_like(x)
    _tanh_loop(x, out)
    assert ulp_distance(out, _tanh_ref(x)).max() <= 4
    sp = np.array([0.0, -0.0, math.inf, -math.inf, 5e-324, -5e-324, 19.1, 40.0, 1e300])
    got = np.array([_tanh_scalar(v) for v in sp])
    assert np.array_equal(_bits(got), _bits(np.tanh(sp)))  # signs of zero included
    assert math.isnan(_tanh_scalar(math.nan))


def test_tanh_vector_lanes_equal_scalar_calls():
    x = RNG.uniform(-5, 5, 203)
    out = np.empty_like(x)
    _tanh_loop(x, out)
    assert np.array_equal(_bits(out), _bits([_tanh_scalar(v) for v in x]))


# ============================================================================= float32
# The float32 algorithms (``fast_*`` of a float32 argument) against float64 libm rounded to
# float32 (correctly rounded but for vanishingly rare double-rounding cases).
from fastdescent.fastmath import EXP_OVERFLOW32  # noqa: E402

F32 = np.float32
MAX_ULP32_TRIG = 1  # |x| <= 2**16
MAX_ULP32_TRIG_FULL = 2  # |x| <= FAST_TRIG_MAX: the float32 product x * 2/pi may pick n +- 1
MAX_ULP32_EXP = 1


@njit
def _fast32(x, s, c, e):
    for i in range(x.shape[0]):  # the production pattern, in float32
        s[i], c[i] = fast_sincos(x[i])
        e[i] = fast_exp(x[i])


@njit
def _fast32_separate(x, s, c):
    for i in range(x.shape[0]):
        s[i] = fast_sin(x[i])
        c[i] = fast_cos(x[i])


def fast32(x):
    x = np.ascontiguousarray(x, dtype=np.float32)
    s, c, e = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    _fast32(x, s, c, e)
    return s, c, e


def ref32(x):
    """float64 libm of the float32 arguments, rounded to float32."""
    s, c, e = libm(np.asarray(x, dtype=np.float32).astype(np.float64))
    with np.errstate(over="ignore"):
        return s.astype(np.float32), c.astype(np.float32), e.astype(np.float32)


def assert_ulp32(x, which, max_ulp):
    x = np.asarray(x, dtype=np.float32)
    got, ref = fast32(x), ref32(x)
    for k, name in enumerate(("sin", "cos", "exp")):
        if name not in which:
            continue
        d = ulp_distance(got[k], ref[k])
        i = int(np.argmax(d))
        assert d[i] <= max_ulp, f"{name}({x[i]!r}) = {got[k][i]!r}, ref {ref[k][i]!r}: {d[i]}"


def test_float32_python_calls_dispatch_on_the_argument_type():
    x = np.array([0.5, 1.0], np.float32)
    s, c, e = fast32(x)
    assert s.dtype == c.dtype == e.dtype == np.float32
    assert fast_exp(x[1]) == e[1] and fast_sincos(x[0]) == (s[0], c[0])
    assert fast_sin(x[0]) == s[0] and fast_cos(x[0]) == c[0]
    # float64 arguments keep the float64 algorithm, bit for bit
    assert _bits(fast_exp(0.5)) == _bits(fast(np.array([0.5]))[2][0])
    assert fast_exp(x[1]) != fast_exp(1.0)  # float32 e, not float64 e


@pytest.mark.parametrize("lo, hi", [(-1.0, 1.0), (-100.0, 100.0), (-(2.0**16), 2.0**16)])
def test_float32_trig_uniform(lo, hi):
    assert_ulp32(RNG.uniform(lo, hi, N), ("sin", "cos"), MAX_ULP32_TRIG)


def test_float32_trig_full_range_and_near_multiples_of_pi_over_2():
    assert_ulp32(RNG.uniform(-FAST_TRIG_MAX, FAST_TRIG_MAX, N), ("sin", "cos"),
                 MAX_ULP32_TRIG_FULL)
    k = np.concatenate([np.arange(-2000, 2001), RNG.integers(-667_000, 667_000, 20_000)])
    x = (k * (np.pi / 2)).astype(np.float32)
    pts, lo, hi = [x], x, x
    for _ in range(4):
        lo = np.nextafter(lo, F32(-np.inf))
        hi = np.nextafter(hi, F32(np.inf))
        pts += [lo, hi]
    x = np.concatenate(pts)
    x = x[np.abs(x) <= FAST_TRIG_MAX]
    assert_ulp32(x, ("sin", "cos"), MAX_ULP32_TRIG_FULL)
    assert_ulp32(x[np.abs(x) <= 2.0**16], ("sin", "cos"), MAX_ULP32_TRIG)


def test_float32_trig_log_uniform_tiny_and_special():
    x = (np.exp2(RNG.uniform(-40.0, 16.0, N)) * RNG.choice([-1.0, 1.0], N)).astype(np.float32)
    assert_ulp32(x, ("sin", "cos"), MAX_ULP32_TRIG)
    tiny = np.array([1e-45, 1e-40, 1.1754944e-38, 1e-20, 2.0**-13], np.float32)
    s, c, _ = fast32(np.concatenate([tiny, -tiny]))
    assert np.array_equal(s, np.concatenate([tiny, -tiny]))  # sin x == x, signs kept
    assert np.all(c == 1.0)
    sp = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, np.nextafter(F32(FAST_TRIG_MAX),
                                                                     F32(np.inf)), 1e30],
                  np.float32)
    s, c, _ = fast32(sp)
    assert s[0] == 0 and not np.signbit(s[0]) and s[1] == 0 and np.signbit(s[1])
    assert c[0] == c[1] == 1.0
    assert np.all(np.isnan(s[2:])) and np.all(np.isnan(c[2:]))


@pytest.mark.parametrize("lo, hi", [(-103.9, 88.72), (-1.0, 1.0), (-0.35, 0.35),
                                    (-103.97, -87.3), (80.0, 88.72)])
def test_float32_exp_uniform_and_subnormal_results(lo, hi):
    assert_ulp32(RNG.uniform(lo, hi, N), ("exp",), MAX_ULP32_EXP)


def test_float32_exp_special_values_and_overflow():
    top = F32(EXP_OVERFLOW32)
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, top, np.nextafter(top, F32(np.inf)),
                  -104.0, -1e30, 1e30, 1e-45], np.float32)
    _, _, e = fast32(x)
    assert e[0] == e[1] == 1.0 and e[2] == np.inf and e[3] == 0.0 and np.isnan(e[4])
    assert np.isfinite(e[5]) and e[6] == np.inf
    assert e[7] == 0.0 and e[8] == 0.0 and e[9] == np.inf and e[10] == 1.0


@pytest.mark.parametrize("B", [1, 7, 64, 131])
def test_float32_lanes_equal_scalar_calls_and_separate_functions(B):
    x = np.concatenate([RNG.uniform(-1e4, 1e4, B), [0.0, -0.0, 1e-45, -103.5, 88.0, np.nan,
                                                    np.inf, 2.0**21]]).astype(np.float32)
    s, c, e = fast32(x)
    for off in range(1, 9):  # every value lands in a vector lane and in the remainder loop
        s2, c2, e2 = fast32(x[off:])
        for got, ref in ((s2, s[off:]), (c2, c[off:]), (e2, e[off:])):
            assert np.array_equal(got.view(np.int32), ref.view(np.int32))
    s3, c3 = np.empty_like(x), np.empty_like(x)
    _fast32_separate(x, s3, c3)
    assert np.array_equal(s3.view(np.int32), s.view(np.int32))
    assert np.array_equal(c3.view(np.int32), c.view(np.int32))
    for i in range(min(B, 5)):
        assert fast_exp(x[i]) == e[i] and fast_sincos(x[i])[0] == s[i]


# ---------------------------------------------------- float32 hot loop: no float64 at all
_DOUBLE = re.compile(r"^.*\bdouble\b.*$", re.M)  # the IR type, not a name containing it


def _kernel_ir(dispatcher, sig):
    """The LLVM IR of the compiled function itself (not its Python wrappers)."""
    ir_text = dispatcher.inspect_llvm(sig)
    fns = re.findall(r"^define [^\n]*\n.*?^\}", ir_text, re.S | re.M)
    return "\n".join(f for f in fns if "cpython" not in f.split("\n", 1)[0]
                     and "cfunc" not in f.split("\n", 1)[0])


def test_float32_block_loop_and_rules_have_no_double_and_vectorize():
    """The engine's float32 hot loop - the Gabor model's per-example kernel over a block of
    lanes, and the GD, momentum and Adam steps - compiles to float32 only: no ``double``
    anywhere in its IR (a float64 literal or allocation would promote silently), and
    packed single-precision (``ps``) instructions in its machine code."""
    from numba import types

    import fastdescent as fd
    from fastdescent.contract import signatures
    from fastdescent.models.compiled import compiled_for
    from fastdescent.optim.rules import adam, gd, momentum

    gabor_example = compiled_for(fd.models.gabor()).model_example  # rewritten from loss_grad

    @njit(error_model="numpy")
    def gabor_block(phi, X, Y, c, work, grad, loss):
        P, B = phi.shape
        for i in range(X.shape[0]):
            for b in range(B):
                loss[b] += gabor_example(phi, b, X, Y, i, c, work, grad)

    f2, f1 = types.float32[:, ::1], types.float32[::1]
    sig = (f2, f2, f2, f1, f2, f2, f1)
    gabor_block.compile(sig)
    body = _kernel_ir(gabor_block, sig)
    assert "fadd float" in body or "fmul float" in body
    assert not _DOUBLE.search(body), _DOUBLE.findall(body)[:5]
    upd = signatures("float32").update.args
    for step in (gd.gd_step, momentum.momentum_step, adam.adam_step):
        k = njit(error_model="numpy")(step.py_func)
        k.compile(upd)
        body = _kernel_ir(k, upd)
        assert not _DOUBLE.search(body), (step.__name__, _DOUBLE.findall(body)[:5])
    asm = gabor_block.inspect_asm(sig)
    packed = re.findall(r"\bv(?:mul|add|sub|fn?m\w*)ps\s+%?[yz]mm", asm)
    _plain_kernel(np.ones(8), np.empty(8))
    if not _packed_ops(_plain_kernel)[1]:
        pytest.skip("LLVM does not vectorize even a trivial loop on this CPU")
    # AVX2 converts float32 <-> int32 in packed form: the whole body vectorizes, the
    # argument reductions' integer parts included
    assert len(packed) > 25, "the float32 Gabor block loop was not vectorized"
    assert re.search(r"\bvcvt\w*ps2dq\s+%?[yz]mm", asm) or re.search(r"\bvcvtt?ps2dq", asm)
    assert not re.search(r"call\w*\s+\S*(sin|cos|exp|fma)", asm)
