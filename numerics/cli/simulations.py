"""``regimes simulate clone|collapse|entropy`` (declared in :mod:`numerics.cli.simulate`): the
model-free experiments of the engine, on the model named by ``--model``.

JSON keys (a contract):

- ``clone``: ``t``, ``phi``, ``stderr``, ``phi_theory`` (finest class level), ``z`` (= (phi -
  phi_theory)/stderr when a theory exists), ``phi_C``, ``stderr_C`` (same training point; empirical
  score), ``levels`` (one object per class level with ``level``, ``groups``, ``phi``, ``stderr``,
  ``phi_theory``, ``phi_posterior``, ``phi_posterior_stderr``), ``seconds``, ``samples``, ``seed``,
  ``params``, ``versions``;
- ``collapse``: ``t``, ``phi_C``, ``stderr_C``, ``phi``, ``stderr``, ``grid``, ``on_final``,
  ``on_final_stderr``, ``ratio``, ``ratio_stderr``, ``collapse_time_mean``, ``collapse_time_stderr``,
  ``ratio_final``, ``t_C_theory``, ``t_S_theory``, ``seconds``, ``samples``, ``seed``, ``params``, ``versions``;
- ``entropy``: ``t``, ``f``, ``stderr``, ``s_minus_s_delta``, ``alpha``, ``t_C``, ``t_C_stderr``,
  ``f_theory``, ``t_C_theory``, ``seconds``, ``samples``, ``seed``, ``params``, ``versions``.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from numerics import models
from numerics.cli import emit, progress_wanted, resolve
from numerics.engine.cloning import clone_phi, require_training_set
from numerics.engine.collapse import collapse_experiment
from numerics.engine.entropy import excess_entropy_mc
from numerics.engine.protocol import has

__all__ = ["build_model", "run_clone", "run_collapse", "run_entropy", "run_help"]


def build_model(ns):
    """The model named by ``--model`` built from its options (its folder's ``cli.BUILD``)."""
    for m in models.parts("cli"):
        if m.__name__.split(".")[-2] == ns.model and getattr(m, "BUILD", None):
            return resolve(m.BUILD)(ns)
    raise ValueError(f"unknown model {ns.model!r}")


def _dynamics(ns) -> dict:
    return {"steps": ns.steps, "t_min": ns.t_min, "T": ns.T, "grid": ns.grid, "method": ns.method, "start": ns.start}


def _f(v) -> str:
    return f"{v:10.5f}" if v is not None and math.isfinite(v) else f"{'-':>10}"


def run_clone(ns) -> int:
    """``regimes simulate clone``."""
    model = build_model(ns)
    if ns.score == "empirical" and ns.n is None:
        raise ValueError("--score empirical needs --n (number of training points)")
    if ns.score == "empirical" and ns.fast_path:
        raise ValueError("--fast-path needs --score exact")
    res = clone_phi(model, ns.t_branch, ns.samples, ns.seed, score=ns.score, n=ns.n, fast_path=ns.fast_path,
                    dtype=ns.dtype, progress=progress_wanted(ns), **_dynamics(ns))
    out = res.to_dict()
    if res.phi_theory is not None and res.phi is not None:
        out["z"] = ((res.phi - res.phi_theory) / res.stderr).tolist()
    lines = [f"cloning  model={res.params.get('model')}  {res.params['score']} score  samples={res.samples}  "
             f"seed={res.seed}  ({res.seconds:.2f} s; times in OU units of the model's data)"]
    for lv in res.levels:
        lines.append(f"  level {lv['level']!r}" + (f" groups {lv['groups']}" if lv.get("groups") is not None else ""))
        lines.append(f"  {'t':>10} {'phi':>10} {'stderr':>10} {'theory':>10} {'posterior':>10}")
        for j, t in enumerate(res.t):
            th = None if lv["phi_theory"] is None else float(lv["phi_theory"][j])
            po = None if lv["phi_posterior"] is None else float(lv["phi_posterior"][j])
            lines.append(f"  {t:10.5g} {lv['phi'][j]:10.5f} {lv['stderr'][j]:10.5f} {_f(th)} {_f(po)}")
    emit(out, ns.json, "\n".join(lines))
    return 0


def run_collapse(ns) -> int:
    """``regimes simulate collapse``."""
    if ns.n < 2:
        raise ValueError(f"n must be >= 2 (one training point: every trajectory ends on it), got {ns.n}")
    model = build_model(ns)
    if ns.t_branch is None:
        ts = []
        tc = float(model.t_C(ns.n)) if has(model, "t_C") else math.nan
        if math.isfinite(tc):
            ts += [0.5 * tc, tc, 2 * tc]
        if has(model, "t_S") and float(model.t_S) > 0:
            ts.append(float(model.t_S))
        if not ts:
            raise ValueError(f"model {ns.model!r} has no t_C or t_S for default branch times: pass --t-branch")
    else:
        ts = ns.t_branch
    res = collapse_experiment(model, ts, ns.samples, ns.seed, n=ns.n, dtype=ns.dtype or "float32",
                              progress=progress_wanted(ns), **_dynamics(ns))
    out = res.to_dict()
    tc = "-" if res.t_C_theory is None else f"{res.t_C_theory:.4g}"
    lines = [f"collapse  n={ns.n}  samples={res.samples}  seed={res.seed}  t_C(theory)={tc}  ({res.seconds:.2f} s)",
             f"  {'t':>10} {'phi_C':>10} {'stderr_C':>10} {'phi':>10} {'stderr':>10}"]
    for j, t in enumerate(res.t):
        ph = None if res.phi is None else float(res.phi[j])
        se = None if res.stderr is None else float(res.stderr[j])
        lines.append(f"  {t:10.5g} {res.phi_C[j]:10.5f} {res.stderr_C[j]:10.5f} {_f(ph)} {_f(se)}")
    lines.append(f"  mean collapse time {res.collapse_time_mean:.4g} ± {res.collapse_time_stderr:.2g};  "
                 f"final nearest/second distance ratio {res.ratio_final:.4g}")
    emit(out, ns.json, "\n".join(lines))
    return 0


def run_entropy(ns) -> int:
    """``regimes simulate entropy``."""
    if ns.n < 2:
        raise ValueError(f"n must be >= 2 (t_C is infinite for one training point), got {ns.n}")
    if ns.samples < 2:
        raise ValueError(f"samples must be >= 2 for a standard error, got {ns.samples}")
    model = build_model(ns)
    if ns.t is not None:
        ts = np.asarray(ns.t, dtype=float)
    elif has(model, "t_C"):
        ts = np.linspace(0.2, 3.0, 30) * float(model.t_C(ns.n))
    else:
        raise ValueError(f"model {ns.model!r} has no t_C for the default time grid: pass --t")
    require_sample = getattr(model, "sample", None)
    if require_sample is None:
        raise ValueError(f"model {ns.model!r} cannot draw a training set")
    require_training_set(model, ns.n, ns.dtype or "float64")
    train = model.sample(ns.n, np.random.default_rng([ns.seed, 1]))
    res = excess_entropy_mc(train, ts, ns.samples, ns.seed, dtype=np.dtype(ns.dtype or "float64"), model=model,
                            progress=progress_wanted(ns))
    out = res.to_dict()
    tc_th = "-" if res.t_C_theory is None else f"{res.t_C_theory:.5g}"
    lines = [f"excess entropy  n={ns.n}  d={model.dim}  alpha={res.alpha:.5g}  samples={ns.samples}  ({res.seconds:.2f} s)",
             f"  t_C estimate = {res.t_C:.5g} ± {res.t_C_stderr:.2g}   theory t_C = {tc_th}",
             f"  {'t':>10} {'f^e':>12} {'stderr':>10} {'f theory':>12}"]
    for j, t in enumerate(res.t):
        ft = "-" if res.f_theory is None else f"{res.f_theory[j]:12.6g}"
        lines.append(f"  {t:10.5g} {res.f[j]:12.6g} {res.stderr[j]:10.2g} {ft:>12}")
    emit(out, ns.json, "\n".join(lines))
    return 0


def run_help(ns) -> int:
    """``regimes simulate`` without a kind."""
    print("regimes simulate: choose a KIND (see `regimes simulate --help`)", file=sys.stderr)
    return 2
