"""How sharp is the suite? Detection limits of every (check, result) pair, and coverage of the registry.

Detection limit (``regimes verify --power``). For a check and a result NAME it tests, the detection limit
ε± is the smallest relative perturbation of NAME's theory values (factor 1 + ε, both signs) that makes the
check fail at the suite's threshold z_crit. The check is re-run with the same seed (the simulation is then
identical unless the theory chooses its parameters, e.g. branch times from t_S):

1. runs at ε = 0 and ε = ±h give, per measurement i, the deviation D_i = value_i − theory_i and its
   derivative g_i = dD_i/dε (central difference: the theory enters linearly for a small h);
2. failure where |D_i + ε g_i| − a_i ≥ z_crit·s_i (a_i the derived allowance, s_i the stderr): the
   smallest |ε| over the rows, each sign;
3. confirmation by re-running at 1.05 × the predicted limit (it must fail); where it does not (the theory
   enters non-linearly, or moves the simulation), the limit is found by re-running: expanding ε until the
   check fails, then bisecting.

Coverage (``regimes verify --coverage``): which checks test which registered results; registered results
that no check tests must be declared in a model's ``checks.UNCHECKED`` with the reason they have no Monte
Carlo meaning of their own (a definition, an intermediate of a derivation ...).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from numerics import models
from numerics.verify import Check, Measurement
from numerics.verify.runner import _z, run_check

__all__ = ["Limit", "detection_limits", "suite_power", "coverage", "unchecked_results"]

H_DEFAULT = 0.02


@dataclass
class Limit:
    """Detection limit of one (check, result) pair: ``plus``/``minus`` the smallest ε > 0 such that the
    factor 1 + ε (resp. 1 − ε) fails the check (inf: not found up to ``max_factor``); ``limit`` the larger
    of the two; ``method`` "linear (confirmed)" or "re-run"."""

    check: str
    result: str
    plus: float
    minus: float
    limit: float
    method: str
    runs: int

    def as_json(self) -> dict:
        """JSON-ready dictionary."""
        return asdict(self)


def _fails(ms: list[Measurement | None], z_crit: float) -> bool:
    return any(m is None or (not m.informational and (not math.isfinite(m.value) or _z(m) >= z_crit)) for m in ms)


def _linear_limit(D0, g, a, s, z_crit: float, sign: int) -> float:
    """Smallest ε > 0 with max_i [|D0_i + sign·ε·g_i| − a_i − z_crit s_i] ≥ 0 (linear model)."""
    best = math.inf
    for d0, gi, ai, si in zip(D0, g, a, s):
        thr = ai + z_crit * si
        if abs(d0) >= thr:
            return 0.0
        gi = sign * gi
        if gi == 0 or not math.isfinite(gi):
            continue
        for target in (thr, -thr):  # D0 + ε g = ±thr
            eps = (target - d0) / gi
            if eps > 0:
                best = min(best, eps)
    return best


def detection_limits(c: Check, result: str, *, z_crit: float, mode: str = "quick", seed: int = 0,
                     h: float = H_DEFAULT, max_factor: float = 0.5) -> Limit:
    """Detection limit of check ``c`` for ``result`` (see the module docstring)."""
    runs = 0

    def run(eps: float):
        nonlocal runs
        runs += 1
        ms, _, err, _ = run_check(c, mode=mode, seed=seed, mutate={result: 1.0 + eps} if eps else None)
        return ms

    base = [m for m in run(0.0) if m is None or not m.informational]
    if _fails(base, z_crit):
        return Limit(c.name, result, 0.0, 0.0, 0.0, "fails unmutated", runs)
    up = [m for m in run(h) if m is None or not m.informational]
    down = [m for m in run(-h) if m is None or not m.informational]
    ok = all(m is not None for m in up + down) and len(up) == len(base) == len(down)
    lims = {}
    for sign in (1, -1):
        pred = math.inf
        if ok:
            D0 = [m.value - m.theory for m in base]
            g = [((u.value - u.theory) - (w.value - w.theory)) / (2 * h) for u, w in zip(up, down)]
            pred = _linear_limit(D0, g, [m.bias_allowance for m in base], [m.stderr for m in base], z_crit, sign)
        if math.isfinite(pred) and pred <= max_factor and _fails(run(sign * min(1.05 * pred, max_factor)), z_crit):
            lims[sign] = (pred, "linear (confirmed)")
            continue
        # re-run: expand until the check fails, then bisect
        lo, hi = 0.0, (min(1.05 * pred, max_factor) if math.isfinite(pred) else 0.01)
        while hi <= max_factor and not _fails(run(sign * hi), z_crit):
            lo, hi = hi, hi * 1.6
        if hi > max_factor:
            lims[sign] = (math.inf, "re-run (not found)")
            continue
        for _ in range(4):
            mid = 0.5 * (lo + hi)
            if _fails(run(sign * mid), z_crit):
                hi = mid
            else:
                lo = mid
        lims[sign] = (hi, "re-run")
    plus, minus = lims[1][0], lims[-1][0]
    method = lims[1][1] if lims[1][1] == lims[-1][1] else f"{lims[1][1]} / {lims[-1][1]}"
    return Limit(c.name, result, plus, minus, max(plus, minus), method, runs)


def suite_power(checks: list[Check], *, z_crit: float, mode: str = "quick", seed: int = 0, progress=None) -> list[Limit]:
    """Detection limits of every (check, result) pair of ``checks``."""
    out = []
    for c in checks:
        for r in c.tests:
            if progress:
                progress(f"{c.name} × {r}")
            out.append(detection_limits(c, r, z_crit=z_crit, mode=mode, seed=seed))
    return out


def unchecked_results() -> dict[str, str]:
    """``{result: reason}`` declared by the models' ``checks.UNCHECKED`` (no Monte Carlo meaning of their own)."""
    out: dict[str, str] = {}
    for mod in models.parts("checks"):
        out.update(getattr(mod, "UNCHECKED", {}))
    import numerics.data.checks as data_checks

    out.update(getattr(data_checks, "UNCHECKED", {}))
    return out


def coverage(checks: list[Check], registered: list[str]) -> dict:
    """``{"tested": {result: [checks]}, "unchecked": {result: reason}, "untested": [results],
    "unknown": {check: [names not in the registry]}}``."""
    tested: dict[str, list[str]] = {}
    unknown: dict[str, list[str]] = {}
    reg = set(registered)
    for c in checks:
        for r in c.tests:
            tested.setdefault(r, []).append(c.name)
            if r not in reg:
                unknown.setdefault(c.name, []).append(r)
    declared = unchecked_results()
    untested = sorted(r for r in registered if r not in tested and r not in declared)
    return {"tested": {k: sorted(v) for k, v in sorted(tested.items())},
            "unchecked": {k: declared[k] for k in sorted(declared) if k in reg},
            "untested": untested, "unknown": unknown,
            "stale_unchecked": sorted(k for k in declared if k not in reg or k in tested)}


def limits_table(limits: list[Limit]) -> str:
    """Readable table of detection limits (percent)."""
    w = max([len(x.check) for x in limits] + [5])
    lines = [f"{'check':<{w}}  {'result':<28} {'+ε':>7} {'−ε':>7}  method"]
    for x in limits:
        f = lambda v: f"{100 * v:6.2f}%" if math.isfinite(v) else "    inf"  # noqa: E731
        lines.append(f"{x.check:<{w}}  {x.result:<28} {f(x.plus)} {f(x.minus)}  {x.method} ({x.runs} runs)")
    worst = max((x.limit for x in limits), default=math.nan)
    lines.append("")
    lines.append(f"{len(limits)} (check, result) pairs; worst detection limit {100 * worst:.2f}%")
    return "\n".join(lines)
