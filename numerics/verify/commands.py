"""``regimes verify`` (declared in :mod:`numerics.verify.cli`): every theory result against simulation."""

from __future__ import annotations

import csv
import fnmatch
import json
import sys
from pathlib import Path

import numpy as np

from numerics.cli import jsonable
from numerics.io import open_atomic, write_text_atomic
from numerics.results import parse_mutation
from numerics.verify.figures import all_figures, configure
from numerics.verify.power import coverage, limits_table, suite_power
from numerics.verify.runner import _rng_for, format_table, run_checks, select_checks, z_threshold


def run(ns) -> int:
    """``regimes verify``: exit 0 if every selected check passes, 1 if one fails, 2 for bad input."""
    mode = "full" if ns.full else "quick"
    seed = ns.seed
    mutate: dict = {}
    for text in ns.mutate:
        name, f = parse_mutation(text)
        if name not in _registered():
            raise ValueError(f"mutate: unknown result {name!r} (see `regimes results`)")
        mutate[name] = mutate.get(name, 1.0) * f
    checks = select_checks(mode, ns.only)
    if not checks:
        raise ValueError(f"--only {ns.only!r} matches no {mode} check (see `regimes verify --list`)")
    if ns.list:
        for c in checks:
            print(f"{c.name:<40} {'quick' if c.quick else 'full '}  tests {', '.join(c.tests)}  {c.description}")
        return 0
    # output paths were checked when the command line was parsed (numerics.cli.args), before this run
    json_stdout = ns.json == "-"
    show = getattr(ns, "progress", None) is not False
    if ns.coverage:
        return run_coverage(ns, checks)

    def progress(name):
        if show:
            print(f"  running {name} ...", file=sys.stderr, flush=True)

    if ns.scheduler:
        from numerics.verify.distributed import run_checks_distributed

        rep = run_checks_distributed(checks, mode=mode, seed=seed, mutate=mutate, scheduler=ns.scheduler,
                                     progress=lambda name: print(f"  done {name}", file=sys.stderr, flush=True))
    else:
        rep = run_checks(checks, mode=mode, seed=seed, progress=progress, mutate=mutate)
    if ns.power:
        return run_power(ns, checks, rep, mode, seed, progress)
    print(format_table(rep), file=sys.stderr if json_stdout else sys.stdout)
    if ns.json:
        write_json(ns.json, rep.as_json())
    if ns.out:
        configure(getattr(ns, "format", "png"), getattr(ns, "dpi", None))
        written = write_outputs(Path(ns.out), rep, mode == "full", seed, ns.only)
        print(f"wrote {len(written)} files to {ns.out}", file=sys.stderr if json_stdout else sys.stdout)
    return 0 if rep.passed else 1


def _registered() -> set[str]:
    from theory import registry  # the catalog only: no derivation runs

    return {r["name"] for r in registry.catalog()}


def run_coverage(ns, checks) -> int:
    """``regimes verify --coverage``: checks per registered result; untested results exit 1."""
    from theory import registry

    cov = coverage(select_checks("full", None), registry.names())
    if ns.json:
        write_json(ns.json, cov)
    out = sys.stderr if ns.json == "-" else sys.stdout  # the JSON alone on stdout
    for r, cs in cov["tested"].items():
        print(f"{r:<32} {', '.join(cs)}", file=out)
    for r, why in cov["unchecked"].items():
        print(f"{r:<32} (no Monte Carlo meaning of its own: {why})", file=out)
    for c, names in cov["unknown"].items():
        print(f"check {c} names unregistered results: {', '.join(names)}", file=out)
    if cov["untested"]:
        print("untested results with a Monte Carlo meaning: " + ", ".join(cov["untested"]), file=out)
    else:
        print("every registered result with a Monte Carlo meaning is tested by a check", file=out)
    return 1 if (cov["untested"] or cov["unknown"]) else 0


def run_power(ns, checks, rep, mode, seed, progress) -> int:
    """``regimes verify --power``: detection limits at the threshold of the selected suite, or of ``--power-rows``
    judged rows (the whole suite's threshold while running a few checks)."""
    rows = getattr(ns, "power_rows", None)
    z = z_threshold(rows) if rows else rep.threshold
    limits = suite_power(checks, z_crit=z, mode=mode, seed=seed, progress=progress)
    print(limits_table(limits), file=sys.stderr if ns.json == "-" else sys.stdout)
    if ns.json:
        payload = {"mode": mode, "seed": seed, "threshold": z, "passed": rep.passed,
                   "limits": [x.as_json() for x in limits]}
        write_json(ns.json, payload)
    return 0 if rep.passed else 1


def write_json(dest: str, payload) -> None:
    """``payload`` as JSON on stdout (``dest`` = ``"-"``) or atomically to the file ``dest`` (checked at parse
    time), saying so on stdout."""
    text = json.dumps(jsonable(payload), indent=2)
    if dest == "-":
        print(text)
    else:
        write_text_atomic(dest, text)
        print(f"wrote {dest}")


def write_outputs(out: Path, rep, full: bool, seed: int, only: str | None) -> list[Path]:
    """Raw check numbers (CSV) and every registered figure (image + NPZ). A figure that names the check it
    illustrates gets that check's random stream (so it can state the check's numbers)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / "checks.csv"
    with open_atomic(path, "w", newline="") as fh:  # replaces a planted symlink, never writes through it
        w = csv.writer(fh)
        w.writerow(["name", "theory", "value", "stderr", "z", "passed", "seconds", "params"])
        for r in rep.rows:
            w.writerow([r.name, r.theory, r.value, r.stderr, r.z, r.passed, f"{r.seconds:.3f}", json.dumps(jsonable(r.params))])
    written.append(path)
    for f in all_figures():
        if not full and not f.quick:
            continue
        ran = {r.name.split("[")[0] for r in rep.rows}
        if only and not fnmatch.fnmatch(f.name, only if any(ch in only for ch in "*?[") else f"*{only}*") and not any(
                fnmatch.fnmatch(r.name, f"{f.name}*") for r in rep.rows) and not (f.check and f.check in ran):
            continue  # a figure is written when its name matches --only or the check it illustrates ran
        print(f"  figure {f.name} ...", file=sys.stderr, flush=True)
        rng = _rng_for(seed, f.check) if f.check else np.random.default_rng([seed, 7])
        written += f.fn(out, full, rng)
    return written
