"""``regimes simulate cw-data-law``: p_+ error of a score learned with N site fields vs n/N
(Curie–Weiss, THEORY §4), against the derived law; optional figure."""

from __future__ import annotations

import time

import numpy as np

from numerics import validate
from numerics.cli import emit


def register(simsub) -> None:
    p = simsub.add_parser("cw-data-law", help="Curie–Weiss: learned-score p_+ error vs n/N with the derived law",
                          description="Learn (h_i, J) from n exact samples, compute the learned model's p_+, RMS error over repeats.")
    p.add_argument("--N", nargs="+", default=["32", "64", "128"], help="system sizes")
    p.add_argument("--ratios", nargs="+", default=["1", "2", "4", "8", "16", "32", "64"], help="values of n/N")
    p.add_argument("--beta", default="1.5")
    p.add_argument("--H", default="0.5")
    p.add_argument("--repeats", default="40", help="training sets per (N, n)")
    p.add_argument("--generate", default="0", help="also generate this many samples with the first learned score per point")
    p.add_argument("--seed", default="0")
    p.add_argument("--figure", default=None, help="write the figure (PNG/PDF) to this path")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(ns) -> int:
    from numerics import curie_weiss as C

    Ns = [validate.positive_int("N", v) for v in ns.N]
    ratios = [validate.positive("ratios", v) for v in ns.ratios]
    beta = validate.positive("beta", ns.beta)
    H = validate.as_float("H", ns.H)
    repeats = validate.positive_int("repeats", ns.repeats)
    if repeats < 2:
        raise ValueError("repeats must be >= 2")
    gen = int(validate.nonnegative("generate", ns.generate))
    rng = np.random.default_rng(int(validate.nonnegative("seed", ns.seed)))
    t0 = time.perf_counter()
    res = C.data_law_measure(Ns, ratios, beta, H, repeats, rng, generate_samples=gen)
    res["seconds"] = time.perf_counter() - t0
    if ns.figure:
        res["figure"] = C.data_law_figure(res, ns.figure)
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
