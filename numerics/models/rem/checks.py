"""REM checks (THEORY §3): direct log-sum-exp over n = e^{αd} Gaussian training points against the
EXACT finite-(d, n) theory of :mod:`numerics.models.rem.finite_size` (Laplace transforms; quadrature
error ≲ 1e-12), so that every check is sharp, in the crossover too.

Monte Carlo (:func:`sample_levels`): independent training sets of n = round(e^{αd}) points
a ~ N(0, σ² I_d) (d = 256, α = 0.03, σ = 1: n = 2165); query points x = e^{-t} a_0 + sqrt(Δ_t) z with a_0 a
fresh draw (x ~ P_t) or a training point (x ~ P^e_t), the same (a_0, z) at every time of a grid (common
random numbers); per point ln Z, Σ_μ w_μ², the Gibbs mean energy Σ_μ w_μ |x - e^{-t}a_μ|²/d and
r = |x|²/d. Standard errors from the spread of the per-training-set means (blocks), so the correlation
between points sharing a training set is accounted for.

Theory at each query point: the exact conditional value given its measured r (Chebyshev interpolation
over the r range of the sample, 9 nodes: interpolation error < 1e-9, tested), written as
*registered leading-order form + (exact − the same form unmutated)*. Unmutated this IS the exact value;
under ``regimes verify --mutate NAME=F`` it moves with the registered form, so the check proves that it
detects a wrong result. The leading-order forms, one per row, are:

- ``rem.free_entropy`` (x ~ P_t): condensed t = 0.5, 0.9: ``rem.free_entropy_condensed_rho`` at the lowest
  level I(ρ_0) = α; liquid — the same annealed branch through each of its registered forms (identities of
  the Legendre transform): t = 1.8 ``rem.free_entropy_liquid``; t = 2.2 α - ``rem.alpha_c_r`` -
  ``rem.y_star``/(2Δ_t) (entropy minus energy of the dominant levels); t = 2.5 α - ``rem.alpha_c`` -
  r/(2Γ_t); t = 3.0 α + ``rem.cgf``(-1/(2Δ_t)).
- ``rem.participation_ratio`` (x ~ P_t): condensed t = 0.5, 0.9: ``rem.pd_participation`` of
  m = ``rem.freezing_m_rho``(ρ_0) (Poisson–Dirichlet); liquid t = 1.8, 2.5: the exact value (no
  leading-order form: 0 at d = ∞).
- ``rem.mean_energy`` (x ~ P_t): condensed: the lowest level ``rem.energy_rho``(ρ_0); liquid:
  ``rem.y_star``.
- ``rem.phi_C`` (x ~ P^e_t): the collapse TIME measured — the time where φ_C(t) = E Σ_μ w_μ² crosses
  0.85, 0.5, 0.15 (straight line through 7 grid times, bootstrap over training sets) against
  t_C + [t_× - t_C]_exact + b: t_C from ``rem.t_C_alpha`` (level ½) or from the root of
  ``rem.alpha_c``(t) = α (levels 0.85, 0.15); [t_× - t_C]_exact the derived finite-(d, n) offset (crossing
  of the exact curve minus the unmutated t_C); b the straight-line estimator's bias, derived by applying
  the same estimator to the exact curve on the same grid. Plus φ_C deep in the liquid phase (t = 2.6,
  exact value, 1/n scale).
- ``rem.pd_statistics``: Poisson–Dirichlet PD(m) sampled directly (points Γ_j^{-1/m} of a Poisson
  process, 4000 levels + the derived mean of the rest): E Σ w² vs ``rem.pd_participation``, E ln S vs
  ``rem.pd_log_partition``.
- ``rem.derrida``: Derrida's REM (e^{αd} Gaussian energies of variance d) sampled directly vs the exact
  finite-(d, n) theory, through ``rem.derrida_free_entropy`` (liquid and condensed) and
  β·``rem.derrida_beta_c`` (condensed).
- ``rem.phi_C_cloning`` (full only): clones of the empirical-score dynamics on independent training
  sets (d = 192, n = 317, 6 sets × 250 pairs, 200 steps, float32 score, t_min = 0.02), P(same training
  point) at t_× - 0.12, t_×, t_× + 0.12 (t_× the exact ½ crossing) vs the exact φ_C, the curve placed at
  ``rem.t_C_alpha`` (φ_exact(t - [t_C - t_C,unmutated])); stderr from the spread over training sets (clone
  noise and set-to-set variation). Direct sampling on the same sets is reported beside it (exact identity).

Results with no Monte Carlo meaning of their own are declared in :data:`UNCHECKED`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy.optimize import brentq

from numerics.engine.crossing import bootstrap_crossing, linear_crossing
from numerics.models.rem import finite_size as fs
from numerics.models.rem import model as rem
from numerics.results import numeric, theory
from numerics.verify import Measurement, check, seed_from

SIGMA = 1.0
ALPHA = 0.03

UNCHECKED = {
    "rem.rate": "intermediate of the Legendre transform (I(y) = sup_k[ky - Λ(k)]); its content reaches Monte Carlo "
                "through rem.alpha_c_r = I(y*) and the condensed branch (rem.free_entropy_condensed_rho, "
                "rem.energy_rho at I(ρ_0) = α), all tested; tests/models/test_rem.py checks it against a numerical "
                "maximisation",
    "rem.k_of_y": "intermediate of the Legendre transform (k(y) = I'(y)); enters rem.freezing_m_rho (tested); "
                  "tests/models/test_rem.py checks it as the derivative of rem.rate",
    "rem.rate_rho": "intermediate: I along the parametrisation ρ = 1/(1 - 2ks²), used only to solve I(ρ_0) = α for the "
                    "lowest level (whose energy and freezing parameter are tested)",
    "rem.k_rho": "intermediate: k(ρ) = (1 - 1/ρ)/(2s²), a change of variable; m = |k|/β is rem.freezing_m_rho (tested)",
    "rem.cgf2_rho": "intermediate: Λ''(k) at ρ, the Bahadur–Rao prefactor of the lowest level (a finite-d refinement "
                    "that the exact finite-(d, n) theory supersedes)",
}


# ---------------------------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------------------------
_KERNEL = None


def _levels_kernel():
    """The fused per-row kernel of :func:`sample_levels` (Numba, compiled once and cached on disk).

    Row i, logits ℓ_μ = a1 G_a[i,μ] + a2 G_z[i,μ] + a3 |a_μ|² (= (|x|² - |x - c a_μ|²)/(2Δ_t)), the planted
    column replaced by ``lp[i]``; two passes: the maximum, then Σ e^{ℓ-max}, Σ e^{2(ℓ-max)}, Σ ℓ e^{ℓ-max}.
    Returns (logsumexp ℓ, Σ w², Σ w ℓ) per row."""
    global _KERNEL
    if _KERNEL is None:
        import numba as nb

        import numerics.engine.empirical  # noqa: F401  (sets Numba's sleeping threading layer)

        @nb.njit(parallel=True, cache=True, fastmath=True)
        def kernel(ga, gz, aa, a1, a2, a3, col, lp):
            m, n = ga.shape
            lse = np.empty(m)
            pr = np.empty(m)
            wl = np.empty(m)
            for i in nb.prange(m):
                v = np.empty(n)
                for j in range(n):
                    v[j] = a1 * ga[i, j] + a2 * gz[i, j] + a3 * aa[j]
                if col[i] >= 0:
                    v[col[i]] = lp[i]
                top = v.max()
                s = 0.0
                s2 = 0.0
                sl = 0.0
                for j in range(n):
                    e = math.exp(v[j] - top)
                    s += e
                    s2 += e * e
                    sl += e * v[j]
                lse[i] = top + math.log(s)
                pr[i] = s2 / (s * s)
                wl[i] = sl / s
            return lse, pr, wl

        _KERNEL = kernel
    return _KERNEL


def sample_levels(rng: np.random.Generator, train: np.ndarray, times, per: int, *, planted: bool,
                  sigma: float = SIGMA) -> dict:
    """Direct log-sum-exp at ``per`` query points x(t) = e^{-t} a_0 + sqrt(Δ_t) z for every t in ``times``
    (the same a_0, z at every time), a_0 a training point drawn uniformly (``planted``: x ~ P^e_t) or a
    fresh N(0, σ² I) draw (x ~ P_t).

    With G_a = a_0·a_μ, G_z = z·a_μ (two Gram products, computed once): |x - c a_μ|² = |x|² - 2Δ_t ℓ_μ,
    ℓ_μ = [c² G_a + c sqrt(Δ_t) G_z - c²|a_μ|²/2]/Δ_t, so ln Z = logsumexp(ℓ) - |x|²/(2Δ_t) and the Gibbs mean
    of |x - c a_μ|² is |x|² - 2Δ_t Σ w ℓ; the planted level's own distance is Δ_t|z|² exactly (no
    cancellation). One fused pass per row (:func:`_levels_kernel`).

    Returns
    -------
    dict
        ``free_entropy`` (ln Z/d), ``participation`` (Σ_μ w_μ²), ``energy`` (Σ_μ w_μ |x - c a_μ|²/d) and
        ``r`` (|x|²/d), each of shape (per, len(times)).
    """
    n, d = train.shape
    times = np.atleast_1d(np.asarray(times, dtype=float))
    if planted:
        col = rng.integers(0, n, per)
        a0 = train[col]
    else:
        col = np.full(per, -1, dtype=np.int64)
        a0 = rng.normal(0.0, sigma, (per, d))
    z = rng.standard_normal((per, d))
    ga, gz = a0 @ train.T, z @ train.T
    aa = np.einsum("ij,ij->i", train, train)
    a0a0, zz, a0z = np.einsum("ij,ij->i", a0, a0), np.einsum("ij,ij->i", z, z), np.einsum("ij,ij->i", a0, z)
    kernel = _levels_kernel()
    out = {k: np.empty((per, times.size)) for k in ("free_entropy", "participation", "energy", "r")}
    for k, t in enumerate(times):
        c, D = math.exp(-t), -math.expm1(-2.0 * t)
        sd = math.sqrt(D)
        xx = c * c * a0a0 + 2 * c * sd * a0z + D * zz
        lp = (xx - D * zz) / (2 * D)  # planted logit: (|x|² - Δ|z|²)/(2Δ)
        lse, pr, wl = kernel(ga, gz, aa, c * c / D, c * sd / D, -0.5 * c * c / D, col, lp)
        out["free_entropy"][:, k] = (lse - xx / (2 * D)) / d
        out["participation"][:, k] = pr
        out["energy"][:, k] = (xx - 2 * D * wl) / d
        out["r"][:, k] = xx / d
    return out


def _training_set(rng: np.random.Generator, n: int, d: int, sigma: float = SIGMA) -> np.ndarray:
    return rng.normal(0.0, sigma, (n, d))


def _blocks(rng: np.random.Generator, d: int, n: int, times, sets: int, per: int, planted: bool) -> list[dict]:
    """``sets`` independent training sets, each sampled by :func:`sample_levels`."""
    return [sample_levels(rng, _training_set(rng, n, d), times, per, planted=planted) for _ in range(sets)]


# ---------------------------------------------------------------------------------------------
# exact conditional theory at the measured r
# ---------------------------------------------------------------------------------------------
def exact_at(n: int, d: int, t: float, r: np.ndarray, sigma: float = SIGMA, nodes: int = 9) -> dict:
    """Exact E[· | |x|²/d = r] (:func:`finite_size.conditional`) at every entry of ``r``: evaluated on
    ``nodes`` Chebyshev points of [min r, max r] and interpolated (barycentric; Σ w² in log scale).
    Returns ``free_entropy`` (E ln Z/d), ``participation`` and ``energy`` (Gibbs mean |x - c a|²/d) arrays."""
    from scipy.interpolate import BarycentricInterpolator

    r = np.asarray(r, dtype=float)
    lo, hi = float(r.min()), float(r.max())
    D = float(rem.delta_t(t))
    if hi - lo <= 1e-12 * hi:
        c = fs.conditional(n, d, t, sigma, lo)
        return {"free_entropy": np.full(r.shape, c["log_Z"] / d), "participation": np.full(r.shape, c["participation"]),
                "energy": np.full(r.shape, c["energy"] * 2 * D / d)}
    k = np.arange(nodes)
    rn = 0.5 * (lo + hi) + 0.5 * (hi - lo) * np.cos(np.pi * (2 * k + 1) / (2 * nodes))
    vals = [fs.conditional(n, d, t, sigma, float(x)) for x in rn]
    lz = BarycentricInterpolator(rn, [v["log_Z"] / d for v in vals])(r)
    pr = np.exp(BarycentricInterpolator(rn, [math.log(v["participation"]) for v in vals])(r))
    en = BarycentricInterpolator(rn, [v["energy"] * 2 * D / d for v in vals])(r)
    return {"free_entropy": lz, "participation": pr, "energy": en}


#: a registered leading-order form: (getter, r, t, α) -> values, the getter being
#: :func:`numerics.results.theory` (mutable) or :func:`numerics.results.numeric` (unmutated)
Route = Callable[[Callable[[str], Callable], np.ndarray, float, float], np.ndarray]


def _measure_rows(blocks: list[dict], key: str, theory_per_point: list[np.ndarray], k: int) -> tuple[float, float, float]:
    """(value, theory, stderr) at time index k: means over all points, stderr of (value - theory) from the
    per-training-set means."""
    vals = [b[key][:, k] for b in blocks]
    diffs = np.array([np.mean(v - th) for v, th in zip(vals, theory_per_point)])
    return (float(np.mean(np.concatenate(vals))), float(np.mean(np.concatenate(theory_per_point))),
            float(diffs.std(ddof=1) / math.sqrt(len(diffs))))


def _lowest_rho(t: float, r: np.ndarray, alpha: float) -> np.ndarray:
    """ρ_0 of the lowest level at leading order, I(ρ_0) = α (bisection on the generated rate)."""
    return rem.lowest_level_rho(alpha, t, SIGMA, r)


def _point_rows(rng, key: str, points: list[tuple[float, Route | None, str]], sets: int, per: int,
                d: int = 256, alpha: float = ALPHA) -> list[Measurement]:
    """Rows of a check over points of P_t, one per (t, route, label): theory per point =
    route(theory, r) + [exact(r) - route(numeric, r)] (= the exact value when unmutated), or the exact value
    when route is None."""
    n = fs.n_points(alpha, d)
    a_eff = math.log(n) / d
    times = [t for t, _, _ in points]
    blocks = _blocks(rng, d, n, times, sets, per, planted=False)
    out = []
    for k, (t, route, how) in enumerate(points):
        rr = np.concatenate([b["r"][:, k] for b in blocks])
        ex = exact_at(n, d, t, rr)[key]
        th_all = ex if route is None else route(theory, rr, t, a_eff) + (ex - route(numeric, rr, t, a_eff))
        th_pp = np.split(th_all, np.cumsum([b["r"].shape[0] for b in blocks])[:-1])
        val, th, se = _measure_rows(blocks, key, th_pp, k)
        lead = {"free_entropy": lambda: float(rem.free_entropy(a_eff, t, SIGMA)),
                "participation": lambda: float(rem.participation_ratio(a_eff, t, SIGMA)),
                "energy": lambda: math.nan}[key]()
        out.append(Measurement(th, val, se, {"d": d, "n": n, "alpha": a_eff, "t": t, "sigma": SIGMA, "sets": sets,
                                             "per_set": per, "phase": rem.phase(a_eff, t, SIGMA), "theory_form": how},
                               label=f"t={t:g}", extra={"leading_order": lead, "exact": float(np.mean(ex))}))
    return out


# ---- leading-order forms (each reads one registered result through the getter) -------------------
def _cond_free_entropy(get, r, t, a):
    return get("rem.free_entropy_condensed_rho")(_lowest_rho(t, r, a), t, SIGMA, r)


def _liquid_branch(get, r, t, a):
    return get("rem.free_entropy_liquid")(a, t, SIGMA, r)


def _liquid_legendre(get, r, t, a):
    return a - get("rem.alpha_c_r")(t, SIGMA, r) - get("rem.y_star")(t, SIGMA, r) / (2 * float(rem.delta_t(t)))


def _liquid_threshold(get, r, t, a):
    return a - get("rem.alpha_c")(t, SIGMA) - r / (2 * float(rem.gamma_t(t, SIGMA)))


def _liquid_cgf(get, r, t, a):
    return a + get("rem.cgf")(-0.5 / float(rem.delta_t(t)), t, SIGMA, r)


def _pd_participation(get, r, t, a):
    m = np.minimum(get("rem.freezing_m_rho")(_lowest_rho(t, r, a), t, SIGMA), 1.0)
    return get("rem.pd_participation")(m)


def _lowest_energy(get, r, t, a):
    return get("rem.energy_rho")(_lowest_rho(t, r, a), t, SIGMA, r)


def _dominant_energy(get, r, t, a):
    return get("rem.y_star")(t, SIGMA, r)


@check("rem.free_entropy", tests=("rem.alpha_c", "rem.free_entropy_liquid", "rem.alpha_c_r", "rem.y_star", "rem.cgf",
                                  "rem.free_entropy_condensed_rho"),
       description="(1/d) ln Z over e^{αd} Gaussian training points (d = 256, n = 2165) at points of P_t vs the exact "
                   "finite-(d, n) free entropy, through the condensed branch (t = 0.5, 0.9) and each registered form "
                   "of the liquid branch (t = 1.8, 2.2, 2.5, 3.0)")
def free_entropy_check(rng: np.random.Generator, full: bool):
    """(1/d) E ln Z at points of P_t against the exact finite-(d, n) theory (module docstring)."""
    sets, per = (16, 64) if full else (8, 32)
    pts = [(0.5, _cond_free_entropy, "free_entropy_condensed_rho(rho_0)"),
           (0.9, _cond_free_entropy, "free_entropy_condensed_rho(rho_0)"),
           (1.8, _liquid_branch, "free_entropy_liquid"),
           (2.2, _liquid_legendre, "alpha - alpha_c_r - y_star/(2 Delta_t)"),
           (2.5, _liquid_threshold, "alpha - alpha_c(t) - r/(2 Gamma_t)"),
           (3.0, _liquid_cgf, "alpha + cgf(-1/(2 Delta_t))")]
    return _point_rows(rng, "free_entropy", pts, sets, per)


@check("rem.participation_ratio", tests=("rem.pd_participation", "rem.freezing_m_rho"),
       description="E Σ_μ w_μ² at points of P_t (d = 256) vs the exact finite-(d, n) value: Poisson–Dirichlet "
                   "1 - m + exact correction (condensed, t = 0.5, 0.9), exact (liquid, t = 1.8, 2.5)")
def participation_check(rng: np.random.Generator, full: bool):
    """Participation ratio at points of P_t against the exact finite-(d, n) theory (module docstring)."""
    sets, per = (24, 400) if full else (16, 250)
    pts = [(0.5, _pd_participation, "pd_participation(freezing_m_rho(rho_0))"),
           (0.9, _pd_participation, "pd_participation(freezing_m_rho(rho_0))"),
           (1.8, None, "exact"), (2.5, None, "exact")]
    return _point_rows(rng, "participation", pts, sets, per)


@check("rem.mean_energy", tests=("rem.y_star", "rem.energy_rho"),
       description="Gibbs mean level energy Σ_μ w_μ |x - e^{-t}a_μ|²/d at points of P_t (d = 256) vs the exact "
                   "finite-(d, n) value: the lowest level y_0 (condensed, t = 0.5, 0.9), y* (liquid, t = 1.8, 2.5)")
def mean_energy_check(rng: np.random.Generator, full: bool):
    """Gibbs mean energy at points of P_t against the exact finite-(d, n) theory (module docstring)."""
    sets, per = (16, 64) if full else (8, 32)
    pts = [(0.5, _lowest_energy, "energy_rho(rho_0)"), (0.9, _lowest_energy, "energy_rho(rho_0)"),
           (1.8, _dominant_energy, "y_star"), (2.5, _dominant_energy, "y_star")]
    return _point_rows(rng, "energy", pts, sets, per)


# ---------------------------------------------------------------------------------------------
# φ_C: the collapse time measured
# ---------------------------------------------------------------------------------------------
LEVELS = (0.85, 0.5, 0.15)
GRID_OFFSETS = np.linspace(-0.06, 0.06, 7)


def exact_crossing(n: int, d: int, level: float, sigma: float = SIGMA) -> float:
    """Time where the exact finite-(d, n) φ_C(t) equals ``level`` (φ_C decreases in t)."""
    tc = float(numeric("rem.t_C_alpha")(math.log(n) / d, sigma))
    lo, hi = 0.5 * tc, 2.0 * tc
    return float(brentq(lambda t: fs.phi_C(n, d, t, sigma) - level, lo, hi, xtol=1e-9))


def _t_C_from_threshold(get, alpha: float, sigma: float) -> float:
    """Root of α_c(t) = α (α_c decreases from ∞ to 0)."""
    return float(brentq(lambda t: float(get("rem.alpha_c")(t, sigma)) - alpha, 1e-6, 50.0, xtol=1e-13))


def phi_c_crossing_theory(n: int, d: int, level: float, grid: np.ndarray, via: str, sigma: float = SIGMA,
                          t_exact: float | None = None) -> tuple[float, dict]:
    """Predicted crossing time of φ_C through ``level`` on ``grid``: t_C + [t_× - t_C]_exact + b.

    ``via="t_C_alpha"``: t_C = rem.t_C_alpha(α, σ); ``via="alpha_c"``: the root of rem.alpha_c(t) = α
    (both through :func:`numerics.results.theory`); the offset uses the unmutated t_C, b =
    linear_crossing(grid, φ_exact(grid), level) - t_×."""
    alpha = math.log(n) / d
    t_x = exact_crossing(n, d, level, sigma) if t_exact is None else t_exact
    if via == "t_C_alpha":
        tc_th, tc_num = float(theory("rem.t_C_alpha")(alpha, sigma)), float(numeric("rem.t_C_alpha")(alpha, sigma))
    elif via == "alpha_c":
        tc_th, tc_num = _t_C_from_threshold(theory, alpha, sigma), _t_C_from_threshold(numeric, alpha, sigma)
    else:
        raise ValueError(f"via must be 't_C_alpha' or 'alpha_c', got {via!r}")
    curve = np.array([fs.phi_C(n, d, float(t), sigma) for t in grid])
    bias = linear_crossing(grid, curve, level) - t_x
    return tc_th + (t_x - tc_num) + bias, {"t_C": tc_th, "offset": t_x - tc_num, "estimator_bias": bias,
                                          "t_exact": t_x, "level": level, "t_C_from": via}


@check("rem.phi_C", tests=("rem.t_C_alpha", "rem.alpha_c"),
       description="collapse time measured: the time where φ_C(t) = E_{x~P^e_t} Σ_μ w_μ² (direct sampling, d = 256, "
                   "n = 2165, 24 training sets) crosses 0.85, 0.5, 0.15 vs t_C + derived finite-(d, n) offset + "
                   "estimator bias; φ_C deep in the liquid phase (t = 2.6) vs the exact value")
def phi_c_check(rng: np.random.Generator, full: bool):
    """φ_C crossing times and the deep-liquid value against the exact finite-(d, n) theory."""
    d = 256
    n = fs.n_points(ALPHA, d)
    sets, per = (48, 300) if full else (24, 160)
    t_x = {lv: exact_crossing(n, d, lv) for lv in LEVELS}
    grids = {lv: t_x[lv] + GRID_OFFSETS for lv in LEVELS}
    deep = 2.6
    times = np.concatenate([grids[lv] for lv in LEVELS] + [[deep]])
    blocks = _blocks(rng, d, n, times, sets, per, planted=True)
    units = np.array([b["participation"].mean(axis=0) for b in blocks])  # sets × times
    out = []
    for j, lv in enumerate(LEVELS):
        cols = slice(j * GRID_OFFSETS.size, (j + 1) * GRID_OFFSETS.size)
        est, se = bootstrap_crossing(grids[lv], units[:, cols], lv, n_boot=400, rng=rng)
        via = "t_C_alpha" if lv == 0.5 else "alpha_c"
        pred, parts = phi_c_crossing_theory(n, d, lv, grids[lv], via, t_exact=t_x[lv])
        out.append(Measurement(pred, est, se, {"d": d, "n": n, "alpha": math.log(n) / d, "sigma": SIGMA, "sets": sets,
                                               "per_set": per, "grid": grids[lv].tolist(), **parts},
                               label=f"crossing,level={lv:g}",
                               extra={"grid": grids[lv].tolist(), "measured_curve": units[:, cols].mean(0).tolist()}))
    th = fs.phi_C(n, d, deep, SIGMA)
    vals = units[:, -1]
    out.append(Measurement(th, float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(sets)),
                           {"d": d, "n": n, "t": deep, "sets": sets, "per_set": per, "one_over_n": 1.0 / n},
                           label=f"t={deep:g}", extra={"leading_order": float(rem.phi_C(deep, ALPHA, SIGMA))}))
    return out


# ---------------------------------------------------------------------------------------------
# Poisson–Dirichlet and Derrida's REM sampled directly
# ---------------------------------------------------------------------------------------------
PD_LEVELS = 4000
_EULER = 0.5772156649015329  # γ_E = -ψ(1)


def sample_pd(rng: np.random.Generator, m: float, reps: int, levels: int = PD_LEVELS) -> tuple[np.ndarray, np.ndarray]:
    r"""(Σ_j w_j², ln S + (ln Γ_1 + γ_E)/m) of ``reps`` samples of the Poisson process with N(x > X) = X^{-m}
    (PD(m) weights w_j = X_j/S, S = Σ_j X_j): X_j = Γ_j^{-1/m}, Γ_j the arrival times of a unit Poisson
    process, the first ``levels`` exactly; the rest by its conditional mean given Γ_K,
    E Σ_{j>K} X_j = ∫_{Γ_K}^∞ g^{-1/m} dg = Γ_K^{1-1/m}/(1/m - 1) (its fluctuation, variance
    ≈ Γ_K^{1-2/m}/(2/m - 1), is below 1e-3 of S for K = 4000, m ≤ 0.6: the bias of E ln S it leaves is
    ≲ Var/(2S²) ≤ 1e-6).

    Control variate: Γ_1 ~ Exp(1) has E ln Γ_1 = ψ(1) = -γ_E exactly, so ln S + (ln Γ_1 + γ_E)/m has the
    mean of ln S and a far smaller variance (the leading term -ln Γ_1/m of ln S cancels)."""
    arr = np.cumsum(rng.exponential(size=(reps, levels)), axis=1)
    x = arr ** (-1.0 / m)
    rest = arr[:, -1] ** (1.0 - 1.0 / m) / (1.0 / m - 1.0)
    s = x.sum(axis=1) + rest
    pr = np.einsum("ij,ij->i", x, x) / s**2
    return pr, np.log(s) + (np.log(arr[:, 0]) + _EULER) / m


@check("rem.pd_statistics", tests=("rem.pd_participation", "rem.pd_log_partition"),
       description="Poisson–Dirichlet PD(m) weights sampled directly (m = 0.3, 0.6): E Σ w² vs 1 - m, E ln S vs "
                   "ln Γ(1-m)/m + γ_E(1/m - 1)")
def pd_check(rng: np.random.Generator, full: bool):
    """PD(m) sampled as a Poisson process: participation ratio and log-partition against the registered forms."""
    reps = 20000 if full else 4000
    out = []
    for m in (0.3, 0.6):
        pr, ls = sample_pd(rng, m, reps)
        out.append(Measurement(float(theory("rem.pd_participation")(m)), float(pr.mean()),
                               float(pr.std(ddof=1) / math.sqrt(reps)), {"m": m, "reps": reps, "levels": PD_LEVELS},
                               label=f"participation,m={m:g}"))
        out.append(Measurement(float(theory("rem.pd_log_partition")(m)), float(ls.mean()),
                               float(ls.std(ddof=1) / math.sqrt(reps)), {"m": m, "reps": reps, "levels": PD_LEVELS},
                               label=f"log_partition,m={m:g}"))
    return out


def derrida_exact(alpha: float, beta: float, d: int) -> float:
    """Exact (1/d) E ln Z of Derrida's REM: n = round(e^{αd}) levels, Z = Σ_μ e^{β e_μ}, e_μ ~ N(0, d)
    (u = e^{-E}, E = -β e ~ N(0, β² d)); Frullani over the Gaussian level law (finite_size)."""
    n = fs.n_points(alpha, d)
    law = fs.gaussian_level_law(0.0, beta * math.sqrt(d), n)
    return fs.law_moments(law, n)[0] / d


@check("rem.derrida", tests=("rem.derrida_free_entropy", "rem.derrida_beta_c"),
       description="Derrida's REM (e^{αd} Gaussian energies of variance d, d = 200, α = 0.05) sampled directly vs the "
                   "exact finite-(d, n) free entropy, through α + β²/2 (liquid), β β_c (condensed)")
def derrida_check(rng: np.random.Generator, full: bool):
    """Derrida's REM: (1/d) ln Z by direct sampling against the exact finite-(d, n) free entropy."""
    d, alpha = 200, 0.05
    n = fs.n_points(alpha, d)
    a_eff = math.log(n) / d
    reps = 800 if full else 200
    out = []
    for beta, how in ((0.2, "free_entropy"), (0.6, "free_entropy"), (0.8, "beta_c")):
        vals = np.empty(reps)
        for i in range(reps):
            v = beta * math.sqrt(d) * rng.standard_normal(n)
            top = v.max()
            vals[i] = (top + math.log(np.exp(v - top).sum())) / d
        ex = derrida_exact(alpha, beta, d)
        if how == "free_entropy":
            lead = lambda get: float(get("rem.derrida_free_entropy")(a_eff, beta))  # noqa: E731
        else:
            lead = lambda get: beta * float(get("rem.derrida_beta_c")(a_eff))  # noqa: E731
        th = lead(theory) + (ex - lead(numeric))
        out.append(Measurement(th, float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(reps)),
                               {"d": d, "n": n, "alpha": a_eff, "beta": beta, "reps": reps, "theory_form": how,
                                "beta_c": math.sqrt(2 * a_eff)}, label=f"beta={beta:g}",
                               extra={"leading_order": lead(numeric), "exact": ex}))
    return out


# ---------------------------------------------------------------------------------------------
# φ_C from two clones of the empirical-score dynamics
# ---------------------------------------------------------------------------------------------
@check("rem.phi_C_cloning", tests=("rem.t_C_alpha",), quick=False,
       description="φ_C(t) from cloned empirical-score trajectories on independent training sets (d = 192) vs the "
                   "exact finite-(d, n) φ_C in the crossover, placed at rem.t_C_alpha")
def phi_c_cloning(rng: np.random.Generator, full: bool):
    """Clones of the empirical-score dynamics: P(both end on the same training point) against the exact φ_C."""
    from numerics.engine.cloning import clone_phi
    from numerics.engine.empirical import EmpiricalScore

    d = 192 if full else 128  # d = 256 (n = 2165) would cost ~40 CPU-minutes of score evaluations
    n = fs.n_points(ALPHA, d)
    alpha = math.log(n) / d
    sets, pairs, steps = (6, 250, 200) if full else (6, 300, 150)
    t_half = exact_crossing(n, d, 0.5)
    times = t_half + np.array([-0.12, 0.0, 0.12])
    shift = float(theory("rem.t_C_alpha")(alpha, SIGMA)) - float(numeric("rem.t_C_alpha")(alpha, SIGMA))
    per_set = np.empty((sets, times.size))
    direct = np.empty((sets, times.size))
    for s in range(sets):
        train = _training_set(rng, n, d)
        es = EmpiricalScore(train, dtype=np.float32, labels=np.zeros(n, dtype=np.int64))
        # t_min = 0.02 ≪ t_C: the trajectories have long collapsed onto their training point (φ_C(0.02) = 1 - 1e-15)
        res = clone_phi(es, times, pairs, seed_from(rng), steps=steps, t_min=0.02)
        per_set[s] = res.phi_C
        direct[s] = sample_levels(rng, train, times, 400, planted=True)["participation"].mean(axis=0)
    out = []
    for j, t in enumerate(times):
        th = fs.phi_C(n, d, float(t) - shift, SIGMA)
        out.append(Measurement(th, float(per_set[:, j].mean()), float(per_set[:, j].std(ddof=1) / math.sqrt(sets)),
                               {"d": d, "n": n, "alpha": alpha, "t": float(t), "sets": sets, "pairs_per_set": pairs,
                                "steps": steps}, label=f"t={t:.3f}",
                               extra={"direct_same_sets": float(direct[:, j].mean()),
                                      "direct_stderr": float(direct[:, j].std(ddof=1) / math.sqrt(sets))}))
    return out
