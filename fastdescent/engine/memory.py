"""Memory estimates of :func:`fastdescent.run` and :func:`fastdescent.sweep`, checked before
any large allocation (the inputs' copies included) against a cap.

The cap is ``max_memory=`` (bytes, a size string such as ``"8GiB"`` or a share of the
available memory such as ``"50%"``); by default :data:`DEFAULT_FRACTION` of the memory
available now (``MemAvailable`` of ``/proc/meminfo``, bounded by a cgroup limit), so a
request the machine cannot hold fails with a clear message instead of meeting the kernel's
OOM killer.
"""
from __future__ import annotations

import os
import re

__all__ = ["MemoryLimitError", "DEFAULT_FRACTION", "available_memory", "parse_memory",
           "check_memory"]

#: Share of the available memory a run or sweep may use by default.
DEFAULT_FRACTION = 0.8

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 2**10, "m": 10**6, "mb": 10**6,
          "mib": 2**20, "g": 10**9, "gb": 10**9, "gib": 2**30, "t": 10**12, "tb": 10**12,
          "tib": 2**40}


class MemoryLimitError(ValueError):
    """A run or sweep would need more memory than its cap (raised before allocating).

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.quadratic()
    >>> try:
    ...     fd.run(m, fd.optim.gd(), [[1.0, 1.0]] * 1000, steps=10, max_memory="10KB")
    ... except fd.engine.memory.MemoryLimitError as exc:
    ...     print(isinstance(exc, ValueError), str(exc)[:20])
    True the run needs about
    """


def available_memory() -> int:
    """Bytes of memory available to this process now: ``MemAvailable`` (Linux), bounded by
    the cgroup v2 limit minus its usage; the free physical pages elsewhere.

    Returns
    -------
    int

    Examples
    --------
    >>> from fastdescent.engine.memory import available_memory
    >>> available_memory() > 0
    True
    """
    avail = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError):
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            avail = 8 * 2**30
    try:
        with open("/sys/fs/cgroup/memory.max") as fh:
            limit = fh.read().strip()
        if limit != "max":
            with open("/sys/fs/cgroup/memory.current") as fh:
                used = int(fh.read().strip())
            avail = min(avail, max(0, int(limit) - used))
    except (OSError, ValueError):
        pass
    return int(avail)


def parse_memory(value, name: str = "max_memory") -> int:
    """``max_memory`` as bytes: None (the default share of the available memory), a positive
    number of bytes, ``"8GiB"``/``"500MB"``/``"2G"``, or ``"50%"`` of the available memory.

    Parameters
    ----------
    value : None, int, float or str
        The cap.
    name : str
        The argument's name, for the error messages.

    Returns
    -------
    int
        Bytes.

    Raises
    ------
    ValueError
        If the size does not parse, has an unknown unit, or is not positive.
    TypeError
        If ``value`` is neither a number nor a string.

    Examples
    --------
    >>> from fastdescent.engine.memory import parse_memory
    >>> parse_memory("8GiB"), parse_memory("500MB"), parse_memory(1e6)
    (8589934592, 500000000, 1000000)
    >>> parse_memory("8 parsecs")
    Traceback (most recent call last):
        ...
    ValueError: max_memory must be a size such as '8GiB', '500MB' or '50%', got '8 parsecs'
    """
    if value is None:
        return int(DEFAULT_FRACTION * available_memory())
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number of bytes or a size such as '8GiB', got "
                        f"{value!r}")
    if isinstance(value, str):
        s = value.strip().lower().replace(" ", "")
        m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)(%|[kmgt]?i?b?)", s)
        if not m:
            raise ValueError(f"{name} must be a size such as '8GiB', '500MB' or '50%', got "
                             f"{value!r}")
        num, unit = float(m.group(1)), m.group(2)
        if unit == "%":
            if not 0 < num <= 100:
                raise ValueError(f"{name} must be a share in (0%, 100%], got {value!r}")
            out = num / 100 * available_memory()
        else:
            if unit not in _UNITS:
                raise ValueError(f"{name}: unknown unit in {value!r} (use B, KB, MB, GB, TB "
                                 f"or KiB, MiB, GiB, TiB)")
            out = num * _UNITS[unit]
    elif isinstance(value, (int, float)) or hasattr(value, "__index__"):
        out = float(value)
    else:
        raise TypeError(f"{name} must be a number of bytes or a size such as '8GiB', got "
                        f"{type(value).__name__}")
    if not out > 0 or out != out:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return int(out)


def trajectory_bytes(P: int, H: int, K: int) -> tuple[int, int]:
    """(bytes kept per trajectory, bytes per trajectory of one chunk in flight).

    Kept: the input copies (start point ``8 P``, hyperparameters ``8 H``, index and seed
    ``16``) and the results (``params`` ``8 P``, ``loss`` 8, ``status`` 1, ``steps`` 8, and
    with ``K`` recorded points ``8 K (P + 1)``). In flight: a chunk's inputs and outputs
    once more, before they are copied into the results.
    """
    results = 8 * P + 17 + 8 * K * (P + 1)
    inputs = 8 * (P + H) + 16
    return inputs + results, inputs + results


def check_memory(n: int, P: int, H: int, K: int, chunk: int, max_memory, *,
                 what: str = "the run") -> int:
    """Raise :class:`MemoryLimitError` when ``n`` trajectories need more than the cap;
    returns the estimate in bytes.

    Parameters
    ----------
    n, P, H, K : int
        Trajectories, parameters, hyperparameters and recorded points per trajectory.
    chunk : int
        Trajectories per chunk in flight.
    max_memory : None, int or str
        The cap (:func:`parse_memory`).
    what : str
        What is checked, for the message.

    Returns
    -------
    int

    Raises
    ------
    MemoryLimitError
        If the estimate exceeds the cap.

    Examples
    --------
    A million trajectories of 2 parameters with 101 recorded points need about 2.5 GB:

    >>> from fastdescent.engine.memory import check_memory
    >>> round(check_memory(10**6, 2, 1, 101, 4096, "16GB") / 1e9, 2)
    2.51
    >>> check_memory(10**6, 2, 1, 101, 4096, "1GB")
    Traceback (most recent call last):
        ...
    fastdescent.engine.memory.MemoryLimitError: the run needs about 2.51 GB of memory ...
    """
    cap = parse_memory(max_memory)
    kept, flight = trajectory_bytes(P, H, K)
    need = n * kept + min(n, chunk) * flight
    if need > cap:
        how = ("the default cap, a share of the memory available now"
               if max_memory is None else "max_memory")
        raise MemoryLimitError(
            f"{what} needs about {need / 1e9:.2f} GB of memory for {n} trajectories"
            f"{f' x {K} recorded points' if K else ''} (> {cap / 1e9:.2f} GB, {how}): record "
            f"less often (a larger record_every, or none), run fewer trajectories at once "
            f"(split the starting points or the axes into several calls), or raise the cap "
            f"(max_memory=, CLI --max-memory) if the machine has that memory; a store does "
            f"not lower it (the result is assembled in memory)")
    return need
