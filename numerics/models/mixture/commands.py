"""``regimes mixture``: the theory table of a K-class Gaussian mixture (THEORY §6), and the model built
from ``regimes simulate --model mixture --spec SPEC``.

JSON keys (a contract): ``d``, ``K``, ``Lambda`` (top eigenvalues of the data covariance), ``pairs`` (objects
with ``a``, ``b``, ``t_S``, ``kappa``, ``phi`` — lists over ``t`` — and ``t_S_large_d``, ``kl_ab``, ``kl_ba``,
``phi_method``, ``phi_stderr``), ``levels`` (objects with ``level``, ``groups``, ``t_S``, ``t_S_large_d``,
``phi``, ``phi_large_d``, ``phi_method``, ``phi_stderr``), ``t``, ``t_eigen`` (½ ln Λ_j, the eigenvalue
cascade), ``units``; with ``--n``: ``n``, ``alpha``, ``t_C``, ``f`` (leading order over ``t``),
``f_finite_d`` (minus I(c; x_t)/d) and ``mutual_information``.
"""

from __future__ import annotations

import math

import numpy as np

from numerics import validate
from numerics.cli import emit
from numerics.models.mixture.model import Mixture

DEFAULT_T_FRACTIONS = (0.5, 0.75, 1.0, 1.25, 1.5)
UNITS = "OU time of the SPEC's data as given (no rescaling); THEORY §7"


def _phi_block(model: Mixture, ts: np.ndarray, samples: int, seed: int) -> tuple[dict, dict, str]:
    """(φ per level, stderr per level or None, method) — exact quadrature, else exact-posterior Monte Carlo."""
    method = model.phi_method()
    if method != "large-d":
        return model.phi_levels(ts), {lv: None for lv in model.level_names}, method
    phis, errs = model.phi_mc(ts, samples, seed)
    return phis, errs, "exact-posterior Monte Carlo"


def default_times(model: Mixture) -> np.ndarray:
    """The level speciation times × 0.5 … 1.5 (positive ones), sorted and unique."""
    base = [model.level_t_S(lv) for lv in model.level_names]
    base = [v for v in base if v is not None and v > 0]
    if not base:
        raise ValueError("no level of this mixture has a positive speciation time: pass --t")
    return np.unique(np.round(np.outer(base, DEFAULT_T_FRACTIONS).ravel(), 12))


def mixture_table(spec, n=None, t=None, k: int = 10, samples: int = 20000, seed: int = 0) -> dict:
    """The ``regimes mixture`` payload (see the module docstring for the keys)."""
    model = spec if isinstance(spec, Mixture) else Mixture.from_spec(spec)
    ts = validate.times("t", t).ravel() if t is not None else default_times(model)
    samples = validate.positive_int("samples", samples)
    seed = validate.seed("seed", seed)
    lam = model.data_covariance_top(validate.positive_int("k", k))
    out = {"source": model.spec.source, "d": model.d, "K": model.K, "weights": model.weights.tolist(),
           "covariances": [c.describe() for c in model.covs], "units": UNITS,
           "Lambda": lam.tolist(), "t_eigen": [0.5 * math.log(v) if v > 1.0 else None for v in lam],
           "t": ts.tolist()}
    pairs = []
    for a, b in model.pairs():
        sub = model.pair_model(a, b)
        phis, errs, method = _phi_block(sub, ts, samples, seed)
        pairs.append({"a": a, "b": b, "t_S": model.pair_t_S(a, b), "t_S_large_d": model.pair_t_S_large_d(a, b),
                      "kappa": model.pair_kappa(a, b, ts).tolist(), "kl_ab": model.pair_kl(a, b, ts).tolist(),
                      "kl_ba": model.pair_kl(b, a, ts).tolist(), "phi": np.asarray(phis["class"]).tolist(),
                      "phi_stderr": None if errs["class"] is None else np.asarray(errs["class"]).tolist(),
                      "phi_method": method})
    out["pairs"] = pairs
    phis, errs, method = _phi_block(model, ts, samples, seed)
    large = model.phi_levels(ts, large_d=True)
    out["levels"] = [{"level": lv, "groups": model.level_labels[lv], "t_S": model.level_t_S(lv),
                      "t_S_large_d": model.level_t_S(lv, large_d=True), "phi": np.asarray(phis[lv]).tolist(),
                      "phi_stderr": None if errs[lv] is None else np.asarray(errs[lv]).tolist(),
                      "phi_large_d": np.asarray(large[lv]).tolist(), "phi_method": method}
                     for lv in model.level_names]
    if n is not None:
        n = validate.at_least("n", n, 1)
        mi = model.mutual_information(ts) if model.K > 1 else np.zeros(ts.size)
        f = model.excess_entropy(ts, n, finite_d=False)
        out.update(n=n, alpha=model.alpha(n), t_C=model.t_C(n), f=f.tolist(),
                   f_finite_d=(f - mi / model.d).tolist(), mutual_information=mi.tolist(),
                   mutual_information_method=model.phi_method() if model.phi_method() != "large-d" else "large-d limit")
    return out


def _fmt(v, spec: str = ".6g") -> str:
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def _table(o: dict) -> str:
    lines = [f"Gaussian mixture {o['source'] or ''}: K = {o['K']}, d = {o['d']}   (times: {o['units']})",
             "  weights: " + ", ".join(f"{w:.4g}" for w in o["weights"]),
             "  top covariance eigenvalues: " + ", ".join(f"{v:.6g}" for v in o["Lambda"]),
             "  eigenvalue cascade ½ ln Λ_j: " + ", ".join(_fmt(v, ".4f") for v in o["t_eigen"])]
    if "t_C" in o:
        lines.append(f"  n = {o['n']:g}, alpha = ln n / d = {o['alpha']:.6g}, t_C = {_fmt(o['t_C'], '.10g')}")
    lines.append("")
    lines.append(f"  {'level':<10} {'t_S':>12} {'t_S (large d)':>14}  groups")
    for lv in o["levels"]:
        lines.append(f"  {lv['level']:<10} {_fmt(lv['t_S'], '12.6f')} {_fmt(lv['t_S_large_d'], '14.6f')}  {lv['groups']}")
    lines.append(f"  {'pair':<10} {'t_S':>12} {'t_S (large d)':>14}")
    for pr in o["pairs"]:
        lines.append(f"  {str(pr['a']) + '-' + str(pr['b']):<10} {_fmt(pr['t_S'], '12.6f')} {_fmt(pr['t_S_large_d'], '14.6f')}")
    lines.append("")
    head = f"  {'t':>10}" + "".join(f" {'phi[' + lv['level'] + ']':>16}" for lv in o["levels"]) + ("  f(t)" if "f" in o else "")
    lines.append(head)
    for j, t in enumerate(o["t"]):
        row = f"  {t:10.5g}" + "".join(f" {lv['phi'][j]:16.8f}" for lv in o["levels"])
        if "f" in o:
            row += f"  {o['f'][j]:.6g}"
        lines.append(row)
    lines.append(f"  (φ: {o['levels'][0]['phi_method']})")
    return "\n".join(lines)


def run(ns) -> int:
    """``regimes mixture SPEC``: the theory table (``--json``: the payload of :func:`mixture_table`)."""
    o = mixture_table(ns.spec, ns.n, ns.t, ns.k, ns.samples, ns.seed)
    emit(o, ns.json, _table(o))
    return 0


def model_from_args(ns) -> Mixture:
    """The model of ``regimes simulate ... --model mixture --spec SPEC``."""
    if getattr(ns, "spec", None) is None:
        raise ValueError("--model mixture needs --spec SPEC")
    return Mixture.from_spec(ns.spec)
