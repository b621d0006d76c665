"""The process pool runner: order kept, skipped tasks never reach a worker, serial when small."""

import os

from estimator_migrate import parallel


def square_with_pid(n):
    return n * n, os.getpid()


def test_order_kept_and_skips_stay_in_the_parent():
    tasks = list(range(40))
    skip = lambda n: ("skipped", os.getpid()) if n % 3 else None  # noqa: E731
    results = parallel.run(tasks, square_with_pid, 2, skip=skip, serial_below=4)
    assert [r[0] for r in results] == [n * n if n % 3 == 0 else "skipped" for n in tasks]
    assert all(pid == os.getpid() for value, pid in results if value == "skipped")
    assert any(pid != os.getpid() for value, pid in results if value != "skipped")  # pooled


def test_serial_for_few_files_or_one_job():
    ticks = []
    results = parallel.run(list(range(5)), square_with_pid, 4, advance=lambda: ticks.append(1))
    assert [r[0] for r in results] == [0, 1, 4, 9, 16] and {r[1] for r in results} == {os.getpid()}
    assert len(ticks) == 5
    results = parallel.run(list(range(20)), square_with_pid, 1)
    assert {r[1] for r in results} == {os.getpid()}


def test_few_candidates_after_skipping_run_in_the_parent():
    results = parallel.run(list(range(50)), square_with_pid, 2, skip=lambda n: None if n < 3 else ("s", 0))
    assert {pid for value, pid in results[:3]} == {os.getpid()}


def test_available_cores():
    assert parallel.available_cores() >= 1
