"""``regimes cw``: Curie–Weiss theory table (THEORY §4)."""

from __future__ import annotations

import numpy as np

from numerics import validate
from numerics.cli import emit

DEFAULT_T_FRACTIONS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5)


def register(sub) -> None:
    p = sub.add_parser("cw", help="Curie–Weiss theory: m*, χ, exact p_+, Λ, t_S, φ_CW(t)",
                       description="Theory table for P_0(s) ∝ exp(β M²/2N + (H/N) M), s ∈ {±1}^N.")
    p.add_argument("--N", required=True, help="number of spins N ≥ 1")
    p.add_argument("--beta", required=True, help="inverse temperature β > 0")
    p.add_argument("--H", default="0", help="total field H (h = H/N; default 0)")
    p.add_argument("--t", nargs="+", default=None, help="times t > 0 (default: t_S × 0.25 … 1.5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def cw_table(N, beta, H=0.0, t=None) -> dict:
    """The ``regimes cw`` payload (keys: m_star, chi, p_plus, p_plus_asymptotic, Lambda, t_S, t, phi ...)."""
    from numerics.curie_weiss import CurieWeiss

    model = CurieWeiss(validate.positive_int("N", N), validate.positive("beta", beta), validate.as_float("H", H))
    if t is not None:
        ts = validate.times("t", t)
    else:
        if model.t_S <= 0:
            raise ValueError("t_S ≤ 0 for this model (Λ ≤ 1): pass --t explicitly")
        ts = model.t_S * np.array(DEFAULT_T_FRACTIONS)
    tb = model.t_bimodal
    return {
        "N": model.N, "beta": model.beta, "H": model.H, "h": model.h,
        "m_star": model.m_star, "chi": model.chi,
        "p_plus": model.p_plus, "p_minus": 1.0 - model.p_plus, "p_plus_asymptotic": model.p_plus_asymptotic,
        "mean_abs_m": model.mean_abs_m,
        "Lambda": model.Lambda, "Lambda_asymptotic": model.Lambda_asymptotic, "t_S": model.t_S,
        "t_bimodal": tb if np.isfinite(tb) else None,
        "t": ts.tolist(), "kappa": np.asarray(model.kappa(ts)).tolist(), "phi": np.asarray(model.phi(ts)).tolist(),
    }


def _table(o: dict) -> str:
    lines = [f"Curie–Weiss  N={o['N']}  beta={o['beta']:g}  H={o['H']:g}  (h = H/N = {o['h']:.6g})", ""]
    for k, label in (("m_star", "m* (h=0)"), ("chi", "chi"), ("p_plus", "p_+ (exact, finite N)"),
                     ("p_plus_asymptotic", "p_+ = 1/(1+e^{-2Hm*})"), ("mean_abs_m", "<|m|>"),
                     ("Lambda", "Lambda = Var(M)/N"), ("Lambda_asymptotic", "chi + 4p+p- N m*^2"),
                     ("t_S", "t_S = ½ ln Λ"), ("t_bimodal", "t_B (μ-measure bimodal)")):
        v = o[k]
        lines.append(f"  {label:<26} = {v:.10g}" if v is not None else f"  {label:<26} = -")
    lines += ["", f"  {'t':>12} {'t/t_S':>10} {'kappa':>14} {'phi_CW':>14}"]
    for i, t in enumerate(o["t"]):
        lines.append(f"  {t:12.6g} {t / o['t_S'] if o['t_S'] > 0 else float('nan'):10.4f} {o['kappa'][i]:14.8g} {o['phi'][i]:14.10f}")
    return "\n".join(lines)


def run(ns) -> int:
    o = cw_table(ns.N, ns.beta, ns.H, ns.t)
    emit(o, ns.json, _table(o))
    return 0
