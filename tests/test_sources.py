"""Byte-faithful decoding/encoding and atomic writes (estimator_migrate.io.sources)."""

import codecs
import os
import stat

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from estimator_migrate.io import sources
from estimator_migrate.io.sources import (
    SourceError,
    atomic_write,
    decode_source,
    encode_source,
    split_lines,
    unified_diff,
)


def roundtrip(data: bytes) -> str:
    decoded = decode_source(data)
    assert encode_source(decoded.text, decoded) == data
    return decoded.text


# -- decoding --------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"x = 1\n",
    b"x = 1\r\ny = 2\r\n",
    b"x = 1\ry = 2\r",
    b"x = 1\ny = 2\r\nz = 3\rw = 4",
    b"if x:\n\ty = 1  \t\n\n   \n",
    b"x = 1",
    b"",
    b"\n\n\n",
    b"s = '\xc3\xa9\xe2\x9c\x93'\r\n",
    b"x = 1\x0cy = 2\n",  # form feed: str.splitlines would split here, Python does not
])
def test_utf8_round_trip_keeps_newlines(data):
    assert roundtrip(data) == data.decode("utf-8")


def test_bom_is_kept():
    data = codecs.BOM_UTF8 + b"x = '\xc3\xa9'\r\n"
    decoded = decode_source(data)
    assert decoded.bom and decoded.text == "x = '\u00e9'\r\n"
    assert encode_source(decoded.text, decoded) == data
    assert encode_source(decoded.text.replace("x", "y"), decoded).startswith(codecs.BOM_UTF8)


def test_latin1_cookie():
    data = b"# -*- coding: latin-1 -*-\r\nname = 'caf\xe9'\r\n"
    decoded = decode_source(data)
    assert decoded.encoding == "iso-8859-1"
    assert "caf\u00e9" in decoded.text
    assert encode_source(decoded.text, decoded) == data


def test_cookie_on_second_line():
    data = b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = '\x80'\n"
    assert roundtrip(data).endswith("'\u20ac'\n")


def test_unknown_cookie():
    with pytest.raises(SourceError, match=r"^unknown encoding in coding cookie: 'klingon'$"):
        decode_source(b"# coding: klingon\nx = 1\n")


def test_undecodable_names_encoding_and_offset():
    with pytest.raises(SourceError) as info:
        decode_source(b"x = 1\ny = '\xff'\n")
    assert str(info.value) == "cannot decode as utf-8: invalid byte 0xff at byte offset 11 (line 2)"


def test_undecodable_in_first_line():
    with pytest.raises(SourceError, match=r"cannot decode as utf-8: invalid byte 0xe9 at byte offset 1 \(line 1\)"):
        decode_source(b"#\xe9\n")


def test_undecodable_with_cookie():
    with pytest.raises(SourceError, match=r"cannot decode as ascii: invalid byte 0xe9 at byte offset 21"):
        decode_source(b"# coding: ascii\nx = '\xe9'\n")


def test_null_bytes():
    with pytest.raises(SourceError, match=r"null byte at byte offset 6 \(line 2\); binary file"):
        decode_source(b"x = 1\n\x00")


def test_utf16():
    with pytest.raises(SourceError, match="UTF-16"):
        decode_source(codecs.BOM_UTF16_LE + "x = 1\n".encode("utf-16-le"))


def test_bom_with_other_cookie():
    with pytest.raises(SourceError, match="BOM"):
        decode_source(codecs.BOM_UTF8 + b"# coding: latin-1\nx = 1\n")


def test_cookie_that_is_not_a_text_encoding():
    with pytest.raises(SourceError, match="not a text encoding"):
        decode_source(b"# coding: rot13\nx = 1\n")


def test_unencodable_new_text():
    decoded = decode_source(b"# coding: latin-1\nx = 1\n")
    with pytest.raises(SourceError, match="cannot be encoded as iso-8859-1: character '\u2713' at position 5"):
        encode_source("x = '\u2713'\n", decoded)


def test_messages_are_one_line():
    assert str(SourceError("a\nb\r\n  c")) == "a b c"


newline = st.sampled_from(["\n", "\r\n", "\r"])
blank = st.text(alphabet=" \t\x0c", max_size=4)
code = st.sampled_from(["x = 1", "est = Estimator(source_directory='.')", "# caf\u00e9 \u2713", "if x:", "    pass",
                        "s = '''a", "b'''", "", "\tdef f(): return 'tab'"])
line = st.tuples(blank, code, blank, newline).map("".join)
body = st.lists(line, max_size=12).map("".join)
last = st.tuples(blank, code, blank).map("".join)


@hsettings(max_examples=200, deadline=None)
@given(text=st.tuples(body, last).map("".join), bom=st.booleans())
def test_whitespace_and_newlines_survive_byte_for_byte(text, bom):
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    assert roundtrip(data) == text
    assert "".join(split_lines(text)) == text


@hsettings(max_examples=100, deadline=None)
@given(text=st.tuples(body, last).map("".join))
def test_latin1_round_trip(text):
    text = "# -*- coding: latin-1 -*-\n" + text.replace("\u2713", "\u00fc")
    assert roundtrip(text.encode("latin-1")) == text


# -- diffs -----------------------------------------------------------------------------------

def test_diff_empty_when_equal():
    assert unified_diff("a\n", "a\n", "a/x", "b/x") == ""


def test_diff_marks_missing_final_newline():
    diff = unified_diff("a = 1\nb = 2", "a = 1\nb = 3", "a/x.py", "b/x.py")
    assert diff.startswith("--- a/x.py\n+++ b/x.py\n")
    assert "-b = 2\n\\ No newline at end of file\n+b = 3\n\\ No newline at end of file\n" in diff


# -- atomic writes ----------------------------------------------------------------------------

def leftovers(directory):
    return sorted(p for p in os.listdir(directory) if p.endswith(".tmp"))


def test_write_replaces_content(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    atomic_write(path, b"new\r\n")
    assert path.read_bytes() == b"new\r\n"
    assert leftovers(tmp_path) == []


def test_mode_bits_kept(tmp_path):
    path = tmp_path / "script.py"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o755)
    atomic_write(path, b"new\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o755


def test_new_file_gets_default_mode(tmp_path):
    path = tmp_path / "fresh.py"
    atomic_write(path, b"x\n")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~mask


def test_symlink_target_rewritten_and_link_kept(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    target = real / "train.py"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o640)
    link = tmp_path / "link.py"
    link.symlink_to(os.path.relpath(target, tmp_path))
    atomic_write(link, b"new\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert leftovers(tmp_path) == [] and leftovers(real) == []


def test_read_only_file_refused(tmp_path):
    path = tmp_path / "ro.py"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o444)
    with pytest.raises(SourceError, match=r"^file is read-only; not rewritten$"):
        atomic_write(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert leftovers(tmp_path) == []


def test_directory_not_writable(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # Tests run as root, where directory permission bits do not bite: simulate.
    monkeypatch.setattr("tempfile.mkstemp", denied)
    with pytest.raises(SourceError, match=r"^cannot write: directory .* is not writable \(Permission denied\)$"):
        atomic_write(path, b"new\n")
    assert path.read_bytes() == b"old\n"


def test_changed_on_disk_refused(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    before = os.stat(path)
    path.write_bytes(b"edited by someone else\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    with pytest.raises(SourceError, match="changed on disk since it was read"):
        atomic_write(path, b"new\n", expected_stat=before)
    assert path.read_bytes() == b"edited by someone else\n"
    assert leftovers(tmp_path) == []


def test_unchanged_stat_accepted(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    atomic_write(path, b"new\n", expected_stat=os.stat(path))
    assert path.read_bytes() == b"new\n"


def test_removed_since_read_refused(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    before = os.stat(path)
    path.unlink()
    with pytest.raises(SourceError, match="removed since it was read"):
        atomic_write(path, b"new\n", expected_stat=before)
    assert not path.exists()


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_crash_between_write_and_replace(tmp_path, monkeypatch, exc):
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")

    def crash(src, dst):
        assert os.path.exists(src)  # the temp file is fully written at this point
        raise exc

    monkeypatch.setattr(sources.os, "replace", crash)
    expected = SourceError if isinstance(exc, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        atomic_write(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert leftovers(tmp_path) == []


def test_crash_during_write(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    monkeypatch.setattr(sources.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    with pytest.raises(SourceError, match=r"^cannot write: Input/output error$"):
        atomic_write(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert leftovers(tmp_path) == []


def test_not_a_regular_file(tmp_path):
    with pytest.raises(SourceError, match="not a regular file"):
        atomic_write(tmp_path, b"x")
