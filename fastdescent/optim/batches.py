"""Counter-based random streams for minibatches.

Each trajectory's batches are a pure function of ``(seed, trajectory index, epoch)``: the
permutation of an epoch is a Fisher-Yates shuffle driven by SplitMix64 applied to a counter
(the SplitMix64 output function is a bijective 64-bit mixer, so the stream is a hash of its key
and position, never a shared or per-thread state). Results are therefore identical for any
thread count, chunking or execution order, and on any machine.

Epochs: one pass over the N examples in the order of that epoch's permutation, in
``ceil(N / batch_size)`` batches; when ``batch_size`` does not divide N the **last batch of
each epoch is smaller** (``N mod batch_size`` examples), so every example is used exactly once
per epoch.
"""
import numpy as np
from numba import njit, uint64

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True)
def mix64(z):
    """SplitMix64's output function (a bijection of uint64).

    Parameters
    ----------
    z : int
        A 64-bit unsigned integer.

    Returns
    -------
    numpy.uint64

    Examples
    --------
    A bijection of 64-bit integers that scatters neighbours:

    >>> from fastdescent.optim.batches import mix64
    >>> hex(mix64(0)), hex(mix64(1)) != hex(mix64(2))
    ('0x0', True)
    """
    z = uint64(z)
    z = (z ^ (z >> uint64(30))) * _M1
    z = (z ^ (z >> uint64(27))) * _M2
    return z ^ (z >> uint64(31))


@njit(cache=True)
def stream_key(seed, index, epoch):
    """64-bit key of trajectory ``index``'s stream in ``epoch`` for ``seed``.

    Parameters
    ----------
    seed, index, epoch : int

    Returns
    -------
    numpy.uint64

    Examples
    --------
    Each (seed, trajectory, epoch) has its own key; the same triple always the same one:

    >>> from fastdescent.optim.batches import stream_key
    >>> stream_key(0, 5, 1) == stream_key(0, 5, 1), stream_key(0, 5, 1) != stream_key(0, 5, 2)
    (True, True)
    """
    k = mix64(uint64(seed) + _GAMMA)
    k = mix64(k ^ (uint64(index) * _GAMMA + uint64(1)))
    return mix64(k ^ (uint64(epoch) * _M1 + uint64(2)))


@njit(cache=True)
def uniform_below(key, counter, n):
    """An integer in [0, n) from position ``counter`` of stream ``key`` (53-bit float scaling,
    bias below 2**-53 * n).

    Parameters
    ----------
    key : numpy.uint64
        A :func:`stream_key`.
    counter : int
        The position in the stream.
    n : int
        The bound, >= 1.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.optim.batches import stream_key, uniform_below
    >>> key = stream_key(0, 0, 0)
    >>> draws = np.array([uniform_below(key, i, 6) for i in range(6000)])
    >>> int(draws.min()), int(draws.max()), bool(abs(np.mean(draws == 0) - 1 / 6) < 0.02)
    (0, 5, True)
    """
    u = mix64(key + uint64(counter) * _GAMMA)
    r = float(u >> uint64(11)) * (1.0 / 9007199254740992.0)
    j = int(r * n)
    return j if j < n else n - 1


@njit(cache=True)
def epoch_permutation(seed, index, epoch, out):
    """Write the permutation of ``len(out)`` examples for ``(seed, index, epoch)`` into ``out``.

    Parameters
    ----------
    seed, index, epoch : int
        The stream (:func:`stream_key`).
    out : ndarray of int64, shape (n,)
        Receives a Fisher-Yates shuffle of ``0..n-1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.optim.batches import epoch_permutation
    >>> out = np.empty(8, dtype=np.int64)
    >>> epoch_permutation(0, 3, 1, out)
    >>> sorted(out) == list(range(8))
    True
    """
    n = out.shape[0]
    for i in range(n):
        out[i] = i
    key = stream_key(seed, index, epoch)
    for i in range(n - 1, 0, -1):
        j = uniform_below(key, i, i + 1)
        tmp = out[i]
        out[i] = out[j]
        out[j] = tmp


@njit(cache=True)
def no_permutation(seed, index, epoch, out):
    """Placeholder the engine receives with full-batch runs, which it never calls (empty: its
    compile is the cheapest possible).

    Parameters
    ----------
    seed, index, epoch : int
    out : ndarray of int64
        Left untouched.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.optim.batches import no_permutation
    >>> out = np.arange(3)
    >>> no_permutation(0, 0, 0, out)
    >>> out
    array([0, 1, 2])
    """


def permutation_kernel(minibatch: bool):
    """:func:`epoch_permutation` (``minibatch``) or :func:`no_permutation`, compiled for
    :data:`~fastdescent.contract.PERMUTE` on first use.

    Parameters
    ----------
    minibatch : bool

    Returns
    -------
    numba dispatcher

    Examples
    --------
    >>> from fastdescent.contract import PERMUTE
    >>> from fastdescent.optim.batches import epoch_permutation, permutation_kernel
    >>> kernel = permutation_kernel(True)
    >>> kernel is epoch_permutation, PERMUTE.args in kernel.overloads
    (True, True)
    """
    from fastdescent.contract import PERMUTE, compiled

    return compiled(epoch_permutation if minibatch else no_permutation, PERMUTE)


def permutation(seed: int, index: int, epoch: int, n: int) -> np.ndarray:
    """Python helper: the example order of one epoch of one trajectory.

    Parameters
    ----------
    seed, index, epoch : int
        The key of the stream.
    n : int
        Number of examples.

    Returns
    -------
    ndarray of int64, shape (n,)

    Examples
    --------
    >>> from fastdescent.optim.batches import permutation
    >>> p = permutation(seed=0, index=0, epoch=0, n=10)
    >>> sorted(p.tolist()) == list(range(10)), bool((permutation(0, 0, 0, 10) == p).all())
    (True, True)
    """
    out = np.empty(int(n), dtype=np.int64)
    epoch_permutation(int(seed), int(index), int(epoch), out)
    return out


def batches(seed: int, index: int, n_examples: int, batch_size: int, steps: int) -> list:
    """The example indices used at each of ``steps`` steps (a reference for tests/figures).

    Parameters
    ----------
    seed, index : int
        The trajectory's stream.
    n_examples, batch_size, steps : int

    Returns
    -------
    list of ndarray
        One array of example indices per step (the last batch of an epoch may be shorter).

    Examples
    --------
    Five examples in batches of two: an epoch is three steps, each example used once:

    >>> import numpy as np
    >>> from fastdescent.optim.batches import batches
    >>> b = batches(seed=0, index=0, n_examples=5, batch_size=2, steps=3)
    >>> [len(x) for x in b], sorted(np.concatenate(b).tolist())
    ([2, 2, 1], [0, 1, 2, 3, 4])
    """
    nb = -(-n_examples // batch_size)
    out = []
    perm = None
    for t in range(steps):
        e, j = divmod(t, nb)
        if j == 0:
            perm = permutation(seed, index, e, n_examples)
        out.append(perm[j * batch_size:min((j + 1) * batch_size, n_examples)].copy())
    return out
