"""Jupyter notebooks: one Python module for the engine, cells back out, minimal rewrites.

An estimator built in one cell is often submitted in a later one, so the engine sees all
eligible code cells as ONE module: cells are joined with unique boundary comment lines and
IPython syntax (``%pip``, ``!ls``, ``obj?``) is masked by unique placeholder statements.
After migration the module is split at the boundaries and the placeholders restored.

Writing back splices only the JSON text of changed cells' ``source`` values into the
original file text, so outputs, metadata, key order, indentation, escapes and the final
newline stay byte for byte as they were. Runtime needs only the stdlib ``json``.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import codecs
import dataclasses
import json
import re
import warnings
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]  # public, untyped in typeshed

from estimator_migrate.findings import Finding
from estimator_migrate.io.sources import SourceError, unified_diff
from estimator_migrate.text import split_lines


class NotebookError(Exception):
    """The migrated module cannot be split back into cells (an internal error: the
    notebook must then be treated as unchanged)."""


# -- reading ---------------------------------------------------------------------------------

@dataclasses.dataclass
class Cell:
    index: int  # 1-based position among ALL cells (markdown included), as shown in findings
    cell_type: str
    source: str  # the joined text
    as_list: bool  # the file stores the source as a list of lines (else one string)
    span: tuple[int, int]  # where the JSON value of "source" is in the notebook text
    metadata: dict


@dataclasses.dataclass
class Notebook:
    text: str  # the file's JSON text (without a BOM)
    bom: bool
    data: dict
    cells: list[Cell]
    language: str

    @property
    def is_python(self) -> bool:
        lang = self.language.lower()
        return lang.startswith(("python", "ipython"))


def decode_notebook(data: bytes) -> tuple[str, bool]:
    """Notebooks are UTF-8 JSON; a BOM is tolerated and kept."""
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        return body.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if bom else 0)
        raise SourceError(f"invalid notebook: not UTF-8 (invalid byte 0x{data[offset]:02x} "
                          f"at byte offset {offset})") from None


def encode_notebook(text: str, bom: bool) -> bytes:
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


_WS = " \t\n\r"
_DECODER = json.JSONDecoder()


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in _WS:
        i += 1
    return i


def _members(s: str, i: int):
    """(key, value_start, value_end) for each member of the JSON object at ``s[i] == '{'``.
    Only called on text json.loads already accepted, so no error handling is needed."""
    i = _skip_ws(s, i + 1)
    if s[i] == "}":
        return
    while True:
        key, i = scanstring(s, i + 1)
        i = _skip_ws(s, _skip_ws(s, i) + 1)  # past ':'
        _, end = _DECODER.raw_decode(s, i)
        yield key, i, end
        i = _skip_ws(s, end)
        if s[i] != ",":
            return
        i = _skip_ws(s, i + 1)


def _elements(s: str, i: int):
    """(start, end) of each element of the JSON array at ``s[i] == '['``."""
    i = _skip_ws(s, i + 1)
    if s[i] == "]":
        return
    while True:
        _, end = _DECODER.raw_decode(s, i)
        yield i, end
        i = _skip_ws(s, end)
        if s[i] != ",":
            return
        i = _skip_ws(s, i + 1)


def _source_spans(text: str) -> list[tuple[int, int] | None]:
    """The position of every cell's "source" value; the last duplicate key wins, as in json."""
    start = _skip_ws(text, 0)
    cells_span = None
    for key, vstart, vend in _members(text, start):
        if key == "cells":
            cells_span = (vstart, vend)
    spans: list[tuple[int, int] | None] = []
    assert cells_span is not None
    for cstart, _ in _elements(text, cells_span[0]):
        found = None
        for key, vstart, vend in (_members(text, cstart) if text[cstart] == "{" else ()):
            if key == "source":
                found = (vstart, vend)
        spans.append(found)
    return spans


def load_notebook(data: bytes) -> Notebook:
    """Parse notebook bytes. Raises SourceError (one line) for invalid JSON or a file that
    is not an nbformat 4 notebook."""
    text, bom = decode_notebook(data)
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid notebook JSON: {exc}") from None
    except RecursionError:
        raise SourceError("invalid notebook: JSON nested too deeply") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SourceError("not a Jupyter notebook: no 'cells' list")
    version = nb.get("nbformat", 4)
    if not isinstance(version, int) or version < 4:
        raise SourceError(f"unsupported notebook format {version!r} (nbformat 4 is needed)")
    spans = _source_spans(text)
    cells = []
    for number, (raw, span) in enumerate(zip(nb["cells"], spans, strict=False), 1):
        if not isinstance(raw, dict):
            raise SourceError(f"not a Jupyter notebook: cell {number} is not an object")
        source = raw.get("source", "")
        if isinstance(source, list) and all(isinstance(x, str) for x in source):
            joined, as_list = "".join(source), True
        elif isinstance(source, str):
            joined, as_list = source, False
        else:
            raise SourceError(f"not a Jupyter notebook: cell {number} source is not text")
        metadata = raw["metadata"] if isinstance(raw.get("metadata"), dict) else {}
        cells.append(Cell(number, str(raw.get("cell_type", "")), joined, as_list, span or (0, 0), metadata))
    meta = nb["metadata"] if isinstance(nb.get("metadata"), dict) else {}
    language = "python"
    for section, key in (("kernelspec", "language"), ("language_info", "name")):
        value = meta.get(section)
        if isinstance(value, dict) and isinstance(value.get(key), str) and value[key]:
            language = value[key]
            break
    return Notebook(text=text, bom=bom, data=nb, cells=cells, language=language)


# -- IPython syntax ----------------------------------------------------------------------------

# A logical line that starts with an IPython escape: %magic, !shell, ?help, /autocall, ;quote, ,quote.
_ESCAPE_RE = re.compile(r"[ \t]*[%!?/;,]")
# x = !ls, a, b = %sx ls
_ASSIGN_RE = re.compile(r"([ \t]*)([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*)[ \t]*=[ \t]*[!%]")
# obj?  obj.attr??  %magic?
_HELP_RE = re.compile(r"[ \t]*[%\w.\[\]()*]+\?{1,2}[ \t]*")


# Automagic: IPython runs ``pip install x`` or ``cd dir`` (a line magic or alias without ``%``) as
# the magic, when the name is not bound in the user's namespace (prefilter.AutoMagicChecker) and
# the line is not an assignment (``ls = 3``, AssignmentChecker). It does so only when the whole
# cell is that one line (after leading empty lines are dropped): ``InteractiveShell.transform_cell``
# applies these "dynamic transformations only for single line commands", in IPython 7 to 9 alike.
# A longer cell with such a line raised SyntaxError when it ran.
# The line magics of a notebook kernel: IPython's (7.x to 9.x), its default aliases, ipykernel's
# and the storemagic extension it loads.
AUTOMAGIC = frozenset("""
alias alias_magic autoawait autocall automagic bookmark cat cd code_wrap colors conda config cp debug dhist
dirs doctest_mode ed edit env gui hist history killbgscripts ldir lf lk ll load load_ext loadpy logoff logon
logstart logstate logstop ls lsmagic lx macro magic mamba matplotlib micromamba mkdir mv notebook page
pastebin pdb pdef pdoc pfile pinfo pinfo2 pip popd pprint precision prun psearch psource pushd pwd pycat pylab
quickref recall rehashx reload_ext rep rerun reset reset_selective rm rmdir run save sc set_env sx system tb
time timeit unalias unload_ext uv who who_ls whos xdel xmode
clear cls less more man connect_info qtconsole autosave store
""".split())
# IPython's split of a line into the called name and the rest (splitinput.line_split, no escape).
_AUTOMAGIC_RE = re.compile(r"([ \t]*)([\w.*]*)(.*)$")


def _automagic(line: str, bound: set[str]) -> bool:
    """Whether IPython would run this line (alone in its cell) as an automagic call."""
    m = _AUTOMAGIC_RE.match(line.rstrip("\r\n"))
    assert m is not None  # the pattern matches any line
    name, rest = m.group(2), m.group(3).lstrip()
    if name not in AUTOMAGIC or rest[:1] in ("=", ","):
        return False
    return name.split(".", 1)[0] not in bound and not hasattr(builtins, name)


def _is_ipython(line: str) -> bool:
    body = line.rstrip("\r\n")
    return bool(_ESCAPE_RE.match(body) or _ASSIGN_RE.match(body) or _HELP_RE.fullmatch(body))


def _advance(line: str, quote: str | None, depth: int) -> tuple[str | None, int, bool]:
    """Scan one physical line: returns the open string quote, the bracket depth, and whether
    a backslash continues the logical line. Enough Python lexing to tell where logical lines
    start, so that '!x' inside a triple-quoted string is never taken for a shell escape."""
    body = line.rstrip("\r\n")
    i, n = 0, len(body)
    comment = False
    while i < n:
        c = body[i]
        if quote:
            if c == "\\":
                i += 2
            elif body.startswith(quote, i):
                i += len(quote)
                quote = None
            else:
                i += 1
            continue
        if c == "#":
            comment = True
            break
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif c in "'\"":
            quote = c * 3 if body.startswith(c * 3, i) else c
            i += len(quote)
            continue
        i += 1
    backslash = not comment and body.endswith("\\")
    if quote in ("'", '"') and not backslash:
        quote = None  # an unterminated one-line string ends here (the parser will complain)
    return quote, depth, backslash and quote is None


def _parse_error(text: str) -> SyntaxError | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            ast.parse(text)
    except SyntaxError as err:
        return err
    return None


def mask_ipython(text: str, new_placeholder: Callable[[], str]) -> tuple[str, dict[str, str]]:
    """Replace each physical line of IPython syntax by a placeholder statement at the same
    indentation (the line count stays the same, so line numbers map 1:1). Returns the masked
    text and {placeholder line: original line}, both without line endings."""
    lines = split_lines(text)
    out: list[str] = []
    restore: dict[str, str] = {}
    quote: str | None = None
    depth = 0
    continued = False
    masking_indent: str | None = None  # set while inside a backslash-continued magic
    for line in lines:
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        if masking_indent is not None or (quote is None and depth == 0 and not continued and _is_ipython(line)):
            if masking_indent is None:
                masking_indent = body[: len(body) - len(body.lstrip(" \t"))]
                assign = _ASSIGN_RE.match(body)
                target = f"{assign.group(2)} = " if assign else ""
            else:
                target = ""
            placeholder = f"{masking_indent}{target}{new_placeholder()}"
            restore[placeholder] = body
            out.append(placeholder + ending)
            if not body.endswith("\\"):
                masking_indent = None
            continue
        out.append(line)
        quote, depth, continued = _advance(line, quote, depth)
    return "".join(out), restore


# -- the module ------------------------------------------------------------------------------

@dataclasses.dataclass
class BadCell:
    """A code cell that does not parse even with IPython syntax masked."""

    cell: int
    line: int
    column: int
    message: str


@dataclasses.dataclass
class _Part:
    cell: int
    start: int  # module line number of the cell's first line
    nlines: int
    added_newline: bool
    indent: str = ""  # leading indentation IPython strips from the whole cell (restored on split)


def _dedent_like_ipython(text: str) -> tuple[str, str]:
    """IPython runs a cell whose first line is indented by removing that indentation from
    every line. Do the same when it can be undone exactly: every line either starts with the
    indentation or is empty. Returns (text, removed indentation); ("" when nothing to do)."""
    lines = split_lines(text)
    first = next((line for line in lines if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    if not indent or not all(line.startswith(indent) or not line.rstrip("\r\n") for line in lines):
        return text, ""
    return "".join(line[len(indent):] if line.startswith(indent) else line for line in lines), indent


def _indent_back(text: str, indent: str) -> str:
    return "".join(indent + line if line.rstrip("\r\n") else line for line in split_lines(text))


# Databricks notebooks exported to .ipynb mark a cell of another language by its first line.
_DATABRICKS_LANGUAGES = {"%sh", "%fs", "%md", "%sql", "%scala", "%r"}


def _is_cell_magic(source: str) -> bool:
    for line in split_lines(source):
        if line.strip():
            return line.lstrip().startswith("%%") or line.strip() in _DATABRICKS_LANGUAGES
    return False


def _unique(prefix: str, text: str) -> str:
    n = 0
    while f"{prefix}{n}_" in text:
        n += 1
    return f"{prefix}{n}_"


@dataclasses.dataclass
class NotebookModule:
    """All eligible code cells of a notebook as one Python module."""

    notebook: Notebook
    text: str
    parts: list[_Part]
    bad_cells: list[BadCell]
    marker: str
    restore: dict[str, str]

    def locate(self, line: int) -> tuple[int | None, int]:
        """Module line (of the text given to the engine) -> (cell index, line in the cell)."""
        if not self.parts:
            return None, line
        # A boundary line (start - 1) belongs to the cell after it.
        k = bisect.bisect_right([p.start - 1 for p in self.parts], line) - 1
        part = self.parts[max(k, 0)]
        return part.cell, max(1, min(line - part.start + 1, part.nlines))

    def map_finding(self, finding: Finding) -> Finding:
        if finding.line < 1 or not self.parts:
            return finding
        cell, line = self.locate(finding.line)
        end_line = finding.end_line
        if end_line:
            end_cell, end_in_cell = self.locate(end_line)
            end_line = end_in_cell if end_cell == cell else line
        return dataclasses.replace(finding, cell=cell, line=line, end_line=end_line)

    def split(self, new_text: str) -> dict[int, str]:
        """The migrated module back into {cell index: new source}. Raises NotebookError when
        a boundary or a placeholder did not survive the migration."""
        lines = split_lines(new_text)
        marker_re = re.compile(re.escape(self.marker) + r"(\d+)")
        chunks: dict[int, list[str]] = {}
        order: list[int] = []
        current: list[str] = []
        prefix = current
        for line in lines:
            m = marker_re.fullmatch(line.rstrip("\r\n"))
            if m:
                current = []
                cell = int(m.group(1))
                if cell in chunks:
                    raise NotebookError(f"cell boundary {cell} appears twice after migration")
                chunks[cell] = current
                order.append(cell)
                continue
            current.append(line)
        expected = [p.cell for p in self.parts]
        if order != expected:
            raise NotebookError("cell boundaries did not survive the migration")
        if prefix and order:
            # Lines the engine put above the first boundary (imports at the top of the
            # module) belong to the first cell.
            chunks[order[0]][:0] = prefix
        restored: dict[int, str] = {}
        seen = set()
        for part in self.parts:
            out = []
            for line in chunks[part.cell]:
                body = line.rstrip("\r\n")
                original = self.restore.get(body)
                if original is not None:
                    if body in seen:
                        raise NotebookError("an IPython placeholder was duplicated by the migration")
                    seen.add(body)
                    line = original + line[len(body):]
                out.append(line)
            text = "".join(out)
            if part.added_newline and text.endswith("\n"):
                text = text[:-1]
            text = _indent_back(text, part.indent) if part.indent else text
            original = self.notebook.cells[part.cell - 1].source
            if text != original and original[:1] not in ("\n", "\r"):
                # An import line removed from the top of a cell leaves the blank line that
                # followed it: a cell does not start with a blank line it did not have.
                text = text.lstrip("\r\n")
            restored[part.cell] = text
        if len(seen) != len(self.restore):
            raise NotebookError("an IPython line was lost in the migration")
        return restored


def build_module(nb: Notebook) -> NotebookModule:
    """Join the notebook's Python code cells into one module (see the module docstring).
    Cells with a cell magic are left out; cells that do not parse are left out and listed
    in ``bad_cells``."""
    marker = "# " + _unique("__em_cell_", nb.text) + "_"
    token = _unique("__em_ipython_", nb.text)
    counter = [0]

    def new_placeholder() -> str:
        counter[0] += 1
        return f"{token}{counter[0]}"

    pieces: list[str] = []
    parts: list[_Part] = []
    bad: list[BadCell] = []
    restore: dict[str, str] = {}
    line_no = 1
    eligible = nb.is_python
    bound: set[str] = set()  # names the cells so far bind: they shadow magics of the same name
    for cell in nb.cells:
        if not eligible or cell.cell_type != "code" or not cell.source.strip() or _is_cell_magic(cell.source):
            continue
        vscode = cell.metadata.get("vscode")
        if isinstance(vscode, dict) and str(vscode.get("languageId", "python")).lower() != "python":
            continue  # VS Code lets single cells use another language
        text = cell.source
        masks: dict[str, str] = {}
        indent = ""
        if _parse_error(text) is not None:
            masked, masks = mask_ipython(text, new_placeholder)
            err = _parse_error(masked)
            if err is not None:
                dedented, indent = _dedent_like_ipython(text)
                if indent:
                    masked, masks = mask_ipython(dedented, new_placeholder)
                    if _parse_error(masked) is None:
                        err = None
            if err is not None:
                automagic = _automagic_cell(text, bound, new_placeholder)
                if automagic is not None:
                    (masked, masks), indent, err = automagic, "", None
            if err is not None:
                line = _automagic_line(text, bound)
                why = err.msg or "invalid syntax"
                if line is not None:
                    number, code = line
                    err.lineno, err.offset = number, 1
                    why = (f"line {number} `{code.strip()}` is a magic without `%`: IPython runs that only in a "
                           f"cell of one line, so this cell raised SyntaxError; write `%{code.strip()}`")
                bad.append(BadCell(cell.index, err.lineno or 1, err.offset or 1, why))
                continue
            text = masked
        restore.update(masks)
        bound |= _bound_names(text)
        added = not text.endswith(("\n", "\r"))
        if added:
            text += "\n"
        pieces.append(f"{marker}{cell.index}\n")
        nlines = len(split_lines(text))
        parts.append(_Part(cell.index, line_no + 1, nlines, added, indent))
        pieces.append(text)
        line_no += 1 + nlines
    return NotebookModule(nb, "".join(pieces), parts, bad, marker, restore)


def _automagic_cell(text: str, bound: set[str], new_placeholder: Callable[[], str]):
    """(masked text, restore map) for a cell that IPython runs as one automagic line; else None."""
    lines = split_lines(text)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1  # IPython drops leading empty lines first
    if len(lines) - start != 1 or not _automagic(lines[start].lstrip(" \t"), bound):
        return None
    body = lines[start].rstrip("\r\n")
    placeholder = new_placeholder()
    return "".join(lines[:start]) + placeholder + lines[start][len(body):], {placeholder: body}


def _automagic_line(text: str, bound: set[str]) -> tuple[int, str] | None:
    """(line number, line) of the first line that only automagic makes valid, in a longer cell."""
    for number, line in enumerate(split_lines(text), 1):
        if line.strip() and _automagic(line, bound) and _parse_error(line.strip()) is not None:
            return number, line.rstrip("\r\n")
    return None


def _bound_names(text: str) -> set[str]:
    """Names a cell binds (anywhere: a superset is safe, it only keeps lines from being masked)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:  # pragma: no cover - only cells that parse are passed
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


# -- writing -----------------------------------------------------------------------------------

def _split_like(text: str, original: list[str]) -> list[str]:
    """Split a cell's new source into list elements the way the original was split (Jupyter
    splits after '\\n'; nbformat uses str.splitlines, which also splits at '\\r' and others)."""
    def by_newline(t: str) -> list[str]:
        return re.findall(r"[^\n]*\n|[^\n]+\Z", t)

    for splitter in (by_newline, lambda t: t.splitlines(True)):
        if splitter("".join(original)) == original:
            return splitter(text)
    return by_newline(text)


def _ensure_ascii(text: str) -> bool:
    if not text.isascii():
        return False
    # An all-ASCII file that escapes non-ASCII characters was written with ensure_ascii=True.
    return bool(re.search(r"\\u(?!00[0-7][0-9a-fA-F])[0-9a-fA-F]{4}", text))


def _indent_unit(text: str) -> str:
    m = re.match(r"\s*\{\r?\n([ \t]+)\"", text)
    return m.group(1) if m else " "


def _render_value(nb: Notebook, cell: Cell, new_source: str, ensure_ascii: bool) -> str:
    old = nb.text[cell.span[0]:cell.span[1]]
    if not cell.as_list:
        return json.dumps(new_source, ensure_ascii=ensure_ascii)
    original = json.loads(old)
    items = _split_like(new_source, original)
    if not items:
        return "[]"
    dumped = [json.dumps(item, ensure_ascii=ensure_ascii) for item in items]
    if "\n" not in old and old != "[]":
        sep = ", " if (len(original) < 2 or ", " in old) else ","
        return "[" + sep.join(dumped) + "]"
    newline = "\r\n" if "\r\n" in nb.text else "\n"
    line_start = max(nb.text.rfind("\n", 0, cell.span[0]) + 1, 0)
    key_line = nb.text[line_start:cell.span[0]]
    key_indent = key_line[: len(key_line) - len(key_line.lstrip(" \t"))]
    if old == "[]":
        if "\n" not in nb.text.strip():
            return "[" + ", ".join(dumped) + "]"  # a one-line notebook stays one line
        elem_indent, close_indent = key_indent + _indent_unit(nb.text), key_indent
    else:
        first = re.match(r"\[\r?\n([ \t]*)", old)
        last = re.search(r"\n([ \t]*)\]$", old)
        elem_indent = first.group(1) if first else key_indent + _indent_unit(nb.text)
        close_indent = last.group(1) if last else key_indent
    return "[" + newline + ("," + newline).join(elem_indent + d for d in dumped) + newline + close_indent + "]"


def render_notebook(nb: Notebook, new_sources: dict[int, str]) -> str:
    """The notebook text with the given cells' sources replaced and nothing else touched."""
    changed = {i: s for i, s in new_sources.items() if s != nb.cells[i - 1].source}
    if not changed:
        return nb.text
    ensure_ascii = _ensure_ascii(nb.text)
    text = nb.text
    for index in sorted(changed, reverse=True):  # back to front keeps earlier spans valid
        cell = nb.cells[index - 1]
        if cell.span == (0, 0):
            raise NotebookError(f"cell {index} has no source to replace")
        value = _render_value(nb, cell, changed[index], ensure_ascii)
        text = text[: cell.span[0]] + value + text[cell.span[1]:]
    # Self-check: the spliced file must be the original notebook with exactly these sources.
    expected = json.loads(nb.text)
    for index, source in changed.items():
        raw = expected["cells"][index - 1]
        raw["source"] = _split_like(source, raw["source"]) if isinstance(raw["source"], list) else source
    if json.loads(text) != expected:
        raise NotebookError("the rewritten notebook JSON does not match the intended change")
    return text


def cell_diffs(nb: Notebook, new_sources: dict[int, str], path: str) -> str:
    """Unified diffs of the changed cells, headed ``a/<path>:cell N``."""
    out = []
    for index in sorted(new_sources):
        old = nb.cells[index - 1].source
        new = new_sources[index]
        out.append(unified_diff(old, new, f"a/{path}:cell {index}", f"b/{path}:cell {index}"))
    return "".join(out)
