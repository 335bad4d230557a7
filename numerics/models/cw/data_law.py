"""The Curie–Weiss data law (THEORY §4): site fields learned from n samples by pseudo-likelihood
(the local objective small-noise denoising score matching reduces to), the learned model's exact
p_+, its RMS error against n/N, the derived law Var Σĥ_i = N/(4 p_+ p_- n χ), and the contrast with
maximum likelihood of the global field (which does not need n ≫ N)."""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

from numerics.generated import cw as G
from numerics.models.cw import kernels as K
from numerics.models.cw.generation import generate
from numerics.models.cw.model import CurieWeiss
from numerics.results import theory

__all__ = ["fit_pseudolikelihood", "fit_global_H", "data_law_theory", "data_law_linear",
           "data_law_measure", "data_law_figure"]


def fit_pseudolikelihood(S: np.ndarray, ridge: float = 1e-3, tol: float = 1e-10, max_iter: int = 100) -> tuple[np.ndarray, float]:
    """Fit site fields h_i and coupling J of P(s) ∝ exp(J M²/2N + Σ h_i s_i) by maximising
    Σ_a Σ_i ln P(s_i | s_{-i}) = Σ [s_i f_i - ln 2cosh f_i], f_i = h_i + J (M - s_i)/N (Newton;
    the Hessian is an arrowhead matrix). This is the local conditional objective that
    small-noise denoising score matching reduces to (README); ``ridge`` ~ a tiny Gaussian prior."""
    S = np.asarray(S, dtype=float)
    n, N = S.shape
    mloc = (S.sum(axis=1, keepdims=True) - S) / N  # m_{-i}
    h = np.zeros(N)
    J = 1.0
    for _ in range(max_iter):
        f = h[None, :] + J * mloc
        th = np.tanh(f)
        r = S - th
        w = 1.0 - th * th
        gh = r.sum(axis=0) - ridge * h
        gJ = float(np.sum(r * mloc))
        D = w.sum(axis=0) + ridge
        b = np.sum(w * mloc, axis=0)
        c = float(np.sum(w * mloc * mloc)) + 1e-12
        dJ = (gJ - np.sum(b * gh / D)) / (c - np.sum(b * b / D))
        dh = (gh - b * dJ) / D
        scale = 1.0
        big = max(np.max(np.abs(dh)), abs(dJ))
        if big > 2.0:
            scale = 2.0 / big
        h += scale * dh
        J += scale * dJ
        if big < tol:
            break
    return h, float(J)


def fit_global_H(S: np.ndarray, beta: float) -> float:
    """Maximum likelihood of the global field H (J = β known) from the sample magnetizations:
    solve E_H[M] = mean M under the exact M-law. Needs n ≫ 1 only (not n ≫ N)."""
    N = S.shape[1]
    Mbar = float(S.sum(axis=1).mean())
    Mv = np.arange(-N, N + 1, 2, dtype=float)
    base = np.real(G.log_M_weight(Mv, float(N), beta, 0.0))

    def mean_M(H):
        lw = base + H * Mv / N
        return float(np.sum(Mv * np.exp(lw - special.logsumexp(lw))))

    if abs(Mbar) >= N:
        return math.copysign(math.inf, Mbar)
    return float(optimize.brentq(lambda H: mean_M(H) - Mbar, -50.0 * N, 50.0 * N, xtol=1e-12))


def data_law_theory(n_over_N, model: CurieWeiss, *, finite_N: bool = False) -> np.ndarray:
    """RMS error of p̂_+ when Σ_i ĥ_i = H + ε, ε ~ N(0, N/(4 p_+ p_- n χ)) (``cw.learned_sum_h_variance``):
    sqrt(E[(σ(logit p_+ + 2m*ε) - p_+)²]) by Gauss–Hermite; a function of n/N only. ``finite_N``:
    m*, χ replaced by their exact finite-N state values (``state_moments``)."""
    r = np.asarray(n_over_N, dtype=float)
    p = model.p_plus
    m, chi = model.state_moments() if finite_N else (model.m_star, model.chi)
    var = theory("cw.learned_sum_h_variance")(1.0, r, chi, p)  # N/n = 1/r
    logit = math.log(p / (1 - p))
    z, w = np.polynomial.hermite_e.hermegauss(120)
    w = w / w.sum()
    arg = logit + 2 * m * np.sqrt(var)[..., None] * z
    return np.sqrt(((special.expit(arg) - p) ** 2) @ w)


def data_law_linear(n_over_N, model: CurieWeiss) -> np.ndarray:
    """Linearised law m* sqrt(p_+ p_- N/(nχ)) (``cw.p_plus_error_linear``)."""
    r = np.asarray(n_over_N, dtype=float)
    return theory("cw.p_plus_error_linear")(1.0, r, model.m_star, model.chi, model.p_plus)


def data_law_measure(Ns, ratios, beta: float, H: float, repeats: int, rng: np.random.Generator,
                     *, generate_samples: int = 0, progress: bool = False) -> dict:
    """For each (N, n = ratio·N): draw n exact samples, fit (h_i, J) by pseudo-likelihood, compute the
    learned model's exact p̂_+ (ESP recursion) and, for contrast, the ML global-weight estimates
    (fraction of samples with M > 0, and p_+ at the ML Ĥ). RMS errors over ``repeats`` training sets,
    with their standard errors. With ``generate_samples`` > 0 the first fit is also used to generate
    that many samples with the learned score (generated p_+ vs the learned model's exact p̂_+).

    Every (N, ratio) is checked first: ``ValueError`` for invalid sizes, or a run whose training samples
    (or generated samples) exceed the memory budget, before any work. ``progress``: a tqdm bar over the fits."""
    from tqdm.auto import tqdm

    from numerics import validate
    from numerics.engine import memory
    from numerics.models.cw.generation import require_memory

    Ns = [validate.positive_int("N", N) for N in np.atleast_1d(Ns).tolist()]
    ratios = [validate.positive("ratios", r) for r in np.atleast_1d(ratios).tolist()]
    repeats = validate.positive_int("repeats", repeats)
    if repeats < 2:
        raise ValueError(f"repeats must be >= 2 (an RMS error needs two training sets), got {repeats}")
    generate_samples = validate.integer("generate", generate_samples, 0)
    for N in Ns:
        probe = CurieWeiss(N, beta, H)
        memory.require(8.0 * memory.FLOAT * (N + 1), "the magnetization law", N=N)
        for ratio in ratios:
            n = max(2.0, round(ratio * N))
            memory.require(probe.sample_bytes(n) + 6.0 * memory.FLOAT * n * N, "the training samples",
                           ratios=ratio, N=N)
        if generate_samples:
            require_memory(probe, generate_samples, 240)
    bar = tqdm(total=len(Ns) * len(ratios) * repeats, desc="cw data law", disable=not progress, leave=False)
    rows = []
    for N in Ns:
        model = CurieWeiss(int(N), beta, H)
        p_true = model.p_plus
        for ratio in ratios:
            n = max(2, int(round(ratio * N)))
            e_pl, e_frac, e_ml = [], [], []
            gen = None
            for rep in range(repeats):
                S = model.sample(n, rng)
                h, J = fit_pseudolikelihood(S)
                p_hat = K.p_plus_of_fields(h, J)
                e_pl.append(p_hat - p_true)
                M = S.sum(axis=1)
                e_frac.append(float(np.mean((M > 0) + 0.5 * (M == 0))) - p_true)
                H_ml = fit_global_H(S, beta)
                e_ml.append((CurieWeiss(int(N), beta, H_ml).p_plus if math.isfinite(H_ml) else float(H_ml > 0)) - p_true)
                if generate_samples and rep == 0:
                    g = generate(model, generate_samples, rng, fields=h, J=J)
                    gen = {"p_plus_generated": g["p_plus"], "p_plus_generated_stderr": g["p_plus_stderr"],
                           "p_plus_learned_exact": p_hat}
                bar.update(1)
            row = {"N": int(N), "n": n, "n_over_N": n / N, "p_plus": p_true}
            for key, e in (("pl", e_pl), ("frac", e_frac), ("ml", e_ml)):
                sq = np.square(e)
                mse = float(sq.mean())
                row[f"rms_{key}"] = math.sqrt(mse)
                row[f"rms_{key}_stderr"] = float(sq.std(ddof=1) / math.sqrt(len(sq)) / (2 * math.sqrt(mse))) if mse > 0 else 0.0
            row["law"] = float(data_law_theory(n / N, model))
            row["law_finite_N"] = float(data_law_theory(n / N, model, finite_N=True))
            row["law_linear"] = float(data_law_linear(n / N, model))
            if gen:
                row.update(gen)
            rows.append(row)
    bar.close()
    return {"beta": beta, "H": H, "repeats": repeats, "rows": rows}


def data_law_figure(result: dict, path: str) -> str:
    """Learned-score p_+ error vs n/N for each N, with the derived law (and the ML global weight
    for contrast); matplotlib Agg, written to ``path``."""
    import matplotlib.pyplot as plt

    from numerics.verify.figures import new_axes, savefig

    rows = result["rows"]
    fig, ax = new_axes(width=6.0, height=4.2)
    Ns = sorted({r["N"] for r in rows})
    for N in Ns:
        rr = [r for r in rows if r["N"] == N]
        x = [r["n_over_N"] for r in rr]
        ax.errorbar(x, [r["rms_pl"] for r in rr], yerr=[r["rms_pl_stderr"] for r in rr], marker="o", ls="", label=f"learned fields, $N={N}$")
        ax.plot(x, [r["rms_ml"] for r in rr], marker="x", ls=":", alpha=0.6, label=f"ML global $H$, $N={N}$")
    xs = np.geomspace(min(r["n_over_N"] for r in rows), max(r["n_over_N"] for r in rows), 200)
    for N in Ns:
        ax.plot(xs, data_law_theory(xs, CurieWeiss(N, result["beta"], result["H"]), finite_N=True), "--", lw=0.8, color="0.5")
    model = CurieWeiss(max(Ns), result["beta"], result["H"])
    ax.plot(xs, data_law_theory(xs, model), "k-",
            label=r"derived law, $N\to\infty$: $\sqrt{\mathbb{E}(\hat p_+ - p_+)^2}$ at $\mathrm{Var}\sum_i\hat h_i = N/(4p_+p_-n\chi)$")
    ax.plot([], [], "--", color="0.5", label=r"derived law with the finite-$N$ $m^*$, $\chi$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("$n / N$")
    ax.set_ylabel(r"RMS error of $\hat p_+$")
    ax.set_title(f"Curie–Weiss data law ($\\beta={result['beta']:g}$, $H={result['H']:g}$)")
    ax.legend(loc="lower left")  # errors fall with n/N: the lower left corner is empty
    savefig(fig, path)  # atomic; a symlink planted at path is replaced, never followed
    plt.close(fig)
    return str(path)

