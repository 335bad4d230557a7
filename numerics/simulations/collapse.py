"""``regimes simulate collapse``: collapse onto training points with the empirical score.

JSON keys: t, phi_C, stderr_C (same training point, per branch time), phi, stderr (same class),
grid, on_final, on_final_stderr, ratio, ratio_stderr (per grid time), collapse_time_mean,
collapse_time_stderr, ratio_final, t_C_theory, t_S_theory, seconds, samples, seed, params, versions.
"""

from __future__ import annotations

import numpy as np

from numerics import validate
from numerics.cli import emit
from numerics.simulations._common import add_dynamics_args, add_model_args, dtype_from, model_from, seed_from, times_from


def register(simsub) -> None:
    p = simsub.add_parser("collapse", help="empirical-score dynamics: collapse onto training points (φ_C, collapse times)")
    add_model_args(p)
    p.add_argument("--n", required=True, help="number of training points drawn from the model")
    p.add_argument("--t-branch", nargs="+", default=None, help="branch times (default: t_C × 0.5,1,2 and t_S)")
    p.add_argument("--dtype", default="float32", help="float32 (default) or float64")
    add_dynamics_args(p)
    p.set_defaults(func=run)


def run(ns) -> int:
    from numerics.experiments.collapse import collapse_experiment

    model = model_from(ns)
    n = validate.positive_int("n", ns.n)
    if ns.t_branch is None:
        tc = model.t_C(n)
        ts = np.array([0.5 * tc, tc, 2 * tc, model.t_S]) if np.isfinite(tc) else np.array([model.t_S])
    else:
        ts = times_from("t-branch", ns.t_branch)
    res = collapse_experiment(model, ts, validate.positive_int("samples", ns.samples), seed_from(ns), n=n,
                              steps=validate.positive_int("steps", ns.steps), t_min=validate.positive("t-min", ns.t_min),
                              T=None if ns.T is None else validate.positive("T", ns.T), grid=ns.grid, method=ns.method,
                              dtype=dtype_from(ns.dtype, np.float32), start=ns.start, progress=not ns.json)
    out = res.to_dict()
    lines = [f"collapse  n={n}  samples={res.samples}  seed={res.seed}  t_C(theory)={res.t_C_theory:.4g}  "
             f"t_S={res.t_S_theory:.4g}  ({res.seconds:.2f} s)",
             f"  {'t':>10} {'phi_C':>10} {'stderr_C':>10} {'phi':>10} {'stderr':>10}"]
    for j, t in enumerate(res.t):
        lines.append(f"  {t:10.5g} {res.phi_C[j]:10.5f} {res.stderr_C[j]:10.5f} {res.phi[j]:10.5f} {res.stderr[j]:10.5f}")
    lines.append(f"  mean collapse time {res.collapse_time_mean:.4g} ± {res.collapse_time_stderr:.2g};  "
                 f"final nearest/second distance ratio {res.ratio_final:.4g}")
    emit(out, ns.json, "\n".join(lines))
    return 0
