"""Byte-faithful reading and writing of source files.

The core works on ``str`` with the file's own newlines (never normalised), so decoding must
not touch line endings and encoding must give back the very same bytes: a BOM, a coding
cookie, CRLF/CR/mixed newlines and trailing whitespace all survive a round trip.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import os
import re
import stat
from typing import Union

from estimator_migrate.text import split_lines

# difflib, tempfile and tokenize are imported where they are used: the CLI imports this module
# on every run, also when no file needs decoding, diffing or writing.

PathLike = Union[str, "os.PathLike[str]"]


class SourceError(Exception):
    """A file cannot be read, decoded or written. ``str(err)`` is one line, without the path
    (the caller prefixes the path it shows to the user)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = " ".join(message.split())  # one line, whatever the cause said

    def __str__(self) -> str:
        return self.message


@dataclasses.dataclass(frozen=True)
class DecodedSource:
    text: str
    # A Python codec name as tokenize reports it: "utf-8-sig" when the file starts with a
    # BOM (decoding drops it, encoding writes it back), otherwise the cookie's encoding.
    encoding: str

    @property
    def bom(self) -> bool:
        return self.encoding == "utf-8-sig"


_UTF16_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


# Encodings where decoding and encoding are exact inverses: no round-trip check needed.
_BIJECTIVE = frozenset({"utf-8", "utf-8-sig", "iso8859-1", "ascii"})


def _display(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _line_of(data: bytes, offset: int) -> int:
    # Python ends lines at \r\n, \n or \r; count them the same way.
    return len(re.findall(rb"\r\n|\n|\r", data[:offset])) + 1


def _undecodable(data: bytes, encoding: str, offset: int) -> SourceError:
    byte = data[offset] if offset < len(data) else 0
    return SourceError(
        f"cannot decode as {_display(encoding)}: invalid byte 0x{byte:02x} at byte offset {offset} "
        f"(line {_line_of(data, offset)})"
    )


def decode_source(data: bytes) -> DecodedSource:
    """Decode Python source bytes as Python does (BOM, PEP 263 cookie, default UTF-8), keeping
    every newline as it is. Raises SourceError with a one-line message."""
    if data.startswith(_UTF16_32_BOMS) and not data.startswith(codecs.BOM_UTF8):
        raise SourceError("file is UTF-16/UTF-32 encoded; Python source must be UTF-8 or an ASCII-compatible encoding")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(f"contains a null byte at byte offset {nul} (line {_line_of(data, nul)}); binary file?")
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as err:
        message = str(err.msg or err)
        if message.startswith("unknown encoding"):
            name = message.split(":", 1)[-1].strip()
            raise SourceError(f"unknown encoding in coding cookie: {name!r}") from None
        if message.startswith("invalid or missing encoding declaration"):
            # No cookie and the first lines are not UTF-8: report where, as for the body.
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _undecodable(data, "utf-8", exc.start) from None
        if message.startswith("encoding problem"):
            raise SourceError("file starts with a UTF-8 BOM but its coding cookie names another encoding") from None
        raise SourceError(f"cannot detect the encoding: {message}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(data, encoding, exc.start) from None
    except LookupError:
        raise SourceError(f"coding cookie names {encoding!r}, which is not a text encoding") from None
    decoded = DecodedSource(text=text, encoding=encoding)
    if codecs.lookup(encoding).name in _BIJECTIVE:
        return decoded
    # Some codecs are not bijective (several byte sequences decode to one character); a file
    # in such an encoding cannot be rewritten byte for byte, so refuse rather than alter it.
    if text.encode(encoding, errors="replace") != data:
        raise SourceError(f"the {_display(encoding)} encoding of this file does not round-trip byte for byte")
    return decoded


def encode_source(text: str, decoded: DecodedSource) -> bytes:
    """Encode ``text`` like the file it came from (same encoding, BOM kept)."""
    try:
        return text.encode(decoded.encoding)
    except UnicodeEncodeError as exc:
        raise SourceError(
            f"the new source cannot be encoded as {_display(decoded.encoding)}: "
            f"character {exc.object[exc.start:exc.end]!r} at position {exc.start}"
        ) from None


# -- writing ---------------------------------------------------------------------------------

def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__


def _is_read_only(path: str, st: os.stat_result) -> bool:
    # os.access is what the OS would allow; the mode bits catch a read-only file that root
    # (or the owner of a writable directory) could replace anyway: a read-only file is a
    # deliberate "do not touch" and is respected.
    return not (st.st_mode & 0o222) or not os.access(path, os.W_OK)


def _check_unchanged(path: str, expected) -> None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SourceError("file was removed since it was read; not rewritten") from None
    same = st.st_mtime_ns == expected.st_mtime_ns and st.st_size == expected.st_size
    ino = getattr(expected, "st_ino", None)
    if ino and st.st_ino != ino:
        same = False  # another tool replaced the file since we read it
    if not same:
        raise SourceError("file changed on disk since it was read; not rewritten")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_directory(directory: str) -> None:
    # Makes the rename itself durable; not possible on every platform, hence best effort.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: PathLike, data: bytes, *, expected_stat=None) -> None:
    """Replace the file at ``path`` with ``data`` so that it is always either fully old or
    fully new: write a temp file next to it, fsync, copy the permission bits, ``os.replace``.

    A symlink is resolved and its target rewritten (the link stays a link). With
    ``expected_stat`` (an ``os.stat_result`` taken when the file was read) a file that changed
    on disk since (mtime_ns, size, inode) is refused. Raises SourceError; the original is then
    untouched and no temp file is left behind, also on KeyboardInterrupt.
    """
    import tempfile

    target = os.path.realpath(os.fspath(path))
    directory = os.path.dirname(target) or os.curdir
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as err:
        raise SourceError(f"cannot write: {_reason(err)}") from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise SourceError("cannot write: not a regular file")
        if _is_read_only(target, st):
            raise SourceError("file is read-only; not rewritten")
    elif expected_stat is not None:
        raise SourceError("file was removed since it was read; not rewritten")
    if expected_stat is not None:
        _check_unchanged(target, expected_stat)

    tmp: str | None = None
    try:
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(target) + ".", suffix=".tmp")
        except OSError as err:
            raise SourceError(f"cannot write: directory {directory} is not writable ({_reason(err)})") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if st is not None:
            if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.stat(tmp).st_uid, os.stat(tmp).st_gid):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except OSError:
                    pass  # best effort: only root may give a file away
            mode = stat.S_IMODE(st.st_mode)
        else:
            mode = 0o666 & ~_umask()  # what open() would have created
        os.chmod(tmp, mode)  # after chown, which may clear set-id bits
        if expected_stat is not None:
            _check_unchanged(target, expected_stat)  # again, as late as possible
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        raise SourceError(f"cannot write: {_reason(err)}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _fsync_directory(directory)


# -- diffs -----------------------------------------------------------------------------------
def unified_diff(old: str, new: str, fromfile: str, tofile: str) -> str:
    """A unified diff of two texts; "" when equal. Lines keep their own endings; a last line
    without one is marked like diff(1) does."""
    if old == new:
        return ""
    import difflib

    out = []
    for line in difflib.unified_diff(split_lines(old), split_lines(new), fromfile, tofile):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)
