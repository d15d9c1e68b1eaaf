"""Computation off the UI thread: one worker thread, the newest request of each channel wins.

A job is a generator function: each ``next`` does one chunk of work (a chunk of a sweep),
may yield a ``Partial`` result to publish at once (a coarse preview), and returns the
final result. The worker runs one chunk at a time; between chunks it

* drops a job whose channel got a newer request (the newer one replaces it), and
* runs the pending job of the most urgent channel first (lower ``priority`` first), so a
  clicked trajectory (a few milliseconds) does not wait for a basin map to finish.

Results and errors go to the callbacks given to ``Worker`` (called on the worker thread;
a UI hands them over to its own thread, e.g. Bokeh's ``add_next_tick_callback``).
"""
from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Worker", "Partial"]


@dataclass(frozen=True)
class Partial:
    """A result to publish before the job ends (a coarse preview).

    A job yields ``Partial(value)`` to have the worker pass ``value`` to ``on_result`` with
    ``final=False`` at once (when no newer request of the channel replaced the job); a plain
    ``yield`` only marks the end of a chunk.

    Parameters
    ----------
    value : object
        The result to publish.

    Examples
    --------
    >>> import threading
    >>> from fastdescent.explore.worker import Partial, Worker
    >>> done = threading.Event(); got = []
    >>> w = Worker(lambda ch, s, v, final: (got.append((v, final)), final and done.set()),
    ...            lambda ch, s, e: None)
    >>> def job():
    ...     yield Partial("coarse")
    ...     return "fine"
    >>> w.submit("map", job)
    1
    >>> done.wait(5), got
    (True, [('coarse', False), ('fine', True)])
    >>> w.close()
    """

    value: Any


@dataclass(eq=False)
class _Job:
    channel: str
    gen: Any
    serial: int
    priority: int


class Worker:
    """One daemon thread running the newest job of each channel, chunk by chunk.

    Parameters
    ----------
    on_result : callable ``(channel, serial, value, final)``
        Called with each ``Partial`` (``final=False``) and the job's return value
        (``final=True``).
    on_error : callable ``(channel, serial, exc)``
        Called when a job raises; the worker goes on with the other jobs.
    priority : dict, optional
        Channel -> rank (lower runs first); default 0.

    Examples
    --------
    >>> import threading
    >>> from fastdescent.explore.worker import Worker
    >>> done = threading.Event(); got = []
    >>> w = Worker(lambda ch, s, v, final: (got.append(v), final and done.set()),
    ...            lambda ch, s, e: None)
    >>> def job():
    ...     yield
    ...     return 42
    >>> w.submit("x", job)
    1
    >>> done.wait(5), got
    (True, [42])
    >>> w.close()
    """

    def __init__(self, on_result: Callable, on_error: Callable, priority: dict | None = None):
        self.on_result = on_result
        self.on_error = on_error
        self.priority = dict(priority or {})
        self._cv = threading.Condition()
        self._pending: dict[str, _Job] = {}
        self._serial: dict[str, int] = {}
        self._closed = False
        self._running: dict[str, _Job] = {}
        self._thread = threading.Thread(target=self._loop, name="fastdescent-explore",
                                        daemon=True)
        self._thread.start()

    def submit(self, channel: str, fn: Callable, *args, **kwargs) -> int:
        """Queue ``fn(*args, **kwargs)`` (a generator function) on ``channel``; an older job
        of the channel, queued or running, is dropped at its next chunk. Returns the serial
        number of the request (results carry it)."""
        with self._cv:
            serial = self._serial.get(channel, 0) + 1
            self._serial[channel] = serial
            self._pending[channel] = _Job(channel, (fn, args, kwargs), serial,
                                          self.priority.get(channel, 0))
            self._cv.notify()
        return serial

    def latest(self, channel: str) -> int:
        """Serial number of the newest request of ``channel`` (0: none yet)."""
        with self._cv:
            return self._serial.get(channel, 0)

    def idle(self) -> bool:
        """No request waits and no job runs (a job's last result may still be on its way)."""
        with self._cv:
            return not self._pending and not self._running

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()
        self._thread.join(timeout=5)

    # ------------------------------------------------------------------------ the thread
    def _next_job(self, running: dict):
        """The most urgent channel with work: a pending request or a running job."""
        cands = [(j.priority, 0, ch) for ch, j in self._pending.items()]
        cands += [(j.priority, 1, ch) for ch, j in running.items() if ch not in self._pending]
        return min(cands)[2] if cands else None

    def _loop(self):
        running = self._running
        while True:
            with self._cv:
                while not self._closed and not self._pending and not running:
                    self._cv.wait()
                if self._closed:
                    return
                ch = self._next_job(running)
                job = self._pending.pop(ch, None)
                if job is not None:  # a newer request replaces the running one
                    fn, args, kwargs = job.gen
                    running.pop(ch, None)
                    try:
                        job.gen = fn(*args, **kwargs)
                    except Exception as exc:  # noqa: BLE001 - reported, the app lives on
                        self._report_error(job, exc)
                        continue
                    running[ch] = job
                job = running[ch]
            try:
                out = next(job.gen)
            except StopIteration as stop:
                running.pop(ch, None)
                if job.serial == self.latest(ch):
                    self._report(job, stop.value, True)
                continue
            except Exception as exc:  # noqa: BLE001
                running.pop(ch, None)
                self._report_error(job, exc)
                continue
            if isinstance(out, Partial) and job.serial == self.latest(ch):
                self._report(job, out.value, False)

    def _report(self, job, value, final):
        try:
            self.on_result(job.channel, job.serial, value, final)
        except Exception:  # noqa: BLE001 - a failing callback must not stop the worker
            traceback.print_exc()

    def _report_error(self, job, exc):
        if job.serial != self.latest(job.channel):
            return
        try:
            self.on_error(job.channel, job.serial, exc)
        except Exception:  # noqa: BLE001
            traceback.print_exc()
