"""Run the corpus (:mod:`hostile_corpus`) and judge each case; ``python tests/hardening/hostile_judge.py [CATEGORY]`` prints the
counts tried / handled per category (each CLI case in a fresh process under ``ulimit -v 4000000``,
so a case that would allocate too much or hang is counted as not handled instead of hurting the machine).

The judgement is the acceptance of issue #15:

- invalid input: exit 2, exactly one line on stderr naming the parameter, no traceback;
- valid input: exit 0, no stderr (no warning), JSON without NaN, probabilities in [0, 1], variances ≥ 0,
  nulls and "Infinity" only for the keys documented in docs/inputs.md (:data:`NULLABLE`, :data:`INFINITE`).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

# keys whose value may be null, with the documented meaning (docs/inputs.md)
NULLABLE = {
    "t_curv_logp": "no sign change of ∂²_q ln P_t(0) at t > 0",
    "t_curv_V": "the backward potential is never double-well at t > 0",
    "t_bimodal": "β ≤ 1 or the μ-measure never bimodal",
    "phi_theory": "no theory curve for this model/level",
    "phi_posterior": "model without exact posteriors", "phi_posterior_stderr": "model without exact posteriors",
    "groups": "no grouping declared", "z": "no theory", "phi": "empirical model without class labels",
    "stderr": "empirical model without class labels", "t_C_theory": "source model has no t_C",
    "t_S_theory": "source model has no t_S", "f_theory": "source model has no f(t)", "phi_C": "exact score",
    "stderr_C": "exact score", "t_C": "entropy: f^e never in the fit window", "t_C_stderr": "as t_C",
    "dtype": "default", "t_min": "default", "T": "default", "n_train": "not learned",
    "collapse_time_stderr": "one sample",
}
# keys whose value may be the JSON-safe infinity "Infinity" (a documented limit)
INFINITE = {"t_C", "chi", "t_C_theory", "log_n_required", "log10_n_required"}
PROBABILITY = ("p_plus", "p_minus", "phi", "phi_C", "participation_ratio", "phi_posterior", "on_final",
               "p_plus_asymptotic", "p_plus_exact", "freezing_m")
VARIANCE = ("Lambda", "chi", "Gamma", "Delta", "stderr", "Lambda_asymptotic", "chi_finite_N")


def _kind(key: str) -> str | None:
    base = key.split("_d")[0] if key.endswith("_d") else key
    for p in PROBABILITY:
        if base == p or base.startswith(p + "_") and not base.endswith("stderr"):
            return "probability"
    if base in VARIANCE or base.endswith("stderr") or base.endswith("_err"):
        return "variance"
    return None


def check_payload(obj, key: str = "", problems: list | None = None) -> list:
    """Problems of a JSON payload (empty when it is sane)."""
    problems = [] if problems is None else problems
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("versions", "params", "source"):
                continue
            check_payload(v, k, problems)
    elif isinstance(obj, list):
        for v in obj:
            check_payload(v, key, problems)
    elif obj is None:
        if key not in NULLABLE:
            problems.append(f"{key}: null")
    elif isinstance(obj, str):
        if obj in ("Infinity", "-Infinity", "NaN") and key not in INFINITE:
            problems.append(f"{key}: {obj}")
    elif isinstance(obj, float):
        if not math.isfinite(obj):
            problems.append(f"{key}: {obj}")
        kind = _kind(key)
        if kind == "probability" and not 0.0 <= obj <= 1.0:
            problems.append(f"{key}: {obj!r} not a probability")
        if kind == "variance" and obj < 0:
            problems.append(f"{key}: {obj!r} < 0")
    return problems


def judge_cli(case, rc: int, out: str, err: str, seconds: float, tmp: Path) -> str | None:
    """None when the case is handled, else the reason it is not."""
    if "Traceback" in err:
        return "traceback: " + err.strip().splitlines()[-1][:160]
    if case.expect == "invalid":
        lines = [ln for ln in err.splitlines() if ln.strip()]
        if rc != 2:
            return f"exit {rc} (want 2); stderr {err.strip()[-160:]!r}"
        if len(lines) != 1:
            return f"{len(lines)} stderr lines"
        if case.param and case.param.lower() not in lines[0].lower():
            return f"does not name {case.param!r}: {lines[0][:160]}"
        if case.seconds is not None and seconds > case.seconds:
            return f"failed after {seconds:.1f} s (want < {case.seconds:g} s)"
        return None
    if rc != 0:
        return f"exit {rc}: {err.strip()[-200:]}"
    if err.strip() and not getattr(case, "stderr", False):
        return f"stderr: {err.strip()[:200]}"
    if "--json" in case.argv:
        try:
            payload = json.loads(out)
        except ValueError as exc:
            return f"bad JSON: {exc}"
        problems = check_payload(payload)
        if problems:
            return "; ".join(problems[:4])
        if case.check is not None:
            try:
                case.check(payload)
            except AssertionError as exc:
                return f"check failed: {exc}"
    if case.files is not None:
        try:
            case.files(tmp)
        except (AssertionError, OSError) as exc:
            return f"files: {exc!r}"
    return None


def argv_of(case, tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in case.argv]


def run_cli_inprocess(case, tmp: Path, cli) -> str | None:
    """Judge one case with the in-process runner of the tests (``cli`` fixture)."""
    if case.setup:
        case.setup(tmp)
    t0 = time.perf_counter()
    rc, out, err = cli(*argv_of(case, tmp))
    return judge_cli(case, rc, out, err, time.perf_counter() - t0, tmp)


def run_cli_subprocess(case, tmp: Path, timeout: float = 120.0) -> str | None:
    if case.setup:
        case.setup(tmp)
    cmd = f"ulimit -v 4000000; exec {sys.executable} -m numerics.cli \"$@\""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(["bash", "-c", cmd, "regimes", *argv_of(case, tmp)], capture_output=True, text=True, errors="replace",
                           timeout=timeout, cwd=Path(__file__).resolve().parents[2])
    except subprocess.TimeoutExpired:
        return f"timeout after {timeout:g} s"
    return judge_cli(case, p.returncode, p.stdout, p.stderr, time.perf_counter() - t0, tmp)


def judge_api(case) -> str | None:
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            value = case.fn()
    except ValueError as exc:
        if case.expect == "valid":
            return f"ValueError: {exc}"
        msg = str(exc)
        if "\n" in msg.strip():
            return "multi-line message"
        if case.param and case.param.lower() not in msg.lower():
            return f"does not name {case.param!r}: {msg[:160]}"
        return None
    except Exception as exc:  # noqa: BLE001 - anything else is the defect being counted
        return f"{type(exc).__name__}: {str(exc)[:160]}"
    if case.expect == "invalid":
        return f"accepted, returned {value!r}"[:200]
    if w:
        return f"warning: {w[0].message}"
    if case.check is not None:
        try:
            ok = case.check(value)
        except AssertionError as exc:
            return f"check failed: {exc}"
        if ok is False:
            return f"check failed: {value!r}"[:200]
    return None


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import hostile_corpus as corpus

    only = sys.argv[1] if len(sys.argv) > 1 else None
    tried, handled = Counter(), Counter()
    fails = []
    for case in corpus.CLI_CASES:
        if only and only not in case.category:
            continue
        with tempfile.TemporaryDirectory() as d:
            why = run_cli_subprocess(case, Path(d))
        tried["cli:" + case.category] += 1
        handled["cli:" + case.category] += why is None
        if why:
            fails.append((case.id, why))
        print(("ok   " if why is None else "FAIL ") + case.id + ("" if why is None else f"  -- {why}"), flush=True)
    if not only or only == "api":
        try:
            cases = corpus.api_cases()
        except Exception as exc:  # noqa: BLE001
            print(f"api corpus does not import: {exc!r}")
            cases = []
        for case in cases:
            why = judge_api(case)
            tried["api"] += 1
            handled["api"] += why is None
            print(("ok   " if why is None else "FAIL ") + case.id + ("" if why is None else f"  -- {why}"), flush=True)
    print("\ncategory          tried  handled")
    for k in sorted(tried):
        print(f"{k:<16} {tried[k]:6d} {handled[k]:8d}")
    print(f"{'total':<16} {sum(tried.values()):6d} {sum(handled.values()):8d}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main())
