"""``regimes times`` (declared in :mod:`numerics.data.cli`): speciation and collapse times of a dataset
(THEORY §5)."""

from __future__ import annotations

import math
import time

import numpy as np

from numerics import timeconv, validate
from numerics.cli import emit
from numerics.data import sources as data
from numerics.data import times as DT
from numerics.models.mixture.collapse import covariance_eigenvalues, t_C_gaussian_spectrum

KEYS = ("Lambda", "Lambda_err", "t_S", "t_S_err", "alpha", "t_C", "t_C_err", "eigenvalues", "n", "d")


def times_payload(ns) -> dict:
    if (ns.path is None) == (ns.dataset is None):
        raise ValueError("give exactly one of PATH or --dataset")
    seed = int(validate.at_least("seed", ns.seed, 0))
    if float(ns.seed) != seed:
        raise ValueError(f"seed must be a non-negative integer, got {ns.seed!r}")
    max_n = None if ns.max_n is None else validate.positive_int("max-n", ns.max_n)
    n_mc = validate.positive_int("n-mc", ns.n_mc)
    n_boot = int(validate.at_least("n-boot", validate.positive_int("n-boot", ns.n_boot), 10))
    k = validate.positive_int("k", ns.k)
    label_column = None if ns.label_column is None else int(validate.as_float("label-column", ns.label_column))
    classes = None if ns.classes is None else [_label(c) for c in ns.classes]
    t0 = time.perf_counter()
    if ns.dataset is not None:
        ds = data.load(ns.dataset, builtin=True, classes=classes, max_n=max_n, seed=seed, split=ns.split)
    else:
        ds = data.load(ns.path, classes=classes, max_n=max_n, seed=seed, key=ns.key, labels_key=ns.labels_key,
                       label_column=label_column)
    t_load = time.perf_counter() - t0
    out = DT.dataset_times(ds.X, seed=seed, k=k, n_boot=n_boot, n_mc=n_mc, progress=not ns.json)
    payload = {key: out[key] for key in KEYS}
    # Gaussian-spectrum prediction of t_C (THEORY §6) beside the Monte Carlo t_C: their gap measures non-Gaussianity
    payload["t_C_gaussian"] = t_C_gaussian_spectrum(covariance_eigenvalues(ds.X), out["d"], out["n"])
    payload.update(
        source=ds.name, seed=seed, preprocessing=ds.preprocessing,
        eigenvalues_err=out["eigenvalues_err"], later_speciations=out["later_speciations"],
        eigen_solver=out["eigen_solver"], t_C_estimator=out["t_C_estimator"],
        n_mc=out["n_mc"], n_boot=out["n_boot"],
        f_e={"t": out["fe_t"], "f": out["fe"], "f_err": out["fe_err"]},
        units={"t_S": timeconv.convert_times(max(out["t_S"], 0.0)),
               "t_C": timeconv.convert_times(out["t_C"]) if math.isfinite(out["t_C"]) and out["t_C"] >= 0 else None,
               "t_C_gaussian": timeconv.convert_times(payload["t_C_gaussian"]) if math.isfinite(payload["t_C_gaussian"]) else None},
        seconds={"load": t_load, **out["seconds"], "total": time.perf_counter() - t0},
    )
    if ns.plot:
        plot_times(payload, ns.plot)
        payload["plot"] = ns.plot
    return payload


def _label(c: str):
    try:
        f = float(c)
        return int(f) if f == int(f) else f
    except ValueError:
        return c


def plot_times(o: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    t = np.asarray(o["f_e"]["t"])
    f = np.asarray(o["f_e"]["f"]) / o["alpha"]
    e = np.asarray(o["f_e"]["f_err"]) / o["alpha"]
    ax1.fill_between(t, f - 2 * e, f + 2 * e, alpha=0.3)
    ax1.plot(t, f, label=r"$f^e(t)/\alpha$")
    if o["t_C"] is not None and math.isfinite(o["t_C"]):
        ax1.axvline(o["t_C"], color="C3", ls="--", label=f"$t_C$ = {o['t_C']:.3f}")
    ax1.axvline(o["t_S"], color="C2", ls=":", label=f"$t_S$ = {o['t_S']:.3f}")
    ax1.set_xscale("log")
    ax1.set_xlabel("t (OU time)")
    ax1.set_ylabel(r"$f^e/\alpha$")
    ax1.legend()
    ev = np.asarray(o["eigenvalues"])
    ax2.errorbar(np.arange(1, ev.size + 1), ev, yerr=np.asarray(o["eigenvalues_err"]), fmt="o")
    ax2.axhline(1.0, color="grey", lw=0.8)
    ax2.set_yscale("log")
    ax2.set_xlabel("rank")
    ax2.set_ylabel("covariance eigenvalue")
    fig.suptitle(f"{o['source']}  n={o['n']}  d={o['d']}  alpha={o['alpha']:.4g}")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=110)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot write plot {path!r}: {exc}") from None
    finally:
        plt.close(fig)


def _table(o: dict) -> str:
    lines = [f"{o['source']}: n = {o['n']}, d = {o['d']}, alpha = ln n / d = {o['alpha']:.6g}",
             f"  preprocessing: {o['preprocessing']['policy']} (scale s = {o['preprocessing']['scale']:.6g})",
             f"  Lambda = {o['Lambda']:.6g} ± {o['Lambda_err']:.2g}   t_S = ½ ln Λ = {o['t_S']:.4f} ± {o['t_S_err']:.2g}",
             f"  t_C = {o['t_C']:.4f} ± {o['t_C_err']:.2g}   ({o['t_C_estimator']})",
             f"  t_C (Gaussian spectrum) = {o['t_C_gaussian']:.4f}",
             "  top eigenvalues: " + ", ".join(f"{v:.4g}" for v in o["eigenvalues"])]
    for s in o["later_speciations"]:
        lines.append(f"  later speciation #{s['index']}: lambda = {s['eigenvalue']:.4g}, t = {s['t']:.4f} ± {s['t_err']:.2g}")
    lines.append(f"  time: {o['seconds']['total']:.2f} s")
    return "\n".join(lines)


def run(ns) -> int:
    o = times_payload(ns)
    emit(o, ns.json, _table(o))
    return 0
