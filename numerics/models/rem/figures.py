"""Figure: collapse is REM condensation (THEORY §3).

Left: quenched minus annealed free entropy, (1/d) ln Z(x) - [α + Λ(-β)] (the liquid branch at
the measured r = |x|²/d), vs t for a point of P_t: 0 in the liquid phase, the condensed branch
-y_0/(2Δ_t) - α - Λ(-β) < 0 below t_C; direct log-sum-exp over n = e^{αd} training points. Right: participation ratio E Σ w² at x ~ P_t (Poisson–Dirichlet
1 - m) and φ_C(t) = E Σ w² at x ~ P^e_t (step at t_C for d -> ∞), with the measurements.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from numerics.models.rem import model as rem
from numerics.verify.figures import figure, new_axes, save

ALPHA, SIGMA, D = 0.03, 1.0, 256


def rem_collapse_data(rng: np.random.Generator, d: int = D, alpha: float = ALPHA, sigma: float = SIGMA,
                      times=(0.4, 0.7, 1.0, 1.25, 1.6, 2.0, 2.5), sets: int = 4, per: int = 16,
                      n_finite: int = 28) -> dict:
    """Theory curves and direct measurements (mean ± s.e. over training sets) for the figure."""
    tt = np.linspace(0.25, 3.0, 200)
    liq = rem.free_entropy_liquid_branch(alpha, tt, sigma)
    out = {"t": tt, "deficit": rem.free_entropy(alpha, tt, sigma) - liq, "pr": rem.participation_ratio(alpha, tt, sigma),
           "phi_C": rem.phi_C(tt, alpha, sigma), "t_C": float(rem.t_C(alpha, sigma)),
           "t_meas": np.array(times, dtype=float)}
    td = np.linspace(0.3, 3.0, n_finite)
    out.update(t_d=td, deficit_d=rem.free_entropy(alpha, td, sigma, None, d) - rem.free_entropy_liquid_branch(alpha, td, sigma),
               pr_d=rem.participation_ratio(alpha, td, sigma, None, d), phi_C_d=rem.phi_C(td, alpha, sigma, d))
    fe, fe_se, pr, pr_se, ph, ph_se = ([] for _ in range(6))
    for t in times:
        _, rows = rem.partition_blocks(rng, d, alpha, t, sets, per, empirical=False)
        # free-entropy deficit: (1/d) ln Z minus the liquid (annealed) branch at the measured r
        a = np.array([(r[0] - rem.free_entropy_liquid_branch(alpha, t, sigma, r[2])).mean() for r in rows])
        b = np.array([r[1].mean() for r in rows])
        _, rows_e = rem.partition_blocks(rng, d, alpha, t, sets, per, empirical=True)
        c = np.array([r[1].mean() for r in rows_e])
        for lst, lse, v in ((fe, fe_se, a), (pr, pr_se, b), (ph, ph_se, c)):
            lst.append(v.mean())
            lse.append(v.std(ddof=1) / math.sqrt(len(v)))
    out.update(fe_meas=np.array(fe), fe_se=np.array(fe_se), pr_meas=np.array(pr), pr_se=np.array(pr_se),
               phi_meas=np.array(ph), phi_se=np.array(ph_se), d=d, alpha=alpha, sigma=sigma)
    return out


def draw_rem_collapse(data: dict, path: Path | None = None):
    """Draw the two panels from :func:`rem_collapse_data`; save a PNG when ``path`` is given."""
    fig, (ax1, ax2) = new_axes(2, width=4.6, height=3.5)
    t, tc = data["t"], data["t_C"]
    ax1.plot(t, data["deficit"], "C3-", label=r"$d\to\infty$: 0 (liquid), $-y_0/2\Delta_t-\alpha-\Lambda(-\beta)$")
    ax1.plot(data["t_d"], data["deficit_d"], "k:", lw=1, label=f"finite-$d$ theory ($d={data['d']}$)")
    ax1.errorbar(data["t_meas"], data["fe_meas"], data["fe_se"], fmt="ko", ms=4, label=f"log-sum-exp, $d={data['d']}$")
    ax1.axvline(tc, color="gray", ls=":", lw=1)
    ax1.set_xlabel("$t$")
    ax1.set_ylabel(r"$(1/d)\ln Z - (1/d)\ln\mathbb{E}[Z|x]$,  $x\sim P_t$")
    ax1.set_title(rf"$\alpha={data['alpha']:g}$, $\sigma={data['sigma']:g}$: $t_C={tc:.3f}$", fontsize=10)
    ax1.legend(loc="lower right")
    ax2.plot(t, data["pr"], "C3-", label=r"$x\sim P_t$: $1-m$ (PD)")
    ax2.errorbar(data["t_meas"], data["pr_meas"], data["pr_se"], fmt="C3o", ms=4)
    ax2.plot(t, data["phi_C"], "C2-", label=r"$\varphi_C$: $x\sim P^e_t$ ($d\to\infty$)")
    ax2.errorbar(data["t_meas"], data["phi_meas"], data["phi_se"], fmt="C2s", ms=4, label="measured")
    ax2.plot(data["t_d"], data["pr_d"], "C3:", lw=1)
    ax2.plot(data["t_d"], data["phi_C_d"], "C2:", lw=1, label=f"finite-$d$ ($d={data['d']}$)")
    ax2.axvline(tc, color="gray", ls=":", lw=1)
    ax2.set_xlabel("$t$")
    ax2.set_ylabel(r"$\mathbb{E}\sum_\mu w_\mu^2$")
    ax2.set_ylim(-0.03, 1.05)
    ax2.legend(loc="center right")
    if path is not None:
        import matplotlib.pyplot as plt

        from numerics.verify.figures import savefig

        savefig(fig, path)
        plt.close(fig)
    return fig


@figure("rem_collapse", description="collapse = REM condensation: (1/d) ln Z and E Σ w² vs t, theory and log-sum-exp")
def rem_collapse_figure(out_dir: Path, full: bool, rng: np.random.Generator) -> list[Path]:
    data = rem_collapse_data(rng, sets=8 if full else 4, n_finite=28 if full else 12)
    fig = draw_rem_collapse(data)
    return save(fig, out_dir, "rem_collapse", **{k: v for k, v in data.items()})
