"""``regimes simulate entropy``: excess entropy f^e(t) of the empirical law by Monte Carlo, and t_C.

JSON keys: t, f, stderr (per time), s_minus_s_delta, alpha, t_C, t_C_stderr (estimate),
f_theory, t_C_theory (mixture theory), seconds, samples, seed, params, versions.
"""

from __future__ import annotations

import numpy as np

from numerics import validate
from numerics.cli import emit
from numerics.simulations._common import add_model_args, dtype_from, model_from, seed_from, times_from


def register(simsub) -> None:
    p = simsub.add_parser("entropy", help="excess entropy f^e(t) on the training set and the collapse time t_C")
    add_model_args(p)
    p.add_argument("--n", required=True, help="number of training points drawn from the model")
    p.add_argument("--t", nargs="+", default=None, help="times (default: 30 points from 0.2 t_C to 3 t_C)")
    p.add_argument("--dtype", default="float64", help="float64 (default) or float32")
    p.set_defaults(func=run)


def run(ns) -> int:
    from numerics.experiments.entropy import excess_entropy_mc

    model = model_from(ns)
    n = validate.positive_int("n", ns.n)
    if n < 2:
        raise ValueError("n must be >= 2 (t_C is infinite for one training point)")
    samples = validate.positive_int("samples", ns.samples)
    seed = seed_from(ns)
    ts = times_from("t", ns.t) if ns.t is not None else np.linspace(0.2, 3.0, 30) * model.t_C(n)
    train = model.sample(n, np.random.default_rng([seed, 1]))
    res = excess_entropy_mc(train, ts, samples, seed, dtype=dtype_from(ns.dtype, np.float64), model=model,
                            progress=not ns.json)
    out = res.to_dict()
    lines = [f"excess entropy  n={n}  d={model.dim}  alpha={res.alpha:.5g}  samples={samples}  ({res.seconds:.2f} s)",
             f"  t_C estimate = {res.t_C:.5g} ± {res.t_C_stderr:.2g}   theory t_C = {res.t_C_theory:.5g}",
             f"  {'t':>10} {'f^e':>12} {'stderr':>10} {'f theory':>12}"]
    for j, t in enumerate(res.t):
        lines.append(f"  {t:10.5g} {res.f[j]:12.6g} {res.stderr[j]:10.2g} {res.f_theory[j]:12.6g}")
    emit(out, ns.json, "\n".join(lines))
    return 0
