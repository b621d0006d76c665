"""The file layer: read each file once, hand its bytes to the core, write the result back.

``scan`` reads a file and, with the raw-bytes prefilter, finishes the files that cannot use the
SDK (most files of a repository: read once, never decoded); ``process`` runs the core
(core.migrate_bytes) on the others and, when asked, writes the new bytes atomically. Every
problem with one file ends up in its FileResult (a finding or a one-line ``error``); nothing here
raises for a bad file, so one file never stops the others. Ctrl-C is let through:
atomic_write guarantees each file is then either fully old or fully new.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

from estimator_migrate.core import FileResult, describe, migrate_bytes
from estimator_migrate.io.parallel import Work
from estimator_migrate.io.prefilter import NotRegularFile, is_notebook, may_contain_estimators, read_regular
from estimator_migrate.io.sources import atomic_write
from estimator_migrate.settings import Settings
from estimator_migrate.v2.script_scan import add_findings, file_reader


@dataclasses.dataclass(frozen=True)
class Job:
    """What every file of one run shares."""

    settings: Settings = Settings()
    write: bool = False  # rewrite changed files in place
    diff: bool = False  # compute the unified diff of each change
    # The core. Tests pass a stand-in; it must be picklable (a module-level function) for the pool.
    migrate: Callable[..., FileResult] = migrate_bytes
    # Under --target v2: reads a migrated job's training script for the v1 run-context scan
    # (EM507, v2/script_scan.py). The core reads nothing but its input; this layer reads files.
    read_script: Callable[[str], bytes | None] | None = file_reader


@dataclasses.dataclass(frozen=True)
class Loaded:
    """A file that was read and needs the core."""

    path: str
    data: bytes
    stat: os.stat_result


def _reason(err: OSError) -> str:
    """Why a file could not be read, in one line."""
    if isinstance(err, FileNotFoundError):
        return "no such file or directory"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    if isinstance(err, NotRegularFile):
        return "not a regular file"  # FIFOs and devices would block or never end
    if isinstance(err, PermissionError):
        return "permission denied (cannot read)"
    return f"cannot read: {err.strerror or type(err).__name__}"


def scan(path: str) -> FileResult | Work:
    """Read ``path`` once. A file that cannot be read, or whose bytes cannot use the SDK, is
    finished here; any other comes back as ``Work(Loaded)`` for :func:`process`."""
    try:
        data, stat = read_regular(path)
    except OSError as err:
        return FileResult(path, error=f"{path}: {_reason(err)}")
    if not may_contain_estimators(data, notebook=is_notebook(path)):
        return FileResult(path)
    return Work(Loaded(path, data, stat))


def process(job: Job, loaded: Loaded) -> FileResult:
    """Migrate a file that ``scan`` read; with ``job.write`` rewrite it atomically when it
    changed (not when it changed on disk since it was read). The result holds no file content."""
    path = loaded.path
    try:
        # The second-pass safety check costs a full extra migration; it guards writes.
        result = job.migrate(loaded.data, path, job.settings, diff=job.diff, verify=job.write)
    except Exception as err:  # noqa: BLE001 - the core does not raise; a stand-in might
        return FileResult(path, error=f"{path}: {describe(err)}")
    if job.settings.target == "v2" and job.read_script is not None:
        result = add_findings(result, loaded.data, job.read_script)
    written, error = False, result.error
    if job.write and result.changed and error is None and result.new_data is not None:
        try:
            atomic_write(path, result.new_data, expected_stat=loaded.stat)
            written = True
        except Exception as err:  # noqa: BLE001
            # The findings stay: they are still true of the file on disk.
            error = f"{path}: {describe(err)}"
    return dataclasses.replace(result, new_data=None, written=written, error=error)


def process_file(path: str, job: Job) -> FileResult:
    """:func:`scan` and, when needed, :func:`process` one file."""
    scanned = scan(os.fspath(path))
    return process(job, scanned.payload) if isinstance(scanned, Work) else scanned
