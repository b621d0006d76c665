"""The one "is this value unchanged between its assignment and its use" analysis (analysis/static.py),
case by case. Each snippet ends with ``use(x)``: the question is whether ``x`` is followed to the
literal its assignment built (content certain) at that call."""

import ast
import textwrap

import pytest

from estimator_migrate.analysis import static
from estimator_migrate.analysis.names import NameResolver


def _use(source: str):
    tree = ast.parse(textwrap.dedent(source))
    names = NameResolver(tree)
    call = [c for c in names.calls if isinstance(c.func, ast.Name) and c.func.id == "use"][-1]
    return names, call, call.args[0]


def followed(source: str) -> bool:
    names, call, arg = _use(source)
    return static.resolve(names, arg, call) is not arg


FOLLOWED = {
    "plain": "x = {'a': 1}\nuse(x)",
    "printed": "x = {'a': 1}\nprint(x, len(x))\nuse(x)",
    "tested": "x = {'a': 1}\nif 'a' in x and x['a'] > 0:\n    pass\nuse(x)",
    "formatted": "x = [1]\ns = f'{x} {x[0]}'\nuse(x)",
    "read entry": "x = {'a': 1}\nprint(x.get('a'), x.keys())\nuse(x)",
    "copied": "x = {'a': 1}\ny = dict(x)\nz = x.copy()\ny['b'] = 2\nuse(x)",
    "iterated": "x = [1, 2]\nfor item in x:\n    print(item)\nuse(x)",
    "changed after the use": "x = [1]\nuse(x)\nx.append(2)",
    "changed before the assignment": "x = [0]\nx.append(1)\nx = [1]\nuse(x)",
    "other estimators read script_params": (
        "from azureml.train.estimator import Estimator\n"
        "x = {'a': 1}\nEstimator('src', script_params=x)\nuse(x)"),
    "a constant passed around": "x = 3\nchange(x)\nuse(x)",
    "changed in a function of another name": "x = [1]\ndef f(x):\n    x.append(2)\nf([0])\nuse(x)",
    "rebound and then left alone": "x = [1]\nx.append(2)\nx = [3]\nuse(x)",
}
NOT_FOLLOWED = {
    "attribute store": "x = Config()\nx.count = 2\nuse(x)",
    "item store": "x = {'a': 1}\nx['b'] = 2\nuse(x)",
    "item augmented": "x = {'a': 1}\nx['a'] += 1\nuse(x)",
    "augmented": "x = [1]\nx += [2]\nuse(x)",
    "deleted entry": "x = {'a': 1}\ndel x['a']\nuse(x)",
    "deleted": "x = [1]\ndel x\nx = undefined\nuse(x)",
    "method": "x = [1]\nx.append(2)\nuse(x)",
    "update": "x = {'a': 1}\nx.update(b=2)\nuse(x)",
    "setdefault": "x = {'a': 1}\nx.setdefault('b', 2)\nuse(x)",
    "sub-object changed": "x = {'a': [1]}\nx['a'].append(2)\nuse(x)",
    "alias changed": "x = [1]\ny = x\ny.append(2)\nuse(x)",
    "stored in a container": "x = [1]\nholder = {'k': x}\nuse(x)",
    "stored on an object": "x = [1]\nobj.items = x\nuse(x)",
    "passed to a call": "x = [1]\nprepare(x)\nuse(x)",
    "passed by keyword": "x = [1]\nprepare(items=x)\nuse(x)",
    "pip list inserted into by an estimator": (
        "from azureml.train.estimator import Estimator\n"
        "x = ['pandas']\nEstimator('src', pip_packages=x)\nuse(x)"),
    "script_params with resume_from": (
        "from azureml.train.estimator import Estimator\n"
        "x = {'a': 1}\nEstimator('src', script_params=x, resume_from=path)\nuse(x)"),
    "changed in a function through the global": "def f():\n    x.append(2)\nx = [1]\nf()\nuse(x)",
    "changed in a lambda": "x = [1]\ngrow = lambda: x.append(2)\nuse(x)",
    "rebound through global": "def f():\n    global x\n    x = [2]\nx = [1]\nf()\nuse(x)",
    "rebound through nonlocal": (
        "def outer():\n    x = [1]\n    def inner():\n        nonlocal x\n        x = [2]\n    inner()\n    use(x)"),
    "changed in the loop around the use": "x = [1]\nfor i in range(2):\n    use(x)\n    x.append(i)",
    "bound in a branch": "if cond:\n    x = [1]\nuse(x)",
    "read in a function, changed anywhere": "x = [1]\ndef f():\n    use(x)\nx.append(2)\nf()",
    "tuple holding a list": "x = ([1],)\nx[0].append(2)\nuse(x)",
    "changed within the same call": "x = [1]\nuse(x, x.append(2))",
}


@pytest.mark.parametrize("source", FOLLOWED.values(), ids=list(FOLLOWED))
def test_followed(source):
    assert followed(source)


@pytest.mark.parametrize("source", NOT_FOLLOWED.values(), ids=list(NOT_FOLLOWED))
def test_not_followed(source):
    assert not followed(source)


def test_identity_is_followed_even_when_the_content_may_change():
    names, call, arg = _use("x = make_dataset()\nx.register(ws)\nuse(x)")
    assert static.resolve(names, arg, call) is arg
    assert isinstance(static.resolve_identity(names, arg), ast.Call)


@pytest.mark.parametrize("source, expected", [
    ("x = [1]\nuse(x)", False),
    ("x = [1]\nuse(x)\nprint(x)", True),  # read again later: it would see what the estimator did to it
    ("x = [1]\nkeep(x)\nuse(x)", True),  # handed on before: the holder may use it later
    ("x = [1]\nx.append(2)\nuse(x)", False),  # changed before, but nobody else holds it
    ("x = [1]\nuse(x)\nx = [2]\nprint(x)", False),  # the later read is of another list
    ("use([1])", False),
    ("use(cfg.items)", True),
])
def test_shared_after(source, expected):
    names, call, arg = _use(source)
    assert static.shared_after(names, arg, call) is expected


@pytest.mark.parametrize("source, expected", [
    ("lr = 0.1\nx = {'a': lr}\nuse(x)", True),
    ("lr = 0.1\nx = {'a': lr}\nlr = 0.2\nuse(x)", False),  # the dictionary kept 0.1
    ("x = {'a': cfg['lr']}\ncfg['lr'] = 2\nuse(x)", False),  # reads into an object changed since
    ("x = {'a': data.as_named_input('d').as_mount()}\nuse(x)", True),
    ("x = {'a': random.random()}\nuse(x)", False),  # a second call gives another value
    ("x = {'a': str(seed)}\nuse(x)", True),
])
def test_portable(source, expected):
    names, call, arg = _use(source)
    value = static.resolve(names, arg, call)
    assert isinstance(value, ast.Dict)
    assert static.portable(names, value.values[0], call) is expected


def test_first_change_names_the_statement():
    names, call, arg = _use("x = {'a': 1}\nprint(x)\nx['b'] = 2\nuse(x)")
    change = static.first_change(names, arg, call)
    assert change is not None and change.lineno == 3


# -- a dictionary followed through its plain changes (static.followed_dict) ---------------------

_CHANGED = """
p = {"--a": "", "--b": 1}
CHANGES
est = f(script_params=p)
if later:
    p["--z"] = 1
p["--y"] = 3
"""


def _followed_dict(changes: str):
    tree = ast.parse(_CHANGED.replace("CHANGES", textwrap.dedent(changes).strip() or "pass"))
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "f")
    return static.followed_dict(NameResolver(tree), call.keywords[0].value, call)


@pytest.mark.parametrize(("changes", "expected"), [
    ("", {"--a": "", "--b": 1}),
    ('p["--c"] = 2\ndel p["--b"]\np.update({"--d": 4})\np.setdefault("--a", 9)\np.pop("--x", None)',
     {"--a": "", "--c": 2, "--d": 4}),
    ('p["--b"] = 5', {"--a": "", "--b": 5}),  # an existing key keeps its place
    # Anything else may change it in ways the tool does not follow.
    ('if y:\n    p["--c"] = 2', None),
    ('q = p\nq["--c"] = 2', None),
    ('def g():\n    p["--c"] = 2\ng()', None),
    ("helper(p)", None),
    ('p["--c"] = value_from_elsewhere()', None),
    ('for k in ["--c"]:\n    p[k] = ""', None),
])
def test_a_literal_dictionary_is_followed_through_plain_changes(changes, expected):
    assert _followed_dict(changes) == expected
