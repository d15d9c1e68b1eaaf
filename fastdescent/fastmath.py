"""Branch-free, vectorizable ``exp``, ``sin``, ``cos`` and ``sincos`` for Numba kernels.

Why this module exists
----------------------
Numba's LLVM has no vector math library on our machines, so ``math.sin``, ``math.cos`` and
``math.exp`` inside a loop stay scalar ``libm`` calls and a kernel that loops over a block of
independent trajectories (``for b in range(B)``, innermost) cannot be vectorized. The functions
here are written only with IEEE-754 ``+ - *``, explicit fused multiply-adds
(:func:`fma`, LLVM's ``llvm.fma``), integer shifts, one bit cast and explicit selects
(:func:`select`), and are inlined at Numba-IR level (``inline='always'``), so LLVM's loop
vectorizer turns such a loop into packed AVX2/AVX-512 code (``vfmadd``/``vmulpd`` on
``ymm``/``zmm`` registers, no ``call sin``, no division).

They are compiled without ``fastmath``: there is no implicit FMA contraction or
reassociation, and every fused multiply-add is explicit and correctly rounded (IEEE-754
``fusedMultiplyAdd``), so a value computed in a vector lane is **bitwise identical** to the
same value computed by the scalar remainder loop (or by a plain scalar call). Results are also
platform independent (pure IEEE arithmetic), unlike ``libm``. On a CPU without FMA
instructions (x86 before Haswell) LLVM calls the C library's ``fma``: same bits, much slower.

Algorithms
----------
``fast_exp(x)``
    ``k = rint(x / ln2)`` (by the ``1.5 * 2**52`` shifter trick), ``r = x - k ln2`` by two
    fused multiply-adds with ``ln2 = ln2_hi + ln2_lo`` (53 + 53 bits; the first is exact,
    ``|r| <= ln2/2``), the degree-13 Taylor polynomial of :math:`e^r` by Horner's rule in
    fused multiply-adds (truncation error below 5e-18 relative; no division, which is slow and
    does not pipeline, unlike fdlibm's rational form), then scaling by
    :math:`2^k` built from the exponent field (integer shift + bit cast) in two halves,
    ``y * 2**(k//2) * 2**(k - k//2)``: the first product is exact, the second rounds once, so
    subnormal results are gradual and correctly scaled, overflow gives ``+inf``. ``x`` is
    clamped to ``[-1000, 1000]`` before the integer path (which never sees NaN), so
    ``exp(+inf) = inf``, ``exp(-inf) = 0`` and NaN propagates.
``fast_tanh(x)``
    :math:`\\tanh x = \\operatorname{sign}(x)\\,\\frac{-u}{u + 2}` with
    :math:`u = e^{-2|x|} - 1` (:func:`fast_expm1_neg`); from :math:`|x| \\ge \\ln(3)/2` as
    :math:`1 - \\frac{2e}{1 + e}`, :math:`e = e^{-2|x|}` (the subtracted term is at most 1/2,
    so results near 1 keep their last bits). ``u`` is computed without the
    cancellation of ``exp(t) - 1``: with ``t = k ln2 + r`` as in ``fast_exp``,
    :math:`e^t - 1 = 2^k (e^r - 1) + (2^k - 1)`, where :math:`e^r - 1 = r\\,p(r)` comes from
    the same Horner polynomial (no rounding to ``1 + ...`` first) and both terms are exact
    for ``k <= 0``, so ``u`` rounds once relative to itself and the quotient (``u + 2`` in
    ``[1, 2]``, never zero) once more. ``|x|`` is clamped to 40 first (:math:`\\tanh 40`
    rounds to 1), so ``tanh(±inf) = ±1``; ``tanh(±0) = ±0``; NaN propagates.
``fast_sin(x)``, ``fast_cos(x)``, ``fast_sincos(x) -> (s, c)``
    Cody–Waite reduction ``r = x - n*pi/2`` with ``n = rint(x * 2/pi)`` in three fused
    multiply-adds, pi/2 split into three positive doubles (160 bits). For ``|n| < 2**20`` the first,
    ``x - n*p1``, is exact (the exact difference fits in 53 bits), and each further step
    rounds once relative to ``r`` itself, so even the worst cancellations near multiples of
    pi/2 (``|r| >= 2**-61`` for doubles in range) keep full relative accuracy. Then FreeBSD's
    ``__kernel_sin`` / ``__kernel_cos`` minimax polynomials on ``|r| <= pi/4`` in fused
    multiply-adds (both always evaluated) and the quadrant ``n mod 4`` applied by selects (swap
    and sign), never by branches. ``fast_sincos_in_range(x)`` is the same computation without
    the range check, for kernels that bound their argument themselves (same bits in range).

Accurate range and the huge-argument contract
---------------------------------------------
``FAST_TRIG_MAX = 2**20``. For ``|x| <= FAST_TRIG_MAX`` the fast trig functions are accurate
(see below). For ``|x| > FAST_TRIG_MAX`` -- and for ``±inf`` and NaN -- they return **NaN**,
loudly, instead of a wrong number: a Payne–Hanek reduction does not fit the branch-free vector
path. Callers choose one of:

* check ``abs(x) <= FAST_TRIG_MAX`` (e.g. :func:`trig_args_ok` on the block's arguments, or a
  bound known from the model) and run the vectorizable loop, else a scalar loop that calls
* :func:`sin_exact`, :func:`cos_exact`, :func:`sincos_exact`: any finite argument, scalar
  (they branch). For ``|x| <= FAST_TRIG_MAX`` they return **exactly the same bits** as the
  ``fast_*`` functions; beyond it they call ``libm`` (glibc: < 1 ulp for any argument).
* :func:`sincos_fixup` (array level): after a vectorized pass that stored ``sin``/``cos`` of
  ``x`` into arrays, recompute only the out-of-range entries in place.

Accuracy
--------
Max ulp error against glibc ``math.sin/cos/exp`` (itself < 1 ulp), measured on 2*10**6
samples per row (``python benchmarks/bench_fastmath.py --accuracy``; ``tests/test_fastmath.py``
asserts <= 1 ulp on 4*10**5 per row). Every measured error is at most 1 ulp.

==================================================================  =======  =====
arguments                                                           sin/cos  exp
==================================================================  =======  =====
uniform ``[-1, 1]``, ``[-100, 100]``, ``[-2**20, 2**20]``           1        --
log-uniform ``|x|`` in ``[2**-40, 2**20]``                          1        --
multiples ``k*pi/2`` in range, +-3 ulp (2.0e6 points)               1        --
tiny ``|x| < 2**-27`` incl. subnormals (``sin x == x``)             0        0
uniform ``[-745.2, 710]``, ``[-1, 1]``                              --       1
subnormal results, uniform ``[-745.2, -708.4]``                     --       1
log-uniform ``|x|`` in ``[2**-1074, 1]``                            --       1
==================================================================  =======  =====

Specials: ``sin(±0) = ±0``, ``cos(±0) = 1``, ``sin/cos(±inf, nan) = nan``;
``exp(±0) = 1``, ``exp(-inf) = 0``, ``exp(inf) = inf``, ``exp(nan) = nan``,
``exp(x > 709.782712893384) = inf``.

float32
-------
For float32 arguments (a kernel compiled for float32) the same functions run the same
algorithms in float32 arithmetic: shifter ``1.5 * 2**23``, ``ln 2`` and ``pi/2`` split into
float32 parts (``pi/2`` in three, 73 bits), near-minimax polynomials of degree 7 (``exp``),
9 and 10 (``sin``, ``cos``; relative truncation error below 3e-9), and int32 integer parts,
which AVX2 converts in packed form (float64 <-> int64 needs AVX-512). Twice the lanes per
vector instruction. Accuracy against float64 libm rounded to float32 (``tests/test_fastmath.py``,
4*10**5 samples per row):

==================================================================  =======  =====
float32 arguments                                                   sin/cos  exp
==================================================================  =======  =====
uniform ``[-2**16, 2**16]`` (incl. ``[-1, 1]``, ``[-100, 100]``)    1        --
uniform ``[-2**20, 2**20]``, multiples ``k*pi/2`` +-4 ulp           2        --
uniform ``[-103.9, 88.7]``, ``[-1, 1]``, subnormal results          --       1
==================================================================  =======  =====

Specials as in float64; ``exp(x) = inf`` for ``x >`` :data:`EXP_OVERFLOW32`.

Examples
--------
>>> from numba import njit
>>> @njit
... def block(a, c, x, out):                 # B trajectories innermost: vectorizes
...     for b in range(a.shape[0]):
...         z = a[b] + 0.06 * c[b] * x
...         s, co = fast_sincos(z)
...         out[b] += s * fast_exp(-z * z / 32.0) + co

Notes
-----
* Callers must not use ``fastmath=True`` either, or vector lanes and the scalar remainder may
  round differently (use :func:`fma` where a fused multiply-add is wanted). Inside the
  caller's loop avoid ``x / y`` with a non-constant ``y`` under Numba's default error model
  (its ``ZeroDivisionError`` check is a branch that blocks vectorization).
* On AVX-512 "Skylake-class" CPUs LLVM prefers 256-bit vectors (``ymm``). Compiling with
  ``NUMBA_CPU_FEATURES="<host features>,-prefer-256-bit"`` gives ``zmm`` code, twice the lanes
  per instruction (:mod:`fastdescent._cpu` does it; ``benchmarks/bench_fastmath.py`` times it).

Because the ``fast_*`` functions are inlined into their callers at Numba-IR level, a caller's
on-disk cache (``cache=True``) is not invalidated when this file changes; clear ``__pycache__``
(``*.nbi``/``*.nbc``) after editing it.
"""
import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.extending import intrinsic, overload

__all__ = [
    "fma",
    "select",
    "FAST_TRIG_MAX",
    "EXP_OVERFLOW",
    "EXP_OVERFLOW32",
    "fast_exp",
    "fast_sin",
    "fast_cos",
    "fast_sincos",
    "fast_sincos_in_range",
    "fast_expm1_neg",
    "fast_tanh",
    "sin_exact",
    "cos_exact",
    "sincos_exact",
    "sincos_fixup",
    "trig_args_ok",
    "ulp_distance",
]

#: Largest ``|x|`` for which ``fast_sin/cos/sincos`` are accurate; beyond it they return NaN.
FAST_TRIG_MAX = 1048576.0  # 2**20: n = rint(x*2/pi) < 2**20 keeps n*pio2_i exact
#: ``fast_exp(x)`` is ``inf`` for ``x`` above this (``log(DBL_MAX)``), as for libm.
EXP_OVERFLOW = 709.782712893384

_NAN = math.nan
_FLOATS = (types.float64, types.float32)
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: (t + SHIFT) - SHIFT == rint(t) for |t| < 2**51

# --------------------------------------------------------------------- exp constants (fdlibm)
_INV_LN2 = float.fromhex("0x1.71547652b82fep+0")
_NLN2_HI = float.fromhex("-0x1.62e42fefa39efp-1")  # -ln 2 rounded to 53 bits
_NLN2_LO = float.fromhex("-0x1.abc9e3b39803fp-56")  # -ln 2 - _NLN2_HI
# 1/k! for k = 2..13 (Taylor coefficients of e^r, |r| <= ln2/2)
_E2 = 0.5
_E3 = float.fromhex("0x1.5555555555555p-3")
_E4 = float.fromhex("0x1.5555555555555p-5")
_E5 = float.fromhex("0x1.1111111111111p-7")
_E6 = float.fromhex("0x1.6c16c16c16c17p-10")
_E7 = float.fromhex("0x1.a01a01a01a01ap-13")
_E8 = float.fromhex("0x1.a01a01a01a01ap-16")
_E9 = float.fromhex("0x1.71de3a556c734p-19")
_E10 = float.fromhex("0x1.27e4fb7789f5cp-22")
_E11 = float.fromhex("0x1.ae64567f544e4p-26")
_E12 = float.fromhex("0x1.1eed8eff8d898p-29")
_E13 = float.fromhex("0x1.6124613a86d09p-33")
_EXP_CLAMP = 1000.0

# --------------------------------------------------------------------- trig constants (fdlibm)
_TWO_OVER_PI = float.fromhex("0x1.45f306dc9c883p-1")
# -pi/2 = _NPIO2_1 + _NPIO2_2 + _NPIO2_3 to 2**-160 relative. The middle part is rounded so
# that all three have the same sign: then n * _NPIO2_i is -0.0 for n = +0, and
# sin(-0.0) = -0.0 (no negation of n is needed, which LLVM may compile as 0 - n)
_NPIO2_1 = float.fromhex("-0x1.921fb54442d18p+0")
_NPIO2_2 = float.fromhex("-0x1.1a62633145c06p-54")
_NPIO2_3 = float.fromhex("-0x1.c1cd129024e09p-107")

# FreeBSD k_sin.c / k_cos.c minimax coefficients (|x| <= ~pi/4)
_S1 = -1.66666666666666324348e-01
_S2 = 8.33333333332248946124e-03
_S3 = -1.98412698298579493134e-04
_S4 = 2.75573137070700676789e-06
_S5 = -2.50507602534068634195e-08
_S6 = 1.58969099521155010221e-10
_C1 = 4.16666666666666019037e-02
_C2 = -1.38888888888741095749e-03
_C3 = 2.48015872894767294178e-05
_C4 = -2.75573143513906633035e-07
_C5 = 2.08757232129817482790e-09
_C6 = -1.13596475577881948265e-11


@intrinsic
def _bits_to_f64(typingctx, bits):
    """Reinterpret the 64 bits of an int64 as a float64 (an LLVM ``bitcast``: vectorizable)."""
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (IEEE-754 fused multiply-add, LLVM ``llvm.fma.f64``, or
    ``llvm.fma.f32`` when all three are float32).

    Explicit, so it is fused identically in vector lanes and scalar code (unlike
    ``fastmath`` contraction, which LLVM may apply to some copies of a loop and not others).

    Parameters
    ----------
    a, b, c : float

    Returns
    -------
    float
        :math:`\\mathrm{round}(ab + c)`.

    Examples
    --------
    Inside a compiled function only. :math:`0.1 \\cdot 10 - 1` rounds to 0 when the product is
    rounded first; the fused operation keeps the representation error of 0.1:

    >>> from numba import njit
    >>> from fastdescent.fastmath import fma
    >>> fused = njit(lambda a, b, c: fma(a, b, c))
    >>> fused(0.1, 10.0, -1.0), 0.1 * 10.0 - 1.0
    (5.551115123125783e-17, 0.0)
    """
    if not (a in _FLOATS and b == a and c == a):
        return None

    def codegen(context, builder, signature, args):
        return builder.fma(args[0], args[1], args[2])

    return a(a, a, a), codegen


@intrinsic
def select(typingctx, cond, a, b):
    """``a if cond else b`` for float64 (or float32) ``a, b`` of the same type as one LLVM
    ``select``: no branch, both sides already computed.

    Same value as the conditional expression, but one statement in Numba's IR where the
    conditional expression is three basic blocks; an ``inline='always'`` function is
    deep-copied block by block into every caller, so writing the functions below with selects
    shortens the compile of every kernel that inlines them, with the same bits.

    Parameters
    ----------
    cond : bool
    a, b : float

    Returns
    -------
    float

    Examples
    --------
    A branch-free ReLU:

    >>> from numba import njit
    >>> from fastdescent.fastmath import select
    >>> relu = njit(lambda x: select(x > 0.0, x, 0.0))
    >>> relu(2.5), relu(-1.0)
    (2.5, 0.0)
    """
    if not (isinstance(cond, types.Boolean) and a in _FLOATS and b == a):
        return None

    def codegen(context, builder, signature, args):
        return builder.select(args[0], args[1], args[2])

    return a(types.boolean, a, a), codegen


@njit(inline="always", cache=True)
def _pow2(k):
    """``2.0**k`` for int64 ``-1022 <= k <= 1023`` (exponent field, no rounding)."""
    return _bits_to_f64((k + 1023) << 52)


@njit(inline="always", cache=True)
def _exp64(x):
    """:math:`e^x` of a float64, branch-free; <= 1 ulp (also for subnormal results)."""
    # clamp (NaN passes through both selects): the integer path then only sees |x| <= 1000
    xc = select(x > _EXP_CLAMP, _EXP_CLAMP, x)
    xc = select(xc < -_EXP_CLAMP, -_EXP_CLAMP, xc)
    kf = (xc * _INV_LN2 + _SHIFT) - _SHIFT
    kf = select(kf == kf, kf, 0.0)  # NaN never reaches the float->int conversion
    r = fma(kf, _NLN2_HI, xc)  # exact: x - k*ln2_hi fits in 53 bits
    r = fma(kf, _NLN2_LO, r)
    # Horner's rule, e^r = 1 + r (1 + r (1/2 + r (1/6 + ... + r/13!)))
    p = fma(fma(fma(fma(fma(fma(_E13, r, _E12), r, _E11), r, _E10), r, _E9), r, _E8), r, _E7)
    p = fma(fma(fma(fma(fma(fma(p, r, _E6), r, _E5), r, _E4), r, _E3), r, _E2), r, 1.0)
    y = fma(p, r, 1.0)
    k = np.int64(kf)
    k1 = k >> 1  # floor(k / 2); |k1|, |k - k1| <= 722: both halves are normal powers of two
    return (y * _pow2(k1)) * _pow2(k - k1)


@njit(inline="always", cache=True)
def _sincos_in_range64(x):
    """float64 ``(sin x, cos x)`` for ``|x| <= FAST_TRIG_MAX``, no range check."""
    nf = (x * _TWO_OVER_PI + _SHIFT) - _SHIFT
    # r = x - n*pi/2: the first step is exact for |n| < 2**20, the others round relative to r
    r = fma(nf, _NPIO2_1, x)
    r = fma(nf, _NPIO2_2, r)
    r = fma(nf, _NPIO2_3, r)
    z = r * r
    # __kernel_sin: r + r^3 (S1 + z S2 + ... + z^5 S6)
    ps = fma(fma(fma(fma(fma(_S6, z, _S5), z, _S4), z, _S3), z, _S2), z, _S1)
    ks = fma(z * r, ps, r)
    ks = select(z != 0.0, ks, r)  # sin(r) = r when r*r underflows; keeps the sign of -0.0
    # __kernel_cos: 1 - z/2 + z^2 (C1 + z C2 + ... + z^5 C6), with fdlibm's exact 1 - z/2 split
    pc = fma(fma(fma(fma(fma(_C6, z, _C5), z, _C4), z, _C3), z, _C2), z, _C1)
    hz = 0.5 * z
    w = 1.0 - hz
    kc = w + fma(z * z, pc, (1.0 - w) - hz)
    # quadrant n mod 4: sin = (s, c, -s, -c)[q], cos = (c, -s, -c, s)[q]
    q = np.int64(nf) & 3
    odd = (q & 1) != 0
    sv = select(odd, kc, ks)
    cv = select(odd, ks, kc)
    sv = select((q & 2) != 0, -sv, sv)
    cv = select(((q + 1) & 2) != 0, -cv, cv)
    return sv, cv


@njit(inline="always", cache=True)
def _sincos64(x):
    ok = abs(x) <= FAST_TRIG_MAX  # False for NaN
    sv, cv = _sincos_in_range64(select(ok, x, 0.0))
    return select(ok, sv, _NAN), select(ok, cv, _NAN)


# ------------------------------------------------------------------------------- float32
# The same algorithms in float32 arithmetic (8 lanes per AVX2 register instead of 4): the
# shifter is 1.5 * 2**23, the integer parts are int32 (AVX2 converts float32 <-> int32 in
# packed form, unlike float64 <-> int64), and the polynomials are shorter.
_F = np.float32
_NAN32 = _F(np.nan)
_ZERO32 = _F(0.0)
_ONE32 = _F(1.0)
_HALF32 = _F(0.5)
_SHIFT32 = _F(12582912.0)  # 1.5 * 2**23: (t + SHIFT) - SHIFT == rint(t) for |t| < 2**22
_TRIG_MAX32 = _F(FAST_TRIG_MAX)
#: ``fast_exp`` of a float32 is ``inf`` above this (the largest float32 whose exponential
#: is finite).
EXP_OVERFLOW32 = float.fromhex("0x1.62e42ep+6")
_EXP_CLAMP32 = _F(150.0)  # |k| <= 217: both halves of 2**k are normal float32 powers of two
_INV_LN2_32 = _F(float.fromhex("0x1.715476p+0"))
_NLN2_HI32 = _F(float.fromhex("-0x1.62e430p-1"))  # -ln 2 rounded to 24 bits
_NLN2_LO32 = _F(float.fromhex("0x1.05c610p-29"))  # -ln 2 - _NLN2_HI32
# e^r = 1 + r + r^2 (X0 + r X1 + ... + r^5 X5), near-minimax in relative error on
# |r| <= ln2/2 (truncation error below 2e-10, far under a float32 ulp)
_X0 = _F(0.5)
_X1 = _F(float.fromhex("0x1.555556p-3"))
_X2 = _F(float.fromhex("0x1.5554e4p-5"))
_X3 = _F(float.fromhex("0x1.1110a8p-7"))
_X4 = _F(float.fromhex("0x1.6d4932p-10"))
_X5 = _F(float.fromhex("0x1.a1851ap-13"))
_TWO_OVER_PI32 = _F(float.fromhex("0x1.45f306p-1"))
# -pi/2 = _NP1 + _NP2 + _NP3 to 2**-73, each part rounded toward zero so all three have the
# same sign (sin(-0.0) = -0.0 as in float64); _NP1 has 23 significant bits, so the first
# reduction step is exact
_NP1 = _F(float.fromhex("-0x1.921fb4p+0"))
_NP2 = _F(float.fromhex("-0x1.4442d0p-24"))
_NP3 = _F(float.fromhex("-0x1.84698ap-48"))
# near-minimax (relative error) on |r| <= 1.01 pi/4: sin r = r + r^3 (T1 + z T2 + z^2 T3 +
# z^3 T4), cos r = 1 - z/2 + z^2 (K1 + z K2 + z^2 K3 + z^3 K4), z = r^2
_T1 = _F(float.fromhex("-0x1.555556p-3"))
_T2 = _F(float.fromhex("0x1.111054p-7"))
_T3 = _F(float.fromhex("-0x1.9f2bacp-13"))
_T4 = _F(float.fromhex("0x1.2c2baep-19"))
_K1 = _F(float.fromhex("0x1.555556p-5"))
_K2 = _F(float.fromhex("-0x1.6c104ep-10"))
_K3 = _F(float.fromhex("0x1.97e968p-16"))
_K4 = _F(float.fromhex("0x1.2d51bep-22"))


@intrinsic
def _scale_pow2_f32(typingctx, y, kf):
    """``y * 2**(k//2) * 2**(k - k//2)`` for the integer-valued float32 ``kf = k``,
    ``|k| <= 252``: int32 arithmetic on the exponent field (vectorizable), two roundings at
    most (exact unless the result is subnormal or overflows)."""
    if not (y == types.float32 and kf == types.float32):
        return None

    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        k = builder.fptosi(args[1], i32)
        k1 = builder.ashr(k, ir.Constant(i32, 1))
        k2 = builder.sub(k, k1)

        def pow2(e):
            bits = builder.shl(builder.add(e, ir.Constant(i32, 127)), ir.Constant(i32, 23))
            return builder.bitcast(bits, ir.FloatType())

        return builder.fmul(builder.fmul(args[0], pow2(k1)), pow2(k2))

    return types.float32(types.float32, types.float32), codegen


@intrinsic
def _quadrant_f32(typingctx, nf):
    """For the integer-valued float32 ``nf = n``: ``(n odd, n mod 4 in {2, 3},
    n mod 4 in {1, 2})`` from int32 bits (vectorizable)."""
    if nf != types.float32:
        return None

    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        zero = ir.Constant(i32, 0)
        q = builder.fptosi(args[0], i32)
        odd = builder.icmp_signed("!=", builder.and_(q, ir.Constant(i32, 1)), zero)
        s2 = builder.icmp_signed("!=", builder.and_(q, ir.Constant(i32, 2)), zero)
        c2 = builder.icmp_signed("!=", builder.and_(builder.add(q, ir.Constant(i32, 1)),
                                                    ir.Constant(i32, 2)), zero)
        return context.make_tuple(builder, signature.return_type, (odd, s2, c2))

    return types.UniTuple(types.boolean, 3)(types.float32), codegen


@njit(inline="always", cache=True)
def _exp32(x):
    """:math:`e^x` of a float32 in float32 arithmetic, branch-free."""
    xc = select(x > _EXP_CLAMP32, _EXP_CLAMP32, x)
    xc = select(xc < -_EXP_CLAMP32, -_EXP_CLAMP32, xc)
    kf = (xc * _INV_LN2_32 + _SHIFT32) - _SHIFT32
    kf = select(kf == kf, kf, _ZERO32)  # NaN never reaches the float->int conversion
    r = fma(kf, _NLN2_HI32, xc)  # exact
    r = fma(kf, _NLN2_LO32, r)
    p = fma(fma(fma(fma(fma(_X5, r, _X4), r, _X3), r, _X2), r, _X1), r, _X0)
    y = fma(fma(p, r, _ONE32), r, _ONE32)
    return _scale_pow2_f32(y, kf)


@njit(inline="always", cache=True)
def _sincos_in_range32(x):
    """float32 ``(sin x, cos x)`` for ``|x| <= FAST_TRIG_MAX``, no range check."""
    nf = (x * _TWO_OVER_PI32 + _SHIFT32) - _SHIFT32
    r = fma(nf, _NP1, x)  # exact
    r = fma(nf, _NP2, r)
    r = fma(nf, _NP3, r)
    z = r * r
    ps = fma(fma(fma(_T4, z, _T3), z, _T2), z, _T1)
    ks = fma(z * r, ps, r)
    ks = select(z != _ZERO32, ks, r)
    pc = fma(fma(fma(_K4, z, _K3), z, _K2), z, _K1)
    hz = _HALF32 * z
    w = _ONE32 - hz
    kc = w + fma(z * z, pc, (_ONE32 - w) - hz)
    odd, flip_s, flip_c = _quadrant_f32(nf)
    sv = select(odd, kc, ks)
    cv = select(odd, ks, kc)
    sv = select(flip_s, -sv, sv)
    cv = select(flip_c, -cv, cv)
    return sv, cv


@njit(inline="always", cache=True)
def _sincos32(x):
    ok = abs(x) <= _TRIG_MAX32  # False for NaN
    sv, cv = _sincos_in_range32(select(ok, x, _ZERO32))
    return select(ok, sv, _NAN32), select(ok, cv, _NAN32)


# ------------------------------------------------------------------ the public functions
# Each is an ordinary Python function (for calls from Python) with a Numba overload that is
# inlined at Numba-IR level into njit callers and picks the float64 or float32 algorithm
# from the argument's type when the caller is compiled.
def _is32(x) -> bool:
    return isinstance(x, np.float32)


def fast_exp(x):
    """:math:`e^x`, branch-free; <= 1 ulp (also for subnormal results); see module notes.

    A float32 argument (in a kernel compiled for float32, or an ``np.float32`` from Python)
    is computed in float32 arithmetic (<= 1 float32 ulp).

    Examples
    --------
    >>> import numpy as np
    >>> float(fast_exp(1.0)) == float(np.e)
    True
    >>> bool(fast_exp(np.float32(1.0)) == np.float32(np.e))
    True
    """
    return _exp32(x) if _is32(x) else _exp64(x)


def fast_sincos_in_range(x):
    """``(sin x, cos x)`` for ``|x| <= FAST_TRIG_MAX`` only, with no range check: the bits of
    :func:`fast_sincos` there, cheaper in a kernel that already bounds its argument
    (the Gabor model clamps it). Outside the range (or for NaN) the result is meaningless.
    float32 arguments are computed in float32 arithmetic.

    Parameters
    ----------
    x : float

    Returns
    -------
    (float, float)
        :math:`(\\sin x, \\cos x)`.

    Examples
    --------
    >>> from fastdescent.fastmath import fast_sincos, fast_sincos_in_range
    >>> fast_sincos_in_range(3.0) == fast_sincos(3.0)
    True
    """
    return _sincos_in_range32(x) if _is32(x) else _sincos_in_range64(x)


def fast_sincos(x):
    """``(sin x, cos x)``, branch-free; <= 1 ulp for ``|x| <= FAST_TRIG_MAX``, else NaN
    (also for inf and NaN). float32 arguments: float32 arithmetic, <= 1 float32 ulp.

    Parameters
    ----------
    x : float

    Returns
    -------
    (float, float)
        :math:`(\\sin x, \\cos x)`.

    Examples
    --------
    >>> from fastdescent.fastmath import fast_cos, fast_sin, fast_sincos
    >>> s, c = fast_sincos(0.5)
    >>> (s, c) == (fast_sin(0.5), fast_cos(0.5)), round(s * s + c * c, 15)
    (True, 1.0)
    """
    return _sincos32(x) if _is32(x) else _sincos64(x)


def fast_sin(x):
    """``sin x``, branch-free; <= 1 ulp for ``|x| <= FAST_TRIG_MAX``, else NaN.

    Parameters
    ----------
    x : float

    Returns
    -------
    float

    Examples
    --------
    >>> import math
    >>> from fastdescent.fastmath import FAST_TRIG_MAX, fast_sin
    >>> fast_sin(math.pi / 6), abs(fast_sin(1.0) - math.sin(1.0)) <= 2**-53
    (0.49999999999999994, True)
    >>> fast_sin(2 * FAST_TRIG_MAX)    # beyond the accurate range: NaN, never a wrong number
    nan
    """
    return fast_sincos(x)[0]


def fast_cos(x):
    """``cos x``, branch-free; <= 1 ulp for ``|x| <= FAST_TRIG_MAX``, else NaN.

    Parameters
    ----------
    x : float

    Returns
    -------
    float

    Examples
    --------
    >>> import math
    >>> from fastdescent.fastmath import fast_cos
    >>> fast_cos(0.0), abs(fast_cos(2.0) - math.cos(2.0)) <= 2**-53, fast_cos(math.inf)
    (1.0, True, nan)
    """
    return fast_sincos(x)[1]


@njit(inline="always", cache=True)
def _exp_parts_neg(t):
    """``(e^t - 1, e^t)`` for ``t <= 0`` (clamped to ``t >= -40``) from one reduction
    ``t = k ln2 + r``: :math:`e^t - 1 = 2^k\\,r p(r) + (2^k - 1)` and
    :math:`e^t = 2^k (1 + r p(r))` with the Horner polynomial of :func:`fast_exp`; the
    products by :math:`2^k` and :math:`2^k - 1` are exact (``-58 <= k <= 0``)."""
    tc = select(t < -40.0, -40.0, t)
    kf = (tc * _INV_LN2 + _SHIFT) - _SHIFT
    kf = select(kf == kf, kf, 0.0)  # NaN never reaches the float->int conversion
    r = fma(kf, _NLN2_HI, tc)
    r = fma(kf, _NLN2_LO, r)
    p = fma(fma(fma(fma(fma(fma(_E13, r, _E12), r, _E11), r, _E10), r, _E9), r, _E8), r, _E7)
    p = fma(fma(fma(fma(fma(fma(p, r, _E6), r, _E5), r, _E4), r, _E3), r, _E2), r, 1.0)
    s = _pow2(np.int64(kf))
    return fma(s, p * r, s - 1.0), s * fma(p, r, 1.0)


@njit(inline="always", cache=True)
def fast_expm1_neg(t):
    """:math:`e^t - 1` for ``t <= 0`` (clamped to ``t >= -40``, where it rounds to -1),
    branch-free and without the cancellation of ``exp(t) - 1`` (see :func:`fast_tanh`);
    for ``t > 0`` the result is meaningless.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.fastmath import fast_expm1_neg
    >>> fast_expm1_neg(-1e-10)             # exp(t) - 1 would keep about 7 digits here
    -9.999999999500001e-11
    >>> bool(fast_expm1_neg(-1.0) == np.expm1(-1.0))
    True
    """
    return _exp_parts_neg(t)[0]


@njit(inline="always", cache=True)
def _tanh64(x):
    """float64 :math:`\\tanh x` (see :func:`fast_tanh`)."""
    ax = abs(x)
    u, e = _exp_parts_neg(-2.0 * ax)
    # small |x|: -u / (u + 2) (u = e^{-2|x|} - 1 carries the small result without
    # cancellation); from |x| >= ln(3)/2: 1 - 2e / (1 + e), whose subtracted term is at most
    # 1/2, so its rounding costs less than an ulp of the result
    v = select(u > -0.6666666666666666, -u / (u + 2.0), 1.0 - (2.0 * e) / (1.0 + e))
    v = select(x < 0.0, -v, v)
    return select(ax == 0.0, x, v)  # keeps the sign of -0.0


@njit(inline="always", cache=True)
def _tanh32(x):
    """float32 :math:`\\tanh x`: the float64 algorithm, rounded once to float32."""
    return np.float32(_tanh64(np.float64(x)))


def fast_tanh(x):
    """:math:`\\tanh x`, branch-free, within a few ulp of ``math.tanh`` (see the module
    notes); ``tanh(±0) = ±0``, ``tanh(±inf) = ±1``, NaN propagates. A float32 argument is
    computed by the float64 algorithm and rounded once to float32.

    Examples
    --------
    >>> import math
    >>> from numba import njit
    >>> @njit
    ... def tanh_all(x, out):            # vectorizes: no libm call in the loop
    ...     for i in range(x.shape[0]):
    ...         out[i] = fast_tanh(x[i])
    >>> x = np.array([-3.0, -0.5, 0.0, 1e-9, 0.7, 25.0])
    >>> out = np.empty_like(x)
    >>> tanh_all(x, out)
    >>> bool(np.all(ulp_distance(out, np.tanh(x)) <= 4))
    True
    """
    return _tanh32(x) if _is32(x) else _tanh64(x)


def _dispatch(f64, f32):
    def typer(x):
        if x == types.float32:
            return lambda x: f32(x)
        if x == types.float64:
            return lambda x: f64(x)
        return None

    return typer


overload(fast_exp, inline="always")(_dispatch(_exp64, _exp32))
overload(fast_sincos_in_range, inline="always")(_dispatch(_sincos_in_range64,
                                                          _sincos_in_range32))
overload(fast_sincos, inline="always")(_dispatch(_sincos64, _sincos32))
overload(fast_tanh, inline="always")(_dispatch(_tanh64, _tanh32))


@njit(inline="always", cache=True)
def _sin64(x):
    return _sincos64(x)[0]


@njit(inline="always", cache=True)
def _cos64(x):
    return _sincos64(x)[1]


@njit(inline="always", cache=True)
def _sin32(x):
    return _sincos32(x)[0]


@njit(inline="always", cache=True)
def _cos32(x):
    return _sincos32(x)[1]


overload(fast_sin, inline="always")(_dispatch(_sin64, _sin32))
overload(fast_cos, inline="always")(_dispatch(_cos64, _cos32))


# ----------------------------------------------------------------- scalar / any-range helpers


@njit(cache=True)
def sincos_exact(x):
    """``(sin x, cos x)`` for any ``x`` (scalar, branches: not for vector loops).

    Bitwise equal to :func:`fast_sincos` for ``|x| <= FAST_TRIG_MAX``; libm beyond it.

    Parameters
    ----------
    x : float

    Returns
    -------
    (float, float)
        :math:`(\\sin x, \\cos x)`.

    Examples
    --------
    >>> import math
    >>> from fastdescent.fastmath import FAST_TRIG_MAX, fast_sincos, sincos_exact
    >>> sincos_exact(1.5) == fast_sincos(1.5)
    True
    >>> x = 3 * FAST_TRIG_MAX
    >>> sincos_exact(x) == (math.sin(x), math.cos(x))
    True
    """
    if abs(x) <= FAST_TRIG_MAX:
        return fast_sincos(x)
    return math.sin(x), math.cos(x)


@njit(cache=True)
def sin_exact(x):
    """``sin x`` for any ``x``; see :func:`sincos_exact`.

    Parameters
    ----------
    x : float

    Returns
    -------
    float

    Examples
    --------
    >>> import math
    >>> from fastdescent.fastmath import fast_sin, sin_exact
    >>> sin_exact(1e7) == math.sin(1e7), sin_exact(0.25) == fast_sin(0.25)
    (True, True)
    """
    if abs(x) <= FAST_TRIG_MAX:
        return fast_sincos(x)[0]
    return math.sin(x)


@njit(cache=True)
def cos_exact(x):
    """``cos x`` for any ``x``; see :func:`sincos_exact`.

    Parameters
    ----------
    x : float

    Returns
    -------
    float

    Examples
    --------
    >>> import math
    >>> from fastdescent.fastmath import cos_exact, fast_cos
    >>> cos_exact(1e7) == math.cos(1e7), cos_exact(0.25) == fast_cos(0.25)
    (True, True)
    """
    if abs(x) <= FAST_TRIG_MAX:
        return fast_sincos(x)[1]
    return math.cos(x)


@njit(cache=True)
def trig_args_ok(x):
    """True when every element of the float64 array ``x`` satisfies ``|x| <= FAST_TRIG_MAX``.

    Parameters
    ----------
    x : ndarray of float64

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.fastmath import trig_args_ok
    >>> trig_args_ok(np.array([0.0, -1e6])), trig_args_ok(np.array([0.0, 2e6]))
    (True, False)
    >>> trig_args_ok(np.array([np.nan]))
    False
    """
    for v in x.ravel():
        if not abs(v) <= FAST_TRIG_MAX:
            return False
    return True


@njit(cache=True)
def sincos_fixup(x, s, c):
    """Recompute in place ``s[i], c[i] = sin, cos(x[i])`` where ``|x[i]| > FAST_TRIG_MAX``.

    ``x``, ``s``, ``c``: 1-D float64 arrays of the same length (``s`` or ``c`` may be a dummy
    array of that length when only one is wanted). Returns the number of entries fixed.
    Entries that are NaN or ``±inf`` stay NaN.

    Parameters
    ----------
    x, s, c : ndarray of float64, shape (N,)

    Returns
    -------
    int

    Examples
    --------
    A vectorized pass leaves NaN beyond the range; the fix-up recomputes those entries:

    >>> import math
    >>> import numpy as np
    >>> from fastdescent.fastmath import fast_sincos, sincos_fixup
    >>> x = np.array([0.5, 3e6])
    >>> s = np.array([fast_sincos(v)[0] for v in x])
    >>> c = np.array([fast_sincos(v)[1] for v in x])
    >>> bool(np.isnan(s[1])), sincos_fixup(x, s, c), bool(s[1] == math.sin(3e6))
    (True, 1, True)
    """
    nfix = 0
    for i in range(x.shape[0]):
        v = x[i]
        if abs(v) > FAST_TRIG_MAX and abs(v) < math.inf:
            s[i] = math.sin(v)
            c[i] = math.cos(v)
            nfix += 1
    return nfix


def ulp_distance(a, b):
    """Distance in units in the last place between float64 arrays (via int64 bit patterns),
    or between float32 arrays in float32 ulps (when both are float32).

    Plain NumPy, for accuracy measurements (``tests/test_fastmath.py``,
    ``benchmarks/bench_fastmath.py --accuracy``). Both NaN -> 0; one NaN -> inf; ``+0`` and
    ``-0`` -> 0 (signs of zero are tested apart).

    Parameters
    ----------
    a, b : array_like of float64

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> import numpy as np
    >>> ulp_distance(np.array([1.0]), np.array([1.0 + 2.0**-52]))
    array([1.])
    >>> ulp_distance(np.array([1.0], np.float32), np.array([1.0 + 2.0**-23], np.float32))
    array([1.])
    """
    if (np.asarray(a).dtype == np.float32 and np.asarray(b).dtype == np.float32):
        a = np.ascontiguousarray(a).astype(np.float32)
        b = np.ascontiguousarray(b).astype(np.float32)
        ia = a.view(np.int32).astype(np.int64)
        ib = b.view(np.int32).astype(np.int64)
        mag = np.int64(0x7FFF_FFFF)
    else:
        a = np.ascontiguousarray(a, dtype=np.float64)
        b = np.ascontiguousarray(b, dtype=np.float64)
        ia = a.view(np.int64)
        ib = b.view(np.int64)
        mag = np.int64(0x7FFF_FFFF_FFFF_FFFF)
    # map to a monotone integer line: negative floats -> -(bits without sign)
    oa = np.where(ia < 0, -(ia & mag), ia)
    ob = np.where(ib < 0, -(ib & mag), ib)
    same = (oa >= 0) == (ob >= 0)
    with np.errstate(over="ignore"):
        d_same = np.abs(np.where(same, oa - ob, 0)).astype(np.float64)
    d_cross = np.abs(oa).astype(np.float64) + np.abs(ob).astype(np.float64)
    d = np.where(same, d_same, d_cross)
    na, nb = np.isnan(a), np.isnan(b)
    d = np.where(na | nb, np.inf, d)
    return np.where(na & nb, 0.0, d)
