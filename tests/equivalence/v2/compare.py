"""Field-by-field comparison of canonical forms (see ``canonical.py``).

``compare(v1, v2)`` returns named differences, one string per differing leaf, e.g.
``instance_count: v1=2 v2=1`` or ``policy.evaluation_interval: v1=1 v2=0``. An empty list means
EQUIVALENT as far as an offline comparison can tell (see the design note for what it cannot see).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from equivalence.v2 import canonical, recorder

# Never compared: what the harness cannot prove or v2 has no counterpart for (reported instead).
NOT_COMPARED = {"notes", "unmappable"}
# Compared as a whole (their order or exact shape is the meaning).
WHOLE = {"argv", "sweep_args", "docker_args", "search_space"}


def _differences(a: Any, b: Any, path: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict) and path.rsplit(".", 1)[-1] not in WHOLE:
        out: list[str] = []
        for key in sorted(set(a) | set(b), key=str):
            if key in NOT_COMPARED:
                continue
            sub = f"{path}.{key}" if path else str(key)
            if key == "experiment" and a.get(key) is None:
                continue  # the v1 object was never submitted: no experiment to compare
            if key == "type" and path.count(".") >= 1 and path.split(".")[-2] in ("inputs", "outputs") \
                    and a.get(key) is None:
                continue  # a v1 DataReference does not say file or folder
            out += _differences(a.get(key, "<absent>"), b.get(key, "<absent>"), sub)
        return out
    if a != b or (type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float)))):
        return [f"{path}: v1={a!r} v2={b!r}"]
    return []


_MARK = re.compile(r"^<(input|output):(.+)>$")


def infer_rename(v1: dict[str, Any], v2: dict[str, Any]) -> dict[str, str]:
    """v1 data names the v2 side calls differently, paired by their position in argv.

    v1 DataReference names are usually random (``ds.path()``) and a migration picks readable
    identifiers; the argument position says which is which. Only names the v2 side does not
    have are paired, so a swapped pair of known names is still a difference.
    """
    mapping: dict[str, str] = {}
    for a, b in zip(v1.get("argv") or [], v2.get("argv") or [], strict=False):
        ma, mb = _MARK.match(str(a)), _MARK.match(str(b))
        if ma and mb and ma.group(1) == mb.group(1) and ma.group(2) != mb.group(2):
            side = "inputs" if ma.group(1) == "input" else "outputs"
            if ma.group(2) not in (v2.get(side) or {}):
                mapping[ma.group(2)] = mb.group(2)
    return mapping


def apply_rename(form: dict[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    if not mapping:
        return form
    form = dict(form)

    def token(t):
        m = _MARK.match(str(t))
        return f"<{m.group(1)}:{mapping.get(m.group(2), m.group(2))}>" if m else t

    form["argv"] = [token(t) for t in form.get("argv") or []]
    for side in ("inputs", "outputs"):
        if side in form:
            form[side] = {mapping.get(k, k): v for k, v in (form[side] or {}).items()}
    form["notes"] = list(form.get("notes") or []) + [f"renamed {a} -> {b} (argument position)"
                                                     for a, b in sorted(mapping.items())]
    return form


def compare(v1, v2, *, rename: Mapping[str, str] | None = None, base: str = ".") -> list[str]:
    """Named differences between a v1 run and a v2 submission.

    ``v1``: a canonical dict, or an estimator / ScriptRunConfig / HyperDriveConfig.
    ``v2``: a canonical dict, or a ``recorder.Submission``.
    ``rename``: v1 data name -> v2 input/output name (default: ``canonical.v2_name``).
    """
    if not isinstance(v1, dict):
        v1 = canonical.v1_canonical(v1, base=base, rename=rename)
    if isinstance(v2, recorder.Submission):
        v2 = canonical.v2_canonical(v2, base=base)
    if rename is None:  # names are free in v2: pair them by argument position
        if v1.get("kind") == "sweep" and v2.get("kind") == "sweep":
            v1 = dict(v1, trial=apply_rename(v1["trial"], infer_rename(v1["trial"], v2["trial"])))
        elif v1.get("kind") == "command":
            v1 = apply_rename(v1, infer_rename(v1, v2))
    return _differences(v1, v2, "")


def reported(canonical_form: dict[str, Any]) -> list[str]:
    """What a person must be told (v2 has no counterpart), from a canonical form."""
    out = list(canonical_form.get("unmappable", []))
    if "trial" in canonical_form:
        out += canonical_form["trial"].get("unmappable", [])
    for step in canonical_form.get("steps", {}).values():
        out += step.get("unmappable", [])
    return out
