"""The verification runner: run registered checks (:mod:`numerics.verify`), judge each by a
z-score from its measured standard error, and report.

Acceptance rule. With ``K`` measurements in a run, a measurement passes when

    z = max(0, |value - theory| - bias_allowance) / stderr  <  z_crit(K) = Φ^{-1}(1 - 1e-3 / (2K)),

i.e. a Bonferroni bound at family-wise false-alarm probability 1e-3 (z_crit ≈ 3.3 for one
measurement, ≈ 4.2 for 30). ``bias_allowance`` is non-zero only where a check documents a
systematic bias (integrator step, finite-d correction).
"""

from __future__ import annotations

import fnmatch
import math
import time
import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from numerics.engine.result import versions
from numerics.results import mutations, recording
from numerics.verify import Check, Measurement, all_checks

__all__ = ["select_checks", "run_check", "run_checks", "build_report", "z_threshold", "Row", "Report", "FAMILY_ERROR"]

FAMILY_ERROR = 1e-3


def z_threshold(k: int, family_error: float = FAMILY_ERROR) -> float:
    """Two-sided Bonferroni threshold for ``k`` measurements."""
    return float(norm.isf(family_error / (2 * max(k, 1))))


@dataclass
class Row:
    name: str
    theory: float
    value: float
    stderr: float
    z: float
    passed: bool
    params: dict
    seconds: float
    bias_allowance: float = 0.0
    description: str = ""
    error: str | None = None
    tests: tuple = ()
    used: tuple = ()
    allowance_formula: str = ""
    informational: bool = False

    def as_json(self) -> dict:
        """JSON row of ``regimes verify --json``."""
        return {"name": self.name, "theory": self.theory, "value": self.value, "stderr": self.stderr,
                "z": self.z, "passed": self.passed, "params": self.params, "seconds": self.seconds,
                "bias_allowance": self.bias_allowance, "allowance_formula": self.allowance_formula,
                "description": self.description, "error": self.error, "tests": list(self.tests),
                "used": list(self.used), "informational": self.informational}


@dataclass
class Report:
    rows: list[Row]
    threshold: float
    mode: str
    seed: int
    seconds: float
    extras: dict = field(default_factory=dict)  # check name -> list of Measurement.extra
    mutations: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows) and bool(self.rows)

    def as_json(self) -> dict:
        """The ``regimes verify --json`` payload."""
        return {
            "checks": [r.as_json() for r in self.rows],
            "passed": self.passed, "n_checks": len(self.rows), "n_failed": sum(not r.passed for r in self.rows),
            "threshold": self.threshold, "family_error": FAMILY_ERROR, "mode": self.mode, "seed": self.seed,
            "seconds": self.seconds, "mutations": dict(self.mutations), "versions": versions(),
        }


def select_checks(mode: str = "quick", only: str | None = None) -> list[Check]:
    """Checks of a mode (``quick``: ``Check.quick``; ``full``: all) matching ``only``
    (glob pattern, or substring when it has no wildcard)."""
    if mode not in ("quick", "full"):
        raise ValueError(f"mode must be 'quick' or 'full', got {mode!r}")
    checks = [c for c in all_checks() if (c.quick if mode == "quick" else True)]
    if only:
        pat = only if any(ch in only for ch in "*?[") else f"*{only}*"
        checks = [c for c in checks if fnmatch.fnmatch(c.name, pat)]
    return checks


def _rng_for(seed: int, name: str) -> np.random.Generator:
    """Independent, reproducible stream per (seed, check name)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _z(m: Measurement) -> float:
    dev = max(0.0, abs(m.value - m.theory) - m.bias_allowance)
    if dev == 0.0:
        return 0.0
    if not (m.stderr > 0 and math.isfinite(m.stderr)):
        return math.inf
    return dev / m.stderr


def run_check(c: Check, *, mode: str = "quick", seed: int = 0, mutate: dict | None = None):
    """Run one check under the given mutations: ``(measurements or [None], seconds, error, used)``,
    ``used`` the registered results whose theory values the check read."""
    s0 = time.perf_counter()
    used: set = set()
    try:
        with mutations(mutate), recording() as used:
            out = c.fn(_rng_for(seed, c.name), mode == "full")
        ms = out if isinstance(out, list) else [out]
        err = None
    except Exception as exc:  # a crashing check is a failed check, reported, not a traceback
        ms, err = [None], f"{type(exc).__name__}: {exc}"
    return ms, time.perf_counter() - s0, err, tuple(sorted(used))


def run_checks(checks: list[Check], *, mode: str = "quick", seed: int = 0, progress=None,
               mutate: dict | None = None) -> Report:
    """Run ``checks`` and judge every measurement (threshold from the total measurement count).

    ``mutate``: ``{result name: factor}`` applied to the theory side of every check (mutation mode)."""
    t0 = time.perf_counter()
    results = []
    for c in checks:
        if progress:
            progress(c.name)
        results.append(run_check(c, mode=mode, seed=seed, mutate=mutate))
    return build_report(checks, results, mode=mode, seed=seed, mutate=mutate, seconds=time.perf_counter() - t0)


def build_report(checks: list[Check], results: list, *, mode: str, seed: int, mutate: dict | None,
                 seconds: float) -> Report:
    """The report of ``checks`` from their :func:`run_check` results (same order): one row per
    measurement, judged at the Bonferroni threshold of the total measurement count."""
    raw: list = []
    extras: dict = {}
    for c, (ms, secs, err, used) in zip(checks, results):
        dt = secs / max(len(ms), 1)
        for m in ms:
            raw.append((c, m, dt, err, used))
            if m is not None and m.extra:
                extras.setdefault(c.name, []).append(m.extra)
    thr = z_threshold(sum(1 for _, m, *_ in raw if m is None or not m.informational))
    rows = []
    for c, m, dt, err, used in raw:
        if m is None:
            rows.append(Row(c.name, math.nan, math.nan, math.nan, math.inf, False, {}, dt, description=c.description,
                            error=err, tests=c.tests, used=used))
            continue
        z = _z(m)
        ok = bool(m.informational or (math.isfinite(m.value) and math.isfinite(m.theory) and z < thr))
        name = f"{c.name}[{m.label}]" if m.label else c.name
        rows.append(Row(name, float(m.theory), float(m.value), float(m.stderr), float(z), ok, dict(m.params), dt,
                        m.bias_allowance, c.description, tests=c.tests, used=used,
                        allowance_formula=m.allowance_formula, informational=m.informational))
    return Report(rows, thr, mode, seed, seconds, extras, dict(mutate or {}))


def format_table(rep: Report) -> str:
    w = max([len(r.name) for r in rep.rows] + [5])
    lines = [f"{'check':<{w}}  {'theory':>12}  {'simulated':>12}  {'± stderr':>10}  {'z':>6}  result"]
    for r in rep.rows:
        res = "info" if r.informational else ("pass" if r.passed else ("ERROR " + (r.error or "") if r.error else "FAIL"))
        lines.append(f"{r.name:<{w}}  {r.theory:12.6g}  {r.value:12.6g}  {r.stderr:10.3g}  {r.z:6.2f}  {res}")
    n_fail = sum(not r.passed for r in rep.rows)
    n_info = sum(r.informational for r in rep.rows)
    judged = len(rep.rows) - n_info
    lines.append("")
    lines.append(f"{judged} checks, {judged - n_fail} passed, {n_fail} failed" + (f", {n_info} informational" if n_info else "") + " "
                 f"(z threshold {rep.threshold:.2f}: Bonferroni, family-wise error {FAMILY_ERROR:g}); "
                 f"{rep.seconds:.1f} s, seed {rep.seed}, mode {rep.mode}")
    return "\n".join(lines)
