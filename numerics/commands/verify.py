"""``regimes verify``: every theory result against simulation (see numerics/verify.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("verify", help="check every theory result against Monte Carlo; exit 0 only if all pass")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes, under 5 minutes (default)")
    mode.add_argument("--full", action="store_true", help="the papers' sizes (long)")
    p.add_argument("--only", default=None, help="run checks whose name matches this glob/substring")
    p.add_argument("--json", default=None, metavar="PATH", help="write the results as JSON to PATH")
    p.add_argument("--out", default=None, metavar="DIR", help="write figures (PNG) and raw numbers (NPZ/CSV) to DIR")
    p.add_argument("--seed", default="0", help="master seed (default 0)")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.set_defaults(func=run)


def run(ns) -> int:
    from numerics import validate
    from numerics.verify import format_table, run_checks, select_checks

    mode = "full" if ns.full else "quick"
    seed = int(validate.at_least("seed", ns.seed, 0))
    checks = select_checks(mode, ns.only)
    if ns.list:
        for c in checks:
            print(f"{c.name:<40} {'quick' if c.quick else 'full '}  {c.description}")
        return 0
    if not checks:
        raise ValueError(f"no check matches {ns.only!r}")

    def progress(name):
        print(f"  running {name} ...", file=sys.stderr, flush=True)

    rep = run_checks(checks, mode=mode, seed=seed, progress=progress)
    print(format_table(rep))
    if ns.json:
        Path(ns.json).write_text(json.dumps(_clean(rep.as_json()), indent=2))
        print(f"wrote {ns.json}")
    if ns.out:
        written = write_outputs(Path(ns.out), rep, mode == "full", seed, ns.only)
        print(f"wrote {len(written)} files to {ns.out}")
    return 0 if rep.passed else 1


def _clean(o):
    from numerics.cli import _clean as c

    return c(o)


def write_outputs(out: Path, rep, full: bool, seed: int, only: str | None) -> list[Path]:
    """Raw check numbers (CSV) and every registered figure (PNG + NPZ)."""
    import csv
    import fnmatch

    import numpy as np

    from numerics.figures import all_figures

    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / "checks.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "theory", "value", "stderr", "z", "passed", "seconds", "params"])
        for r in rep.rows:
            w.writerow([r.name, r.theory, r.value, r.stderr, r.z, r.passed, f"{r.seconds:.3f}", json.dumps(_clean(r.params))])
    written.append(path)
    for f in all_figures():
        if not full and not f.quick:
            continue
        if only and not fnmatch.fnmatch(f.name, only if any(ch in only for ch in "*?[") else f"*{only}*") and not any(
                fnmatch.fnmatch(r.name, f"{f.name}*") for r in rep.rows):
            continue
        print(f"  figure {f.name} ...", file=sys.stderr, flush=True)
        written += f.fn(out, full, np.random.default_rng([seed, 7]))
    return written
