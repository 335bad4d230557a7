"""Curie–Weiss commands (declared in :mod:`numerics.models.cw.cli`): the theory table ``regimes cw``,
``regimes simulate generate`` and ``regimes simulate cw-data-law``, and the model of
``regimes simulate --model cw``."""

from __future__ import annotations

import time

import numpy as np

from numerics import validate
from numerics.cli import emit, progress_wanted
from numerics.models.cw import kernels as K
from numerics.models.cw.data_law import data_law_figure, data_law_measure, fit_pseudolikelihood
from numerics.models.cw.generation import generate, magnetization_histogram, require_memory
from numerics.models.cw.model import CurieWeiss
from numerics.tables import default_times


def cw_table(N, beta, H=0.0, t=None) -> dict:
    """The ``regimes cw`` payload (keys: m_star, chi, chi_finite_N, p_plus, p_minus, p_plus_asymptotic,
    Lambda, Lambda_asymptotic, t_S, t_bimodal, t_source, t, kappa, phi).

    p_± ∈ [0, 1] and Λ ≥ 0 from log-weights; ``chi`` is +inf (``"Infinity"``) at β = 1 with the finite-N
    value in ``chi_finite_N``; ``t_bimodal`` is null when the μ-measure never turns bimodal (β ≤ 1);
    default times t_S × (0.25 … 1.5), or 0.25 … 1.5 when t_S ≤ 0 (``t_source``)."""
    model = CurieWeiss(validate.positive_int("N", N), validate.positive("beta", beta), validate.as_float("H", H))
    if t is not None:
        ts, source = validate.times("t", t), "given"
    else:
        ts, source = default_times(model.t_S)
    tb = model.t_bimodal
    return {
        "N": model.N, "beta": model.beta, "H": model.H, "h": model.h,
        "m_star": model.m_star, "chi": model.chi, "chi_finite_N": model.chi_finite_N,
        "p_plus": model.p_plus, "p_minus": model.p_minus, "p_plus_asymptotic": model.p_plus_asymptotic,
        "mean_abs_m": model.mean_abs_m,
        "Lambda": model.Lambda, "Lambda_asymptotic": model.Lambda_asymptotic, "t_S": model.t_S,
        "t_bimodal": tb if np.isfinite(tb) else None, "t_source": source,
        "t": ts.tolist(), "kappa": np.asarray(model.kappa(ts)).tolist(), "phi": np.asarray(model.phi(ts)).tolist(),
    }


def _table(o: dict) -> str:
    lines = [f"Curie–Weiss  N={o['N']}  beta={o['beta']:g}  H={o['H']:g}  (h = H/N = {o['h']:.6g})", ""]
    for k, label in (("m_star", "m* (h=0)"), ("chi", "chi"), ("chi_finite_N", "Var(|M|)/N (finite N)"),
                     ("p_plus", "p_+ (exact, finite N)"), ("p_minus", "p_- (exact, finite N)"),
                     ("p_plus_asymptotic", "p_+ = 1/(1+e^{-2Hm*})"), ("mean_abs_m", "<|m|>"),
                     ("Lambda", "Lambda = Var(M)/N"), ("Lambda_asymptotic", "chi + 4p+p- N m*^2"),
                     ("t_S", "t_S = ½ ln Λ"), ("t_bimodal", "t_B (μ-measure bimodal)")):
        v = o[k]
        lines.append(f"  {label:<26} = {v:.10g}" if v is not None else f"  {label:<26} = -")
    lines += ["", f"  {'t':>12} {'t/t_S':>10} {'kappa':>14} {'phi_CW':>14}"]
    for i, t in enumerate(o["t"]):
        lines.append(f"  {t:12.6g} {t / o['t_S'] if o['t_S'] > 0 else float('nan'):10.4f} {o['kappa'][i]:14.8g} {o['phi'][i]:14.10f}")
    return "\n".join(lines)


def run_cw(ns) -> int:
    """``regimes cw``: the table or ``--json``."""
    o = cw_table(ns.N, ns.beta, ns.H, ns.t)
    emit(o, ns.json, _table(o))
    return 0


def generate_cw(N, beta, H, samples, seed, score="exact", n_train=None, steps=240, histogram=False,
                progress=False) -> dict:
    """The ``regimes simulate generate`` payload: backward generation with the exact, saddle or learned
    score; generated p_+ and <|m|> with standard errors beside the exact finite-N values. Refused before
    allocating when the run exceeds the memory budget."""
    model = CurieWeiss(validate.positive_int("N", N), validate.positive("beta", beta), validate.as_float("H", H))
    samples = validate.positive_int("samples", samples)
    seed = validate.seed("seed", seed)
    steps = validate.positive_int("steps", steps)
    if score not in ("exact", "saddle", "learned"):
        raise ValueError(f"score must be 'exact', 'saddle' or 'learned', got {score!r}")
    if score == "learned":
        if n_train is None:
            raise ValueError("n-train: --score learned needs --n-train (training samples, >= 2)")
        n_train = validate.positive_int("n-train", n_train)
        if n_train < 2:
            raise ValueError(f"n-train must be >= 2, got {n_train}")
    require_memory(model, samples, steps, n_train if score == "learned" else 0)
    rng = np.random.default_rng(seed)
    out: dict = {"model": "cw", "N": model.N, "beta": model.beta, "H": model.H, "samples": samples, "seed": seed,
                 "score": score, "steps": steps}
    fields, J = None, None
    if score == "learned":
        S = model.sample(n_train, rng)
        fields, J = fit_pseudolikelihood(S)
        out.update(n_train=n_train, J_hat=J, sum_h_hat=float(fields.sum()),
                   p_plus_learned_exact=K.p_plus_of_fields(fields, J))
        Mt = S.sum(axis=1)
        out["p_plus_ml_fraction"] = float(np.mean((Mt > 0) + 0.5 * (Mt == 0)))
    t0 = time.perf_counter()
    g = generate(model, samples, rng, score="exact" if score == "learned" else score, fields=fields, J=J, steps=steps,
                 progress=progress)
    out["seconds"] = time.perf_counter() - t0
    out.update(p_plus=g["p_plus"], p_plus_stderr=g["p_plus_stderr"], mean_abs_m=g["mean_abs_m"],
               mean_abs_m_stderr=g["mean_abs_m_stderr"], p_plus_exact=model.p_plus, mean_abs_m_exact=model.mean_abs_m)
    if histogram:
        hist = magnetization_histogram(g["M"], model)
        out["histogram"] = {"M": hist["M"], "counts": hist["counts"], "exact": hist["exact"]}
    return out


def run_generate(ns) -> int:
    """``regimes simulate generate``: the payload of :func:`generate_cw` as JSON or a table."""
    o = generate_cw(ns.N, ns.beta, ns.H, ns.samples, ns.seed, ns.score, ns.n_train, ns.steps, ns.histogram,
                    progress=progress_wanted(ns))
    emit(o, ns.json)
    return 0


def run_data_law(ns) -> int:
    """``regimes simulate cw-data-law`` (the --figure path was checked at parse time; written atomically)."""
    Ns, ratios, beta, H, repeats, gen = ns.N, ns.ratios, ns.beta, ns.H, ns.repeats, ns.generate
    if repeats < 2:
        raise ValueError(f"repeats must be >= 2 (an RMS error needs two training sets), got {repeats}")
    rng = np.random.default_rng(ns.seed)
    t0 = time.perf_counter()
    res = data_law_measure(Ns, ratios, beta, H, repeats, rng, generate_samples=gen, progress=progress_wanted(ns))
    res["seconds"] = time.perf_counter() - t0
    if ns.figure:
        res["figure"] = data_law_figure(res, ns.figure)
    if ns.json:
        emit(res, True)
    else:
        lines = [f"Curie–Weiss data law  beta={beta:g}  H={H:g}  repeats={repeats}", "",
                 f"  {'N':>5} {'n':>7} {'n/N':>7} {'rms(learned)':>14} {'law':>10} {'rms(ML H)':>10} {'rms(frac)':>10}"]
        for r in res["rows"]:
            lines.append(f"  {r['N']:5d} {r['n']:7d} {r['n_over_N']:7.3g} {r['rms_pl']:8.4f}±{r['rms_pl_stderr']:.4f} "
                         f"{r['law']:10.4f} {r['rms_ml']:10.4f} {r['rms_frac']:10.4f}")
        emit(res, False, "\n".join(lines))
    return 0


def model_from_args(ns) -> CurieWeiss:
    """The model of ``regimes simulate ... --model cw --N N --beta B [--H H] [--cw-score exact|saddle]``."""
    for flag in ("N", "beta"):
        if getattr(ns, flag, None) is None:
            raise ValueError(f"--model cw needs --{flag}")
    return CurieWeiss(ns.N, ns.beta, ns.H, ns.cw_score)
