"""Run the per-file work over many files: in this process, or in a pool of worker processes.

Most files in a repository never mention azureml; the prefilter rules them out in a few
microseconds, far less than sending them to a worker would cost. So with a pool the parent
reads every file once and decides (``skip``); only the candidates travel to the workers, in
small chunks (each one takes tens of milliseconds, so load balance matters more than IPC).
When fewer than ``serial_below`` candidates remain, no pool is started at all.

Workers are forked after ``warm_up`` imported the engine, its rules and libcst, so they do not
repeat those imports. No nested parallelism: the pre-commit hooks declare
``require_serial: true``, so there is one invocation and this is the only pool.
"""

from __future__ import annotations

import os
from typing import Any, Callable, List, Optional, Sequence

# Below this many files a process pool costs more (start-up, pickling) than it saves.
SERIAL_BELOW = 8


def available_cores() -> int:
    """The cores this process may run on (CPU affinity and cgroup cpusets count), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run(tasks: Sequence[Any], process: Callable[[Any], Any], jobs: Optional[int], *,
        skip: Optional[Callable[[Any], Any]] = None, warm_up: Optional[Callable[[], None]] = None,
        advance: Optional[Callable[[], None]] = None, serial_below: int = SERIAL_BELOW) -> List[Any]:
    """``process(task)`` for every task, results in the order of ``tasks``.

    ``jobs``: worker processes (None or 0: all cores; 1: serial). ``skip(task)`` returns the
    result of a task that needs no real work, or None; it runs in this process and only when
    a pool could be used. ``advance`` is called once per finished task (a progress bar)."""
    jobs = jobs or available_cores()
    tick = advance or (lambda: None)
    if jobs == 1 or len(tasks) < serial_below:
        return _serial(tasks, process, tick)
    results: List[Any] = [None] * len(tasks)
    todo: List[int] = []
    for index, task in enumerate(tasks):
        done = skip(task) if skip is not None else None
        if done is None:
            todo.append(index)
        else:
            results[index] = done
            tick()
    if len(todo) < serial_below:
        for index in todo:
            results[index] = process(tasks[index])
            tick()
        return results
    if warm_up is not None:
        warm_up()
    for index, result in zip(todo, _pooled([tasks[i] for i in todo], process, min(jobs, len(todo)), tick)):
        results[index] = result
    return results


def _serial(tasks: Sequence[Any], process: Callable[[Any], Any], tick: Callable[[], None]) -> List[Any]:
    results = []
    for task in tasks:
        results.append(process(task))
        tick()
    return results


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
