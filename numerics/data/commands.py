"""``regimes times`` (declared in :mod:`numerics.data.cli`): speciation and collapse times of a dataset
(THEORY §5), in the units of ``--scale``, streamed within ``--memory-budget``, optionally on a Dask
cluster (``--scheduler``).

JSON keys (a contract): ``Lambda``, ``Lambda_err``, ``ln_Lambda``, ``t_S``, ``t_S_err``, ``alpha``, ``t_C``,
``t_C_err``, ``eigenvalues``, ``n``, ``d``, ``source``, ``seed``, ``preprocessing`` (with ``scale``: none,
standardize or pm1, ``unit_scale``, ``shift``), ``time_units``, ``eigenvalues_err``, ``later_speciations``,
``eigen_solver``, ``t_C_estimator``, ``n_mc``, ``n_boot``, ``f_e`` (``t``, ``f``, ``f_err``, ``rows``),
``fe_dtype``, ``fe_float32_check``, ``fe_grid``, ``units`` (t_S and t_C in DDPM/EDM conventions),
``memory`` (``peak_rss_bytes``, ``peak_vm_bytes``), ``executor``, ``seconds`` (``load``, ``speciation``,
``collapse``, ``total``).
"""

from __future__ import annotations

import math
import time

import numpy as np

from numerics import timeconv
from numerics.cli import emit
from numerics.data import sources as data
from numerics.data import times as DT
from numerics.data.parallel import executor_for
from numerics.data.stream import peak_memory, prepare
from numerics.models.mixture.collapse import t_C_gaussian_spectrum

KEYS = ("Lambda", "Lambda_err", "t_S", "t_S_err", "alpha", "t_C", "t_C_err", "eigenvalues", "n", "d")
TIME_UNITS = ("OU time t of the forward process dx = -x dt + sqrt(2) dB applied to the data in the units of "
              "preprocessing.scale (x_t = e^-t a + sqrt(1 - e^-2t) z); the times depend on that scale")


def times_payload(ns) -> dict:
    """The ``regimes times`` JSON payload (module docstring) from the parsed options ``ns``."""
    if (ns.path is None) == (ns.dataset is None):
        raise ValueError("give exactly one of PATH or --dataset")
    if ns.n_boot < 10:
        raise ValueError(f"n-boot must be >= 10, got {ns.n_boot}")
    if ns.n_mc < 2:
        raise ValueError(f"n-mc must be >= 2 for a standard error, got {ns.n_mc}")
    classes = None if ns.classes is None else [_label(c) for c in ns.classes]
    scale = ns.scale or ("pm1" if ns.dataset is not None else "none")
    progress = not ns.json
    t0 = time.perf_counter()
    ex = executor_for(ns.scheduler, progress)
    try:
        if ns.dataset is not None:
            store = data.open_source(ns.dataset, builtin=True, split=ns.split)
        else:
            store = data.open_source(ns.path, key=ns.key, labels_key=ns.labels_key, label_column=ns.label_column)
        ds = prepare(store, classes=classes, max_n=ns.max_n, seed=ns.seed, scale=scale,
                     memory_budget=ns.memory_budget, executor=ex)
        t_load = time.perf_counter() - t0
        out = DT.dataset_times(ds, seed=ns.seed, k=ns.k, n_boot=ns.n_boot, n_mc=ns.n_mc, progress=progress, executor=ex)
        # Gaussian-spectrum prediction of t_C (THEORY §6) beside the Monte Carlo t_C: their gap measures
        # non-Gaussianity; null when d > DT.DENSE_MAX_D (the full spectrum is not computed there)
        spectrum = DT.full_spectrum(ds, executor=ex) if ds.d <= DT.DENSE_MAX_D else None
    finally:
        ex.close()
    payload = {key: out[key] for key in KEYS}
    payload["t_C_gaussian"] = None if spectrum is None else t_C_gaussian_spectrum(spectrum, out["d"], out["n"])
    payload.update(
        ln_Lambda=out["ln_Lambda"], source=ds.name, seed=ns.seed, preprocessing=ds.preprocessing, time_units=TIME_UNITS,
        eigenvalues_err=out["eigenvalues_err"], later_speciations=out["later_speciations"],
        eigen_solver=out["eigen_solver"], eigen_info=out["eigen_info"], t_S_err_method=out["t_S_err_method"],
        t_C_estimator=out["t_C_estimator"], n_mc=out["n_mc"], n_boot=out["n_boot"],
        f_e={"t": out["fe_t"], "f": out["fe"], "f_err": out["fe_err"], "rows": out["fe_rows"]},
        fe_dtype=out["fe_dtype"], fe_float32_check=out["fe_float32_check"], fe_grid=out["fe_grid"],
        units={"t_S": _conv(out["t_S"]), "t_C": _conv(out["t_C"]),
               "t_C_gaussian": None if payload["t_C_gaussian"] is None else _conv(payload["t_C_gaussian"])},
        executor=out["executor"],
    )
    if ns.plot:
        plot_times(payload, ns.plot)
        payload["plot"] = ns.plot
    payload["memory"] = peak_memory()
    payload["seconds"] = {"load": t_load, **out["seconds"], "total": time.perf_counter() - t0}
    return payload


def _conv(t: float):
    """A time in every convention (None when not a finite time ≥ 0)."""
    return timeconv.convert_times(t) if t is not None and math.isfinite(t) and t >= 0 else None


def _label(c: str):
    try:
        f = float(c)
        return int(f) if f == int(f) else f
    except ValueError:
        return c


def plot_times(o: dict, path: str) -> None:
    """f^e(t)/α with its ±2σ band, t_S and t_C (left) and the top covariance eigenvalues (right) to a PNG."""
    import matplotlib.pyplot as plt

    from numerics.verify.figures import new_axes, savefig

    fig, (ax1, ax2) = new_axes(2, width=5.0, height=4.0)
    t = np.asarray(o["f_e"]["t"])
    f = np.asarray(o["f_e"]["f"]) / o["alpha"]
    e = np.asarray(o["f_e"]["f_err"]) / o["alpha"]
    ax1.fill_between(t, f - 2 * e, f + 2 * e, alpha=0.3)
    ax1.plot(t, f, label=r"$f^e(t)/\alpha$")
    if o["t_C"] is not None and math.isfinite(o["t_C"]):
        ax1.axvline(o["t_C"], color="C3", ls="--", label=f"$t_C$ = {o['t_C']:.3f}")
    ax1.axvline(o["t_S"], color="C2", ls=":", label=f"$t_S$ = {o['t_S']:.3f}")
    ax1.set_xscale("log")
    ax1.set_xlabel("$t$ (OU time)")
    ax1.set_ylabel(r"$f^e/\alpha$")
    ax1.legend(loc="upper left")  # f^e/α rises from 0 to 1: the upper left corner is empty
    ev = np.asarray(o["eigenvalues"])
    ax2.errorbar(np.arange(1, ev.size + 1), ev, yerr=np.asarray(o["eigenvalues_err"]), fmt="o")
    ax2.axhline(1.0, color="grey", lw=0.8)
    ax2.set_yscale("log")
    ax2.set_xlabel("rank")
    ax2.set_ylabel("covariance eigenvalue")
    fig.suptitle(f"{o['source']}:  $n={o['n']}$,  $d={o['d']}$,  $\\alpha={o['alpha']:.4g}$")
    try:
        savefig(fig, path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot write plot {path!r}: {exc}") from None
    finally:
        plt.close(fig)


def _table(o: dict) -> str:
    pre = o["preprocessing"]
    lam = (f"{o['Lambda']:.6g} ± {o['Lambda_err']:.2g}" if math.isfinite(o["Lambda"]) and o["Lambda"] > 0
           else f"exp({o['ln_Lambda']:.6g})")
    lines = [f"{o['source']}: n = {o['n']}, d = {o['d']}, alpha = ln n / d = {o['alpha']:.6g}",
             f"  units: --scale {pre['scale']} (unit s = {pre['unit_scale']:.6g}): {pre['policy']}",
             f"  Lambda = {lam}   t_S = ½ ln Λ = {o['t_S']:.4f} ± {o['t_S_err']:.2g}",
             f"  t_C = {o['t_C']:.4f} ± {o['t_C_err']:.2g}   ({o['t_C_estimator']})",
             "  t_C (Gaussian spectrum) = " + ("not computed (d > 2048)" if o["t_C_gaussian"] is None
                                               else f"{o['t_C_gaussian']:.4f}"),
             "  top eigenvalues: " + ", ".join(f"{v:.4g}" for v in o["eigenvalues"])]
    for s in o["later_speciations"]:
        lines.append(f"  later speciation #{s['index']}: lambda = {s['eigenvalue']:.4g}, t = {s['t']:.4f} ± {s['t_err']:.2g}")
    mem = o["memory"]
    lines.append(f"  time: {o['seconds']['total']:.2f} s ({o['executor']['executor']}); peak memory "
                 f"{mem['peak_rss_bytes'] / 2**20:.0f} MiB resident"
                 + (f", {mem['peak_vm_bytes'] / 2**20:.0f} MiB virtual" if "peak_vm_bytes" in mem else ""))
    return "\n".join(lines)


def run(ns) -> int:
    """``regimes times``: print the payload (``--json``) or a table; exit 0."""
    o = times_payload(ns)
    emit(o, ns.json, _table(o))
    return 0
