"""``regimes rem`` (declared in :mod:`numerics.models.rem.cli`): the random-energy-model view of
collapse (THEORY §3)."""

from __future__ import annotations


from numerics import validate
from numerics.cli import emit
from numerics.models.rem import model as rem
from numerics.models.rem.finite_size import n_points


def rem_table(sigma, t, alpha=None, d=None) -> dict:
    """The ``regimes rem`` payload (keys are a contract: alpha_c, t_C, free_entropy, phase,
    participation_ratio; leading order in d for a typical point of P_t, r = Γ_t).

    With ``d`` (an integer ≥ 2, αd ≤ 100): ``log_n`` = αd, ``n`` = round(e^{αd}) and the exact finite-(d, n)
    ``free_entropy_d``, ``participation_ratio_d``, ``phi_C_d`` (→ 1/n deep in the liquid phase).
    Ranges: 0 < σ ≤ 1e75, t ≥ 1e-8, α > 0 (``ValueError`` naming the parameter)."""
    sigma = validate.positive("sigma", sigma)
    t = validate.positive("t", t)
    rem.check_inputs(t=t, sigma=sigma)
    out = {"sigma": sigma, "t": t, "Delta": float(rem.delta_t(t)), "Gamma": float(rem.gamma_t(t, sigma)),
           "alpha_c": float(rem.alpha_c(t, sigma))}
    if alpha is None:
        if d is not None:
            raise ValueError("--d needs --alpha")
        return out
    alpha = validate.positive("alpha", alpha)
    out.update(alpha=alpha, t_C=float(rem.t_C(alpha, sigma)),
               free_entropy=float(rem.free_entropy(alpha, t, sigma)), phase=rem.phase(alpha, t, sigma),
               freezing_m=float(rem.freezing_m(alpha, t, sigma)),
               participation_ratio=float(rem.participation_ratio(alpha, t, sigma)),
               phi_C=float(rem.phi_C(t, alpha, sigma)))
    if d is not None:
        d = validate.integer("d", d, 2)
        fe = float(rem.free_entropy(alpha, t, sigma, None, d))  # validates α·d and the energy scale first
        out.update(d=d, log_n=alpha * d, n=n_points(alpha, d), free_entropy_d=fe,
                   participation_ratio_d=float(rem.participation_ratio(alpha, t, sigma, None, d)),
                   phi_C_d=float(rem.phi_C(t, alpha, sigma, d)))
    return out


def _table(o: dict) -> str:
    lines = [f"REM view of collapse  sigma={o['sigma']:g}  t={o['t']:g}  (Delta_t={o['Delta']:.6g}, Gamma_t={o['Gamma']:.6g})",
             f"  alpha_c(t) = ½ ln(Γ/Δ) = {o['alpha_c']:.10g}"]
    if "alpha" in o:
        lines += [f"  alpha = {o['alpha']:g}   t_C = {o['t_C']:.10g}   phase: {o['phase']}",
                  f"  (1/d) ln Z           = {o['free_entropy']:.10g}",
                  f"  freezing m           = {o['freezing_m']:.6g}",
                  f"  E Σ w² (x ~ P_t)     = {o['participation_ratio']:.6g}",
                  f"  φ_C (x ~ P^e_t)      = {o['phi_C']:.6g}"]
    if "d" in o:
        n = f"n = {o['n']}"
        lines += [f"  finite d = {o['d']} ({n}):  (1/d) ln Z = {o['free_entropy_d']:.8g}   "
                  f"E Σ w² = {o['participation_ratio_d']:.6g}   φ_C = {o['phi_C_d']:.6g}"]
    return "\n".join(lines)


def run(ns) -> int:
    """``regimes rem``: the table or ``--json``."""
    o = rem_table(ns.sigma, ns.t, ns.alpha, ns.d)
    emit(o, ns.json, _table(o))
    return 0
