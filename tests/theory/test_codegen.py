"""Code generation: every generated function against a 50-digit evaluation of its expression at
the awkward values its model declares; generated files up to date; cheap, SymPy-free imports."""

from __future__ import annotations

import importlib
import inspect
import math
import subprocess
import sys
import textwrap

import pytest
import sympy as sp

from numerics.results import numeric
from theory import codegen, registry

CODEGEN = [n for n in registry.names() if registry.get(n).codegen]


def _points(r: registry.Result) -> list[tuple]:
    """The result's own test points, else its model's awkward values cycled per argument."""
    if r.test_points:
        return [tuple(int(v) if float(v).is_integer() else v for v in pt) for pt in r.test_points]
    table = r.model.symbols
    return [tuple(table.test(a)[(k + 2 * j) % len(table.test(a))] for j, a in enumerate(r.args)) for k in range(4)]


@pytest.mark.sympy
@pytest.mark.parametrize("name", CODEGEN)
def test_generated_matches_high_precision(name, all_results):
    """Generated NumPy code vs the SymPy expression evaluated at 50 digits (rel ≤ 1e-10)."""
    r = registry.get(name)
    f = numeric(name)
    assert list(inspect.signature(f).parameters) == list(r.args)
    checked = 0
    for vals in _points(r):
        subs = {s: (sp.Integer(v) if isinstance(v, int) else sp.Float(v, 60)) for s, v in zip(r.arg_symbols, vals)}
        exact = sp.N(r.expr.subs(subs).doit().rewrite(sp.log), 50)
        if not exact.is_real or not exact.is_finite:
            continue  # outside the result's domain (e.g. the curvature never changes sign)
        got = float(f(*vals))
        assert math.isfinite(got), (name, vals)
        assert got == pytest.approx(float(exact), rel=1e-10, abs=1e-300), (name, vals)
        checked += 1
    assert checked >= 1


@pytest.mark.sympy
def test_generated_files_are_up_to_date(all_results):
    assert codegen.stale() == [], "stale generated modules: run `make generate`"


def test_stable_rewrites():
    t, x = sp.symbols("t x", positive=True)
    assert "expm1" in str(codegen.stable_form(1 - sp.exp(-2 * t)))
    assert "log1p" in str(codegen.stable_form(sp.log(1 + x)))
    assert codegen.stable_form(sp.log(sp.gamma(x))) == sp.loggamma(x)
    assert "log(x)" in str(codegen.stable_form(x ** (2 / t)))


def test_generated_sources_are_plain_numpy():
    for path in codegen.GENERATED_DIR.glob("*.py"):
        src = path.read_text()
        assert "numba" not in src and "sympy" not in src, path
        assert "_nb(" not in src and "def _nb" not in src, path
        if path.stem != "_helpers" and path.stem != "__init__":
            top = [ln for ln in src.splitlines() if ln.startswith(("import ", "from "))]
            assert all("scipy" not in ln for ln in top), (path, top)  # scipy only inside functions
    helpers = codegen.GENERATED_DIR / "_helpers.py"
    assert helpers.read_text().count("def _logcosh") == 1
    for model in ("gm", "cw"):
        src = (codegen.GENERATED_DIR / f"{model}.py").read_text()
        assert "def _logcosh" not in src and "from numerics.generated._helpers import" in src


def test_generated_import_is_cheap():
    """Importing a generated module loads NumPy only: no SymPy, SciPy or Numba."""
    code = textwrap.dedent("""
        import sys
        import numerics.generated.gm, numerics.generated.cw, numerics.generated.rem, numerics.generated.gauss
        bad = [m for m in ("sympy", "scipy", "numba", "theory") if m in sys.modules]
        print(bad)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", (out.stdout, out.stderr)


def test_numeric_locates_generated_functions():
    f = numeric("gm.t_S")
    assert f is importlib.import_module("numerics.generated.gm").t_S
    assert f(1000.0, 1.0, 1.0, 0.5) == pytest.approx(0.5 * math.log(1001.0), rel=1e-14)
    with pytest.raises(ValueError):
        numeric("gm.nope")
    with pytest.raises(ValueError):
        numeric("nomodel.x")
    # p_- = 1 - p_+ stays a factor: no cancellation at p_+ -> 1
    lam = numeric("gm.Lambda")(1e6, 1.0, 1.0, 1 - 2**-40)
    assert lam == pytest.approx(1.0 + 4e6 * (1 - 2**-40) * 2**-40, rel=1e-15)
