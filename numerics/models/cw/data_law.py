"""The Curie–Weiss data law (THEORY §4): site fields learned from n samples, the learned model's exact
p_+, its RMS error against n/N, and the derived laws.

Estimators of (h_i, J) — or of the one global field H — from the same training sets:

- ``pl``: pseudo-likelihood (the local objective small-noise denoising score matching reduces to):
  Var Σĥ_i = N/(4 p_+ p_- n χ) (``cw.learned_sum_h_variance``), a function of n/N: needs n ≫ N;
- ``ml``: maximum likelihood of the global field H (J = β known; and the fraction of samples with
  M > 0): error √(p_+ p_-/n) (``cw.global_weight_stderr``), independent of N;
- ``dsm``: denoising score matching over a range of noise levels (:mod:`numerics.models.cw.dsm`), the
  diffusion model's own objective (issue #17).

Everything is vectorised over the repeats: all training sets of one (N, n) are drawn at once (exact
sampler, Numba), pseudo-likelihood is fitted on the sufficient counts n_i^±(M) (batched Newton,
O(N²) per iteration whatever n), ML by a vectorised monotone root, p_+ of every learned model by the
exact linear-scale ESP recursion (``kernels.p_plus_rows``).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy import optimize, special

from numerics import validate
from numerics.generated import cw as G
from numerics.models.cw import kernels as K
from numerics.models.cw.generation import generate
from numerics.models.cw.model import CurieWeiss
from numerics.results import theory

__all__ = ["sample_sets", "pl_sandwich_exact", "fit_pseudolikelihood", "fit_pseudolikelihood_sets", "fit_global_H",
           "fit_global_H_sets", "data_law_theory", "data_law_linear", "data_law_measure", "data_law_figure",
           "rms_with_stderr", "rms_of_sum_h_error", "dsm_law", "require_memory", "collapse_exponent", "FITS"]

FITS = ("pl", "ml", "dsm")
_CHUNK = 2**25  # spins per chunk of training sets (int8: 32 MB)


# ======================================================================================
# exact training sets, many at once
# ======================================================================================
@numba.njit(parallel=True, cache=True)
def _fill_sets_nb(k_up, U, out):  # pragma: no cover - compiled
    """Row (r, a): a uniformly random configuration with k_up[r, a] up spins: site i is up with
    probability (up spins left)/(sites left) — sequential sampling without replacement."""
    R, n, N = U.shape
    for r in numba.prange(R):
        for a in range(n):
            left = k_up[r, a]
            for i in range(N):
                if U[r, a, i] * (N - i) < left:
                    out[r, a, i] = 1
                    left -= 1
                else:
                    out[r, a, i] = -1


def sample_sets(model: CurieWeiss, sets: int, n: int, rng: np.random.Generator, block: int = 2**22) -> np.ndarray:
    """``sets`` independent training sets of ``n`` exact samples each: int8 array (sets, n, N).

    M from its exact law, then a uniformly random configuration with that M (as :meth:`CurieWeiss.sample`);
    the uniforms are drawn from ``rng`` in blocks (reproducible from the seed)."""
    sets = validate.positive_int("sets", sets)
    n = validate.positive_int("n", n)
    N = model.N
    Mv, P = model.magnetization_law()
    out = np.empty((sets, n, N), dtype=np.int8)
    per = max(1, block // (n * N))
    for lo in range(0, sets, per):
        hi = min(sets, lo + per)
        k_up = ((N + rng.choice(Mv, size=(hi - lo, n), p=P)) / 2).astype(np.int64)
        _fill_sets_nb(k_up, rng.random((hi - lo, n, N)), out[lo:hi])
    return out


# ======================================================================================
# pseudo-likelihood on sufficient counts
# ======================================================================================
@numba.njit(parallel=True, cache=True)
def _pl_counts_nb(S):  # pragma: no cover - compiled
    """Per set r: c[r, j] = #samples with M = 2j - N, up[r, i, j] = #samples with M = 2j - N and s_i = +1."""
    R, n, N = S.shape
    c = np.zeros((R, N + 1))
    up = np.zeros((R, N, N + 1))
    for r in numba.prange(R):
        for a in range(n):
            M = 0
            for i in range(N):
                M += S[r, a, i]
            j = (M + N) // 2
            c[r, j] += 1.0
            for i in range(N):
                if S[r, a, i] > 0:
                    up[r, i, j] += 1.0
    return c, up


@numba.njit(parallel=True, cache=True)
def _pl_newton_nb(c, up, ridge, tol, max_iter):  # pragma: no cover - compiled
    """Newton on Σ_a Σ_i ln P(s_i | s_-i) = Σ_{i,M,±} n_i^±(M) [±f - ln 2cosh f], f = h_i + J (M ∓ 1)/N
    (the conditional field of an up / down spin), with the arrowhead Hessian; one set per thread.
    tanh(h_i + b) = (tanh h_i + tanh b)/(1 + tanh h_i tanh b): one tanh per site and per M per iteration."""
    R, N, K1 = up.shape
    Hs = np.zeros((R, N))
    Js = np.ones(R)
    its = np.zeros(R, dtype=np.int64)
    for r in numba.prange(R):
        h = np.zeros(N)
        J = 1.0
        gh = np.empty(N)
        D = np.empty(N)
        b = np.empty(N)
        tb_p = np.empty(K1)
        tb_m = np.empty(K1)
        js = np.empty(K1, dtype=np.int64)
        nj = 0
        for j in range(K1):
            if c[r, j] > 0.0:
                js[nj] = j
                nj += 1
        for it in range(max_iter):
            for jj in range(nj):
                j = js[jj]
                M = 2.0 * j - N
                tb_p[j] = math.tanh(J * (M - 1.0) / N)
                tb_m[j] = math.tanh(J * (M + 1.0) / N)
            gJ = 0.0
            cc = 1e-12
            for i in range(N):
                ta = math.tanh(h[i])
                g_i = -ridge * h[i]
                D_i = ridge
                b_i = 0.0
                for jj in range(nj):
                    j = js[jj]
                    M = 2.0 * j - N
                    npl = up[r, i, j]
                    nmi = c[r, j] - npl
                    if npl > 0.0:
                        ml = (M - 1.0) / N
                        th = (ta + tb_p[j]) / (1.0 + ta * tb_p[j])
                        w = npl * (1.0 - th * th)
                        res = npl * (1.0 - th)
                        g_i += res
                        D_i += w
                        b_i += w * ml
                        gJ += res * ml
                        cc += w * ml * ml
                    if nmi > 0.0:
                        ml = (M + 1.0) / N
                        th = (ta + tb_m[j]) / (1.0 + ta * tb_m[j])
                        w = nmi * (1.0 - th * th)
                        res = -nmi * (1.0 + th)
                        g_i += res
                        D_i += w
                        b_i += w * ml
                        gJ += res * ml
                        cc += w * ml * ml
                gh[i] = g_i
                D[i] = D_i
                b[i] = b_i
            num = gJ
            den = cc
            for i in range(N):
                num -= b[i] * gh[i] / D[i]
                den -= b[i] * b[i] / D[i]
            dJ = num / den
            big = abs(dJ)
            for i in range(N):
                gh[i] = (gh[i] - b[i] * dJ) / D[i]
                big = max(big, abs(gh[i]))
            scale = 1.0 if big <= 2.0 else 2.0 / big
            for i in range(N):
                h[i] += scale * gh[i]
            J += scale * dJ
            its[r] = it + 1
            if big < tol:
                break
        for i in range(N):
            Hs[r, i] = h[i]
        Js[r] = J
    return Hs, Js, its


def fit_pseudolikelihood_sets(S: np.ndarray, ridge: float = 1e-3, tol: float = 1e-10,
                              max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo-likelihood fits of (h_i, J) for every training set of ``S`` (sets, n, N): ``(h (sets, N), J (sets,))``.

    Maximises Σ_a Σ_i ln P(s_i | s_-i) = Σ [s_i f_i - ln 2cosh f_i], f_i = h_i + J (M - s_i)/N, of
    P(s) ∝ exp(J M²/2N + Σ h_i s_i) by Newton (arrowhead Hessian; steps capped at 2; stops when the
    largest step is below ``tol``). The objective depends on the data only through the counts
    n_i^±(M) of samples with magnetization M and s_i = ±1, so an iteration costs O(N²) whatever n.
    ``ridge``: a tiny Gaussian prior (ridge·h²/2) that keeps the fit finite when a site never flips."""
    S = np.asarray(S)
    if S.ndim != 3:
        raise ValueError(f"S must have shape (sets, n, N), got {S.shape}")
    c, up = _pl_counts_nb(np.ascontiguousarray(S, dtype=np.int8))
    Hs, Js, _ = _pl_newton_nb(c, up, float(ridge), float(tol), int(max_iter))
    return Hs, Js


def fit_pseudolikelihood(S: np.ndarray, ridge: float = 1e-3, tol: float = 1e-10, max_iter: int = 100) -> tuple[np.ndarray, float]:
    """Fit site fields h_i and coupling J of P(s) ∝ exp(J M²/2N + Σ h_i s_i) from one training set
    ``S`` (n, N) by maximum pseudo-likelihood (:func:`fit_pseudolikelihood_sets` with one set)."""
    S = np.asarray(S)
    if S.ndim != 2:
        raise ValueError(f"S must have shape (n, N), got {S.shape}")
    Hs, Js = fit_pseudolikelihood_sets(np.rint(S).astype(np.int8)[None], ridge, tol, max_iter)
    return Hs[0], float(Js[0])


# ======================================================================================
# maximum likelihood of the global field
# ======================================================================================
def fit_global_H_sets(Mbar: np.ndarray, N: int, beta: float) -> np.ndarray:
    """ML global field Ĥ (J = β known) for each mean magnetization ``Mbar``: the root of E_H[M] = M̄ under
    the exact M-law (E_H[M] increases with H: bracketed bisection to 1e-12, vectorised); ±inf when |M̄| = N."""
    Mbar = np.asarray(Mbar, dtype=float)
    Mv = np.arange(-N, N + 1, 2, dtype=float)
    base = np.real(G.log_M_weight(Mv, float(N), beta, 0.0))

    def mean_M(Hs):
        lw = base[None, :] + Hs[:, None] * Mv[None, :] / N
        P = np.exp(lw - special.logsumexp(lw, axis=1, keepdims=True))
        return P @ Mv

    out = np.full(Mbar.shape, np.nan)
    inner = np.abs(Mbar) < N
    out[~inner] = np.copysign(np.inf, Mbar[~inner])
    lo = np.full(int(inner.sum()), -50.0 * N)
    hi = np.full(int(inner.sum()), 50.0 * N)
    target = Mbar[inner]
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        below = mean_M(mid) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
        if np.all(hi - lo < 1e-12 * np.maximum(1.0, np.abs(mid))):
            break
    out[inner] = 0.5 * (lo + hi)
    return out


def fit_global_H(S: np.ndarray, beta: float) -> float:
    """Maximum likelihood of the global field H (J = β known) from the sample magnetizations:
    solve E_H[M] = mean M under the exact M-law. Needs n ≫ 1 only (not n ≫ N)."""
    S = np.asarray(S, dtype=float)
    N = S.shape[1]
    Mbar = float(S.sum(axis=1).mean())
    if abs(Mbar) >= N:
        return math.copysign(math.inf, Mbar)
    Mv = np.arange(-N, N + 1, 2, dtype=float)
    base = np.real(G.log_M_weight(Mv, float(N), beta, 0.0))

    def mean_M(H):
        lw = base + H * Mv / N
        return float(np.sum(Mv * np.exp(lw - special.logsumexp(lw))))

    return float(optimize.brentq(lambda H: mean_M(H) - Mbar, -50.0 * N, 50.0 * N, xtol=1e-12))


def _p_plus_at_H(Hs: np.ndarray, N: int, beta: float) -> np.ndarray:
    """Exact p_+ of the CW model with total field H (vectorised; ±inf -> 1 or 0)."""
    Hs = np.asarray(Hs, dtype=float)
    out = np.where(Hs > 0, 1.0, 0.0)
    fin = np.isfinite(Hs)
    Mv = np.arange(-N, N + 1, 2, dtype=float)
    base = np.real(G.log_M_weight(Mv, float(N), beta, 0.0))
    lw = base[None, :] + Hs[fin, None] * Mv[None, :] / N
    P = np.exp(lw - special.logsumexp(lw, axis=1, keepdims=True))
    out[fin] = P[:, Mv > 0].sum(axis=1) + 0.5 * P[:, Mv == 0].sum(axis=1)
    return out


def pl_sandwich_exact(model: CurieWeiss) -> float:
    """n · Var Σĥ_i of pseudo-likelihood as n → ∞ at finite N, exactly (no two-state approximation).

    With uniform fields the PL estimating function's (δ, J) components depend on a sample only through
    its magnetization M = 2k - N: the k up spins have conditional field f_+ = h + J(M - 1)/N, the others
    f_- = h + J(M + 1)/N, so g_δ = k(1 - tanh f_+) - (N - k)(1 + tanh f_-), g_J the same weighted by
    (M ∓ 1)/N, and the Hessian Σ_i sech² f_i (1, m_-i)(1, m_-i)ᵀ likewise. The sandwich
    N² [A⁻¹ B A⁻¹]_{δδ} is a finite sum over the exact M-law (the uniform mode is an eigenvector by
    exchangeability). It tends to N/(4 p_+ p_- χ) (``cw.learned_sum_h_variance``) as N → ∞."""
    M, P = model.magnetization_law()
    N, J, h = model.N, model.beta, model.h
    k = (N + M) / 2
    ml_p, ml_m = (M - 1) / N, (M + 1) / N
    tp, tm = np.tanh(h + J * ml_p), np.tanh(h + J * ml_m)
    g = np.stack([k * (1 - tp) - (N - k) * (1 + tm), k * (1 - tp) * ml_p - (N - k) * (1 + tm) * ml_m])
    A = np.zeros((2, 2))
    for w, t_, ml in ((P * k, tp, ml_p), (P * (N - k), tm, ml_m)):
        q = w * (1 - t_ * t_)
        A += np.array([[q.sum(), (q * ml).sum()], [(q * ml).sum(), (q * ml * ml).sum()]])
    B = (g * P) @ g.T
    Ai = np.linalg.inv(A)
    return float(N * N * (Ai @ B @ Ai)[0, 0])


def rms_with_stderr(err: np.ndarray) -> tuple[float, float]:
    """RMS of ``err`` over repeats and its standard error by the delta method,
    se(√(mean e²)) = sd(e²)/(√R · 2 RMS)."""
    sq = np.square(np.asarray(err, dtype=float))
    mse = float(sq.mean())
    rms = math.sqrt(mse)
    se = float(sq.std(ddof=1) / math.sqrt(sq.size) / (2 * rms)) if mse > 0 and sq.size > 1 else 0.0
    return rms, se


def rms_of_sum_h_error(var, p_plus: float, m: float) -> np.ndarray:
    """RMS error of p̂_+ when Σ_i ĥ_i = H + ε, ε ~ N(0, var): sqrt(E[(σ(logit p_+ + 2mε) - p_+)²]) (the state
    weights' log-ratio is 2 m Σ_i h_i, ``cw.log_weight_ratio_asymptotic``), by 120-point Gauss–Hermite: exact in
    the nonlinearity of p̂_+ in ε (no linearisation)."""
    var = np.asarray(var, dtype=float)
    logit = math.log(p_plus / (1 - p_plus))
    z, w = np.polynomial.hermite_e.hermegauss(120)
    w = w / w.sum()
    arg = logit + 2 * m * np.sqrt(var)[..., None] * z
    return np.sqrt(((special.expit(arg) - p_plus) ** 2) @ w)


def data_law_theory(n_over_N, model: CurieWeiss, *, finite_N: bool = False) -> np.ndarray:
    """RMS error of p̂_+ of pseudo-likelihood fields: Σ_i ĥ_i = H + ε, ε ~ N(0, N/(4 p_+ p_- n χ))
    (``cw.learned_sum_h_variance``), through :func:`rms_of_sum_h_error`; a function of n/N only. ``finite_N``:
    m*, χ replaced by their exact finite-N state values (``state_moments``)."""
    r = np.asarray(n_over_N, dtype=float)
    p = model.p_plus
    m, chi = model.state_moments() if finite_N else (model.m_star, model.chi)
    var = theory("cw.learned_sum_h_variance")(1.0, r, chi, p)  # N/n = 1/r
    return rms_of_sum_h_error(var, p, m)


def data_law_linear(n_over_N, model: CurieWeiss) -> np.ndarray:
    """Linearised law m* sqrt(p_+ p_- N/(nχ)) (``cw.p_plus_error_linear``)."""
    r = np.asarray(n_over_N, dtype=float)
    return theory("cw.p_plus_error_linear")(1.0, r, model.m_star, model.chi, model.p_plus)


def dsm_law(n, model: CurieWeiss, sched, *, finite_N: bool = True) -> dict:
    """The DSM data law (``cw.dsm_sum_h_variance`` with the curvature ratio r of the schedule): Var Σĥ_i and
    the RMS error of p̂_+ (:func:`rms_of_sum_h_error`); ``finite_N`` as in :func:`data_law_theory`."""
    from numerics.models.cw.dsm import law_sum_h_variance

    d = law_sum_h_variance(model, sched, n, finite_N=finite_N)
    d["rms"] = rms_of_sum_h_error(d["var"], d["p_plus"], d["m"])
    return d


def require_memory(Ns, ratios, beta: float, H: float, repeats: int, fits=("pl", "ml"), generate_samples: int = 0,
                   max_rows: int = 65536) -> None:
    """Refuse (before allocating) a data-law run whose working set at some (N, n) exceeds the memory budget.

    Per (N, n = ratio·N): the exact M-law, the training sets held at once (int8; all ``repeats`` of them for
    DSM, else chunks of ``_CHUNK`` spins) with the sampler's block of uniforms, the pseudo-likelihood counts
    (2 (N + 1) N floats per set) and the magnetizations; for DSM the rows of one gradient pass (at most
    ``max_rows`` noisy points: the data, the noisy points, the noise, the means and the gradients, 8 arrays of
    ``max_rows`` × (N + 1) floats); with ``generate_samples`` the generation
    (:func:`numerics.models.cw.generation.require_memory`)."""
    from numerics.engine import memory
    from numerics.models.cw.generation import require_memory as require_generation

    F = memory.FLOAT
    for N in Ns:
        memory.require(8.0 * F * (N + 1), "the magnetization law", N=N)
        for ratio in ratios:
            n = max(2, int(round(ratio * N)))
            sets = repeats if "dsm" in fits else max(1, min(repeats, _CHUNK // (n * N)))
            need = (sets * n * N + F * min(2**22, sets * n * N) + 2.0 * F * sets * N * (N + 1)
                    + F * repeats * n + 2.0 * F * repeats * (N + 1))
            memory.require(need, "the training sets", ratios=ratio, N=N, repeats=repeats)
            if "dsm" in fits:
                rows = min(2 * n * repeats, max(max_rows, 2 * n))
                memory.require(need + 8.0 * F * rows * (N + 1), "the DSM gradient rows", ratios=ratio, N=N)
        if generate_samples:
            require_generation(CurieWeiss(N, beta, H), generate_samples, 240)


def data_law_measure(Ns, ratios, beta: float, H: float, repeats: int, rng: np.random.Generator, *,
                     fits=("pl", "ml"), dsm_schedule=None, dsm_burn: int = 4, dsm_average: int = 16,
                     max_average: int = 256, generate_samples: int = 0, progress: bool = False) -> dict:
    """RMS error of the learned model's p_+ against n/N, for each estimator in ``fits``.

    For each (N, n = ratio·N), ``repeats`` training sets of n exact samples are drawn at once; on each:
    ``pl``: pseudo-likelihood fields (h_i, J) (:func:`fit_pseudolikelihood_sets`), p̂_+ exact (ESP recursion);
    ``ml``: the ML global field Ĥ (:func:`fit_global_H_sets`) and the fraction of samples with M > 0
    (``rms_frac``); ``dsm``: denoising score matching over ``dsm_schedule`` (:func:`numerics.models.cw.dsm.fit_dsm_sets`,
    started from the pseudo-likelihood fit). Each row: ``rms_<fit>``, ``rms_<fit>_stderr`` (delta method), the
    variance of Σĥ_i over the repeats, and the derived laws: ``law`` (pseudo-likelihood, m*, χ),
    ``law_finite_N`` (exact finite-N state moments), ``law_linear``, ``law_ml`` (√(p_+p_-/n)) and, with dsm,
    ``law_dsm`` (``cw.dsm_sum_h_variance``; finite-N state moments), ``r_dsm`` and ``dsm_opt_var_fraction``
    (the share of the measured Var Σĥ_i that the optimiser's finite averaging leaves). With
    ``generate_samples`` > 0 the first pseudo-likelihood fit also generates that many samples."""
    fits = tuple(fits)
    bad = [f for f in fits if f not in FITS]
    if bad or not fits:
        raise ValueError(f"fit must be among {FITS}, got {list(fits)!r}")
    repeats = validate.positive_int("repeats", repeats)
    if repeats < 2:
        raise ValueError(f"repeats must be >= 2, got {repeats}")
    if "dsm" in fits and dsm_schedule is None:
        raise ValueError("fit dsm needs a noise schedule (dsm_schedule)")
    Ns = [validate.positive_int("N", N) for N in np.atleast_1d(Ns).tolist()]
    ratios = [validate.positive("ratios", r) for r in np.atleast_1d(ratios).tolist()]
    generate_samples = validate.integer("generate", generate_samples, 0)
    if generate_samples and "pl" not in fits:
        raise ValueError("generate: samples are generated with the pseudo-likelihood score; add pl to the fits")
    points = [(N, r) for N in Ns for r in ratios]
    require_memory(Ns, ratios, beta, H, repeats, fits, generate_samples)  # every point, before any work
    data_rng, fit_rng = rng.spawn(2)  # the same training sets whatever the estimators
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(points), desc="cw data law", leave=False)
    rows = []
    for N, ratio in points:
        model = CurieWeiss(N, beta, H)
        p_true = model.p_plus
        m_n, chi_n = model.state_moments()
        n = max(2, int(round(ratio * N)))
        row: dict = {"N": N, "n": n, "n_over_N": n / N, "p_plus": p_true}
        # training sets in chunks (memory), all of them kept only for DSM
        per = repeats if "dsm" in fits else max(1, _CHUNK // (n * N))
        keep, Hs, Js, Ms = [], [], [], []
        for lo in range(0, repeats, per):
            S = sample_sets(model, min(per, repeats - lo), n, data_rng)
            if "pl" in fits or "dsm" in fits:
                h_, J_ = fit_pseudolikelihood_sets(S)
                Hs.append(h_)
                Js.append(J_)
            Ms.append(S.sum(axis=2, dtype=np.int64))
            if "dsm" in fits:
                keep.append(S)
        pl = (np.concatenate(Hs), np.concatenate(Js)) if Hs else None
        if "pl" in fits:
            e = K.p_plus_rows(pl[0], pl[1]) - p_true
            row["rms_pl"], row["rms_pl_stderr"] = rms_with_stderr(e)
            sh = pl[0].sum(axis=1) - H
            row["var_sum_h_pl"], row["var_sum_h_pl_stderr"] = float(sh.var(ddof=1)), float(sh.var(ddof=1) * math.sqrt(2 / (repeats - 1)))
            row["law"] = float(data_law_theory(n / N, model))
            row["law_finite_N"] = float(data_law_theory(n / N, model, finite_N=True))
            row["law_linear"] = float(data_law_linear(n / N, model))
            row["law_var_sum_h_pl"] = float(theory("cw.learned_sum_h_variance")(float(N), float(n), chi_n, p_true))
            if generate_samples:
                g = generate(model, generate_samples, fit_rng, fields=pl[0][0], J=float(pl[1][0]))
                row.update(p_plus_generated=g["p_plus"], p_plus_generated_stderr=g["p_plus_stderr"],
                           p_plus_learned_exact=float(K.p_plus_of_fields(pl[0][0], float(pl[1][0]))))
        if "ml" in fits:
            M = np.concatenate(Ms)
            frac = np.mean((M > 0) + 0.5 * (M == 0), axis=1)
            row["rms_frac"], row["rms_frac_stderr"] = rms_with_stderr(frac - p_true)
            Hml = fit_global_H_sets(M.mean(axis=1), N, beta)
            row["rms_ml"], row["rms_ml_stderr"] = rms_with_stderr(_p_plus_at_H(Hml, N, beta) - p_true)
            row["law_ml"] = float(theory("cw.global_weight_stderr")(float(n), p_true))
        if "dsm" in fits:
            from numerics.models.cw.dsm import fit_dsm_sets

            res = fit_dsm_sets(keep[0], dsm_schedule, fit_rng, init=pl, burn=dsm_burn, average=dsm_average,
                               max_average=max_average, progress=progress)
            e = K.p_plus_rows(res["h"], res["J"]) - p_true
            row["rms_dsm"], row["rms_dsm_stderr"] = rms_with_stderr(e)
            sh = res["h"].sum(axis=1) - H
            v = float(sh.var(ddof=1))
            row["var_sum_h_dsm"], row["var_sum_h_dsm_stderr"] = v, v * math.sqrt(2 / (repeats - 1))
            law = dsm_law(float(n), model, dsm_schedule)
            row["law_dsm"] = float(law["rms"])
            row["law_var_sum_h_dsm"] = float(law["var"])
            row["r_dsm"] = float(law["r"])
            row["dsm_opt_var"] = float(np.mean(res["opt_var_sum_h"]))
            row["dsm_epochs"] = int(res["averaged"])
            row["dsm_opt_var_fraction"] = float(np.mean(res["opt_var_sum_h"]) / v) if v > 0 else 0.0
        rows.append(row)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    out = {"beta": beta, "H": H, "repeats": repeats, "fits": list(fits), "rows": rows}
    if "dsm" in fits:
        out["dsm"] = {"t0": dsm_schedule.t0, "t1": dsm_schedule.t1, "weight": dsm_schedule.weight,
                      "burn": dsm_burn, "average": dsm_average, "max_average": max_average}
    return out


def collapse_exponent(result: dict, fit: str = "dsm", min_ratio: float = 4.0) -> dict:
    """Which variable the RMS errors of ``fit`` collapse in: the exponent c of N at fixed n.

    Weighted least squares of ln RMS = a + b ln n + c ln N over the rows of ``result`` (a
    :func:`data_law_measure` payload with several N) with n/N ≥ ``min_ratio`` (the asymptotic regime), weights
    (RMS/stderr)² (the stderr of ln RMS is stderr/RMS). c = ½ is an n/N law (the pseudo-likelihood law
    √(N/n)), c = 0 an n law (the ML law √(p_+p_-/n)). ``c_law``: the same fit to the derived law of the rows
    (``law_finite_N``, ``law_ml`` or ``law_dsm``, same rows and weights), which also carries the drift of the
    finite-N state moments m, χ with N. Returns b, c, their standard errors, χ² and degrees of freedom."""
    key = f"rms_{fit}"
    law_key = {"pl": "law_finite_N", "ml": "law_ml", "dsm": "law_dsm"}[fit]
    rows = [r for r in result["rows"] if key in r and r["n_over_N"] >= min_ratio and r[key] > 0]
    if len({r["N"] for r in rows}) < 2 or len(rows) < 4:
        raise ValueError(f"collapse_exponent needs rows of at least two N (n/N >= {min_ratio:g}), got {len(rows)}")
    y = np.log([r[key] for r in rows])
    w = np.array([(r[key] / r[f"{key}_stderr"]) ** 2 for r in rows])
    X = np.column_stack([np.ones(len(rows)), np.log([r["n"] for r in rows]), np.log([r["N"] for r in rows])])
    A = X.T @ (w[:, None] * X)
    coef = np.linalg.solve(A, X.T @ (w * y))
    cov = np.linalg.inv(A)
    law = np.linalg.solve(A, X.T @ (w * np.log([r[law_key] for r in rows])))
    chi2 = float(np.sum(w * (y - X @ coef) ** 2))
    return {"fit": fit, "b": float(coef[1]), "b_stderr": float(math.sqrt(cov[1, 1])), "c": float(coef[2]),
            "c_stderr": float(math.sqrt(cov[2, 2])), "c_law": float(law[2]), "chi2": chi2, "dof": len(rows) - 3,
            "rows": len(rows), "min_ratio": float(min_ratio)}


def data_law_figure(result: dict, path: str, *, extra: list[dict] | None = None) -> str:
    """RMS error of the learned p_+ against n/N (left) and n (right), in the regimes style.

    Every estimator measured in ``result`` (pseudo-likelihood, ML global field, DSM) for each N, with
    error bars (standard errors of the RMS) and the derived laws dashed (finite-N state moments):
    pseudo-likelihood ``cw.learned_sum_h_variance``, ML ``cw.global_weight_stderr``, DSM
    ``cw.dsm_sum_h_variance``. Curves that collapse in the left panel obey an n/N law (need n ≫ N), in
    the right panel an n law (the ML law). ``extra``: further results (e.g. other DSM noise ranges), one
    row of two panels each, below the first. Written atomically to ``path``
    (:func:`numerics.verify.figures.savefig`); returns the path."""
    import matplotlib.pyplot as plt

    from numerics.verify.figures import new_axes, savefig

    results = [result] + list(extra or [])
    fig, axes = new_axes(ncols=2, width=5.6, height=4.2 * len(results))
    if len(results) > 1:  # one row per result: rebuild the grid
        plt.close(fig)
        fig, axes = plt.subplots(len(results), 2, figsize=(11.2, 3.9 * len(results)), constrained_layout=True,
                                 squeeze=False)
    axes = np.atleast_2d(axes)
    markers = {"pl": "o", "ml": "x", "dsm": "s"}
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = {"pl": colours[0], "ml": colours[1], "dsm": colours[2]}
    for row, res in zip(axes, results):
        dsm = res.get("dsm")
        Ns = sorted({r["N"] for r in res["rows"]})
        for fit in res.get("fits", ["pl", "ml"]):
            label = {"pl": "pseudo-likelihood", "ml": "ML global $H$"}.get(fit) or \
                f"DSM $t\\in[{dsm['t0']:g},{dsm['t1']:g}]$ ({dsm['weight']})"
            law_key = {"pl": "law_finite_N", "ml": "law_ml", "dsm": "law_dsm"}[fit]
            for j, N in enumerate(Ns):
                rr = sorted((r for r in res["rows"] if r["N"] == N and f"rms_{fit}" in r), key=lambda r: r["n"])
                if not rr:
                    continue
                shade = 0.35 + 0.65 * (j + 1) / len(Ns)
                for ax, xkey in zip(row, ("n_over_N", "n")):
                    x = [r[xkey] for r in rr]
                    ax.errorbar(x, [r[f"rms_{fit}"] for r in rr], yerr=[r[f"rms_{fit}_stderr"] for r in rr],
                                marker=markers[fit], ls="", color=colour[fit], alpha=shade, ms=3 + 1.5 * j,
                                label=f"{label}, $N={N}$" if ax is row[0] else None)
                    ax.plot(x, [r[law_key] for r in rr], "--", color=colour[fit], lw=0.8, alpha=shade)
        for ax, lab in zip(row, ("$n / N$", "$n$")):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(lab)
        row[0].set_ylabel(r"RMS error of the learned $\hat p_+$")
        row[0].legend(loc="lower left", fontsize=6, ncol=3)  # errors fall with n: the lower left corner is empty
        tag = f"DSM $t\\in[{dsm['t0']:g},{dsm['t1']:g}]$: " if dsm else ""
        row[0].set_title(tag + r"against $n/N$ (collapse: the $n \gg N$ law)", fontsize=9)
        row[1].set_title(tag + r"against $n$ (collapse: the ML law)", fontsize=9)
    fig.suptitle(f"Curie–Weiss data law ($\\beta={result['beta']:g}$, $H={result['H']:g}$, seed {result.get('seed', '?')}); "
                 "dashed: derived laws", fontsize=9)
    savefig(fig, path)  # atomic; a symlink planted at path is replaced, never followed
    plt.close(fig)
    return str(path)
