"""v2 names for v1 data, flags and search keys (spec V4, V30, §7.1).

v2 input, output and search-space names must match ``^[a-zA-Z_][a-zA-Z0-9_]*$``, and only the
submit says so (node validation passes bad names). v1 names were free text: DataReference names
made by ``ds.path()`` are uuid hex and usually start with a digit, dataset names may hold dashes,
HyperDrive keys are flags (``--batch-size``). A migration picks readable identifiers, rewrites
every reference, and never lets two names meet.

Rules, beyond the identifier pattern:

* the base rule is the harness's (``re.sub(r"\\W", "_", name)``, ``_`` before a leading digit), so
  a v1 name that is already an identifier keeps its spelling;
* Python keywords get a trailing ``_``: pipeline code reads outputs as attributes
  (``step.outputs.class`` would not parse);
* names are unique ignoring case: the SDK sends ``a`` and ``A`` both, but a component with both
  fails its own validation (spec §3.2), and a reader would confuse them.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

IDENTIFIER = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

# Names the v1 SDK generates when the user gives none; they mean nothing to a reader.
_GENERATED = re.compile(r"^(?:[0-9a-f]{32}|(?:input|output)_{1,2}[0-9a-f]{8})$")


def identifier(name: str) -> str:
    """``name`` made a valid v2 identifier (``my-data`` -> ``my_data``, ``1x`` -> ``_1x``)."""
    name = re.sub(r"\W", "_", str(name), flags=re.ASCII)
    if not name or name[0].isdigit():
        name = "_" + name
    return name + "_" if keyword.iskeyword(name) else name


def from_flag(flag: str) -> str:
    """A command-line flag as a name: ``--data-folder`` -> ``data_folder``, ``-x`` -> ``x``.
    Also the search-space key of a HyperDrive key (V30: ``--batch-size`` -> ``batch_size``)."""
    stripped = str(flag).lstrip("-")
    return identifier(stripped) if stripped else ""


search_key = from_flag


def looks_generated(name: str | None) -> bool:
    """Whether a v1 data name is one the SDK made up (``ds.path()``'s uuid hex, a dataset's
    ``input__1a2b3c4d``, an output's ``output_1a2b3c4d``)."""
    return bool(name) and bool(_GENERATED.match(str(name)))


def readable(*, explicit: str | None = None, flag: str | None = None, kind: str = "input") -> str:
    """The name a migrated data input or output should get, before collisions are handled.

    ``explicit``: a name the user gave in v1 (``as_named_input("mnist")``,
    ``data_reference_name="labels"``, ``OutputFileDatasetConfig(name="out")``): it may be used
    elsewhere (``run.input_datasets["mnist"]``), so it is kept. ``flag``: the script parameter the
    object was the value of. ``kind``: ``"input"`` or ``"output"``, the last resort
    (``data``/``output``).
    """
    if explicit and not looks_generated(explicit):
        return identifier(explicit)
    if flag and from_flag(flag):
        return from_flag(flag)
    return "data" if kind == "input" else "output"


class Names:
    """The names already given in one job (its inputs, outputs and search keys together).

    ``add("data")`` returns ``data``, then ``data_2``, ``data_3``...; a name differing only in case
    from a given one counts as taken.
    """

    def __init__(self, taken: Iterable[str] = ()):
        self._taken = {}
        for name in taken:
            self._taken[name.lower()] = name

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._taken

    def add(self, preferred: str) -> str:
        base = identifier(preferred) if preferred else "data"
        name, n = base, 1
        while name.lower() in self._taken:
            n += 1
            name = f"{base}_{n}"
        self._taken[name.lower()] = name
        return name

    def __iter__(self):
        return iter(self._taken.values())
