"""Verification on real data: empirical-score backward dynamics with cloning (THEORY §5).

The empirical score of ``P^e_t = (1/n) Σ_ν N(e^{-t} a_ν, Δ_t I)`` is
``S(y, t) = (e^{-t} Σ_ν w_ν(y, t) a_ν - y) / Δ_t``, ``w_ν ∝ exp(-|y - e^{-t} a_ν|²/(2Δ_t))`` (softmax of
``(e^{-t} y·a_ν - e^{-2t}|a_ν|²/2)/Δ_t``, stabilised by the row maximum, chunked GEMM).

One run: ``M`` main trajectories from N(0, I) at ``T`` down to ``t_min`` on a geometric grid.
Integrator ``"ancestral"`` (default; the DDPM sampler in OU time): from t to t' < t draw y' from
the Gaussian bridge of the forward process given y_t and the Tweedie estimate
``â = e^{t} (y + Δ_t S(y, t)) = Σ_ν w_ν a_ν``:
``y' ~ N(e^{-t'} â + e^{-(t-t')} (Δ_{t'}/Δ_t) (y - e^{-t} â), Δ_{t'} (1 - e^{-2(t-t')}) / Δ_t)``; it is
exact once the posterior sits on one training point (the collapsed regime), where the
frozen-score ``"exponential"`` step of ``numerics.sde`` keeps an O(h) bias; both converge to the
same backward SDE as the step shrinks. at each cloning time ``t_k`` every main trajectory
is cloned once and the clone is run to ``t_min`` with independent noise. The final point of a
trajectory is its nearest training point at ``t_min`` (the argmax of w). Measured per t_k:

- ``phi``: class agreement of main and clone (speciation; → Σ_c p_c² at large t, → 1 at t → 0);
- ``phi_C``: same final training point (collapse analogue of φ; → 1 at t → 0);
- ``fe_dyn``: ``(1/d) mean[-ln w_final(y_main(t))]`` at the recording times. With exact reversal
  the pair (y_t, final point) has the law of (x_t, source point) of the forward process, so this
  equals f^e(t) = α - [s^e - s_Δ]: the collapse estimator applied to it must give t_C again;
- ``tau``: per-trajectory collapse time, the largest recorded t from which the trajectory's final
  point carries posterior weight ≥ ½ at every later (smaller) recorded time.
"""

from __future__ import annotations

import math

import numpy as np

from numerics import sde, validate

__all__ = ["EmpiricalScore", "cloning_run", "midpoint_crossing", "speciation_from_phi"]


class EmpiricalScore:
    """Score and posterior weights of the empirical noisy law built on training set X (n × d)."""

    def __init__(self, X: np.ndarray, chunk_bytes: int = 64 << 20):
        self.X = np.ascontiguousarray(X, dtype=float)
        self.sq = np.einsum("ij,ij->i", self.X, self.X)
        self.rows = max(1, int(chunk_bytes // (8 * 2 * self.X.shape[0])))

    def logits(self, Y: np.ndarray, t: float) -> np.ndarray:
        c = math.exp(-t)
        delta = -math.expm1(-2.0 * t)
        return (c * (Y @ self.X.T) - (0.5 * c * c) * self.sq) / delta

    def log_weights(self, Y: np.ndarray, t: float) -> np.ndarray:
        L = self.logits(Y, t)
        L -= L.max(axis=1, keepdims=True)
        L -= np.log(np.exp(L).sum(axis=1, keepdims=True))
        return L

    def __call__(self, Y: np.ndarray, t: float) -> np.ndarray:
        c = math.exp(-t)
        delta = -math.expm1(-2.0 * t)
        out = np.empty_like(Y)
        for lo in range(0, Y.shape[0], self.rows):
            L = self.logits(Y[lo:lo + self.rows], t)
            L -= L.max(axis=1, keepdims=True)
            np.exp(L, out=L)
            L /= L.sum(axis=1, keepdims=True)
            out[lo:lo + self.rows] = (c * (L @ self.X) - Y[lo:lo + self.rows]) / delta
        return out

    def nearest(self, Y: np.ndarray, t: float) -> np.ndarray:
        """Index of the training point with the largest posterior weight (nearest e^{-t} a_ν)."""
        return np.concatenate([np.argmax(self.logits(Y[lo:lo + self.rows], t), axis=1)
                               for lo in range(0, Y.shape[0], self.rows)])


def ancestral_step(y: np.ndarray, t: float, t_next: float, score: EmpiricalScore, noise: np.ndarray) -> np.ndarray:
    """One DDPM-ancestral step of the backward dynamics (module docstring)."""
    delta, delta_n = -math.expm1(-2.0 * t), -math.expm1(-2.0 * t_next)
    a_hat = math.exp(t) * (y + delta * score(y, t))
    r = -math.expm1(-2.0 * (t - t_next))          # 1 - e^{-2(t - t')}
    mean = math.exp(-t_next) * a_hat + (math.exp(-(t - t_next)) * delta_n / delta) * (y - math.exp(-t) * a_hat)
    return mean + math.sqrt(delta_n * r / delta) * noise


def cloning_run(X: np.ndarray, labels: np.ndarray, clone_times, n_traj: int, rng: np.random.Generator, *,
                T: float | None = None, t_min: float = 0.01, steps: int = 160, record_times=None,
                method: str = "ancestral") -> dict:
    """Main trajectories + one clone per trajectory per cloning time (module docstring)."""
    n, d = X.shape
    n_traj = validate.positive_int("n_traj", n_traj)
    if method not in ("ancestral",) + sde.METHODS:
        raise ValueError(f"method must be 'ancestral' or one of {sde.METHODS}, got {method!r}")
    T = 0.5 * math.log(max(d, 2) * 1.0) + 4.0 if T is None else validate.positive("T", T)
    grid = sde.time_grid(T, t_min, steps, "geometric")
    clone_times = np.asarray(clone_times, dtype=float)
    ck = np.unique([int(np.argmin(np.abs(grid - t))) for t in clone_times])
    ck = ck[(ck > 0) & (ck < grid.size - 1)]
    rec = ck if record_times is None else np.unique(np.concatenate(
        [ck, [int(np.argmin(np.abs(grid - t))) for t in np.asarray(record_times, float)]]))
    rec = rec[(rec > 0) & (rec < grid.size - 1)]
    score = EmpiricalScore(X)
    blocks = {-1: rng.standard_normal((n_traj, d))}  # -1: main; k: clone made at grid index k
    stored = {}
    for i in range(grid.size - 1):
        if i in set(rec.tolist()):
            stored[i] = blocks[-1].copy()
        if i in set(ck.tolist()):
            blocks[int(i)] = blocks[-1].copy()
        keys = list(blocks)
        Y = np.concatenate([blocks[k] for k in keys])
        if method == "ancestral":
            Y = ancestral_step(Y, float(grid[i]), float(grid[i + 1]), score, rng.standard_normal(Y.shape))
        else:
            Y = sde.backward_step(Y, float(grid[i]), float(grid[i + 1]), score, rng.standard_normal(Y.shape), method)
        for j, k in enumerate(keys):
            blocks[k] = Y[j * n_traj:(j + 1) * n_traj]
    t_end = float(grid[-1])
    final = {k: score.nearest(v, t_end) for k, v in blocks.items()}
    lab = np.asarray(labels)
    main_final = final[-1]
    same_class = np.array([lab[final[k]] == lab[main_final] for k in ck])       # K × M
    same_point = np.array([final[k] == main_final for k in ck])
    # -ln w_final along the main trajectories, and the one-pass posterior predictions
    neg_log_w = np.empty((rec.size, n_traj))
    phiC_post = np.empty(rec.size)
    classes = np.unique(lab)
    phi_post = np.empty(rec.size)
    for r, i in enumerate(rec):
        lw = score.log_weights(stored[i], float(grid[i]))
        neg_log_w[r] = -lw[np.arange(n_traj), main_final]
        w = np.exp(lw)
        phiC_post[r] = np.mean(np.sum(w * w, axis=1))
        pc = np.stack([w[:, lab == c].sum(axis=1) for c in classes], axis=1)
        phi_post[r] = np.mean(np.sum(pc * pc, axis=1))
    rec_t = grid[rec]
    collapsed = neg_log_w <= math.log(2.0)   # w_final ≥ ½
    tau = np.zeros(n_traj)
    order = np.argsort(rec_t)                   # increasing t
    for m in range(n_traj):
        c = collapsed[order, m]
        run = 0
        while run < c.size and c[run]:
            run += 1
        tau[m] = rec_t[order][run - 1] if run > 0 else 0.0
    p_c = np.array([np.mean(lab == c) for c in classes])
    return {
        "clone_t": grid[ck], "same_class": same_class, "same_point": same_point,
        "phi": same_class.mean(axis=1), "phi_err": same_class.std(axis=1, ddof=1) / math.sqrt(n_traj),
        "phi_C": same_point.mean(axis=1), "phi_C_err": same_point.std(axis=1, ddof=1) / math.sqrt(n_traj),
        "record_t": rec_t, "fe_samples": (neg_log_w / d).T, "phi_C_posterior": phiC_post,
        "phi_posterior": phi_post, "tau": tau, "phi_inf": float(np.sum(p_c ** 2)),
        "n_traj": n_traj, "T": T, "method": method, "t_min": t_min, "steps": steps, "final": main_final,
    }


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
    from scipy.optimize import brentq

    from numerics import quadrature

    p = validate.probability("p_plus", p_plus)
    level = 0.5 * (1.0 + p * p + (1 - p) * (1 - p))
    kappa = brentq(lambda k: float(quadrature.phi(np.array([k]), p)[0]) - level, 1e-3, 50.0, xtol=1e-12)
    return -0.5 * math.log(kappa)


def _crossing_boot(ts, samples, low, n_boot, rng, axis_traj=0):
    """Midpoint crossing of the mean of ``samples`` (rows = independent units) and its bootstrap error."""
    est = midpoint_crossing(ts, samples.mean(axis=0), low)
    M = samples.shape[0]
    boots = np.array([midpoint_crossing(ts, samples[rng.integers(0, M, M)].mean(axis=0), low) for _ in range(n_boot)])
    ok = np.isfinite(boots)
    return est, (float(np.std(boots[ok], ddof=1)) if ok.sum() > 2 else math.nan)


def verify_on_data(X: np.ndarray, labels: np.ndarray, rng: np.random.Generator, *, n_traj: int = 200,
                   steps: int = 80, n_clone: int = 12, n_mc: int = 2000, n_boot: int = 200,
                   method: str = "ancestral") -> dict:
    """Predictions from the data (t_S = ½ ln Λ, t_C from f^e) against the empirical-score dynamics.

    Returns a flat dict of predicted/measured pairs with errors:
    - speciation: ``t_phi`` (cloning φ midpoint, bootstrap over trajectories) vs
      ``t_phi_pred = t_S + δ_½`` (the midpoint of the universal crossover, :func:`midpoint_offset`);
    - collapse: ``t_C_dyn`` (the t_C estimator on f^e measured along trajectories as
      mean -ln w_final / d) vs ``t_C`` (forward Monte Carlo); ``t_coll_dyn`` (time where half of the
      trajectories give their final point posterior weight ≥ ½) vs ``t_coll`` (same from the forward
      samples, P(w_source ≥ ½) = ½); ``phi_C`` from clones vs ``phi_C_pred`` (forward E Σ w²)."""
    from numerics import dataset_times as DT

    n, d = X.shape
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if classes.size != 2:
        raise ValueError(f"verification needs exactly two classes, got {classes.size}")
    sp = DT.speciation(X, k=2, n_boot=n_boot, rng=rng)
    T = 0.5 * math.log(max(d, 2)) + 4.0
    ts_fwd = DT.default_time_grid(d, 48)
    clone_t = np.linspace(max(0.1, 0.15 * sp["t_S"]), min(T - 0.5, sp["t_S"] + 1.5), n_clone)
    rec_t = np.unique(np.concatenate([ts_fwd[ts_fwd < T - 0.5], clone_t]))
    L, part = DT.excess_entropy_samples(X, rec_t, n_mc, rng, participation=True)
    alpha = math.log(n) / d
    fwd = DT.collapse_time(rec_t, L, alpha, n_boot=n_boot, rng=rng)
    run = cloning_run(X, labels, clone_t, n_traj, rng, T=T, steps=steps, record_times=rec_t, method=method)
    dyn = DT.collapse_time(run["record_t"], run["fe_samples"], alpha, n_boot=n_boot, rng=rng)
    spc = speciation_from_phi(run, n_boot=n_boot, rng=rng)
    p_plus = float(np.mean(labels == classes[1]))
    delta = midpoint_offset(p_plus)
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
        "t_C": fwd["t_C"], "t_C_err": fwd["t_C_err"], "t_C_dyn": dyn["t_C"], "t_C_dyn_err": dyn["t_C_err"],
        "t_coll": t_coll, "t_coll_err": t_coll_err, "t_coll_dyn": t_coll_dyn, "t_coll_dyn_err": t_coll_dyn_err,
        "tau_quantiles": dict(zip(("q10", "q50", "q90"), np.percentile(run["tau"], [10, 50, 90]).tolist())),
        "frac_tau_above_t_C": float(np.mean(run["tau"] > fwd["t_C"])),
        "clone_t": run["clone_t"].tolist(), "phi": run["phi"].tolist(), "phi_err": run["phi_err"].tolist(),
        "phi_C": run["phi_C"].tolist(), "phi_C_err": run["phi_C_err"].tolist(),
        "phi_C_pred": phiC_pred.tolist(), "phi_C_pred_err": phiC_pred_err.tolist(),
        "record_t": rec_t.tolist(), "fe": L.mean(axis=0).tolist(), "fe_dyn": run["fe_samples"].mean(axis=0).tolist(),
    }
