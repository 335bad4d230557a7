"""Verification on real data: empirical-score backward dynamics with cloning (THEORY §5).

Built on the engine: the empirical score is :class:`numerics.engine.empirical.EmpiricalScore` (chunked GEMM,
stabilised log-sum-exp; float64 here because posterior weights are read off), the cloned
integration loop is :func:`numerics.engine.cloned.run_cloned` (one pass serves every cloning
time; exponential integrator), the start is an exact draw from P^e_T
(:func:`numerics.engine.cloning.initial_state`).

One run: ``M`` main trajectories from T down to ``t_min`` on a geometric grid into which the
cloning and recording times are merged; at each cloning time t_k every main trajectory is
cloned once and the clone runs to ``t_min`` with independent noise. The final point of a
trajectory is its nearest training point at ``t_min``. Measured:

- ``phi``: class agreement of main and clone (speciation; → Σ_c p_c² at large t, → 1 at t → 0);
- ``phi_C``: same final training point (collapse analogue of φ; → 1 at t → 0);
- ``fe_samples``: ``-ln w_final(y_main(t)) / d`` at the recording times, w the posterior weights.
  With exact reversal the pair (y_t, final point) has the law of (x_t, source point) of the
  forward process, so the mean equals f^e(t) = α - [s^e - s_Δ] and the t_C estimator applied to
  it must return t_C;
- ``tau``: per-trajectory collapse time, the largest recorded t from which the final point
  carries posterior weight ≥ ½ at every smaller recorded time; ``tau_nearest``: the engine's
  definition (the grid time after the last change of the nearest training point).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from numerics import universal, validate
from numerics.data import times as DT
from numerics.engine import sde
from numerics.engine.cloning import initial_state
from numerics.engine.cloned import run_cloned
from numerics.data.stream import DataStream
from numerics.engine.empirical import EmpiricalScore
from numerics.models.mixture.model import Mixture
from numerics.results import theory_value

__all__ = ["cloning_run", "midpoint_crossing", "speciation_from_phi", "midpoint_offset", "class_posterior_phi",
           "verify_on_data", "gm_matched_midpoint", "gaussian_classes_phi", "gaussian_classes_midpoint", "curve_midpoint"]


def _neg_log_w(es: EmpiricalScore, Y: np.ndarray, t: float, idx: np.ndarray) -> np.ndarray:
    """-ln w_idx(Y, t) = ln P^e_t(Y) + ln n + (d/2) ln(2πΔ) + |Y - e^{-t} a_idx|²/(2Δ) (no underflow)."""
    c, delta = math.exp(-t), -math.expm1(-2.0 * t)
    logp = es.log_density(Y, t)
    r2 = np.sum((Y - c * es.train[idx]) ** 2, axis=1)
    out = logp + math.log(es.n) + 0.5 * es.d * math.log(2 * math.pi * delta) + r2 / (2 * delta)
    return np.maximum(out, 0.0)


def cloning_run(X: np.ndarray, labels: np.ndarray, clone_times, n_traj: int, rng: np.random.Generator, *,
                T: float | None = None, t_min: float = 0.01, steps: int = 160, record_times=None,
                method: str = "exponential") -> dict:
    """Main trajectories + one clone per trajectory per cloning time (module docstring).

    ``X``: the training set, an array or a :class:`numerics.data.stream.DataStream` (streamed in
    chunks at every score evaluation: a training set larger than memory; user units)."""
    n, d = _shape(X)
    n_traj = validate.positive_int("n_traj", n_traj)
    T = 0.5 * math.log(max(d, 2)) + 4.0 if T is None else validate.positive("T", T)
    es = EmpiricalScore(X, dtype=np.float64, labels=labels)
    base = sde.time_grid(T, t_min, steps, "geometric")
    inside = lambda v: v[(v > t_min * 1.0001) & (v < T * 0.9999)]  # noqa: E731
    clone_times = np.unique(inside(np.asarray(clone_times, dtype=float)))
    grid, bidx = sde.merge_times(base, clone_times)
    # recording times are snapped to the nearest grid point (no extra steps)
    rec = [] if record_times is None else [int(np.argmin(np.abs(grid - t))) for t in inside(np.asarray(record_times, float))]
    rec_idx = np.unique(np.concatenate([bidx, np.asarray(rec, dtype=np.int64)]))
    rec_idx = rec_idx[(rec_idx > 0) & (rec_idx < grid.size - 1)]
    want = set(int(k) for k in rec_idx)
    where = {float(g): k for k, g in enumerate(grid)}
    stored: dict[int, np.ndarray] = {}

    def score_eval(y, t):
        k = where[float(t)]
        if k in want and k not in stored:
            stored[k] = np.array(y[:n_traj], copy=True)
        res = es.evaluate(y, t, want_score=True)
        return res.score, res.nearest

    y0 = initial_state(es, n_traj, T, rng, start="exact", dtype=np.float64)
    run = run_cloned(score_eval, y0, grid, bidx, rng, method=method, tracking=True, desc="cloning (data)")
    final = run.final_info
    main_final = final[:n_traj]
    lab = np.asarray(labels)
    same_class = np.array([lab[final[run.rows(j)]] == lab[main_final] for j in range(bidx.size)])
    same_point = np.array([final[run.rows(j)] == main_final for j in range(bidx.size)])
    classes = np.unique(lab)
    neg_log_w = np.empty((rec_idx.size, n_traj))
    phiC_post = np.empty(rec_idx.size)
    phi_post = np.empty(rec_idx.size)
    for r, k in enumerate(rec_idx):
        t = float(grid[k])
        Y = stored[int(k)]
        neg_log_w[r] = _neg_log_w(es, Y, t, main_final)
        w = es.evaluate(Y, t, want_score=False, return_weights=True, track=False).weights
        phiC_post[r] = np.mean(np.sum(w * w, axis=1))
        pc = np.stack([w[:, lab == c].sum(axis=1) for c in classes], axis=1)
        phi_post[r] = np.mean(np.sum(pc * pc, axis=1))
    rec_t = grid[rec_idx]
    collapsed = neg_log_w <= math.log(2.0)   # w_final ≥ ½
    order = np.argsort(rec_t)                 # increasing t
    tau = np.zeros(n_traj)
    for m in range(n_traj):
        c = collapsed[order, m]
        run_len = int(np.argmin(c)) if not c.all() else c.size
        tau[m] = rec_t[order][run_len - 1] if run_len > 0 else 0.0
    track = run.track                          # (len(grid), B) nearest point of the mains
    differ = track != track[-1][None, :]
    last = np.where(differ.any(axis=0), len(grid) - 1 - np.argmax(differ[::-1], axis=0), -1)
    tau_nearest = grid[np.minimum(last + 1, len(grid) - 1)]
    p_c = np.array([np.mean(lab == c) for c in classes])
    return {
        "clone_t": grid[bidx], "same_class": same_class, "same_point": same_point,
        "phi": same_class.mean(axis=1), "phi_err": same_class.std(axis=1, ddof=1) / math.sqrt(n_traj),
        "phi_C": same_point.mean(axis=1), "phi_C_err": same_point.std(axis=1, ddof=1) / math.sqrt(n_traj),
        "record_t": rec_t, "fe_samples": (neg_log_w / d).T, "phi_C_posterior": phiC_post,
        "phi_posterior": phi_post, "tau": tau, "tau_nearest": tau_nearest, "phi_inf": float(np.sum(p_c ** 2)),
        "n_traj": n_traj, "T": T, "t_min": t_min, "steps": steps, "method": method, "final": main_final,
    }


def class_posterior_phi(X: np.ndarray, labels: np.ndarray, ts, n_mc: int, rng: np.random.Generator,
                        chunk: int = 2048) -> np.ndarray:
    """Per-sample Σ_c P(c | x)² at x ~ P^e_t (rows: samples, columns: ``ts``); its mean is φ(t).

    For the empirical distribution the backward process from x at time t ends on training point μ with
    probability w_μ(x, t) (exact time reversal), so two clones made at x end in the same class with
    probability Σ_c (Σ_{μ∈c} w_μ)², and φ(t) = E_{x~P^e_t} Σ_c P(c|x)² (THEORY §2, the posterior form of
    the cloning probability). x = e^{-t} a_μ + √Δ_t z with μ uniform and z ~ N(0, I): the same (μ, z)
    at every t (common random numbers: a row is one unit for the bootstrap). No integrator is involved."""
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    n, d = X.shape
    n_mc = validate.positive_int("n_mc", n_mc)
    ts = np.asarray(ts, dtype=float)
    classes = np.unique(labels)
    onehot = (labels[:, None] == classes[None, :]).astype(np.float64)  # n × K
    es = EmpiricalScore(X, dtype=np.float64, labels=labels)
    src = rng.integers(0, n, n_mc)
    z = rng.standard_normal((n_mc, d))
    out = np.empty((n_mc, ts.size))
    for k, t in enumerate(ts):
        c, delta = math.exp(-t), -math.expm1(-2.0 * t)
        for i in range(0, n_mc, chunk):
            Y = c * X[src[i:i + chunk]] + math.sqrt(delta) * z[i:i + chunk]
            w = es.evaluate(Y, float(t), want_score=False, return_weights=True, track=False).weights
            pc = w @ onehot
            out[i:i + chunk, k] = np.sum(pc * pc, axis=1)
    return out


def _shape(X) -> tuple[int, int]:
    return (X.n, X.d) if isinstance(X, DataStream) else tuple(np.asarray(X).shape)


def midpoint_crossing(ts: np.ndarray, y: np.ndarray, low: float, high: float = 1.0) -> float:
    """Largest t at which the decreasing-in-t curve y(t) crosses (low + high)/2 (linear interpolation)."""
    level = 0.5 * (low + high)
    order = np.argsort(ts)
    t, v = ts[order], y[order]
    above = v >= level
    if above.all() or not above.any():
        return math.nan
    j = int(np.nonzero(above)[0].max())   # last point above the level
    if j == t.size - 1:
        return math.nan
    return float(t[j] + (v[j] - level) * (t[j + 1] - t[j]) / (v[j] - v[j + 1]))


def speciation_from_phi(run: dict, n_boot: int = 200, rng: np.random.Generator | None = None) -> dict:
    """Speciation crossover t_φ: where φ(t) crosses the midpoint between its limits Σ_c p_c² and 1;
    error by bootstrap over trajectories."""
    rng = rng or np.random.default_rng(0)
    ts, sc = run["clone_t"], run["same_class"]
    est = midpoint_crossing(ts, sc.mean(axis=1), run["phi_inf"])
    M = sc.shape[1]
    boots = np.array([midpoint_crossing(ts, sc[:, rng.integers(0, M, M)].mean(axis=1), run["phi_inf"])
                      for _ in range(n_boot)])
    ok = np.isfinite(boots)
    return {"t_phi": est, "t_phi_err": float(np.std(boots[ok], ddof=1)) if ok.sum() > 2 else math.nan,
            "level": 0.5 * (1 + run["phi_inf"])}


def midpoint_offset(p_plus: float = 0.5) -> float:
    """δ_½ = t_½ - t_S on the universal two-class crossover (THEORY §2, d → ∞, κ = e^{-2(t - t_S)}):
    φ(κ) = (1 + p_+² + p_-²)/2 at κ = e^{-2δ}. 0.0808 for balanced classes."""
    p = validate.probability("p_plus", p_plus)
    level = 0.5 * (1.0 + p * p + (1 - p) * (1 - p))
    # the universal curve as a theory value (gm.phi): `regimes verify --mutate gm.phi=...` reaches the prediction
    kappa = brentq(lambda k: float(theory_value("gm.phi", universal.phi(np.array([k]), p))[0]) - level, 1e-3, 50.0,
                   xtol=1e-12)
    return -0.5 * math.log(kappa)


def gm_matched_midpoint(X: np.ndarray, labels: np.ndarray, p_plus: float | None = None) -> float:
    """Label-aware refinement of ½ ln Λ + δ_½: the φ midpoint of the two-class Gaussian mixture
    matched to the data along the class direction v = (ā_1 - ā_0)/|ā_1 - ā_0|: |m|² = |ā_1 - ā_0|²/4,
    σ_v² = pooled within-class variance of v·a. With κ(t) = e^{-2t}|m|²/(Δ_t + σ_v² e^{-2t}) (THEORY §2)
    and φ(κ_½) = midpoint: t_½ = ½ ln((|m|² + κ_½ (1 - σ_v²))/κ_½). Reduces to ½ ln Λ + δ_½ when
    |m|² ≫ σ_v², 1."""
    labels = np.asarray(labels)
    classes = np.unique(labels)
    a0, a1 = X[labels == classes[0]], X[labels == classes[1]]
    diff = a1.mean(axis=0) - a0.mean(axis=0)
    v = diff / np.linalg.norm(diff)
    m2 = 0.25 * float(diff @ diff)
    s2 = 0.5 * (float(np.var(a0 @ v)) + float(np.var(a1 @ v)))
    p = float(np.mean(labels == classes[1])) if p_plus is None else p_plus
    kappa = math.exp(-2.0 * midpoint_offset(p))
    arg = (m2 + kappa * (1.0 - s2)) / kappa
    return 0.5 * math.log(arg) if arg > 0 else math.nan


def gaussian_classes_phi(X: np.ndarray, labels: np.ndarray, p_plus: float | None = None):
    """φ(t) of the class-conditional Gaussians of the data, as a function of an array of times: each class
    replaced by the Gaussian with its mean and full (maximum-likelihood) covariance, κ(t) the exact pair
    κ_ab(t) = ¼[KL(a‖b) + KL(b‖a)] of the noised classes (``mixture.kappa_gauss`` through
    :meth:`numerics.models.mixture.model.Mixture.pair_kappa`, THEORY §6) and φ = φ(κ(t), p₊) the universal
    two-class curve (``gm.phi``; its large-d, local-asymptotic-normality form). Both are read as theory
    values (``regimes verify --mutate`` reaches them)."""
    labels = np.asarray(labels)
    classes = np.unique(labels)
    parts = [X[labels == c] for c in classes[:2]]
    p = float(np.mean(labels == classes[1])) if p_plus is None else p_plus
    means = np.stack([a.mean(axis=0) for a in parts])
    covs = np.stack([np.atleast_2d(np.cov(a.T, bias=True)) for a in parts])
    mix = Mixture(np.array([1.0 - p, p]), means, covs)

    def phi(ts) -> np.ndarray:
        kappa = np.asarray(mix.pair_kappa(0, 1, np.atleast_1d(np.asarray(ts, dtype=float))), dtype=float)
        return np.asarray(theory_value("gm.phi", universal.phi(kappa, p)), dtype=float)

    return phi


def gaussian_classes_midpoint(X: np.ndarray, labels: np.ndarray, p_plus: float | None = None,
                              t_max: float = 20.0) -> float:
    """Label-aware prediction of the φ midpoint: the time where :func:`gaussian_classes_phi` crosses
    (1 + Σ_c p_c²)/2. Unlike :func:`gm_matched_midpoint` it keeps the classes' different covariances (on
    digits 0/1 the class direction alone puts the midpoint 0.044 early against the exact class posterior,
    the full covariances 0.0085 ± 0.0016: ``regimes verify --full --only datasets.digits01 --seed 0``). NaN if
    φ does not cross the midpoint on (0, ``t_max``]."""
    labels = np.asarray(labels)
    classes = np.unique(labels)
    p = float(np.mean(labels == classes[1])) if p_plus is None else p_plus
    return curve_midpoint(gaussian_classes_phi(X, labels, p), p, t_max)


def curve_midpoint(phi, p_plus: float, t_max: float = 20.0) -> float:
    """Time where the curve ``phi(ts)`` crosses the two-class midpoint (1 + p₊² + p₋²)/2 (brentq on (0, t_max];
    NaN if it does not cross there)."""
    level = 0.5 * (1.0 + p_plus * p_plus + (1.0 - p_plus) ** 2)
    gap = lambda t: float(phi(t)[0]) - level  # noqa: E731
    lo, hi = 1e-3, t_max
    if not (gap(lo) > 0 > gap(hi)):
        return math.nan
    return float(brentq(gap, lo, hi, xtol=1e-6))


def _crossing_boot(ts, samples, low, n_boot, rng, axis_traj=0):
    """Midpoint crossing of the mean of ``samples`` (rows = independent units) and its bootstrap error."""
    est = midpoint_crossing(ts, samples.mean(axis=0), low)
    M = samples.shape[0]
    boots = np.array([midpoint_crossing(ts, samples[rng.integers(0, M, M)].mean(axis=0), low) for _ in range(n_boot)])
    ok = np.isfinite(boots)
    return est, (float(np.std(boots[ok], ddof=1)) if ok.sum() > 2 else math.nan)


def verify_on_data(X: np.ndarray, labels: np.ndarray, rng: np.random.Generator, *, n_traj: int = 200,
                   steps: int = 80, n_clone: int = 12, n_mc: int = 2000, n_boot: int = 200,
                   method: str = "exponential", n_post: int = 20000, clone_grid: str = "spread") -> dict:
    """Predictions from the data (t_S = ½ ln Λ, t_C from f^e) against the empirical-score dynamics.

    Returns a flat dict of predicted/measured pairs with errors:
    - speciation: ``t_phi`` (cloning φ midpoint, bootstrap over trajectories) vs
      ``t_phi_pred = t_S + δ_½`` (the midpoint of the universal crossover, :func:`midpoint_offset`) and
      ``t_phi_gm`` (the mixture matched along the class direction, :func:`gm_matched_midpoint`) and
      ``t_phi_gauss`` (the class-conditional Gaussians with full covariances, :func:`gaussian_classes_midpoint`;
      ``t_phi_gauss_err`` its spread over 20 resampled training sets; ``t_phi_gauss_on_clone_grid`` /
      ``_on_post_grid``: the same curve through the cloning / exact-posterior estimator, i.e. its
      linear-interpolation crossing on that grid, what the estimator would return on the theory curve);
      ``t_phi_post``: the same midpoint from the exact class posterior at ``n_post`` forward samples
      (:func:`class_posterior_phi`, no integrator);
    - collapse: ``t_C_dyn`` (the t_C estimator on f^e measured along trajectories as
      mean -ln w_final / d) vs ``t_C`` (forward Monte Carlo); ``t_coll_dyn`` (time where half of the
      trajectories give their final point posterior weight ≥ ½) vs ``t_coll`` (same from the forward
      samples, P(w_source ≥ ½) = ½); ``phi_C`` from clones vs ``phi_C_pred`` (forward E Σ w²).

    ``X`` may be a :class:`numerics.data.stream.DataStream`: the dynamics and f^e stream it; the
    label-aware GM midpoint (its bootstrap resamples whole rows) reads it into memory, within the
    stream's memory budget."""
    stream = X if isinstance(X, DataStream) else None
    n, d = _shape(X)
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if classes.size != 2:
        raise ValueError(f"verification needs exactly two classes, got {classes.size}")
    sp = DT.speciation_stream(stream, k=2, n_boot=n_boot, rng=rng) if stream is not None else \
        DT.speciation(X, k=2, n_boot=n_boot, rng=rng)
    T = 0.5 * math.log(max(d, 2)) + 4.0
    ts_fwd = DT.default_time_grid(d, 48)
    if clone_grid == "spread":  # the whole crossover, for figures
        clone_t = np.linspace(max(0.1, 0.15 * sp["t_S"]), min(T - 0.5, sp["t_S"] + 1.5), n_clone)
    elif clone_grid == "focused":  # three times below t_S (collapse, φ_C) and five around the φ midpoint
        clone_t = np.concatenate([sp["t_S"] * np.array([0.15, 0.31, 0.5]), sp["t_S"] + np.linspace(-0.3, 0.5, 5)])
        clone_t = np.clip(clone_t, 0.1, T - 0.5)
    else:
        raise ValueError(f"clone_grid must be 'spread' or 'focused', got {clone_grid!r}")
    rec_t = np.unique(np.concatenate([ts_fwd[ts_fwd < T - 0.5], clone_t]))
    L, part = DT.excess_entropy_samples(X, rec_t, n_mc, rng, participation=True)
    alpha = math.log(n) / d
    fwd = DT.collapse_time(rec_t, L, alpha, n_boot=n_boot, rng=rng)
    run = cloning_run(X, labels, clone_t, n_traj, rng, T=T, steps=steps, record_times=rec_t, method=method)
    dyn = DT.collapse_time(run["record_t"], run["fe_samples"], alpha, n_boot=n_boot, rng=rng)
    spc = speciation_from_phi(run, n_boot=n_boot, rng=rng)
    p_plus = float(np.mean(labels == classes[1]))
    delta = midpoint_offset(p_plus)
    if stream is not None:
        if n * d * 8 > stream.memory_budget // 2:
            raise ValueError(f"the label-aware GM midpoint needs the data in memory ({n * d * 8} bytes), above half "
                             f"the memory budget ({stream.memory_budget} bytes)")
        X = stream.read_rows(0, n)
    t_gm = gm_matched_midpoint(X, labels, p_plus)
    t_gm_boot = []
    for _ in range(min(n_boot, 100)):
        ib = rng.integers(0, n, n)
        if np.unique(labels[ib]).size == 2:
            t_gm_boot.append(gm_matched_midpoint(X[ib], labels[ib], p_plus))
    t_gm_err = float(np.nanstd(t_gm_boot, ddof=1))
    gc_phi = gaussian_classes_phi(X, labels, p_plus)
    t_gc = curve_midpoint(gc_phi, p_plus)
    t_gc_boot = []
    for _ in range(min(n_boot, 20)):  # full covariances: a d×d eigenproblem per time (costly at d = 784)
        ib = rng.integers(0, n, n)
        if np.unique(labels[ib]).size == 2:
            t_gc_boot.append(gaussian_classes_midpoint(X[ib], labels[ib], p_plus))
    t_gc_err = float(np.nanstd(t_gc_boot, ddof=1)) if len(t_gc_boot) > 2 else math.nan
    # φ from the exact class posterior at forward samples of P^e_t, on a grid around the cloning measurement (the
    # measurement side only: `regimes verify --mutate` moves no part of it)
    centre = spc["t_phi"]
    post_t = centre + np.linspace(-0.6, 0.6, 13) if math.isfinite(centre) else clone_t
    post_t = post_t[post_t > 0.02]
    post = class_posterior_phi(X, labels, post_t, n_post, rng)
    t_phi_post, t_phi_post_err = _crossing_boot(post_t, post, run["phi_inf"], n_boot, rng)
    # the prediction as each estimator sees it: the same linear-interpolation crossing applied to the theory
    # curve on the estimator's own grid (the estimator's bias on the theory curve, derived, not allowed for)
    t_gc_clone = midpoint_crossing(run["clone_t"], gc_phi(run["clone_t"]), run["phi_inf"])
    t_gc_post = midpoint_crossing(post_t, gc_phi(post_t), run["phi_inf"])
    gauss_t = np.linspace(float(run["clone_t"][0]), float(run["clone_t"][-1]), 40)  # the curve, for figures
    # half-collapse times (w ≥ ½ ⇔ -ln w ≤ ln 2)
    thr = math.log(2.0) / d
    t_coll, t_coll_err = _crossing_boot(rec_t, (L <= thr).astype(float), 0.0, n_boot, rng)
    t_coll_dyn, t_coll_dyn_err = _crossing_boot(run["record_t"], (run["fe_samples"] <= thr).astype(float), 0.0, n_boot, rng)
    # φ_C at the cloning times: forward prediction at the same times
    cols = [int(np.argmin(np.abs(rec_t - t))) for t in run["clone_t"]]
    phiC_pred = part[:, cols].mean(axis=0)
    phiC_pred_err = part[:, cols].std(axis=0, ddof=1) / math.sqrt(part.shape[0])
    return {
        "n": n, "d": d, "alpha": alpha, "p_plus": p_plus, "method": method, "steps": steps, "n_traj": n_traj,
        "n_mc": int(L.shape[0]), "T": T,
        "Lambda": sp["Lambda"], "t_S": sp["t_S"], "t_S_err": sp["t_S_err"], "delta_half": delta,
        "t_phi_pred": sp["t_S"] + delta, "t_phi": spc["t_phi"], "t_phi_err": spc["t_phi_err"],
        "t_phi_gm": t_gm, "t_phi_gm_err": t_gm_err, "t_phi_gauss": t_gc, "t_phi_gauss_err": t_gc_err,
        "t_phi_gauss_on_clone_grid": t_gc_clone, "t_phi_gauss_on_post_grid": t_gc_post,
        "gauss_t": gauss_t.tolist(), "phi_gauss": gc_phi(gauss_t).tolist(),
        "t_phi_post": t_phi_post, "t_phi_post_err": t_phi_post_err, "n_post": n_post, "post_t": post_t.tolist(),
        "phi_post": post.mean(axis=0).tolist(), "phi_post_err": (post.std(axis=0, ddof=1) / math.sqrt(n_post)).tolist(),
        "t_C": fwd["t_C"], "t_C_err": fwd["t_C_err"], "t_C_dyn": dyn["t_C"], "t_C_dyn_err": dyn["t_C_err"],
        "t_coll": t_coll, "t_coll_err": t_coll_err, "t_coll_dyn": t_coll_dyn, "t_coll_dyn_err": t_coll_dyn_err,
        "tau_quantiles": dict(zip(("q10", "q50", "q90"), np.percentile(run["tau"], [10, 50, 90]).tolist())),
        "tau_nearest_quantiles": dict(zip(("q10", "q50", "q90"), np.percentile(run["tau_nearest"], [10, 50, 90]).tolist())),
        "frac_tau_above_t_C": float(np.mean(run["tau"] > fwd["t_C"])),
        "clone_t": run["clone_t"].tolist(), "phi": run["phi"].tolist(), "phi_err": run["phi_err"].tolist(),
        "phi_C": run["phi_C"].tolist(), "phi_C_err": run["phi_C_err"].tolist(),
        "phi_C_pred": phiC_pred.tolist(), "phi_C_pred_err": phiC_pred_err.tolist(),
        "record_t": rec_t.tolist(), "fe": L.mean(axis=0).tolist(), "fe_dyn": run["fe_samples"].mean(axis=0).tolist(),
        "record_t_dyn": run["record_t"].tolist(), "phi_inf": run["phi_inf"],
    }
