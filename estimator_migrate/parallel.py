"""Run the per-file work over many files: in this process, or in a pool of worker processes.

Most files in a repository never mention azureml; the prefilter rules them out in a few
microseconds, far less than sending them to a worker would cost. So the files are first
sorted out with :func:`flags` (the prefilter, spread over forked helpers when there are many
files), and only the candidates go to :func:`run`: serially when there are few, else to a
pool, in small chunks (each file takes tens of milliseconds, so load balance matters more than
IPC).

Workers are forked after ``warm_up`` imported the engine, its rules and libcst, so they do not
repeat those imports. No nested parallelism: the pre-commit hooks declare
``require_serial: true``, so there is one invocation and this is the only pool.
"""

from __future__ import annotations

import os
from typing import Any, Callable, List, Optional, Sequence

# Below this many files a process pool costs more (start-up, pickling) than it saves.
SERIAL_BELOW = 8
# From this many files the prefilter is shared with forked helpers: a fork costs a few
# milliseconds, the prefilter about ten microseconds a file.
SPLIT_FROM = 1000


def available_cores() -> int:
    """The cores this process may run on (CPU affinity and cgroup cpusets count), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def flags(predicate: Callable[[Any], bool], tasks: Sequence[Any], jobs: Optional[int], *,
          split_from: int = SPLIT_FROM) -> List[bool]:
    """``predicate(task)`` for every task, in order; ``jobs`` as for :func:`run`.

    From ``split_from`` tasks on, ``jobs - 1`` forked helpers each take every ``jobs``-th task
    and send back one byte per task through a pipe, while this process does its own share.
    Nothing but those bytes crosses (the helpers inherit the tasks and the predicate), so this
    is worth it for a predicate as cheap as the prefilter. A helper that fails, or cannot be
    forked, is replaced by this process doing its share. Without ``os.fork`` (Windows)
    everything runs here."""
    jobs = min(jobs or available_cores(), max(1, len(tasks) // max(1, split_from // 2)))
    if jobs <= 1 or len(tasks) < split_from or not hasattr(os, "fork"):
        return [bool(predicate(task)) for task in tasks]
    out: List[bool] = [False] * len(tasks)
    helpers = []
    try:
        for share in range(1, jobs):
            try:
                helpers.append(_fork_helper(predicate, tasks[share::jobs], share))
            except OSError:  # no more processes allowed, out of memory, ...: do it here
                out[share::jobs] = [bool(predicate(task)) for task in tasks[share::jobs]]
        out[0::jobs] = [bool(predicate(task)) for task in tasks[0::jobs]]
        for index, (share, pid, reader) in enumerate(helpers):
            data = _read_all(reader)
            os.close(reader)
            _, status = os.waitpid(pid, 0)
            helpers[index] = None
            mine = tasks[share::jobs]
            if status == 0 and len(data) == len(mine):
                out[share::jobs] = [byte == 1 for byte in data]
            else:
                out[share::jobs] = [bool(predicate(task)) for task in mine]
    finally:
        for helper in helpers:  # only after an exception (Ctrl-C): stop and reap what is left
            if helper is not None:
                _, pid, reader = helper
                os.close(reader)
                try:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                except OSError:
                    pass
    return out


def _fork_helper(predicate: Callable[[Any], bool], share: Sequence[Any], number: int):
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        raise
    if pid == 0:  # the helper: compute, write, leave without running any exit handler
        status = 1
        try:
            os.close(reader)
            data = bytes(1 if predicate(task) else 0 for task in share)
            view = memoryview(data)
            while view:
                view = view[os.write(writer, view):]
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    return number, pid, reader


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run(tasks: Sequence[Any], process: Callable[[Any], Any], jobs: Optional[int], *,
        warm_up: Optional[Callable[[], None]] = None, advance: Optional[Callable[[], None]] = None,
        serial_below: int = SERIAL_BELOW) -> List[Any]:
    """``process(task)`` for every task, results in the order of ``tasks``.

    ``jobs``: worker processes (None or 0: all cores; 1: serial). Serial also for fewer than
    ``serial_below`` tasks. ``advance`` is called once per finished task (a progress bar)."""
    jobs = jobs or available_cores()
    tick = advance or (lambda: None)
    if jobs == 1 or len(tasks) < serial_below:
        results = []
        for task in tasks:
            results.append(process(task))
            tick()
        return results
    if warm_up is not None:
        warm_up()
    return _pooled(tasks, process, min(jobs, len(tasks)), tick)


_PROCESS: Optional[Callable[[Any], Any]] = None  # the worker's process function (set by fork or initializer)


def _init_worker(process: Callable[[Any], Any]) -> None:
    global _PROCESS
    _PROCESS = process


def _run_chunk(chunk: Sequence[Any]) -> List[Any]:
    assert _PROCESS is not None
    return [_PROCESS(task) for task in chunk]


def _pooled(tasks: Sequence[Any], process: Callable[[Any], Any], workers: int,
            tick: Callable[[], None]) -> List[Any]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the warmed-up imports; elsewhere (Windows, macOS spawn) it still works, the
    # process function then travels to each worker once through the initializer.
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    # Small chunks: a candidate file costs tens of milliseconds, the IPC for it a fraction of one;
    # a big last chunk would leave the other workers idle.
    size = max(1, min(4, len(tasks) // (workers * 16)))
    chunks = [tasks[i:i + size] for i in range(0, len(tasks), size)]
    results: List[Any] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(process,)) as pool:
        for chunk_results in pool.map(_run_chunk, chunks):
            for result in chunk_results:
                results.append(result)
                tick()
    return results
