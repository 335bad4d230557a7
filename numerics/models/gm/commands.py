"""``regimes gm``: the two-class Gaussian-mixture theory table (THEORY §2), and the model built from
``regimes simulate --model gm`` arguments."""

from __future__ import annotations

import math

import numpy as np

from numerics import validate
from numerics.cli import emit
from numerics.models.gm.model import GaussianMixture
from numerics.tables import default_times



def gm_table(d, mu, sigma, p_plus=0.5, n=None, t=None, eps=None) -> dict:
    """The ``regimes gm`` payload (keys are a contract: Lambda, t_S, t_C, alpha, t, kappa, phi).

    ``t_C`` is +inf for n = 1 (``"Infinity"`` in JSON); ``t_curv_logp``/``t_curv_V`` are NaN (null) when
    the curvature never changes sign at t > 0; ``t_source`` says where the times come from."""
    d = validate.positive_int("d", d)
    model = GaussianMixture(d, validate.nonnegative("mu", mu), validate.nonnegative("sigma", sigma),
                            validate.probability("p-plus", p_plus))
    if t is not None:
        ts, source = validate.times("t", t), "given"
    else:
        ts, source = default_times(model.t_S)
    out = {
        "d": d, "mu": model.mu, "sigma": model.sigma, "p_plus": model.p_plus,
        "Lambda": model.Lambda, "t_S": model.t_S,
        "t_curv_logp": model.t_curv_logp, "t_curv_V": model.t_curv_V,
    }
    if n is not None:
        n = validate.positive_int("n", n)
        out.update(n=n, alpha=model.alpha(n), t_C=model.t_C(n))
    if eps is not None:
        eps = validate.positive("eps", eps)
        ln_n = model.log_n_required(eps)
        out.update(eps=eps, log_n_required=ln_n, log10_n_required=ln_n / math.log(10))
    out["t_source"] = source
    out["t"] = ts.tolist()
    out["kappa"] = np.asarray(model.kappa(ts)).tolist()
    out["phi"] = np.asarray(model.phi(ts)).tolist()
    if n is not None:
        out["f"] = np.asarray(model.excess_entropy(ts, n)).tolist()
    return out


def _never(v: float) -> str:
    return f"{v:.10g}" if math.isfinite(v) else "- (no sign change at t > 0)"


def _table(o: dict) -> str:
    lines = [f"Gaussian mixture  d={o['d']}  mu={o['mu']:g}  sigma={o['sigma']:g}  p_+={o['p_plus']:g}", ""]
    lines.append(f"  Lambda        = {o['Lambda']:.10g}")
    lines.append(f"  t_S = ½ ln Λ  = {o['t_S']:.10g}")
    lines.append(f"  t (ln P curv) = {_never(o['t_curv_logp'])}")
    lines.append(f"  t (V curv)    = {_never(o['t_curv_V'])}")
    if "t_C" in o:
        lines.append(f"  n = {o['n']}   alpha = ln n / d = {o['alpha']:.10g}")
        lines.append(f"  t_C           = {o['t_C']:.10g}")
    if "log_n_required" in o:
        lines.append(f"  t_C <= {o['eps']:g} needs ln n >= {o['log_n_required']:.6g} (log10 n >= {o['log10_n_required']:.6g})")
    lines.append("")
    head = f"  {'t':>12} {'t/t_S':>10} {'kappa':>14} {'phi':>14}" + (f" {'f(t)':>14}" if "f" in o else "")
    lines.append(head)
    for i, t in enumerate(o["t"]):
        row = f"  {t:12.6g} {t / o['t_S'] if o['t_S'] > 0 else float('nan'):10.4f} {o['kappa'][i]:14.8g} {o['phi'][i]:14.10f}"
        if "f" in o:
            row += f" {o['f'][i]:14.8g}"
        lines.append(row)
    return "\n".join(lines)


def run(ns) -> int:
    """``regimes gm``: the table or ``--json``."""
    o = gm_table(ns.d, ns.mu, ns.sigma, ns.p_plus, ns.n, ns.t, ns.eps)
    emit(o, ns.json, _table(o))
    return 0


def model_from_args(ns) -> GaussianMixture:
    """The model of ``regimes simulate ... --model gm --d D --mu MU --sigma S [--p-plus P]``."""
    for flag in ("d", "mu", "sigma"):
        if getattr(ns, flag, None) is None:
            raise ValueError(f"--model gm needs --{flag}")
    return GaussianMixture(ns.d, ns.mu, ns.sigma, ns.p_plus)
