"""`[tool.estimator-migrate]` in pyproject.toml, merged with the command-line flags.

The keys are the long flags without the dashes in front (``extend-exclude``, not
``extend_exclude``); a flag given on the command line wins over the file. An unknown key
or a value of the wrong type is a configuration error (exit code 2) that names the key,
because a silently ignored typo ("selct") is worse than a failed run.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Any

from estimator_migrate.codes import RULES
from estimator_migrate.settings import Settings

SECTION = "estimator-migrate"
OUTPUT_FORMATS = ("text", "json", "github", "sarif", "junit")
ENVIRONMENTS = ("faithful", "curated")
TARGETS = ("scriptrunconfig", "v2")


class ConfigError(Exception):
    """A bad configuration file or option value; the CLI exits with code 2."""


@dataclasses.dataclass
class Options:
    """Everything one run needs. Only ``settings()`` reaches the core; the rest is CLI-only."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None  # None: discover.DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    environment: str = "faithful"
    target: str = "scriptrunconfig"
    output_format: str = "text"
    jobs: int | None = None  # None: all cores
    baseline: str | None = None
    add_todo_comments: bool = False
    exit_zero_even_if_changed: bool = False
    # The folder the config file is in (or the working directory): excludes are relative to it.
    root: str = "."
    config_file: str | None = None

    def settings(self) -> Settings:
        return Settings(select=frozenset(self.select), ignore=frozenset(self.ignore),
                        environment=self.environment, add_todo_comments=self.add_todo_comments,
                        target=self.target)


# key -> (Options field, expected type). Lists of strings accept a single string too.
_KEYS: dict[str, tuple[str, str]] = {
    "select": ("select", "codes"),
    "ignore": ("ignore", "codes"),
    "exclude": ("exclude", "strings"),
    "extend-exclude": ("extend_exclude", "strings"),
    "force-exclude": ("force_exclude", "bool"),
    "environment": ("environment", "environment"),
    "target": ("target", "target"),
    "output-format": ("output_format", "output_format"),
    "jobs": ("jobs", "jobs"),
    "baseline": ("baseline", "path"),
    "add-todo-comments": ("add_todo_comments", "bool"),
    "exit-zero-even-if-changed": ("exit_zero_even_if_changed", "bool"),
}
KEYS = tuple(_KEYS)


def find_config(paths: Sequence[str], cwd: str | None = None) -> str | None:
    """The first pyproject.toml with a ``[tool.estimator-migrate]`` table, walking up from
    the common folder of ``paths`` (or from ``cwd``)."""
    cwd = os.path.abspath(cwd or os.getcwd())
    real = [os.path.abspath(p) for p in paths if p != "-"]
    if real:
        try:
            start = os.path.commonpath(real)
        except ValueError:  # different drives
            start = cwd
        if not os.path.isdir(start):
            start = os.path.dirname(start)
    else:
        start = cwd
    current = start
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate) and _has_section(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _has_section(path: str) -> bool:
    try:
        data = _load_toml(path)
    except ConfigError:
        return True  # report the broken file rather than silently skipping it
    return SECTION in data.get("tool", {})


def _load_toml(path: str) -> dict[str, Any]:
    # Imported here: a tree without a pyproject.toml never needs a TOML parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc


def load_config(path: str) -> dict[str, Any]:
    """The validated ``[tool.estimator-migrate]`` table as Options field values."""
    table = _load_toml(path).get("tool", {}).get(SECTION, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{SECTION}] must be a table")
    base = os.path.dirname(os.path.abspath(path))
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            hint = f" (did you mean {key.replace('_', '-')!r}?)" if key.replace("_", "-") in _KEYS else ""
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.{SECTION}]{hint}; "
                              f"known keys: {', '.join(KEYS)}")
        field, kind = _KEYS[key]
        values[field] = convert(kind, value, f"{path}: [tool.{SECTION}] {key}", base)
    return values


def convert(kind: str, value: Any, where: str, base: str = ".") -> Any:
    """Check and normalise one value, from the file or from a flag."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if kind in ("strings", "codes"):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
        if kind == "codes":
            return parse_codes(items, where)
        return tuple(items)
    if kind == "environment":
        if value not in ENVIRONMENTS:
            raise ConfigError(f"{where}: expected one of {', '.join(ENVIRONMENTS)}, got {value!r}")
        return value
    if kind == "target":
        if value not in TARGETS:
            raise ConfigError(f"{where}: expected one of {', '.join(TARGETS)}, got {value!r}")
        return value
    if kind == "output_format":
        if value not in OUTPUT_FORMATS:
            raise ConfigError(f"{where}: expected one of {', '.join(OUTPUT_FORMATS)}, got {value!r}")
        return value
    if kind == "jobs":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}: expected a whole number >= 0 (0 means all cores), got {value!r}")
        return value or None
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: expected a path, got {value!r}")
        return os.path.normpath(os.path.join(base, value))
    raise AssertionError(kind)  # pragma: no cover


def parse_codes(items: Sequence[str], where: str) -> tuple[str, ...]:
    """``["EM1", "EM301,EM302"]`` -> ``("EM1", "EM301", "EM302")``. Every entry must be a
    code or a prefix of one (``EM``, ``EM3``), or a rule name."""
    codes: list[str] = []
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            code = _code_of(part)
            if code is None:
                raise ConfigError(f"{where}: {part!r} is not a rule code, a code prefix or a rule name "
                                  "(see --list-rules)")
            codes.append(code)
    return tuple(dict.fromkeys(codes))


def _code_of(part: str) -> str | None:
    upper = part.upper()
    if any(code.startswith(upper) for code in RULES) and upper.startswith("EM"):
        return upper
    for rule in RULES.values():
        if rule.name == part:
            return rule.code
    return None


def resolve(flags: dict[str, Any], paths: Sequence[str], config_file: str | None = None,
            isolated: bool = False) -> Options:
    """Options from the config file, overridden by the flags that were given (not None)."""
    values: dict[str, Any] = {}
    root = os.getcwd()
    if not isolated:
        if config_file is None:
            config_file = find_config(paths)
        elif not os.path.isfile(config_file):
            raise ConfigError(f"{config_file}: configuration file not found")
        if config_file is not None:
            values.update(load_config(config_file))
            root = os.path.dirname(os.path.abspath(config_file))
    for field, value in flags.items():
        if value is not None:
            values[field] = value
    options = Options(**values)
    options.root = root
    options.config_file = config_file
    return options
