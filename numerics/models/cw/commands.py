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


def data_law_cw(N, ratios, beta=1.5, H=0.5, repeats=40, seed=0, fits=("pl", "ml"), dsm_t_range=(0.01, 4.0),
                dsm_weight="delta", dsm_max_epochs=256, generate_samples=0, figure=None, progress=False) -> dict:
    """The ``regimes simulate cw-data-law`` payload: rows with ``rms_<fit>``, ``rms_<fit>_stderr`` and the laws
    (``law``, ``law_finite_N``, ``law_ml``, ``law_dsm`` ...), see :func:`numerics.models.cw.data_law.data_law_measure`."""
    from numerics.models.cw.dsm import Schedule

    repeats = validate.positive_int("repeats", repeats)
    if repeats < 2:
        raise ValueError(f"repeats must be >= 2, got {repeats}")
    seed = validate.seed("seed", seed)
    beta = validate.positive("beta", beta)
    H = validate.as_float("H", H)
    fits = list(dict.fromkeys(fits))
    if figure:
        from numerics.cli.args import FIGURE_SUFFIXES
        from numerics.io import check_output_file

        check_output_file(figure, "figure", suffixes=FIGURE_SUFFIXES)  # before the run, not after it
    sched = None
    if "dsm" in fits:
        t0, t1 = (validate.positive("dsm-t-range", v) for v in dsm_t_range)
        if not t1 > t0:
            raise ValueError(f"dsm-t-range must have T1 > T0, got {t0:g} {t1:g}")
        sched = Schedule(t0, t1, dsm_weight)
    rng = np.random.default_rng(seed)
    t_start = time.perf_counter()
    c_start = time.process_time()
    res = data_law_measure(N, ratios, beta, H, repeats, rng, fits=fits, dsm_schedule=sched,
                           max_average=validate.positive_int("dsm-max-epochs", dsm_max_epochs),
                           generate_samples=generate_samples, progress=progress)
    res["seed"] = seed
    res["seconds"] = time.perf_counter() - t_start
    res["cpu_seconds"] = time.process_time() - c_start
    if figure:
        res["figure"] = data_law_figure(res, figure)
    return res


def _data_law_table(res: dict) -> str:
    fits = res["fits"]
    head = f"Curie–Weiss data law  beta={res['beta']:g}  H={res['H']:g}  repeats={res['repeats']}  seed={res['seed']}"
    if "dsm" in res:
        d = res["dsm"]
        head += f"  DSM t∈[{d['t0']:g},{d['t1']:g}] w={d['weight']}"
    cols = [("pl", "law_finite_N"), ("ml", "law_ml"), ("dsm", "law_dsm")]
    lines = [head, "", f"  {'N':>5} {'n':>7} {'n/N':>7} " + " ".join(f"{'rms(' + f + ')':>17} {'law':>8}" for f, _ in cols if f in fits)]
    for r in res["rows"]:
        cells = " ".join(f"{r[f'rms_{f}']:8.4f}±{r[f'rms_{f}_stderr']:.4f} {r[law]:8.4f}" for f, law in cols if f in fits)
        lines.append(f"  {r['N']:5d} {r['n']:7d} {r['n_over_N']:7.3g} {cells}")
    lines.append("")
    lines.append(f"  {res['seconds']:.1f} s ({res['cpu_seconds']:.1f} CPU-s)" + (f"; figure {res['figure']}" if res.get("figure") else ""))
    return "\n".join(lines)


def run_data_law(ns) -> int:
    """``regimes simulate cw-data-law``: the payload of :func:`data_law_cw` as JSON or a table (the --figure
    path was checked at parse time; the figure is written atomically)."""
    res = data_law_cw(ns.N, ns.ratios, ns.beta, ns.H, ns.repeats, ns.seed, ns.fit, ns.dsm_t_range, ns.dsm_weight,
                      ns.dsm_max_epochs, ns.generate, ns.figure, progress=progress_wanted(ns))
    emit(res, ns.json, None if ns.json else _data_law_table(res))
    return 0


def model_from_args(ns) -> CurieWeiss:
    """The model of ``regimes simulate ... --model cw --N N --beta B [--H H] [--cw-score exact|saddle]``."""
    for flag in ("N", "beta"):
        if getattr(ns, flag, None) is None:
            raise ValueError(f"--model cw needs --{flag}")
    return CurieWeiss(ns.N, ns.beta, ns.H, ns.cw_score)
