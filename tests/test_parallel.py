"""The one pool: every task scanned here in order, the work done serially when there is little
of it and in worker processes when there is more, results in order, memory bounded."""

import os

from estimator_migrate.io import parallel
from estimator_migrate.io.parallel import Work


def odd_is_work(n):
    """Even numbers are finished by the scan; odd ones need the expensive step."""
    return Work(n) if n % 2 else (n, "scanned", os.getpid())


def square_with_pid(n):
    return n * n, "processed", os.getpid()


def test_pool_keeps_order_and_does_only_the_work():
    results = parallel.run(range(60), odd_is_work, square_with_pid, 2, serial_below=4)
    assert [r[:2] for r in results] == [(n * n, "processed") if n % 2 else (n, "scanned") for n in range(60)]
    assert {r[2] for r in results if r[1] == "scanned"} == {os.getpid()}  # the scan runs here
    assert any(r[2] != os.getpid() for r in results if r[1] == "processed")  # pooled


def test_serial_for_little_work_or_one_job():
    ticks = []
    # 100 tasks, 3 of them work: below serial_below, so no pool.
    results = parallel.run(range(100), lambda n: Work(n) if n in (5, 50, 95) else n, square_with_pid, 4,
                           advance=lambda: ticks.append(1))
    assert [r[0] if isinstance(r, tuple) else r for r in results] == [n * n if n in (5, 50, 95) else n
                                                                    for n in range(100)]
    assert {r[2] for r in results if isinstance(r, tuple)} == {os.getpid()}
    assert len(ticks) == 100
    results = parallel.run(range(20), Work, square_with_pid, 1)
    assert {r[2] for r in results} == {os.getpid()}


def test_no_pool_and_no_warm_up_without_work():
    calls = []
    results = parallel.run(range(5000), lambda n: n, square_with_pid, 2, warm_up=lambda: calls.append(1))
    assert results == list(range(5000)) and calls == []


def test_warm_up_once_before_the_pool():
    calls = []
    parallel.run(range(30), Work, square_with_pid, 2, warm_up=lambda: calls.append(1), serial_below=4)
    assert calls == [1]


def test_work_in_flight_is_bounded():
    scanned = []
    finished = []

    def scan(n):
        scanned.append(n)
        return Work(n)

    def advance():
        finished.append(len(scanned))

    parallel.run(range(200), scan, square_with_pid, 2, advance=advance, serial_below=2)
    limit = 2 * parallel.IN_FLIGHT_PER_WORKER + 1
    # When the k-th result is collected, at most `limit` more tasks have been scanned.
    assert all(seen - done <= limit for done, seen in enumerate(finished, 1))


def test_available_cores():
    assert parallel.available_cores() >= 1
