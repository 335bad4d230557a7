"""``regimes simulate clone``: cloning probability φ(t) at many branch times, one backward pass.

JSON keys: t, phi, stderr (one entry per branch time), phi_theory (exact theory, mixture), phi_C,
stderr_C (same-training-point agreement, empirical score only), z (= (phi - phi_theory)/stderr),
seconds, samples, seed, params, versions.
"""

from __future__ import annotations


from numerics import validate
from numerics.cli import emit
from numerics.simulations._common import add_dynamics_args, add_model_args, dtype_from, model_from, seed_from, times_from


def register(simsub) -> None:
    p = simsub.add_parser("clone", help="cloning probability φ(t) (speciation) at many branch times in one pass")
    add_model_args(p)
    p.add_argument("--t-branch", nargs="+", required=True, help="branch times t > t_min")
    p.add_argument("--score", default="exact", choices=["exact", "empirical"], help="exact mixture score or empirical score")
    p.add_argument("--n", default=None, help="training points for --score empirical")
    p.add_argument("--fast-path", action="store_true", help="simulate only q = m̂·x with the exact 1-D score")
    p.add_argument("--dtype", default=None, help="float32 or float64 (default: float64 exact, float32 empirical)")
    add_dynamics_args(p)
    p.set_defaults(func=run)


def run(ns) -> int:
    from numerics.experiments.cloning import clone_phi

    model = model_from(ns)
    ts = times_from("t-branch", ns.t_branch)
    samples = validate.positive_int("samples", ns.samples)
    n = validate.positive_int("n", ns.n) if ns.n is not None else None
    if ns.score == "empirical" and n is None:
        raise ValueError("--score empirical needs --n (number of training points)")
    if ns.score == "empirical" and ns.fast_path:
        raise ValueError("--fast-path needs --score exact")
    res = clone_phi(model, ts, samples, seed_from(ns), score=ns.score, n=n, fast_path=ns.fast_path,
                    steps=validate.positive_int("steps", ns.steps), t_min=validate.positive("t-min", ns.t_min),
                    T=None if ns.T is None else validate.positive("T", ns.T), grid=ns.grid, method=ns.method,
                    dtype=dtype_from(ns.dtype, None), start=ns.start, progress=not ns.json)
    out = res.to_dict()
    if res.phi_theory is not None:
        out["z"] = ((res.phi - res.phi_theory) / res.stderr).tolist()
    lines = [f"cloning  {res.params.get('score')} score  samples={res.samples}  seed={res.seed}  ({res.seconds:.2f} s)",
             f"  {'t':>10} {'phi':>10} {'stderr':>10} {'theory':>10}" + (f" {'phi_C':>10}" if res.phi_C is not None else "")]
    for j, t in enumerate(res.t):
        th = res.phi_theory[j] if res.phi_theory is not None else float("nan")
        row = f"  {t:10.5g} {res.phi[j]:10.5f} {res.stderr[j]:10.5f} {th:10.5f}"
        if res.phi_C is not None:
            row += f" {res.phi_C[j]:10.5f}"
        lines.append(row)
    emit(out, ns.json, "\n".join(lines))
    return 0
