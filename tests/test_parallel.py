"""The process pool runner and the forked prefilter: order kept, serial when small, a failing
helper replaced."""

import os

import pytest

from estimator_migrate import parallel


def square_with_pid(n):
    return n * n, os.getpid()


def test_pool_keeps_order():
    results = parallel.run(list(range(40)), square_with_pid, 2, serial_below=4)
    assert [r[0] for r in results] == [n * n for n in range(40)]
    assert any(pid != os.getpid() for _, pid in results)  # pooled


def test_serial_for_few_files_or_one_job():
    ticks = []
    results = parallel.run(list(range(5)), square_with_pid, 4, advance=lambda: ticks.append(1))
    assert [r[0] for r in results] == [0, 1, 4, 9, 16] and {r[1] for r in results} == {os.getpid()}
    assert len(ticks) == 5
    results = parallel.run(list(range(20)), square_with_pid, 1)
    assert {r[1] for r in results} == {os.getpid()}


needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3])
def test_flags_shared_with_forked_helpers(jobs, tmp_path):
    parent = os.getpid()
    log = tmp_path / "pids"

    def odd(n):
        with open(log, "a") as handle:  # which process answered
            handle.write(f"{os.getpid()}\n")
        return n % 2 == 1

    tasks = list(range(2500))
    assert parallel.flags(odd, tasks, jobs, split_from=1000) == [n % 2 == 1 for n in tasks]
    pids = set(log.read_text().split())
    assert str(parent) in pids and len(pids) == jobs  # every helper did a share, so did this process


@needs_fork
def test_flags_redone_here_when_a_helper_fails():
    parent = os.getpid()

    def fragile(n):
        if os.getpid() != parent:
            raise RuntimeError("a helper breaks")
        return n > 10

    tasks = list(range(3000))
    assert parallel.flags(fragile, tasks, 2, split_from=1000) == [n > 10 for n in tasks]


def test_flags_serial_for_few_tasks_or_one_job():
    parent = os.getpid()

    def here(n):
        assert os.getpid() == parent
        return True

    assert parallel.flags(here, list(range(50)), 2) == [True] * 50
    assert parallel.flags(here, list(range(3000)), 1) == [True] * 3000


def test_available_cores():
    assert parallel.available_cores() >= 1


@needs_fork
def test_flags_done_here_when_fork_fails(monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    tasks = list(range(3000))
    assert parallel.flags(lambda n: n % 7 == 0, tasks, 3, split_from=1000) == [n % 7 == 0 for n in tasks]
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before  # the pipes were closed
