"""Run the per-file work over many files: a cheap scan here, the expensive part in a pool.

Most files in a repository never mention azureml. ``scan`` (read the file once, prefilter its
bytes: microseconds) runs in this process for every file, in order, and finishes those; the
others come back as :class:`Work` and go to ``process`` (tens of milliseconds each). While
fewer than ``serial_below`` of them have turned up they are held; the pool starts only when
that many exist, so a tree with a handful of candidates (or none) never pays for it and never
imports the engine. Once the pool runs, each candidate goes to it as soon as it is scanned,
with the bytes already read (no second read), while this process scans on; at most a few per
worker are in flight, so memory stays bounded however many candidates a tree has.

Workers are forked after ``warm_up`` imported the engine, its rules and libcst, so they do not
repeat those imports. No nested parallelism: the pre-commit hooks declare
``require_serial: true``, so there is one invocation and this is the only pool.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

# Below this many candidates a process pool costs more (start-up, imports) than it saves.
SERIAL_BELOW = 8
# Candidates sent ahead per worker: enough to keep each one busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 4


class Work(NamedTuple):
    """What ``scan`` returns for a task that needs ``process(payload)``."""

    payload: Any


def available_cores() -> int:
    """The cores this process may run on (CPU affinity and cgroup cpusets count), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run(tasks: Iterable[Any], scan: Callable[[Any], Any], process: Callable[[Any], Any], jobs: int | None, *,
        warm_up: Callable[[], None] | None = None, advance: Callable[[], None] | None = None,
        serial_below: int = SERIAL_BELOW) -> list[Any]:
    """For every task, its result, in the order of ``tasks``: ``scan(task)`` when that is not a
    :class:`Work`, else ``process(work.payload)``.

    ``jobs``: worker processes (None or 0: all cores; 1: serial). ``advance`` is called once per
    finished task (a progress bar)."""
    workers = jobs or available_cores()
    tick = advance or _nothing
    results: list[Any] = []
    held: list[tuple[int, Any]] = []  # candidates waiting to see whether a pool pays
    in_flight: collections.deque[tuple[int, Any]] = collections.deque()
    pool = None
    try:
        for index, task in enumerate(tasks):
            scanned = scan(task)
            if type(scanned) is not Work:
                results.append(scanned)
                if advance is not None:
                    advance()
                continue
            results.append(None)
            if workers == 1:
                results[index] = process(scanned.payload)
                tick()
                continue
            if pool is None:
                held.append((index, scanned.payload))
                if len(held) < serial_below:
                    continue
                if warm_up is not None:
                    warm_up()
                pool = _start(process, workers)
                waiting, held = held, []
            else:
                waiting = [(index, scanned.payload)]
            for number, payload in waiting:
                in_flight.append((number, pool.submit(_call, payload)))
            while len(in_flight) > workers * IN_FLIGHT_PER_WORKER:
                number, future = in_flight.popleft()
                results[number] = future.result()
                tick()
        for number, payload in held:  # too few for a pool
            results[number] = process(payload)
            tick()
        while in_flight:
            number, future = in_flight.popleft()
            results[number] = future.result()
            tick()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return results


def _nothing() -> None:
    pass


_PROCESS: Callable[[Any], Any] | None = None  # the worker's process function (set by fork or initializer)


def _init_worker(process: Callable[[Any], Any]) -> None:
    global _PROCESS
    _PROCESS = process


def _call(payload: Any) -> Any:
    assert _PROCESS is not None
    return _PROCESS(payload)


def _start(process: Callable[[Any], Any], workers: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the warmed-up imports; elsewhere (Windows, macOS spawn) it still works, the
    # process function then travels to each worker once through the initializer.
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                               initargs=(process,))
