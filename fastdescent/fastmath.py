"""Branch-free, vectorizable ``exp``, ``sin``, ``cos`` and ``sincos`` for Numba kernels.

Why this module exists
----------------------
Numba's LLVM has no vector math library on our machines, so ``math.sin``, ``math.cos`` and
``math.exp`` inside a loop stay scalar ``libm`` calls and a kernel that loops over a block of
independent trajectories (``for b in range(B)``, innermost) cannot be vectorized. The functions
here are written only with IEEE-754 ``+ - * /``, integer shifts, one bit cast and
select-able conditionals, and are inlined at Numba-IR level (``inline='always'``), so LLVM's
loop vectorizer turns such a loop into packed AVX2/AVX-512 code (``vmulpd``/``vaddpd`` on
``ymm``/``zmm`` registers, no ``call sin``).

They are compiled without ``fastmath``: there is no FMA contraction or reassociation, so a
value computed in a vector lane is **bitwise identical** to the same value computed by the
scalar remainder loop (or by a plain scalar call). Results are also platform independent
(pure IEEE arithmetic), unlike ``libm``.

Algorithms
----------
``fast_exp(x)``
    fdlibm ``e_exp.c``: ``k = rint(x / ln2)`` (by the ``1.5 * 2**52`` shifter trick),
    ``r = (x - k*ln2_hi) - k*ln2_lo`` with a 32-bit ``ln2_hi`` so ``k*ln2_hi`` is exact,
    fdlibm's degree-5 Remez rational form ``1 - ((lo - r*c/(2 - c)) - hi)``, then scaling by
    :math:`2^k` built from the exponent field (integer shift + bit cast) in two halves,
    ``y * 2**(k//2) * 2**(k - k//2)``: the first product is exact, the second rounds once, so
    subnormal results are gradual and correctly scaled, overflow gives ``+inf``. ``x`` is
    clamped to ``[-1000, 1000]`` before the integer path (which never sees NaN), so
    ``exp(+inf) = inf``, ``exp(-inf) = 0`` and NaN propagates.
``fast_sin(x)``, ``fast_cos(x)``, ``fast_sincos(x) -> (s, c)``
    Cody–Waite reduction ``r = x - n*pi/2`` with ``n = rint(x * 2/pi)`` and pi/2 split into
    four parts (fdlibm ``pio2_1, pio2_2, pio2_3, pio2_3t``: 31, 32 and 28 significant bits
    plus a full tail, 160 bits in all). For ``|n| < 2**20`` every product ``n*pio2_i``
    (i <= 3) is exact, ``x - n*pio2_1`` is exact (Sterbenz) and the rest is accumulated with
    error-free TwoSum steps into a double-double ``r = y0 + y1``, so even the worst
    cancellations near multiples of pi/2 keep full relative accuracy. Then FreeBSD's
    ``__kernel_sin(y0, y1)`` / ``__kernel_cos(y0, y1)`` minimax polynomials (both always
    evaluated) and the quadrant ``n mod 4`` applied by selects (swap and sign), never by
    branches.

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
Max ulp error against glibc ``math.sin/cos/exp`` (itself < 1 ulp), measured on 10**7 samples
per row (``tests/test_fastmath.py`` asserts <= 1 ulp on 4*10**5 per row). Every measured error
is at most 1 ulp; about 3 % of trig and 9.5 % of exp results differ from libm by 1 ulp.

==================================================================  =======  =====
arguments                                                           sin/cos  exp
==================================================================  =======  =====
uniform ``[-1, 1]``, ``[-100, 100]``, ``[-2**20, 2**20]``           1        --
log-uniform ``|x|`` in ``[2**-40, 2**20]``                          1        --
every ``k*pi/2`` in range, +-3 ulp (2.0e6 points)                   1        --
the 8 doubles closest to a multiple of pi/2 (``|r| >= 2**-60``)     0        --
tiny ``|x| < 2**-27`` incl. subnormals (``sin x == x``)             0        0
uniform ``[-745.2, 710]``, ``[-1, 1]``                              --       1
subnormal results, uniform ``[-745.2, -708.4]``                     --       1
log-uniform ``|x|`` in ``[2**-1074, 1]``                            --       1
==================================================================  =======  =====

Specials: ``sin(±0) = ±0``, ``cos(±0) = 1``, ``sin/cos(±inf, nan) = nan``;
``exp(±0) = 1``, ``exp(-inf) = 0``, ``exp(inf) = inf``, ``exp(nan) = nan``,
``exp(x > 709.782712893384) = inf``.

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
  round differently. Inside the caller's loop avoid ``x / y`` with a non-constant ``y`` under
  Numba's default error model (its ``ZeroDivisionError`` check is a branch that blocks
  vectorization); this module uses a check-free ``fdiv`` intrinsic internally.
* On AVX-512 "Skylake-class" CPUs LLVM prefers 256-bit vectors (``ymm``). Compiling with
  ``NUMBA_CPU_FEATURES="<host features>,-prefer-256-bit"`` gives ``zmm`` code, measured about
  1.5x faster again for the benchmark loop (``benchmarks/bench_fastmath.py``).

Because the ``fast_*`` functions are inlined into their callers at Numba-IR level, a caller's
on-disk cache (``cache=True``) is not invalidated when this file changes; clear ``__pycache__``
(``*.nbi``/``*.nbc``) after editing it.
"""
import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.extending import intrinsic

__all__ = [
    "FAST_TRIG_MAX",
    "EXP_OVERFLOW",
    "fast_exp",
    "fast_sin",
    "fast_cos",
    "fast_sincos",
    "sin_exact",
    "cos_exact",
    "sincos_exact",
    "sincos_fixup",
    "trig_args_ok",
]

#: Largest ``|x|`` for which ``fast_sin/cos/sincos`` are accurate; beyond it they return NaN.
FAST_TRIG_MAX = 1048576.0  # 2**20: n = rint(x*2/pi) < 2**20 keeps n*pio2_i exact
#: ``fast_exp(x)`` is ``inf`` for ``x`` above this (``log(DBL_MAX)``), as for libm.
EXP_OVERFLOW = 709.782712893384

_NAN = math.nan
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: (t + SHIFT) - SHIFT == rint(t) for |t| < 2**51

# --------------------------------------------------------------------- exp constants (fdlibm)
_INV_LN2 = float.fromhex("0x1.71547652b82fep+0")
_LN2_HI = float.fromhex("0x1.62e42fee00000p-1")  # 32 significant bits
_LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
_EP1 = 1.66666666666666019037e-01
_EP2 = -2.77777777770155933842e-03
_EP3 = 6.61375632143793436117e-05
_EP4 = -1.65339022054652515390e-06
_EP5 = 4.13813679705723846039e-08
_EXP_CLAMP = 1000.0

# --------------------------------------------------------------------- trig constants (fdlibm)
_TWO_OVER_PI = float.fromhex("0x1.45f306dc9c883p-1")
_PIO2_1 = float.fromhex("0x1.921fb54400000p+0")  # 31 significant bits
_PIO2_2 = float.fromhex("0x1.0b4611a600000p-34")  # 32
_PIO2_3 = float.fromhex("0x1.3198a2e000000p-69")  # 28
_PIO2_3T = float.fromhex("0x1.b839a252049c1p-104")  # tail: sum is pi/2 to 2**-160 relative

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
def _fdiv(typingctx, a, b):
    """Plain IEEE ``a / b`` for float64: no ``ZeroDivisionError`` check (which would branch)."""
    if a != types.float64 or b != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.fdiv(args[0], args[1])

    return types.float64(types.float64, types.float64), codegen


@njit(inline="always", cache=True)
def _pow2(k):
    """``2.0**k`` for int64 ``-1022 <= k <= 1023`` (exponent field, no rounding)."""
    return _bits_to_f64((k + 1023) << 52)


@njit(inline="always", cache=True)
def fast_exp(x):
    """:math:`e^x`, branch-free; <= 1 ulp (also for subnormal results); see module notes."""
    # clamp (NaN passes through both selects): the integer path then only sees |x| <= 1000
    xc = _EXP_CLAMP if x > _EXP_CLAMP else x
    xc = -_EXP_CLAMP if xc < -_EXP_CLAMP else xc
    kf = (xc * _INV_LN2 + _SHIFT) - _SHIFT
    kf = kf if kf == kf else 0.0  # NaN never reaches the float->int conversion
    hi = xc - kf * _LN2_HI  # exact
    lo = kf * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_EP1 + t * (_EP2 + t * (_EP3 + t * (_EP4 + t * _EP5))))
    y = 1.0 - ((lo - _fdiv(r * c, 2.0 - c)) - hi)  # 2 - c > 1.6: never zero
    k = np.int64(kf)
    k1 = k >> 1  # floor(k / 2); |k1|, |k - k1| <= 722: both halves are normal powers of two
    return (y * _pow2(k1)) * _pow2(k - k1)


@njit(inline="always", cache=True)
def _trig_core(x):
    """``(sin x, cos x)`` for ``|x| <= FAST_TRIG_MAX``; NaN outside (and for inf/NaN)."""
    ok = abs(x) <= FAST_TRIG_MAX  # False for NaN
    xr = x if ok else 0.0
    nf = (xr * _TWO_OVER_PI + _SHIFT) - _SHIFT
    # r = x - n*pi/2 as a double-double (y0, y1); n*pio2_{1,2,3} are exact for |n| < 2**20
    a = xr - nf * _PIO2_1  # exact (Sterbenz)
    b = -(nf * _PIO2_2)
    s = a + b  # TwoSum(a, b)
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    b = -(nf * _PIO2_3)
    s2 = s + b  # TwoSum(s, b)
    bb = s2 - s
    e2 = (s - (s2 - bb)) + (b - bb)
    ntail = nf * _PIO2_3T - (e + e2)  # minus the tail: keeps y0 = -0.0 for x = -0.0
    y0 = s2 - ntail  # Fast2Sum(s2, tail)
    y1 = (s2 - y0) - ntail
    # __kernel_sin(y0, y1)
    z = y0 * y0
    w = z * z
    rs = _S2 + z * (_S3 + z * _S4) + z * w * (_S5 + z * _S6)
    v = z * y0
    ks = y0 - ((z * (0.5 * y1 - v * rs) - y1) - v * _S1)
    # __kernel_cos(y0, y1)
    rc = z * (_C1 + z * (_C2 + z * _C3)) + w * w * (_C4 + z * (_C5 + z * _C6))
    hz = 0.5 * z
    w = 1.0 - hz
    kc = w + (((1.0 - w) - hz) + (z * rc - y0 * y1))
    # quadrant n mod 4: sin = (s, c, -s, -c)[q], cos = (c, -s, -c, s)[q]
    q = np.int64(nf) & 3
    odd = (q & 1) != 0
    sv = kc if odd else ks
    cv = ks if odd else kc
    sv = -sv if (q & 2) != 0 else sv
    cv = -cv if ((q + 1) & 2) != 0 else cv
    sv = sv if ok else _NAN
    cv = cv if ok else _NAN
    return sv, cv


@njit(inline="always", cache=True)
def fast_sincos(x):
    """``(sin x, cos x)``, branch-free; <= 1 ulp for ``|x| <= FAST_TRIG_MAX``, else NaN."""
    return _trig_core(x)


@njit(inline="always", cache=True)
def fast_sin(x):
    """``sin x``, branch-free; <= 1 ulp for ``|x| <= FAST_TRIG_MAX``, else NaN."""
    return _trig_core(x)[0]


@njit(inline="always", cache=True)
def fast_cos(x):
    """``cos x``, branch-free; <= 1 ulp for ``|x| <= FAST_TRIG_MAX``, else NaN."""
    return _trig_core(x)[1]


# ----------------------------------------------------------------- scalar / any-range helpers


@njit(cache=True)
def sincos_exact(x):
    """``(sin x, cos x)`` for any ``x`` (scalar, branches: not for vector loops).

    Bitwise equal to :func:`fast_sincos` for ``|x| <= FAST_TRIG_MAX``; libm beyond it.
    """
    if abs(x) <= FAST_TRIG_MAX:
        return _trig_core(x)
    return math.sin(x), math.cos(x)


@njit(cache=True)
def sin_exact(x):
    """``sin x`` for any ``x``; see :func:`sincos_exact`."""
    if abs(x) <= FAST_TRIG_MAX:
        return _trig_core(x)[0]
    return math.sin(x)


@njit(cache=True)
def cos_exact(x):
    """``cos x`` for any ``x``; see :func:`sincos_exact`."""
    if abs(x) <= FAST_TRIG_MAX:
        return _trig_core(x)[1]
    return math.cos(x)


@njit(cache=True)
def trig_args_ok(x):
    """True when every element of the float64 array ``x`` satisfies ``|x| <= FAST_TRIG_MAX``."""
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
    """
    nfix = 0
    for i in range(x.shape[0]):
        v = x[i]
        if abs(v) > FAST_TRIG_MAX and abs(v) < math.inf:
            s[i] = math.sin(v)
            c[i] = math.cos(v)
            nfix += 1
    return nfix
