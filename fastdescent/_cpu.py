"""Let LLVM use 512-bit vectors on CPUs that have them (must run before Numba is imported).

LLVM's default for AVX-512 CPUs is ``prefer-256-bit``: loops are vectorized with 256-bit
registers. fastdescent's block kernels (trajectories innermost, branch-free math) process twice
as many trajectories per instruction with 512-bit registers, which is faster wherever the CPU
does not throttle its clock for them (``docs/performance.md``).
Results are bitwise the same either way: every lane runs the same IEEE operations, there is no
FMA contraction and no horizontal reduction.

The setting is applied only when Numba has not been imported yet and ``NUMBA_CPU_FEATURES`` is
not set by the user; ``FASTDESCENT_WIDE_VECTORS=0`` turns it off. It applies to every Numba
function of the process (Numba reads it once); Numba's caches key on CPU features, so cached
code of either setting is never mixed.
"""
import os
import sys


def configure() -> bool:
    """Set ``NUMBA_CPU_FEATURES`` to the host's features minus ``prefer-256-bit``; True if set."""
    if os.environ.get("FASTDESCENT_WIDE_VECTORS", "1") == "0":
        return False
    if "numba" in sys.modules or "NUMBA_CPU_FEATURES" in os.environ:
        return False
    try:
        import llvmlite.binding as llvm

        feats = llvm.get_host_cpu_features()
        if not feats.get("avx512f", False):
            return False
        flat = feats.flatten()
    except Exception:  # noqa: BLE001 - any failure: keep Numba's defaults
        return False
    os.environ["NUMBA_CPU_FEATURES"] = flat + ",-prefer-256-bit"
    return True


WIDE_VECTORS = configure()
