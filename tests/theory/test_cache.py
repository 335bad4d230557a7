"""On-disk derivation cache and its safe serializer: every registered result round-trips
(equal, with the same symbols and assumptions), an edited derivation source invalidates its entry, no pickle and no eval."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sympy as sp

from theory import cache, registry, serialize
from theory.special import Named, logcosh, sech2

ROOT = Path(__file__).resolve().parents[2]


def _symbols(e) -> set:
    return {(s.name, type(s).__name__, frozenset(s.assumptions0.items())) for s in e.atoms(sp.Symbol)}


@pytest.mark.sympy
@pytest.mark.parametrize("name", registry.names())
def test_round_trip_every_result(name, all_results):
    r = registry.get(name)
    for e in [r.display, r.expr] + [s for _, s in r.derivation]:
        tree = json.loads(json.dumps(serialize.encode(e)))
        back = serialize.decode(tree)
        # structural equality and the same symbols with the same deduced assumptions (not srepr: SymPy
        # treats Symbol('r', positive=True) and Symbol('r', positive=True, real=True) as one symbol and
        # its cache may hand back either spelling, depending on which derivations ran first)
        assert back == e and type(back) is type(e)
        assert _symbols(back) == _symbols(e)


def test_round_trip_node_zoo():
    x = sp.Symbol("x", positive=True)
    k = sp.Symbol("k", integer=True)
    w = sp.Dummy("w", real=True)
    v = sp.Function("v")
    zoo = [
        sp.Float("0.1", 40) * x + sp.Rational(-7, 3) + sp.pi + sp.E + sp.EulerGamma,
        sp.Integral(sp.exp(-(x**2)) * logcosh(x), (x, -sp.oo, sp.oo)),
        sp.Sum(sp.polygamma(0, k / 2), (k, 1, 10)),
        sp.Piecewise((x, x < 1), (sech2(x), True)),
        sp.Eq(v(x).diff(x), -2 * v(x) + 2),
        sp.ImmutableMatrix([[x, 1], [w, sp.loggamma(x)]]),
        Named(r"\Gamma_t", 1 - sp.exp(-2 * x)) ** 2,
        sp.Tuple(sp.S.Half, sp.oo, -sp.oo, sp.zoo, sp.I),
        sp.Add(x, x, evaluate=False),  # unevaluated trees stay unevaluated
        sp.series(sp.gamma(x), x, 0, 2),
    ]
    for e in zoo:
        assert sp.srepr(serialize.decode(json.loads(json.dumps(serialize.encode(e))))) == sp.srepr(e)


def test_decoder_is_a_whitelist():
    for bad in (["eval", [["I", "1"]]], ["os.system", []], ["Function", []], "x", ["S", "x", {"positive": "yes"}]):
        with pytest.raises(ValueError):
            serialize.decode(bad)

    class Weird(sp.Function):
        pass

    with pytest.raises(serialize.UnsupportedNode):
        serialize.encode(sp.exp(Weird(sp.Symbol("x"))))
    for mod in (serialize, cache):
        tree = ast.parse(Path(mod.__file__).read_text())
        imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        called = {n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
                  for n in ast.walk(tree) if isinstance(n, ast.Call)}
        assert not imported & {"pickle", "marshal", "dill", "cloudpickle", "shelve"}, imported
        assert not called & {"eval", "exec", "sympify", "parse_expr"}, called


def test_store_load_atomic_and_pruned(tmp_path, monkeypatch):
    monkeypatch.setenv("REGIMES_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("REGIMES_NO_CACHE", raising=False)
    keys = [f"{i:02d}".ljust(64, "a") for i in range(cache.KEEP + 3)]
    for i, key in enumerate(keys):
        cache.store("m.x", key, {"i": i})
        time.sleep(0.01)
    files = sorted(p.name for p in (tmp_path / "derivations").iterdir())
    assert len(files) == cache.KEEP and not any(f.endswith(".tmp") for f in files)
    assert cache.load("m.x", keys[-1]) == {"i": len(keys) - 1}
    assert cache.load("m.x", keys[0]) is None  # pruned: only the newest KEEP entries stay
    assert cache.load("m.y", keys[-1]) is None
    assert cache.load("m.x", keys[-1][:24] + "b" * 40) is None  # same file name, other key: a miss
    next((tmp_path / "derivations").glob(f"m.x.{keys[-1][:24]}.json")).write_text("{not json")
    assert cache.load("m.x", keys[-1]) is None  # unreadable -> miss


def test_no_cache_bypasses(tmp_path, monkeypatch):
    monkeypatch.setenv("REGIMES_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("REGIMES_NO_CACHE", "1")
    assert not cache.enabled()
    cache.store("m.x", "0" * 64, {"i": 1})
    assert cache.load("m.x", "0" * 64) is None and not (tmp_path / "derivations").exists()


def test_cache_dir_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("REGIMES_CACHE_DIR", raising=False)
    import platformdirs

    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("regimes")) / "derivations"
    monkeypatch.setenv("REGIMES_CACHE_DIR", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "derivations"


def test_key_follows_theory_imports():
    closure = dict(cache.module_closure("theory.rem"))
    assert {"theory.rem", "theory.gm", "theory.registry", "theory.special", "theory.symbols"} <= set(closure)
    assert "theory.codegen" not in closure
    key = cache.derivation_key(registry.get("gm.t_S").derive)
    assert key is not None and len(key) == 64
    assert key != cache.derivation_key(registry.get("gm.Lambda").derive)


_PROBE = '''
import sympy as sp
from theory.registry import Model, step
from theory.symbols import positive

MODEL = Model("{name}", symbols=dict(s=positive("s", test=[1.0])))
s = MODEL.symbols["s"]


def helper():
    return {helper}


@MODEL.result("{name}.r", args=("s",), symbol="r", description="probe", kind="derived")
def r():
    step("integral", sp.Integral(sp.exp(-s), (s, 0, sp.oo)))
    return {body} + helper()
'''


def _derive_probe(tmp_path: Path, name: str, body: str, helper: str = "0") -> tuple[sp.Expr, bool]:
    """Write the probe model module, (re)import it, derive ``r``; return (expr, from cache)."""
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / f"{name}.py").write_text(_PROBE.format(name=name, body=body, helper=helper))
    model = registry._MODELS.get(name)
    if model is not None:
        model.unregister()
    sys.modules.pop(name, None)
    sys.path.insert(0, str(tmp_path / "pkg"))
    try:
        import importlib

        importlib.invalidate_caches()
        importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path / "pkg"))
    res = registry.get(f"{name}.r")
    return res.expr, res._from_cache


def test_edited_derivation_invalidates_its_entry(tmp_path, monkeypatch, fresh_model_name):
    monkeypatch.setenv("REGIMES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REGIMES_NO_CACHE", raising=False)
    name = fresh_model_name
    expr, hit = _derive_probe(tmp_path, name, "s**2")
    assert not hit and expr == registry._MODELS[name].symbols["s"] ** 2
    expr, hit = _derive_probe(tmp_path, name, "s**2")
    assert hit, "same source: loaded from the cache"
    assert registry.get(f"{name}.r").derivation[0][0] == "integral"  # steps cached too
    expr, hit = _derive_probe(tmp_path, name, "s**3")
    assert not hit and expr == registry._MODELS[name].symbols["s"] ** 3, "edited derivation: re-derived"
    expr, hit = _derive_probe(tmp_path, name, "s**3", helper="1")
    assert not hit and expr == registry._MODELS[name].symbols["s"] ** 3 + 1, "edited helper in its module: re-derived"
    monkeypatch.setenv("REGIMES_NO_CACHE", "1")
    expr, hit = _derive_probe(tmp_path, name, "s**3", helper="1")
    assert not hit


@pytest.mark.sympy
@pytest.mark.slow
def test_warm_load_of_all_results_is_fast(tmp_path, all_results):
    """A fresh process loads every result (and its steps) from a warm cache in well under 5 s."""
    code = textwrap.dedent("""
        import time
        from theory import registry
        t0 = time.perf_counter()
        rs = registry.all_results()
        for r in rs:
            r.expr, r.derivation
        assert all(r._from_cache for r in rs), [r.name for r in rs if not r._from_cache]
        print(time.perf_counter() - t0)
    """)
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip()) < 5.0


def test_theory_imports_read_from_bytecode_match_the_syntax_tree():
    """The bytecode reading of imports finds what the syntax tree says, for every theory module and
    for the awkward forms (inside functions and classes, aliases, from-lists, star, relative)."""
    import importlib
    import pkgutil

    import theory

    def by_tree(src: str) -> set[str]:
        out = set()
        for n in ast.walk(ast.parse(src)):
            if isinstance(n, ast.Import):
                out |= {a.name for a in n.names if a.name.split(".")[0] == "theory"}
            elif isinstance(n, ast.ImportFrom) and n.module and n.level == 0 and n.module.split(".")[0] == "theory":
                out |= {f"theory.{a.name}" for a in n.names if a.name != "*"} if n.module == "theory" else {n.module}
        return out - {"theory"}

    mods = [importlib.import_module(m.name) for m in pkgutil.walk_packages(theory.__path__, "theory.")]
    assert len(mods) > 5
    for mod in mods:
        src = Path(mod.__file__).read_text()
        assert cache._imported_theory_modules(src) == by_tree(src), mod.__name__
    awkward = (
        "import theory.gm as g, os\n"
        "from theory import registry, latex as L\n"
        "from theory.rem import *\n"
        "from . import sibling\nfrom .cw import x\n"
        "def f():\n    import theory.cw\n    class K:\n        from theory.symbols import t\n"
        "    return [__import__('os') for _ in ()]\n"
        "from theory import *\nimport numpy.theory\n"
    )
    want = {"theory.gm", "theory.registry", "theory.latex", "theory.rem", "theory.cw", "theory.symbols"}
    assert cache._imported_theory_modules(awkward) == by_tree(awkward) == want


def test_import_reading_survives_a_concurrent_ast_parse():
    """CPython < 3.11.8 shares the AST constructor's recursion counter between threads (gh-106905):
    an ``ast.parse`` here while another thread parses raised ``SystemError`` in CI. The key reads
    bytecode instead; stress it against a thread that parses nonstop, with a garbage-collector
    callback (Python code inside the constructor's allocations) to force switches."""
    import gc
    import sys
    import threading

    src = Path(cache.__file__).with_name("rem.py").read_text()
    stop = threading.Event()

    def parse_forever():
        while not stop.is_set():
            ast.parse("a + b * (c - d)")

    def callback(phase, info):
        sum(range(50))

    interval, threshold = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(1e-6)
    gc.callbacks.append(callback)
    gc.set_threshold(50)
    worker = threading.Thread(target=parse_forever)
    worker.start()
    try:
        for i in range(60):
            assert "theory.registry" in cache._imported_theory_modules.__wrapped__(src + f"\n# {i}\n")
    finally:
        stop.set()
        worker.join()
        gc.callbacks.remove(callback)
        gc.set_threshold(*threshold)
        sys.setswitchinterval(interval)
