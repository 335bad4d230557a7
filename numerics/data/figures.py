"""Real-data figure: digits 0/1 (THEORY §5). Left: cloning class agreement φ(t) from the
empirical-score dynamics, the exact class posterior and the class-conditional Gaussians' φ(t) (the judged
prediction), with ½ ln Λ, ½ ln Λ + δ_½ and the class-direction (GM matched) midpoint marked. Right:
f^e(t)/α from the forward Monte Carlo (line) and measured along the trajectories (points),
φ_C by cloning and its forward prediction E Σ w², with t_C marked."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from numerics.verify.figures import figure, new_axes, save


@figure("datasets_digits01", check="datasets.digits01",
        description="digits 0/1: φ(t), φ_C(t), f^e(t)/α from data and from the dynamics (the check's own run)")
def fig_digits(out_dir: Path, full: bool, rng) -> list[Path]:
    """Drawn from the check ``datasets.digits01`` itself (same sizes, same random stream), so the
    numbers in the title are those of the check's rows."""
    from numerics.data.checks import _digits01

    ms = _digits01(rng, full)
    r = dict(ms[0].extra, t_phi=ms[0].value, t_phi_pred=ms[0].theory)
    se_gm = ms[2].stderr  # the judged row: cloning midpoint vs the Gaussian classes (trajectories' error)
    fig, (a1, a2) = new_axes(2)
    t = np.asarray(r["clone_t"])
    a1.errorbar(t, r["phi"], yerr=r["phi_err"], fmt="o", ms=3.5, capsize=2, label=r"cloning $\varphi(t)$")
    a1.plot(r["post_t"], r["phi_post"], color="k", lw=1,
            label=r"exact posterior $\mathbb{E}\sum_c P(c|x)^2$")
    a1.axvline(r["t_S"], color="C2", ls=":", label=r"$t_S=\frac{1}{2}\ln\Lambda$")
    a1.axvline(r["t_phi_pred"], color="C2", ls="--", label=r"$t_S+\delta_{1/2}$")
    a1.plot(r["gauss_t"], r["phi_gauss"], color="C3", lw=1, label="Gaussian classes (theory)")
    a1.axvline(r["t_phi_gm"], color="C3", ls=":", lw=0.8, label="class direction only: midpoint")
    a1.axhline(0.5 * (1 + r["phi_inf"]), color="gray", lw=0.8)
    a1.set_xlabel("$t$")
    a1.set_title(f"digits 0/1: cloning $t_\\varphi = {r['t_phi']:.3f} \\pm {se_gm:.3f}$; Gaussian classes "
                 f"{r['t_phi_gauss']:.3f}; exact posterior {r['t_phi_post']:.3f}", fontsize=9)
    a1.set_ylabel(r"class agreement $\varphi(t)$")
    a1.legend(loc="upper right")
    rt = np.asarray(r["record_t"])
    a2.plot(rt, np.asarray(r["fe"]) / r["alpha"], color="C0", label=r"$f^e/\alpha$ forward MC")
    a2.plot(r["record_t_dyn"], np.asarray(r["fe_dyn"]) / r["alpha"], "o", ms=3, color="C0",
            label=r"$f^e/\alpha$ along trajectories")
    a2.plot(t, r["phi_C_pred"], color="C1", label=r"$\mathbb{E}\sum_\mu w_\mu^2$ forward MC")
    a2.errorbar(t, r["phi_C"], yerr=r["phi_C_err"], fmt="s", ms=3.5, color="C1", capsize=2, label=r"cloning $\varphi_C$")
    a2.axvline(r["t_C"], color="C3", ls="--", label="$t_C$")
    a2.set_xscale("log")
    a2.set_xlabel("$t$")
    a2.set_ylabel(r"$f^e/\alpha$ and $\varphi_C$")
    a2.set_title(f"collapse: $t_C = {r['t_C']:.3f}$", fontsize=9)
    a2.legend(loc="upper left")
    return save(fig, out_dir, "datasets_digits01", clone_t=t, phi=r["phi"], phi_err=r["phi_err"], phi_C=r["phi_C"],
                phi_C_err=r["phi_C_err"], phi_C_pred=r["phi_C_pred"], record_t=rt, fe=r["fe"], fe_dyn=r["fe_dyn"], record_t_dyn=r["record_t_dyn"],
                t_S=r["t_S"], t_C=r["t_C"], t_phi=r["t_phi"], t_phi_stderr=se_gm, t_phi_gm=r["t_phi_gm"], t_phi_gauss=r["t_phi_gauss"],
                gauss_t=r["gauss_t"], phi_gauss=r["phi_gauss"], alpha=r["alpha"],
                post_t=r["post_t"], phi_post=r["phi_post"], t_phi_post=r["t_phi_post"])
