"""Paper figures for the Gaussian mixture (Biroli, Bonnaire, de Bortoli & Mézard 2024).

(a) ``gm_phi_vs_t_over_tS``: cloning probability φ versus t/t_S for d ∈ {256, 1024, 4096, 16384},
    simulation (points with error bars) and exact theory (lines) — their Fig. 2. ``--full``: full
    d-dimensional simulation for d = 256, 1024 (2000 pairs, 11 branch times) and the exact 1-D fast
    path for d = 4096, 16384 (the full-d run there costs (1 + 11)·B·d normals per step).
(b) ``gm_fe_over_alpha``: excess entropy f^e(t)/α versus t for d ∈ {256, 1024, 4096}, n = 20000,
    Monte Carlo (points) and theory (lines), t_C marked — their Fig. 3.
Quick mode draws smaller versions (1-D fast path for (a), smaller d and n for (b)).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from numerics.engine.cloning import clone_phi
from numerics.engine.entropy import excess_entropy_mc
from numerics.verify.figures import figure, new_axes, save
from numerics.models.gm.model import GaussianMixture


def phi_curves(dims, samples: int, seed: int, *, fast_path: bool, ratios=None, steps: int = 1000):
    """Cloned φ at t = t_S × ratios for each d: ``{d: (ratios, φ, stderr, model)}`` (one pass per d)."""
    ratios = np.linspace(0.4, 1.8, 15) if ratios is None else np.asarray(ratios)
    out = {}
    for d in dims:
        m = GaussianMixture(d, 1.0, 1.0)
        res = clone_phi(m, m.t_S * ratios, samples, seed + int(d), fast_path=fast_path, steps=steps)
        out[d] = (ratios, res.phi, res.stderr, m)
    return out


@figure("gm_phi_vs_t_over_tS", description="φ vs t/t_S for d in {256, 1024, 4096, 16384} (paper Fig. 2)")
def fig_phi(out_dir: Path, full: bool, rng) -> list[Path]:
    dims = (256, 1024, 4096, 16384)
    seed = int(rng.integers(0, 2**31 - 1))
    if full:  # full d-dimensional simulation where affordable (one pass draws (1 + K)·B·d normals per
        # step); the two largest d by the exact 1-D fast path
        curves = phi_curves(dims[:2], 2000, seed, fast_path=False, steps=300, ratios=np.linspace(0.4, 1.8, 11))
        curves.update(phi_curves(dims[2:], 20000, seed, fast_path=True, steps=1000))
    else:
        curves = phi_curves(dims, 4000, seed, fast_path=True, steps=1000)
    fast = {d: (not full) or d in dims[2:] for d in dims}
    fig, ax = new_axes()
    fine = np.linspace(0.3, 1.9, 300)
    arrays, handles = {}, []
    for i, d in enumerate(dims):
        ratios, ph, se, m = curves[d]
        color = f"C{i}"
        (line,) = ax.plot(fine, m.phi(m.t_S * fine), color=color)
        pts = ax.errorbar(ratios, ph, yerr=se, fmt="o", color=color)
        handles.append(((line, pts), f"$d = {d}$" + ("" if fast[d] else " (full $d$)")))
        arrays.update({f"ratio_d{d}": ratios, f"phi_d{d}": ph, f"stderr_d{d}": se, f"theory_d{d}": m.phi(m.t_S * ratios)})
    ax.axhline(0.7752002454, color="gray", ls=":", lw=1)
    ax.axvline(1.0, color="gray", ls="--", lw=1)
    ax.set_xlabel(r"$t / t_S$,  $t_S = \frac{1}{2}\ln\Lambda$")
    ax.set_ylabel(r"cloning probability $\varphi(t)$")
    ax.set_title(r"Speciation, $\tilde\mu = \sigma = 1$: lines theory, points simulation")
    # the curves run from (small t, 1) to (large t, 1/2): the lower left corner is empty
    ax.legend([h for h, _ in handles], [lab for _, lab in handles], loc="lower left")
    return save(fig, out_dir, "gm_phi_vs_t_over_tS", **arrays)


@figure("gm_fe_over_alpha", description="f^e(t)/α vs t for d in {256, 1024, 4096}, n = 20000 (paper Fig. 3)")
def fig_entropy(out_dir: Path, full: bool, rng) -> list[Path]:
    dims, n, samples = ((256, 1024, 4096), 20000, 300) if full else ((64, 256), 2000, 200)
    fig, ax = new_axes()
    arrays, handles = {}, []
    for i, d in enumerate(dims):
        m = GaussianMixture(d, 1.0, 1.0)
        train = m.sample(n, rng)
        tc = m.t_C(n)
        ts = np.linspace(0.05, 2.6 * tc, 24)
        res = excess_entropy_mc(train, ts, samples, int(rng.integers(0, 2**31 - 1)), model=m, dtype=np.float32)
        color = f"C{i}"
        fine = np.linspace(0.02, 2.6 * tc, 300)
        (line,) = ax.plot(fine, np.maximum(m.excess_entropy(fine, n), 0) / res.alpha, color=color)
        pts = ax.errorbar(res.t, res.f / res.alpha, yerr=res.stderr / res.alpha, fmt="o", color=color)
        handles.append(((line, pts), f"$d = {d}$"))
        ax.axvline(tc, color=color, ls="--", lw=1)
        arrays.update({f"t_d{d}": res.t, f"fe_d{d}": res.f, f"stderr_d{d}": res.stderr, f"alpha_d{d}": res.alpha,
                       f"tC_d{d}": tc, f"theory_d{d}": res.f_theory})
    ax.set_xlabel("$t$")
    ax.set_ylabel(r"$f^e(t) / \alpha$")
    ax.set_title(f"Collapse, $n = {n}$: lines $\\max(0, f)/\\alpha$, points Monte Carlo, dashed $t_C$")
    # f^e/alpha rises from 0 at small t to 1 at large t: the upper left corner is empty
    ax.legend([h for h, _ in handles], [lab for _, lab in handles], loc="upper left")
    return save(fig, out_dir, "gm_fe_over_alpha", **arrays)
