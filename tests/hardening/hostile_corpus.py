"""The fuzz corpus of issue #15: every hostile input the issue names (and its neighbours), with what a
correct ``regimes`` must do. Committed as regression tests (``test_corpus.py``) and counted per category
by ``hostile_judge.py`` (the before/after numbers of the issue's closing note).

A CLI case is ``argv`` (``{tmp}`` is a fresh directory) and an expectation:

- ``"invalid"``: exit 2, exactly one line on stderr, no traceback, the line names ``param``;
- ``"valid"``: exit 0, nothing on stderr, and for ``--json`` the output passes :func:`hostile_judge.check_payload`
  (no NaN, probabilities in [0, 1], variances ≥ 0, nulls only for the documented keys) and ``check``.

An API case calls ``fn()``: ``"invalid"`` must raise ``ValueError`` naming ``param``; ``"valid"`` must
return without warning a value passing ``check``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Case:
    category: str
    argv: tuple
    expect: str  # "valid" | "invalid"
    param: str | None = None
    check: Callable[[dict], Any] | None = None
    files: Callable | None = None  # (tmp: Path) -> None, run after a valid case (output files)
    setup: Callable | None = None  # (tmp: Path) -> None, run before the case
    seconds: float | None = None  # an invalid case must fail within this wall time
    stderr: bool = False  # a valid case may write to stderr (--progress: the bars)

    @property
    def id(self) -> str:
        return f"{self.category}:{' '.join(self.argv)}"[:120]


@dataclass(frozen=True)
class ApiCase:
    category: str
    name: str
    fn: Callable[[], Any]
    expect: str
    param: str | None = None
    check: Callable[[Any], Any] | None = None

    @property
    def id(self) -> str:
        return f"{self.category}:{self.name}"


def C(category, argv: str, expect="valid", param=None, **kw) -> Case:
    return Case(category, tuple(argv.split()), expect, param, **kw)


# ----------------------------------------------------------------------------------- checks
def _approx(a, b, rel):
    assert a is not None and abs(a - b) <= rel * abs(b), (a, b)


def _inv_n(o, rel=0.05):
    """Deep in the liquid phase the finite-d φ_C and participation ratio tend to 1/n, n = round(e^{αd})."""
    inv = 1.0 / o["n"]
    _approx(o["phi_C_d"], inv, rel)
    _approx(o["participation_ratio_d"], inv, rel)


def _cw_sane(o):
    assert 0.0 <= o["p_plus"] <= 1.0 and 0.0 <= o["p_minus"] <= 1.0
    assert abs(o["p_plus"] + o["p_minus"] - 1.0) <= 4e-16
    assert o["Lambda"] >= 0 and o["chi"] is not None
    assert o["t_S"] is not None and all(v is not None for v in o["phi"])


def _cw_p_plus_limit(o):
    """β → ∞: only M = ±N survive, p_+ = 1/(1 + e^{-2H}) (h M = ±H), Λ = 4 p_+ p_- N."""
    _cw_sane(o)
    p = 1 / (1 + math.exp(-2 * o["H"]))
    _approx(o["p_plus"], p, 1e-6)
    _approx(o["Lambda"], 4 * p * (1 - p) * o["N"], 1e-6)


def _cw_beta1(o):
    _cw_sane(o)
    assert o["chi"] == "Infinity"  # the limit of (1-m²)/(1-β(1-m²)) at β = 1, h = 0
    assert isinstance(o["chi_finite_N"], float) and o["chi_finite_N"] >= 0
    assert isinstance(o["Lambda_asymptotic"], float) and o["Lambda_asymptotic"] > 0


def _gm_tc_inf(o):
    assert o["t_C"] == "Infinity" and o["alpha"] == 0


def _ints(*keys):
    def chk(o):
        for k in keys:
            assert isinstance(o[k], int) and not isinstance(o[k], bool), (k, o[k])
    return chk


SIM = "simulate clone --d 16 --mu 1 --sigma 1 --t-branch 1 --samples 20 --steps 10"
GEN = "simulate generate --N 8 --beta 1.5 --H 0.5 --samples 20 --steps 20"
LAW = "simulate cw-data-law --N 8 --ratios 1 --repeats 2"
COL = "simulate collapse --d 8 --mu 1 --sigma 1 --samples 10 --steps 10 --t-branch 0.5"
ENT = "simulate entropy --d 8 --mu 1 --sigma 1 --samples 10 --t 0.5 1"

CLI_CASES: list[Case] = [
    # ---- 1. sizes and overflow: refused before allocating, one line naming the parameter
    C("sizes", "simulate clone --d 16 --mu 1 --sigma 1 --samples 1e12 --t-branch 1", "invalid", "samples"),
    C("sizes", "simulate clone --d 16 --mu 1 --sigma 1 --samples 100 --t-branch 1 --steps 1e12", "invalid", "steps"),
    C("sizes", "simulate clone --d 16 --mu 1 --sigma 1 --samples 100 --t-branch 1 --score empirical --n 1e12",
      "invalid", "n"),
    C("sizes", "simulate clone --d 1e9 --mu 1 --sigma 1 --samples 100 --t-branch 1", "invalid", "d"),
    C("sizes", "simulate clone --d 16 --mu 1 --sigma 1 --samples 100 --t-branch 1 --T 1e300", "invalid", "T"),
    C("sizes", "simulate clone --d 16 --mu 1 --sigma 1 --samples 100 --t-branch 1e300", "invalid", "T"),
    C("sizes", "simulate clone --model cw --N 1e9 --beta 1.5 --samples 10 --t-branch 1", "invalid", "N"),
    C("sizes", "simulate clone --model gauss --d 1e9 --sigma 1 --samples 10 --t-branch 1", "invalid", "d"),
    C("sizes", "simulate collapse --d 16 --mu 1 --sigma 1 --samples 1e12 --n 100", "invalid", "samples"),
    C("sizes", "simulate collapse --d 16 --mu 1 --sigma 1 --samples 100 --n 1e12", "invalid", "n"),
    C("sizes", "simulate collapse --d 16 --mu 1 --sigma 1 --samples 10 --n 100 --steps 1e12", "invalid", "steps"),
    C("sizes", "simulate entropy --d 16 --mu 1 --sigma 1 --samples 1e12 --n 100", "invalid", "samples"),
    C("sizes", "simulate entropy --d 16 --mu 1 --sigma 1 --samples 100 --n 1e12", "invalid", "n"),
    C("sizes", "simulate entropy --d 1e9 --mu 1 --sigma 1 --samples 100 --n 100", "invalid", "d"),
    C("sizes", "simulate generate --N 1e9 --beta 1.5 --samples 10", "invalid", "N"),
    C("sizes", "simulate generate --N 16 --beta 1.5 --samples 1e12", "invalid", "samples"),
    C("sizes", "simulate generate --N 16 --beta 1.5 --samples 10 --steps 1e12", "invalid", "steps"),
    C("sizes", "simulate generate --N 16 --beta 1.5 --samples 10 --score learned --n-train 1e12", "invalid", "n-train"),
    C("sizes", "simulate cw-data-law --N 1e9 --ratios 1 --repeats 2", "invalid", "N"),
    C("sizes", "simulate cw-data-law --N 16 --ratios 1e12 --repeats 2", "invalid", "ratios"),
    C("sizes", "simulate cw-data-law --N 16 --ratios 1 --repeats 2 --generate 1e12", "invalid", "generate"),
    C("sizes", "cw --N 1e9 --beta 1.5", "invalid", "N"),
    C("sizes", "cw --N 1e15 --beta 1.5 --json", "invalid", "N"),
    C("sizes", "rem --sigma 1 --t 1 --alpha 50 --d 1000 --json", "invalid", "alpha"),
    C("sizes", "rem --sigma 1 --t 1 --alpha 0.03 --d 1e6 --json", "invalid", "alpha"),
    C("sizes", "rem --sigma 1 --t 1 --alpha 1e-4 --d 1e6 --json"),
    C("sizes", "rem --sigma 1 --t 1e3 --alpha 0.03 --d 256 --json", check=_inv_n),
    C("sizes", "rem --sigma 1 --t 1e300 --alpha 0.03 --d 256 --json", check=_inv_n),
    C("sizes", "gm --d 1e300 --mu 1 --sigma 1 --n 1e300 --json"),
    C("sizes", "gm --d 10 --mu 1 --sigma 1 --t 1e300 --n 100 --json"),
    C("sizes", "gm --d 10 --mu 1 --sigma 1 --n 1e300 --eps 1e-300 --json"),
    C("sizes", "gm --d 10 --mu 1 --sigma 1 --eps 1e300 --json"),
    C("sizes", f"{SIM} --memory-budget 1k", "invalid", "samples"),
    C("sizes", f"{SIM} --memory-budget 1e3x", "invalid", "memory-budget"),
    C("sizes", f"{SIM} --memory-budget 0", "invalid", "memory-budget"),
    C("sizes", f"{SIM} --memory-budget 2G --json"),
    # ---- 2. Curie-Weiss: probabilities in [0,1], variances >= 0, β = 1 finite
    C("cw", "cw --N 3 --beta 1.5 --H 50 --json", check=_cw_sane),
    C("cw", "cw --N 100000 --beta 10 --H 50 --json", check=_cw_sane),
    C("cw", "cw --N 100 --beta 1 --json", check=_cw_beta1),
    C("cw", "cw --N 100 --beta 1 --H 3 --json", check=_cw_beta1),
    C("cw", "cw --N 1 --beta 1 --json", check=_cw_beta1),
    C("cw", "cw --N 1 --beta 1.5 --json", check=_cw_sane),
    C("cw", "cw --N 2 --beta 0.5 --H -50 --json", check=_cw_sane),
    C("cw", "cw --N 1000 --beta 1 --H 0.5 --json", check=_cw_beta1),
    C("cw", "cw --N 50 --beta 1e-300 --json", check=_cw_sane),
    C("cw", "cw --N 50 --beta 1e8 --H 1 --json", check=_cw_p_plus_limit),
    C("cw", "cw --N 50 --beta 1e6 --H -2 --json", check=_cw_p_plus_limit),
    C("cw", "cw --N 50 --beta 1e300 --H 1 --json", "invalid", "beta"),
    C("cw", "cw --N 50 --beta 1.5 --H 1e9 --json", check=_cw_sane),
    C("cw", "cw --N 50 --beta 1.5 --H -1e9 --json", check=_cw_sane),
    C("cw", "cw --N 50 --beta 1.5 --H 1e300 --json", "invalid", "H"),
    C("cw", "cw --N 50 --beta 1.5 --H -1e300 --json", "invalid", "H"),
    C("cw", "cw --N 3 --beta 1.5 --H 50 --t 1 2 --json", check=_cw_sane),
    C("cw", "cw --N 3 --beta 1.5 --H 50"),
    C("cw", "cw --N 100 --beta 1"),
    C("cw", "cw --N 33 --beta 1.5 --H 0.5 --json", check=_ints("N")),
    C("cw", "simulate generate --N 3 --beta 1.5 --H 50 --samples 20 --steps 20 --json"),
    C("cw", "simulate generate --N 8 --beta 1 --samples 20 --steps 20 --json"),
    C("cw", "cw --N 0 --beta 1.5", "invalid", "N"),
    C("cw", "cw --N 2.5 --beta 1.5", "invalid", "N"),
    C("cw", "cw --N 10 --beta 0", "invalid", "beta"),
    C("cw", "cw --N 10 --beta -1", "invalid", "beta"),
    C("cw", "cw --N 10 --beta nan", "invalid", "beta"),
    C("cw", "cw --N 10 --beta 1.5 --H inf", "invalid", "H"),
    C("cw", "cw --N 10 --beta 1.5 --t 0", "invalid", "t"),
    # ---- 3. REM finite d: limits, no null, no traceback
    C("rem", "rem --sigma 1 --t 10 --alpha 0.03 --d 256 --json", check=_inv_n),
    C("rem", "rem --sigma 1 --t 7.5 --alpha 0.03 --d 256 --json", check=_inv_n),
    C("rem", "rem --sigma 1 --t 5 --alpha 0.03 --d 256 --json", check=lambda o: _inv_n(o, 0.5)),
    C("rem", "rem --sigma 1 --t 1e3 --alpha 0.03 --d 256 --json", check=_inv_n),
    C("rem", "rem --sigma 1 --t 0.5 --alpha 0.03 --d 256 --json"),
    C("rem", "rem --sigma 1 --t 1.4 --alpha 0.03 --d 256 --json"),
    C("rem", "rem --sigma 1 --t 1e-8 --alpha 0.03 --json"),
    C("rem", "rem --sigma 1 --t 1e-8 --alpha 0.03 --d 256 --json", "invalid", "t"),
    C("rem", "rem --sigma 1 --t 1e-5 --alpha 0.03 --d 256 --json"),
    C("rem", "rem --sigma 1 --t 1e-300 --alpha 0.03 --d 256 --json", "invalid", "t"),
    C("rem", "rem --sigma 1 --t 1 --alpha 1e-300 --d 2 --json"),
    C("rem", "rem --sigma 1 --t 1 --alpha 700 --d 2 --json", "invalid", "alpha"),
    C("rem", "rem --sigma 1 --t 1 --alpha 50 --d 2 --json"),
    C("rem", "rem --sigma 1e-300 --t 1 --alpha 1 --d 10 --json", check=_inv_n),
    C("rem", "rem --sigma 1e75 --t 1 --alpha 1 --json"),
    C("rem", "rem --sigma 1e75 --t 1 --alpha 1 --d 10 --json", "invalid", "sigma"),
    C("rem", "rem --sigma 1e3 --t 1 --alpha 1 --d 10 --json"),
    C("rem", "rem --sigma 1e150 --t 1 --alpha 1 --d 10 --json", "invalid", "sigma"),
    C("rem", "rem --sigma 1 --t 3 --alpha 5 --d 100000 --json", "invalid", "alpha"),
    C("rem", "rem --sigma 1 --t 0.2 --alpha 0.01 --d 1e6 --json", "invalid", "alpha"),
    C("rem", "rem --sigma 1 --t 1 --alpha 0.03 --d 256 --json", check=_ints("d")),
    C("rem", "rem --sigma 1 --t 1 --json"),
    C("rem", "rem --sigma 1 --t 10 --alpha 0.03 --d 256"),
    C("rem", "rem --sigma 1 --t 1 --alpha 0.03 --d 1", "invalid", "d"),
    C("rem", "rem --sigma 1 --t 1 --alpha 0.03 --d 2.5", "invalid", "d"),
    C("rem", "rem --sigma 1 --t 1 --d 10", "invalid", "alpha"),
    C("rem", "rem --sigma 1 --t 1 --alpha 0", "invalid", "alpha"),
    C("rem", "rem --sigma 0 --t 1", "invalid", "sigma"),
    C("rem", "rem --sigma 1e300 --t 1", "invalid", "sigma"),
    C("rem", "rem --sigma 1 --t -1", "invalid", "t"),
    C("rem", "rem --sigma 1 --t inf", "invalid", "t"),
    # ---- 4. GM edges
    C("gm", "gm --d 10 --mu 0 --sigma 0 --json", "invalid", "sigma"),
    C("gm", "gm --d 10 --mu 1 --sigma 1e100 --json"),
    C("gm", "gm --d 10 --mu 1e100 --sigma 1 --json"),
    C("gm", "gm --d 10 --mu 1e149 --sigma 1e150 --json"),
    C("gm", "gm --d 10 --mu 1e200 --sigma 1 --json", "invalid", "mu"),
    C("gm", "gm --d 10 --mu 1 --sigma 1e200 --json", "invalid", "sigma"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --n 1 --json", check=_gm_tc_inf),
    C("gm", "gm --d 10 --mu 0 --sigma 1 --json"),
    C("gm", "gm --d 10 --mu 0 --sigma 1 --n 100 --json"),
    C("gm", "gm --d 10 --mu 1 --sigma 0 --n 100 --json"),
    C("gm", "gm --d 10 --mu 1e-200 --sigma 1e-200 --json"),
    C("gm", "gm --d 1 --mu 1 --sigma 1 --n 2 --json"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --p-plus 1e-300 --json"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --p-plus 0.9999999999 --json"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --t 1e-300 --json"),
    C("gm", "gm --d 10 --mu 1 --sigma 0.5 --t 1e-300 --json"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --n 1"),
    C("gm", "gm --d 1024 --mu 1 --sigma 1 --n 20000 --json", check=_ints("d", "n")),
    C("gm", "gm --d 10.5 --mu 1 --sigma 1", "invalid", "d"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --n 0", "invalid", "n"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --n 2.5", "invalid", "n"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --eps 0", "invalid", "eps"),
    C("gm", "gm --d 10 --mu -1 --sigma 1", "invalid", "mu"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --p-plus 1", "invalid", "p-plus"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --p-plus nan", "invalid", "p-plus"),
    C("gm", "gm --d 10 --mu 1 --sigma 1 --t 1 --t 2", "valid"),
    # ---- 6. one validation style
    C("style", f"{GEN} --seed 2.7", "invalid", "seed"),
    C("style", f"{LAW} --seed 2.7", "invalid", "seed"),
    C("style", "verify --seed 2.7 --list", "invalid", "seed"),
    C("style", f"{SIM} --seed 2.7", "invalid", "seed"),
    C("style", f"{SIM} --seed -1", "invalid", "seed"),
    C("style", "simulate collapse --d 16 --mu 1 --sigma 1 --samples 10 --n 1", "invalid", "n"),
    C("style", "simulate entropy --d 16 --mu 1 --sigma 1 --samples 10 --n 1", "invalid", "n"),
    C("style", "simulate entropy --d 16 --mu 1 --sigma 1 --samples 1 --n 10", "invalid", "samples"),
    C("style", "verify --only no-such-check-xyz", "invalid", "only"),
    C("style", "verify --list --only no-such-check-xyz", "invalid", "only"),
    C("style", "bench --only no-such-benchmark-xyz", "invalid", "only"),
    Case("style", ("latex", "--all", "-o", ""), "invalid", "output"),
    Case("style", ("verify", "--only", "gauss.kl_law", "--json", ""), "invalid", "json"),
    C("style", "latex gm.t_C --all", "invalid", "all"),
    C("style", "latex", "invalid", "NAME"),
    C("style", "latex no.such", "invalid", "no.such"),
    C("style", f"{SIM} --samples 0", "invalid", "samples"),
    C("style", f"{SIM} --samples 2.5", "invalid", "samples"),
    C("style", f"{SIM} --steps 0", "invalid", "steps"),
    C("style", f"{SIM} --T -1", "invalid", "T"),
    C("style", f"{SIM} --t-min 2", "invalid", "t_min"),
    C("style", f"{SIM} --score empirical", "invalid", "n"),
    C("style", f"{SIM} --score empirical --n 10 --fast-path", "invalid", "fast-path"),
    C("style", "simulate clone --model cw --samples 10 --t-branch 1", "invalid", "N"),
    C("style", "simulate clone --model gauss --d 4 --sigma 0 --samples 10 --t-branch 1", "invalid", "sigma"),
    C("style", "simulate clone --model gm --d 4 --mu 0 --sigma 0 --samples 10 --t-branch 1", "invalid", "sigma"),
    C("style", "simulate clone --model gm --mu 1 --sigma 1 --samples 10 --t-branch 1", "invalid", "d"),
    C("style", f"{GEN} --score learned", "invalid", "n-train"),
    C("style", f"{GEN} --score learned --n-train 1", "invalid", "n-train"),
    C("style", f"{LAW} --repeats 1", "invalid", "repeats"),
    C("style", f"{LAW} --ratios 0", "invalid", "ratios"),
    C("style", "bench --repeats 0 --startup", "invalid", "repeats"),
    C("style", "simulate", "invalid", "KIND"),
    C("style", "", "invalid", "COMMAND"),
    C("style", "no-such-command", "invalid", "no-such-command"),
    C("style", f"{SIM} --json", check=_ints("samples", "seed")),
    C("style", f"{SIM} --no-progress"),
    C("style", f"{SIM} --progress", stderr=True),
    C("style", f"{GEN} --json", check=_ints("N", "samples", "seed", "steps")),
    C("style", f"{COL} --n 20 --json"),
    C("style", f"{ENT} --n 20 --json"),
    # ---- 7. output paths: checked before any work, written atomically, never through a planted symlink
    C("paths", "latex --all -o {tmp}/missing/x.tex", "invalid", "output", seconds=5.0),
    C("paths", "latex gm.t_C -o {tmp}", "invalid", "output"),
    C("paths", "verify --only gauss.kl_law --json {tmp}/missing/dir/out.json", "invalid", "json", seconds=5.0),
    C("paths", "verify --only gauss.kl_law --out {tmp}/missing/a/b", "invalid", "out", seconds=5.0),
    C("paths", "verify --only gauss.kl_law --json {tmp}", "invalid", "json", seconds=5.0),
    C("paths", f"{LAW} --figure {{tmp}}/missing/f.png", "invalid", "figure", seconds=5.0),
    C("paths", f"{LAW} --figure {{tmp}}/f.txt", "invalid", "figure", seconds=5.0),
    C("paths", "latex gm.t_C -o {tmp}/link.tex", setup=lambda tmp: _plant(tmp, "link.tex"),
      files=lambda tmp: _victim_untouched(tmp, "link.tex")),
    C("paths", f"{LAW} --figure {{tmp}}/fig.png --json", setup=lambda tmp: _plant(tmp, "fig.png"),
      files=lambda tmp: _victim_untouched(tmp, "fig.png")),
]


def _plant(tmp, name):
    (tmp / "victim.txt").write_text("precious")
    (tmp / name).symlink_to(tmp / "victim.txt")


def _victim_untouched(tmp, name):
    assert (tmp / "victim.txt").read_bytes() == b"precious", "the symlink's target was overwritten"
    assert not (tmp / name).is_symlink() and (tmp / name).stat().st_size > 0


# ----------------------------------------------------------------------------------- API
def _api():
    from numerics import universal
    def checked(name):
        try:
            from numerics.checked import checked as wrap
        except ImportError:  # before the fix: the raw generated function (the reference)
            from numerics.results import numeric as wrap
        return wrap(name)

    from numerics.engine import sde
    from numerics.engine.cloning import clone_phi
    from numerics.engine.empirical import EmpiricalScore
    from numerics.engine.entropy import excess_entropy_mc
    from numerics.models.cw import CurieWeiss
    from numerics.models.cw import kernels as cwk
    from numerics.models.gauss.model import GaussianModel, expected_kl
    from numerics.models.gm import GaussianMixture
    from numerics.models.gm.model import collapse_time, speciation_time
    from numerics.models.rem import model as rem

    X = np.random.default_rng(0).standard_normal((20, 4))
    x_nan = np.ones((3, 4))
    x_nan[1, 2] = np.nan
    A = ApiCase

    def finite(v):
        assert np.all(np.isfinite(np.asarray(v, dtype=float))), v

    def prob(v):
        v = np.asarray(v, dtype=float)
        assert np.all((v >= 0) & (v <= 1)), v

    return [
        A("api", "phi(-1)", lambda: universal.phi(-1.0), "invalid", "kappa"),
        A("api", "phi(nan)", lambda: universal.phi(math.nan), "invalid", "kappa"),
        A("api", "phi(inf)", lambda: universal.phi(math.inf), "valid", check=lambda v: v == 1.0),
        A("api", "phi(1, p_plus=1.5)", lambda: universal.phi(1.0, 1.5), "invalid", "p_plus"),
        A("api", "phi(1, p_plus=0)", lambda: universal.phi(1.0, 0.0), "invalid", "p_plus"),
        A("api", "phi(1e-300..1e12)", lambda: universal.phi(np.geomspace(1e-300, 1e12, 50)), "valid", check=prob),
        A("api", "entropy_gap(-1)", lambda: universal.entropy_gap(-1.0), "invalid", "kappa"),
        A("api", "EmpiricalScore(x nan)", lambda: EmpiricalScore(X)(x_nan, 1.0), "invalid", "x"),
        A("api", "EmpiricalScore(empty batch)", lambda: EmpiricalScore(X)(np.empty((0, 4)), 1.0), "valid",
          check=lambda v: v.shape == (0, 4)),
        A("api", "EmpiricalScore(t=0)", lambda: EmpiricalScore(X)(X[:2], 0.0), "invalid", "t"),
        A("api", "EmpiricalScore(wrong d)", lambda: EmpiricalScore(X)(np.ones((2, 3)), 1.0), "invalid", "x"),
        A("api", "EmpiricalScore(train nan)", lambda: EmpiricalScore(x_nan), "invalid", "train"),
        A("api", "checked gm.t_S(d<0)", lambda: checked("gm.t_S")(-1024, 1, 1, 0.5), "invalid", "d"),
        A("api", "checked gm.t_S(p=2)", lambda: checked("gm.t_S")(1024, 1, 1, 2.0), "invalid", "p_plus"),
        A("api", "checked gm.t_S(nan)", lambda: checked("gm.t_S")(1024, math.nan, 1, 0.5), "invalid", "mu"),
        A("api", "checked gm.t_S", lambda: checked("gm.t_S")(1024, 1, 1, 0.5), "valid",
          check=lambda v: abs(v - 0.5 * math.log(1025)) < 1e-15),
        A("api", "checked gm.t_C(n=1)", lambda: checked("gm.t_C")(1, 10, 1.0), "valid", check=lambda v: v == math.inf),
        A("api", "checked gm.t_C(n=0.5)", lambda: checked("gm.t_C")(0.5, 10, 1.0), "invalid", "n"),
        A("api", "checked gm.kappa(t=-1)", lambda: checked("gm.kappa")(-1.0, 10, 1, 1), "invalid", "t"),
        A("api", "checked gauss.kl_expected(100.0, 10.0)", lambda: checked("gauss.kl_expected")(100.0, 10.0),
          "valid", check=finite),
        A("api", "checked gauss.kl_expected(10, 10)", lambda: checked("gauss.kl_expected")(10, 10), "invalid", "n"),
        A("api", "checked gauss.kl_expected(100, 10.5)", lambda: checked("gauss.kl_expected")(100, 10.5), "invalid", "d"),
        A("api", "checked rem.t_C_alpha(inf)", lambda: checked("rem.t_C_alpha")(math.inf, 1.0), "invalid", "alpha"),
        A("api", "checked unknown", lambda: checked("gm.no_such"), "invalid", "gm.no_such"),
        A("api", "rem.t_C(inf, 1)", lambda: rem.t_C(math.inf, 1.0), "invalid", "alpha"),
        A("api", "rem.t_C(nan, 1)", lambda: rem.t_C(math.nan, 1.0), "invalid", "alpha"),
        A("api", "rem.alpha_c(-1, 1)", lambda: rem.alpha_c(-1.0, 1.0), "invalid", "t"),
        A("api", "rem.phi_C(t=10, d=256)", lambda: rem.phi_C(10.0, 0.03, 1.0, 256), "valid",
          check=lambda v: abs(v * round(math.exp(0.03 * 256)) - 1) < 0.05),
        A("api", "rem.free_entropy(t=1e3, d=256)", lambda: rem.free_entropy(0.03, 1e3, 1.0, None, 256), "valid",
          check=finite),
        A("api", "rem.participation_ratio(d=0.5)", lambda: rem.participation_ratio(0.03, 1.0, 1.0, None, 0.5),
          "invalid", "d"),
        A("api", "score_exact(t=0)", lambda: cwk.score_exact(np.ones((2, 5)), 0.0, 1.5, 0.0), "invalid", "t"),
        A("api", "score_exact(beta=-1)", lambda: cwk.score_exact(np.ones((2, 5)), 1.0, -1.0, 0.0), "invalid", "beta"),
        A("api", "score_exact(x nan)", lambda: cwk.score_exact(np.full((2, 5), np.nan), 1.0, 1.5, 0.0), "invalid", "x"),
        A("api", "score_saddle(t=0)", lambda: cwk.score_saddle(np.ones((2, 5)), 0.0, 1.5, 0.0), "invalid", "t"),
        A("api", "CurieWeiss(3,1.5,50).p_plus", lambda: CurieWeiss(3, 1.5, 50.0).p_plus, "valid", check=prob),
        A("api", "CurieWeiss(3,1.5,50).p_minus", lambda: CurieWeiss(3, 1.5, 50.0).p_minus, "valid",
          check=lambda v: 0 < v < 1e-12),
        A("api", "CurieWeiss(3,1.5,50).Lambda", lambda: CurieWeiss(3, 1.5, 50.0).Lambda, "valid",
          check=lambda v: v > 0),
        A("api", "CurieWeiss(1e5,10,50).Lambda", lambda: CurieWeiss(100000, 10.0, 50.0).Lambda, "valid",
          check=lambda v: v > 0),
        A("api", "CurieWeiss(100,1).chi", lambda: CurieWeiss(100, 1.0).chi, "valid", check=lambda v: v == math.inf),
        A("api", "CurieWeiss(2.5,1)", lambda: CurieWeiss(2.5, 1.0), "invalid", "N"),
        A("api", "GaussianMixture(10,0,0)", lambda: GaussianMixture(10, 0.0, 0.0), "invalid", "sigma"),
        A("api", "GaussianMixture(10,1e200,1)", lambda: GaussianMixture(10, 1e200, 1.0), "invalid", "mu"),
        A("api", "GaussianMixture(10,1,1e100).t_curv_V", lambda: GaussianMixture(10, 1.0, 1e100).t_curv_V, "valid",
          check=finite),
        A("api", "GaussianMixture.t_C(1)", lambda: GaussianMixture(10, 1.0, 1.0).t_C(1), "valid",
          check=lambda v: v == math.inf),
        A("api", "speciation_time(-1)", lambda: speciation_time(-1, 1, 1), "invalid", "d"),
        A("api", "collapse_time(0.5)", lambda: collapse_time(0.5, 10, 1), "invalid", "n"),
        A("api", "GaussianModel([1, nan])", lambda: GaussianModel([1.0, math.nan]), "invalid", "lams"),
        A("api", "expected_kl(100.0, 10.0)", lambda: expected_kl(100.0, 10.0), "valid", check=finite),
        A("api", "expected_kl(100.5, 10)", lambda: expected_kl(100.5, 10), "invalid", "n"),
        A("api", "step_coefficients(1e300)", lambda: sde.step_coefficients(1e300), "invalid", "h"),
        A("api", "step_coefficients(-1)", lambda: sde.step_coefficients(-1.0), "invalid", "h"),
        A("api", "time_grid(T=nan)", lambda: sde.time_grid(math.nan, 1e-3, 10), "invalid", "T"),
        A("api", "clone_phi(samples=1e12)",
          lambda: clone_phi(GaussianMixture(16, 1.0, 1.0), [1.0], 10**12, 0), "invalid", "samples"),
        A("api", "clone_phi(T=1e300)",
          lambda: clone_phi(GaussianMixture(16, 1.0, 1.0), [1.0], 10, 0, T=1e300), "invalid", "T"),
        A("api", "excess_entropy_mc(train nan)", lambda: excess_entropy_mc(x_nan, [1.0], 10, 0), "invalid", "train"),
        A("api", "excess_entropy_mc(samples=1e12)", lambda: excess_entropy_mc(X, [1.0], 10**12, 0), "invalid", "samples"),
    ]


def api_cases() -> list[ApiCase]:
    return _api()
