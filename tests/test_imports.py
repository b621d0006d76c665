"""Import upkeep: an import counts only where it reaches the new code, and removal never takes
away an import that something still names (issue 13, class 2)."""

import ast
import textwrap

import pytest

from estimator_migrate import migrate_source
from estimator_migrate.analysis.names import NameResolver
from estimator_migrate.rewrite.imports import _reached


def reached(source: str, local: str = "Environment") -> bool:
    return _reached(NameResolver(ast.parse(textwrap.dedent(source))), local, ("azureml.core", local))


@pytest.mark.parametrize("source, expected", [
    ("from azureml.core import Environment\nEnvironment('a')", True),
    ("Environment('a')\nfrom azureml.core import Environment", False),  # a later cell
    ("if x:\n    from azureml.core import Environment\nEnvironment('a')", False),
    ("try:\n    from azureml.core import Environment\nexcept ImportError:\n    pass\nEnvironment('a')", False),
    ("def f():\n    from azureml.core import Environment\nEnvironment('a')", False),
    ("def f():\n    from azureml.core import Environment\n    return Environment('a')", True),
    ("from azureml.core import Environment\ndef f():\n    return Environment('a')", True),
    ("def f():\n    return Environment('a')\nfrom azureml.core import Environment", False),  # f may run first
    ("from azureml.core import Environment\nEnvironment = None\nEnvironment('a')", False),
    ("from azureml.core.environment import Environment\nEnvironment('a')", False),  # another path: import again
    ("from azureml.core import Environment as Env\nEnvironment('a')", False),
])
def test_an_import_counts_where_it_reaches(source, expected):
    assert reached(source) is expected


def test_a_deleted_estimator_name_keeps_its_import():
    source = textwrap.dedent("""\
        from azureml.train.estimator import Estimator, Mpi

        def build():
            return Estimator(source_directory="src", entry_script="train.py", compute_target="cpu")

        def cleanup():
            global Mpi
            del Mpi
        """)
    result = migrate_source(source, path="x.py")
    assert result.changed
    assert "from azureml.train.estimator import Mpi\n" in result.new_source
