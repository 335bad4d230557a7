"""The registry: models declare their symbols, every result has a kind and derives, the catalog
runs no derivation, named intermediates stay names in the display form."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
import sympy as sp

from theory import registry, symbols
from theory.special import Named, expand_named

ALL = registry.names()

#: the results that were typed in before (issue #12 item 4): each must now run a derivation
FORMERLY_TYPED = [
    "gm.t_S", "gm.log_density_q", "gm.phi_defect_integrand", "gauss.kl_expected", "gauss.mp_density",
    "cw.log_hs_kernel", "cw.log_M_weight", "cw.Lambda_exact", "cw.t_S", "cw.kappa", "rem.pd_log_partition",
]


def test_registry_lists_the_foundation_results():
    for name in ["gm.t_S", "gm.t_C", "gm.phi", "gm.kappa", "gm.Lambda", "gm.score_q", "gm.t_curv_logp",
                 "gm.t_curv_V", "gm.entropy_gap", "gauss.kl_expected", "gauss.mp_density", "cw.t_S", "rem.alpha_c"]:
        assert name in ALL
    assert [m.name for m in registry.models()] == ["cw", "gauss", "gm", "mixture", "rem"]


def test_catalog_rows_and_kinds():
    rows = registry.catalog()
    assert [r["name"] for r in rows] == ALL
    keys = {"name", "args", "symbol", "description", "kind", "assumptions", "reference", "generated"}
    for row in rows:
        assert set(row) == keys
        assert row["kind"] in registry.KINDS
        assert row["generated"] is None or row["generated"] == f"numerics.generated.{row['name']}"
    json.dumps(rows)  # plain data
    kinds = {r["name"]: r["kind"] for r in rows}
    assert kinds["gm.alpha"] == "definition" and kinds["gm.t_C"] == "assembled"
    assert all(kinds[n] == "derived" for n in FORMERLY_TYPED)
    assert next(r for r in rows if r["name"] == "gm.t_S")["args"] == ["d", "mu", "sigma", "p_plus"]


def test_catalog_runs_no_derivation_in_a_fresh_process():
    code = textwrap.dedent("""
        import sys
        from theory import registry
        rows = registry.catalog()
        assert len(rows) > 50
        assert all(r._expr is None for r in registry.all_results()), "a derivation ran"
        assert "theory.serialize" not in sys.modules and "numerics" not in sys.modules
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_symbols_are_declared_by_the_models():
    assert set(symbols.CORE) == {"t", "d", "n", "alpha", "z"}
    assert not hasattr(symbols, "SYMBOLS")  # no global table
    for model in registry.models():
        for r in model.results:
            for a in r.args:
                assert len(model.symbols.test(a)) >= 1, (r.name, a)
    # the same name may mean different things in different models
    rem, cw = registry.get("rem.derrida_free_entropy").model, registry.get("cw.chi").model
    assert rem.symbols.test("beta") != cw.symbols.test("beta")


@pytest.mark.sympy
@pytest.mark.parametrize("name", ALL)
def test_result_derives_and_renders(name, all_results):
    r = registry.get(name)
    assert isinstance(r.expr, sp.Basic) and not r.expr.has(Named)
    tex = r.latex()
    assert tex.startswith(r.symbol) and "=" in tex
    assert r.label.startswith("eq:") and r._repr_latex_().startswith("$")
    assert r.expr.free_symbols <= set(r.arg_symbols), (r.expr.free_symbols, r.args)
    if r.kind == "derived":
        assert r.derivation, f"{name} is marked derived but records no derivation step"
    if r.kind == "assembled":
        assert r.uses, f"{name} is marked assembled but uses no registered result"


@pytest.mark.sympy
@pytest.mark.parametrize("name", FORMERLY_TYPED)
def test_formerly_typed_results_run_a_derivation(name, all_results):
    """Each records several steps (solve/integrate/series ... ran)."""
    steps = registry.get(name).derivation
    assert len(steps) >= 2, steps


def _awkward_point(r: registry.Result, k: int) -> dict:
    if r.test_points:
        vals = r.test_points[k % len(r.test_points)]
    else:
        vals = [r.model.symbols.test(a)[(k + 2 * j) % len(r.model.symbols.test(a))] for j, a in enumerate(r.args)]
    return {s: (sp.Integer(int(v)) if r.test_points else sp.Float(v, 60)) for s, v in zip(r.arg_symbols, vals)}


@pytest.mark.sympy
@pytest.mark.parametrize("name", [n for n in ALL if registry.get(n).codegen])
def test_display_form_equals_expression(name, all_results):
    """The display form (named intermediates kept) and the expanded expression agree numerically."""
    r = registry.get(name)
    checked = 0
    for k in range(4):
        pt = _awkward_point(r, k)
        a = sp.N(r.display.subs(pt).doit(), 40)
        b = sp.N(r.expr.subs(pt).doit(), 40)
        if not (b.is_real and b.is_finite):
            continue
        assert abs(a - b) <= 1e-30 * (1 + abs(b)), (name, pt, a, b)
        checked += 1
    assert checked >= 1


@pytest.mark.sympy
def test_named_intermediates_print_as_names(all_results):
    assert registry.get("gm.t_S").latex() == r"t_S = \frac{1}{2} \ln \Lambda"  # theory.latex.PaperPrinter
    assert registry.get("gm.kappa").latex() == r"\kappa(t) = \frac{e^{- 2 t} |m|^2}{\Gamma_t}"
    assert r"\Delta_t" in registry.get("gm.Gamma").latex()
    assert r"\Gamma_t" in registry.get("gm.score_q").latex() and r"\Gamma_t" in registry.get("gm.f_leading").latex()
    assert r"\Delta_t" in registry.get("cw.kappa").latex()
    # expanded for codegen: no name left, the body in its place
    d, mu, sigma, p = registry.get("gm.t_S").arg_symbols
    assert sp.simplify(registry.get("gm.t_S").expr - sp.log(sigma**2 + 4 * p * (1 - p) * d * mu**2) / 2) == 0


def test_named_behaves_like_its_body():
    x = sp.Symbol("x", positive=True)
    A = Named("A", x**2 + 1)
    assert A.free_symbols == {x} and A.is_positive
    assert sp.diff(sp.log(A), x) == 2 * x / A
    assert expand_named(sp.diff(sp.log(A), x)) == 2 * x / (x**2 + 1)
    assert sp.latex(A / 2) == r"\frac{A}{2}"
    assert abs(sp.N(A.subs(x, 3), 30) - 10) < 1e-25


def test_a_new_model_needs_no_table_edit(fresh_model_name, tmp_path, monkeypatch):
    """Declaring a model with its own symbols is all it takes: it lists, derives, generates."""
    from theory import codegen

    monkeypatch.setenv("REGIMES_CACHE_DIR", str(tmp_path))
    from theory.symbols import core, positive

    model = registry.Model(fresh_model_name, symbols=dict(
        t=core("t", test=[1e-6, 0.3, 20.0]), sigma=positive("sigma", test=[0.1, 1.0, 7.0])))
    t, sigma = model.symbols("t sigma")

    @model.result(f"{fresh_model_name}.t_cross", args=("sigma",), symbol=r"t_\times", kind="derived",
                  description="time where Δ_t equals σ² e^{-2t}")
    def t_cross():
        (sol,) = sp.solve(sp.Eq(1 - sp.exp(-2 * t), sigma**2 * sp.exp(-2 * t)), t)
        return registry.step("solve", sol)

    assert f"{fresh_model_name}.t_cross" in registry.names()
    row = next(r for r in registry.catalog() if r["name"] == f"{fresh_model_name}.t_cross")
    assert row["kind"] == "derived" and row["args"] == ["sigma"]
    assert sp.simplify(t_cross() - sp.log(1 + sigma**2) / 2) == 0
    src = codegen.module_source(fresh_model_name)
    ns: dict = {}
    exec(compile(src, "<generated>", "exec"), ns)  # noqa: S102 - our own generated source
    assert ns["t_cross"](1.0) == pytest.approx(0.5 * 0.6931471805599453, rel=1e-15)


def test_registration_errors(fresh_model_name):
    from theory.symbols import positive

    model = registry.Model(fresh_model_name, symbols=dict(s=positive("s", test=[1.0])))
    with pytest.raises(ValueError, match="kind"):
        model.result(f"{fresh_model_name}.a", args=("s",), symbol="a", description="", kind="typed")
    with pytest.raises(ValueError, match="not declared"):
        model.result(f"{fresh_model_name}.a", args=("q",), symbol="a", description="", kind="derived")
    with pytest.raises(ValueError, match="must be named"):
        model.result("other.a", args=("s",), symbol="a", description="", kind="derived")
    with pytest.raises(ValueError, match="unknown result"):
        registry.get("gm.nope")
