"""``regimes simulate generate``: backward generation with an exact, saddle-point or learned score
(``--model cw``: Curie–Weiss, THEORY §4)."""

from __future__ import annotations

import time

import numpy as np

from numerics import validate
from numerics.cli import emit

MODELS = ("cw",)


def register(simsub) -> None:
    p = simsub.add_parser("generate", help="generate samples with the backward SDE and report state weights",
                          description="Backward generation (exponential integrator) for --model cw.")
    p.add_argument("--model", default="cw", choices=MODELS)
    p.add_argument("--N", required=True, help="number of spins N ≥ 1")
    p.add_argument("--beta", required=True, help="inverse temperature β > 0")
    p.add_argument("--H", default="0", help="total field H (h = H/N)")
    p.add_argument("--samples", default="2000", help="number of generated samples (≥ 1)")
    p.add_argument("--seed", default="0", help="random seed (integer ≥ 0)")
    p.add_argument("--score", default="exact", choices=("exact", "saddle", "learned"))
    p.add_argument("--n-train", default=None, help="training samples for --score learned")
    p.add_argument("--steps", default="240", help="integrator steps (default 240)")
    p.add_argument("--histogram", action="store_true", help="add the magnetization histogram and the exact law")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def generate_cw(N, beta, H, samples, seed, score="exact", n_train=None, steps=240, histogram=False) -> dict:
    from numerics import curie_weiss as C

    model = C.CurieWeiss(validate.positive_int("N", N), validate.positive("beta", beta), validate.as_float("H", H))
    samples = validate.positive_int("samples", samples)
    seed = int(validate.nonnegative("seed", seed))
    steps = validate.positive_int("steps", steps)
    rng = np.random.default_rng(seed)
    out: dict = {"model": "cw", "N": model.N, "beta": model.beta, "H": model.H, "samples": samples, "seed": seed,
                 "score": score, "steps": steps}
    fields, J = None, None
    if score == "learned":
        if n_train is None:
            raise ValueError("--score learned needs --n-train")
        n_train = validate.positive_int("n-train", n_train)
        if n_train < 2:
            raise ValueError("n-train must be >= 2")
        S = model.sample(n_train, rng)
        fields, J = C.fit_pseudolikelihood(S)
        out.update(n_train=n_train, J_hat=J, sum_h_hat=float(fields.sum()),
                   p_plus_learned_exact=C.p_plus_of_fields(fields, J))
        Mt = S.sum(axis=1)
        out["p_plus_ml_fraction"] = float(np.mean((Mt > 0) + 0.5 * (Mt == 0)))
    t0 = time.perf_counter()
    g = C.generate(model, samples, rng, score="exact" if score == "learned" else score, fields=fields, J=J, steps=steps)
    out["seconds"] = time.perf_counter() - t0
    out.update(p_plus=g["p_plus"], p_plus_stderr=g["p_plus_stderr"], mean_abs_m=g["mean_abs_m"],
               mean_abs_m_stderr=g["mean_abs_m_stderr"], p_plus_exact=model.p_plus, mean_abs_m_exact=model.mean_abs_m)
    if histogram:
        hist = C.magnetization_histogram(g["M"], model)
        out["histogram"] = {"M": hist["M"], "counts": hist["counts"], "exact": hist["exact"]}
    return out


def run(ns) -> int:
    if ns.model != "cw":
        raise ValueError(f"unknown model {ns.model!r}")
    o = generate_cw(ns.N, ns.beta, ns.H, ns.samples, ns.seed, ns.score, ns.n_train, ns.steps, ns.histogram)
    emit(o, ns.json)
    return 0
