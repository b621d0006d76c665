"""The raw-bytes prefilter: decide, without parsing, that a file cannot use the Azure ML SDK,
and read files once. Most files of a repository are ruled out here, so this module is kept
light (standard library only, nothing of the engine) and the test itself is kept fast: an ASCII
file is never decoded, a non-ASCII one is normalised only when it holds a character that can
spell "azureml".
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata

# PEP 263: a comment naming the encoding, on one of the first two lines (tokenize has the last word).
_COOKIE_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)
_FIRST_TWO_LINES = re.compile(rb"\A[^\r\n]*(?:\r\n|\r|\n)?[^\r\n]*")
# In notebook JSON: an escape of a non-ASCII character, or of one of the letters of "azureml"
# (ANSI colour codes in outputs, \\u001b, are neither).
_NON_ASCII_ESCAPE = re.compile(rb"\\u(?:(?!00[0-7][0-9a-fA-F])[0-9a-fA-F]{4}|00(?:61|7[aA]|75|72|65|6[cCdD]))")
_ASCII_BYTES = bytes(range(128))
_ASCII_RUNS = re.compile("[\x00-\x7f]+")
_WINDOW = len("azureml")
_LETTERS = frozenset("azureml")
# Characters seen so far -> whether NFKC turns them into text with a letter of "azureml".
_SPELLS: dict[str, bool] = {}

# Every this many "z" that are not the start of "zureml", look at how dense they are: when
# they came closer than _Z_GAP bytes apart on average, the plain substring search is faster
# (a probe costs about as much as searching 250 bytes).
_Z_PROBES = 16
_Z_GAP = 256


def contains_azureml(data: bytes) -> bool:
    """``b"azureml" in data``, faster on source code.

    CPython 3.11 searches a seven-byte needle at about 1.6 GB/s here, a single byte with
    memchr about ten times faster; "z" is rare in code, so each "z" is found with memchr and
    only there the whole word is compared. Text dense with "z" (base64 images in notebook
    outputs) falls back to the plain search, so the worst case stays linear.
    """
    find = data.find
    at = find(b"z", 1)  # the "z" of "azureml" has one byte before it
    probes = 0
    while at >= 0:
        if data.startswith(b"azureml", at - 1):
            return True
        probes += 1
        if probes % _Z_PROBES == 0 and at < probes * _Z_GAP:
            return find(b"azureml", at - 1) >= 0
        at = find(b"z", at + 1)
    return False


def may_contain_estimators(data: bytes, notebook: bool = True) -> bool:
    """Cheap test on the raw bytes: False only when the file cannot use the Azure ML SDK.

    Every name the engine recognises is imported from ``azureml``. Python normalises
    identifiers with NFKC, so ``import ａｚｕｒｅｍｌ`` (full-width letters) is that import too;
    such spellings only hide in non-ASCII characters or, in notebook JSON, in ``\\uXXXX``
    escapes. The text is normalised only when one of its characters can become a letter of
    "azureml" (each distinct character is looked at once per process), which real non-ASCII
    text (comments in other languages, names, symbols) almost never has. A file that is not
    UTF-8 is read as Python reads it: with its coding cookie, or not at all. In Python source
    (``notebook=False``) an escape never spells a name: Python reads ``\\u`` only inside
    string literals.
    """
    if contains_azureml(data):
        return True
    escapes = notebook and b"\\u" in data
    if data.isascii():
        return escapes and _escapes_spell(data) and _spelled(data.decode("ascii"), notebook)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _with_cookie(data, notebook)
    # Bytes below 0x80 never occur inside a UTF-8 sequence: without them, what is left are the
    # non-ASCII characters, still valid UTF-8.
    if _can_spell(data.translate(None, _ASCII_BYTES).decode("utf-8")) or (escapes and _escapes_spell(data)):
        return _spelled(text, notebook)
    return False


def _can_spell(chars: str) -> bool:
    """Whether NFKC can turn one of ``chars`` into (text with) a letter of "azureml"."""
    for char in set(chars):
        spells = _SPELLS.get(char)
        if spells is None:
            spells = _SPELLS[char] = not _LETTERS.isdisjoint(unicodedata.normalize("NFKC", char))
        if spells:
            return True
    return False


def _escapes_spell(data: bytes) -> bool:
    found = _NON_ASCII_ESCAPE.findall(data)
    return bool(found) and _can_spell(_unescape(b"".join(found).decode("ascii")))


def _unescape(text: str) -> str:
    """JSON ``\\uXXXX`` escapes replaced by their characters (surrogate pairs joined)."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")


def _spelled(text: str, notebook: bool) -> bool:
    """The precise test, for the rare text that needs it: "azureml" after NFKC, looked for only
    around the characters that can spell a letter of it. NFKC maps every character to at least
    one character and never makes an ASCII letter out of two, so "azureml" spelled with such a
    character lies within the 7 characters on either side of it."""
    if notebook and "\\u" in text:
        text = _unescape(text)
        if "azureml" in text:  # spelled with escaped ASCII letters
            return True
    chars = [c for c in set(_ASCII_RUNS.sub("", text)) if _can_spell(c)]
    if not chars:
        return False
    pattern = re.compile("|".join(map(re.escape, chars)))
    normalize = unicodedata.normalize
    return any("azureml" in normalize("NFKC", text[max(0, m.start() - _WINDOW):m.end() + _WINDOW])
               for m in pattern.finditer(text))


def _with_cookie(data: bytes, notebook: bool) -> bool:
    """A file that is not UTF-8: Python reads it only with a coding cookie, in that codec."""
    first_two = _FIRST_TWO_LINES.match(data)
    assert first_two is not None  # the pattern matches any text
    if not _COOKIE_RE.search(first_two.group()):
        return False
    try:
        import io
        import tokenize

        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return True  # an unknown or wrong codec: the full pipeline says what is wrong
    return "azureml" in text or (_can_spell(_ASCII_RUNS.sub("", text)) and _spelled(text, notebook))


def is_notebook(name: str) -> bool:
    return str(name).lower().endswith(".ipynb")


class NotRegularFile(OSError):
    """A FIFO, device or socket: reading it could block or never end."""


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
# Opening non-blocking makes opening a FIFO return at once (it is then refused by its type), so
# a file needs one open and one fstat instead of a stat, an open and an fstat.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def read_regular(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its stat. Raises OSError (IsADirectoryError for a
    folder, NotRegularFile for anything else that is not a regular file)."""
    if not _NONBLOCK:
        _check_regular(os.stat(path))
    fd = os.open(path, _OPEN_FLAGS | _NONBLOCK)
    try:
        st = os.fstat(fd)
        _check_regular(st)
        chunk = os.read(fd, st.st_size + 1)
        if len(chunk) == st.st_size:  # the size fstat promised: the common case, one read
            return chunk, st
        chunks = [chunk]
        while chunk:  # until EOF: a short read is not proof of the end on every file system
            chunk = os.read(fd, max(st.st_size + 1, 65536))
            chunks.append(chunk)
        return b"".join(chunks), st
    finally:
        os.close(fd)


def _check_regular(st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError("is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile("not a regular file")
