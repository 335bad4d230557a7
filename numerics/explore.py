r"""Interactive explorers for the notebooks: sliders over the model parameters, each redraw computed
from the generated code (``numerics/generated``) in a few milliseconds.

- :func:`speciation`: cloning probability :math:`\varphi(t)` (``gm.phi``, ``gm.kappa``) and the
  speciation time :math:`t_S = \tfrac12\ln\Lambda`, :math:`\Lambda = \sigma^2 + 4p_+p_-d\tilde\mu^2`
  (``gm.t_S``), against :math:`d, \tilde\mu, \sigma, p_+` (Biroli, Bonnaire, de Bortoli & Mézard
  2024; theory document §2);
- :func:`collapse`: excess entropy :math:`f(t) = \alpha - \tfrac12\ln(\Gamma_t/\Delta_t)`
  (``gm.f_leading``, with its finite-:math:`d` term :math:`-\delta/d`) and the collapse time
  :math:`t_C = \tfrac12\ln(1 + \sigma^2/(n^{2/d} - 1))` (``gm.t_C``) against :math:`d, n, \sigma`
  (theory document §2–3);
- :func:`curie_weiss`: the exact state weight :math:`p_+` and the two-state cloning probability
  :math:`\varphi_{CW}(t)` (``cw.kappa``, ``cw.t_S``) against :math:`N, \beta, H` (theory document §4).

Each returns an :class:`Explorer`: ipywidgets sliders above a PNG rendered by matplotlib's Agg canvas
(no pyplot figure, so nothing is duplicated by the inline backend), and a line stating the last
redraw time. ``ipywidgets`` comes with the ``[lab]`` extra.

Examples
--------
>>> ex = speciation(d=1024)          # doctest: +SKIP
>>> ex                               # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
import time
from typing import Callable

import numpy as np

__all__ = ["Explorer", "speciation", "collapse", "curie_weiss"]


class Explorer:
    """Sliders that redraw a matplotlib figure into an image widget.

    The artists are made once (``setup``) and only their data change on a slider move (``draw``);
    the layout is fixed, so a redraw is the computation plus one Agg rendering.

    Parameters
    ----------
    setup : callable
        ``setup(axes) -> state``: makes the artists once (lines, markers, labels).
    draw : callable
        ``draw(state, **values)``: sets the artists' data for the slider values.
    controls : dict
        ``{name: ipywidgets slider}``; ``values[name]`` is the slider's value.
    ncols : int
        Number of axes side by side.
    size : (float, float)
        Figure size in inches.
    dpi : float
        Raster resolution of the image.

    Attributes
    ----------
    timings, cpu_timings : list of float
        Wall and CPU seconds of every redraw (computation + PNG rendering).
    compute_timings : list of float
        CPU seconds of the computation alone (the generated code; no rendering).
    widget : ipywidgets.VBox
        What the notebook shows.
    """

    def __init__(self, setup: Callable, draw: Callable, controls: dict, *, ncols: int = 2, size=(10.0, 3.6),
                 dpi: float = 80):
        import ipywidgets as W
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from numerics.verify.figures import use_style

        import matplotlib

        use_style()
        self.draw, self.controls, self.dpi = draw, controls, dpi
        # fewer artists per redraw: ticks on two sides only (this figure only, not the notebook's others)
        with matplotlib.rc_context({"xtick.top": False, "ytick.right": False}):
            self.fig = Figure(figsize=size, dpi=dpi)
            FigureCanvasAgg(self.fig)
            self.fig.set_layout_engine("none")  # a fixed layout: no layout engine runs on a redraw
            self.axes = self.fig.subplots(1, ncols, gridspec_kw=dict(left=0.07, right=0.985, bottom=0.14, top=0.9,
                                                                     wspace=0.25))
            self.state = setup(self.axes)
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.status = W.HTML()
        self.timings: list[float] = []
        self.cpu_timings: list[float] = []
        self.compute_timings: list[float] = []
        for w in controls.values():
            w.continuous_update = True
            w.observe(self.update, names="value")
        rows = [W.HBox(list(controls.values())[i:i + 2]) for i in range(0, len(controls), 2)]
        self.widget = W.VBox([*rows, self.image, self.status])
        self.widget.add_class("regimes-explorer")
        self.update()

    def png(self) -> bytes:
        """The figure as PNG: one Agg draw and a fast PNG encoding (no savefig machinery)."""
        from PIL import Image

        self.fig.canvas.draw()
        buf = io.BytesIO()
        Image.frombuffer("RGBA", self.fig.canvas.get_width_height(), self.fig.canvas.buffer_rgba(), "raw",
                         "RGBA", 0, 1).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    @property
    def values(self) -> dict:
        """The current slider values."""
        return {k: w.value for k, w in self.controls.items()}

    def update(self, change=None) -> None:
        """Redraw for the current slider values (called by every slider move)."""
        t0, c0 = time.perf_counter(), time.process_time()
        self.draw(self.state, **self.values)
        self.compute_timings.append(time.process_time() - c0)
        self.image.value = self.png()
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        self.timings.append(dt)
        self.cpu_timings.append(cpu)
        self.status.value = (f"<small>redraw {1e3 * dt:.0f} ms: computation {1e3 * self.compute_timings[-1]:.0f} ms "
                             f"CPU (generated code), with rendering {1e3 * cpu:.0f} ms CPU</small>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widget for a live kernel, and the current figure as a PNG beside it: frontends that render
        widgets show the sliders, static renderings (the docs site, nbconvert) show the figure."""
        import base64

        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data)
        data["image/png"] = base64.b64encode(bytes(self.image.value)).decode("ascii")
        return (data, meta) if meta else data


def _log2_slider(description: str, value: float, lo: int, hi: int):
    import ipywidgets as W

    k = int(round(math.log2(value)))
    return W.IntSlider(value=min(max(k, lo), hi), min=lo, max=hi, description=description,
                       readout_format="d", style={"description_width": "initial"})


def _slider(description: str, value: float, lo: float, hi: float, step: float):
    import ipywidgets as W

    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         style={"description_width": "initial"})


_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _sup(k: int) -> str:
    return str(k).translate(_SUP)


def _title(ax, text: str) -> None:
    """A title that changes on every redraw: plain text (no mathtext parsing, which costs more than
    the computation)."""
    ax.set_title(text, parse_math=False)


def _plain_log_ticks(ax, axis: str = "x") -> None:
    """Log-axis tick labels as plain text (``1e+04``), no minor labels: cheap to lay out."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    a = ax.xaxis if axis == "x" else ax.yaxis
    a.set_major_locator(LogLocator(numticks=6))
    a.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")))
    a.set_minor_locator(NullLocator())


def _ylim(ax, *arrays, pad=0.05, floor=None):
    lo = min(float(np.nanmin(a)) for a in arrays)
    hi = max(float(np.nanmax(a)) for a in arrays)
    lo = floor if floor is not None and lo < floor else lo
    span = hi - lo or 1.0
    ax.set_ylim(lo - pad * span, hi + pad * span)


def speciation(d: int = 1024, mu: float = 1.0, sigma: float = 1.0, p_plus: float = 0.5) -> Explorer:
    r"""φ(t) and t_S of the two-class Gaussian mixture, against :math:`d, \tilde\mu, \sigma, p_+`.

    Left: :math:`\varphi(t)` (``gm.phi`` at :math:`\kappa(t) = e^{-2t}d\tilde\mu^2/\Gamma_t`) with
    :math:`t_S` marked; right: :math:`t_S = \tfrac12\ln(\sigma^2 + 4p_+p_-d\tilde\mu^2)` against
    :math:`d` with the current point.

    Parameters
    ----------
    d, mu, sigma, p_plus : float
        Initial slider values (``d`` is set as a power of two).

    Returns
    -------
    Explorer
    """
    from numerics import universal
    from numerics.generated import gm as G

    controls = {"log2_d": _log2_slider("log2 d", d, 1, 30),
                "mu": _slider("μ̃", mu, 0.1, 3.0, 0.05),
                "sigma": _slider("σ", sigma, 0.1, 3.0, 0.05),
                "p_plus": _slider("p₊", p_plus, 0.02, 0.98, 0.01)}
    dd = np.logspace(0, 9.03, 120)

    def setup(axes):
        ax1, ax2 = axes
        st = {"phi": ax1.plot([], [], color="C0", label=r"$\varphi(t)$")[0],
              "tS": ax1.axvline(1, color="C1", ls="--", label=r"$t_S$"),
              "floor": ax1.axhline(0.5, color="0.6", ls=":", lw=1, label=r"$p_+^2 + p_-^2$"),
              "curve": ax2.semilogx(dd, dd, color="C0")[0], "point": ax2.plot([1], [1], "o", color="C1")[0],
              "ax1": ax1, "ax2": ax2}
        ax1.set(xlabel="$t$", ylabel=r"cloning probability $\varphi(t)$", ylim=(0.45, 1.02))
        ax1.legend(loc="lower left")
        ax2.set(xlabel="$d$", ylabel=r"$t_S = \frac{1}{2}\ln\Lambda$", xlim=(1, dd[-1]))
        _plain_log_ticks(ax2)
        return st

    def draw(st, log2_d, mu, sigma, p_plus):
        d = 2.0 ** log2_d
        t_S = float(G.t_S(d, mu, sigma, p_plus))
        t = np.linspace(0.01, max(2.0 * t_S, 1.0), 160)
        st["phi"].set_data(t, universal.phi(G.kappa(t, d, mu, sigma), p_plus))
        st["tS"].set_xdata([t_S, t_S])
        floor = p_plus**2 + (1 - p_plus) ** 2
        st["floor"].set_ydata([floor, floor])
        st["ax1"].set_xlim(0, t[-1])
        _title(st["ax1"], f"d = 2{_sup(log2_d)}: Λ = {float(G.Lambda(d, mu, sigma, p_plus)):.4g}, t_S = {t_S:.3f}")
        ts = G.t_S(dd, mu, sigma, p_plus)
        st["curve"].set_ydata(ts)
        st["point"].set_data([d], [t_S])
        _ylim(st["ax2"], ts)
        _title(st["ax2"], f"μ̃ = {mu:.2f}, σ = {sigma:.2f}, p₊ = {p_plus:.2f}")

    return Explorer(setup, draw, controls)


def collapse(d: int = 64, n: float = 2000, sigma: float = 1.0) -> Explorer:
    r"""Excess entropy f(t) and collapse time t_C of the Gaussian mixture, against :math:`d, n, \sigma`.

    Left: :math:`f(t)/\alpha` with :math:`f = \alpha - \tfrac12\ln(\Gamma_t/\Delta_t)`, its finite-:math:`d`
    form :math:`f - \delta(\kappa)/d` (:math:`\tilde\mu = 1`, :math:`p_+ = \tfrac12`) and :math:`t_C`
    where :math:`f = 0`; right: :math:`t_C` against :math:`n` for this :math:`d` (``gm.t_C``).

    Parameters
    ----------
    d, n, sigma : float
        Initial slider values (``d`` as a power of two, ``n`` as a power of ten).

    Returns
    -------
    Explorer
    """
    from numerics import universal
    from numerics.generated import gm as G

    controls = {"log2_d": _log2_slider("log2 d", d, 1, 14),
                "log10_n": _slider("log10 n", math.log10(n), 0.5, 8.0, 0.1),
                "sigma": _slider("σ", sigma, 0.1, 3.0, 0.05)}
    nn = np.logspace(0.3, 8.0, 120)

    def setup(axes):
        ax1, ax2 = axes
        st = {"f": ax1.semilogx([1], [1], color="C0", label=r"$f/\alpha$, $d\to\infty$")[0],
              "fd": ax1.semilogx([1], [1], color="C2", ls="-.", label=r"$(f - \delta/d)/\alpha$")[0],
              "tC": ax1.axvline(1, color="C1", ls="--", label=r"$t_C$: $f(t_C) = 0$"),
              "curve": ax2.semilogx(nn, nn, color="C0")[0], "point": ax2.plot([1], [1], "o", color="C1")[0],
              "ax1": ax1, "ax2": ax2}
        ax1.axhline(0, color="0.6", lw=0.6)
        ax1.set(xlabel="$t$", ylabel=r"excess entropy $f(t)/\alpha$", ylim=(-2.0, 1.05))
        _plain_log_ticks(ax1)
        ax1.legend(loc="lower right")
        ax2.set(xlabel="$n$", ylabel=r"$t_C = \frac{1}{2}\ln(1 + \sigma^2/(n^{2/d} - 1))$", xlim=(nn[0], nn[-1]))
        _plain_log_ticks(ax2)
        return st

    def draw(st, log2_d, log10_n, sigma):
        d, n = 2.0 ** log2_d, 10.0 ** log10_n
        a = float(G.alpha(n, d))
        t_C = float(G.t_C(n, d, sigma))
        t = np.geomspace(0.005, max(4 * t_C, 0.5), 160)
        f = G.f_leading(t, a, sigma)
        delta = universal.entropy_gap(G.kappa(t, d, 1.0, sigma), 0.5)
        st["f"].set_data(t, f / a)
        st["fd"].set_data(t, (f - delta / d) / a)
        st["tC"].set_xdata([t_C, t_C])
        st["ax1"].set_xlim(t[0], t[-1])
        _title(st["ax1"], f"d = 2{_sup(log2_d)}, n = {n:.3g}: α = {a:.3g}, t_C = {t_C:.3f}")
        tc = G.t_C(nn, d, sigma)
        st["curve"].set_ydata(tc)
        st["point"].set_data([n], [t_C])
        st["ax2"].set_ylim(0, min(float(np.max(tc)), 4 * t_C + 0.5) * 1.05)
        _title(st["ax2"], f"σ = {sigma:.2f}")

    return Explorer(setup, draw, controls)


def curie_weiss(N: int = 257, beta: float = 1.5, H: float = 0.5) -> Explorer:
    r"""State weight :math:`p_+` and cloning probability :math:`\varphi_{CW}(t)` of the Curie–Weiss
    model, against :math:`N, \beta, H`.

    Left: :math:`\varphi_{CW}(t)` (``gm.phi`` at the two-state :math:`\kappa(t)` of ``cw.kappa``,
    exact weights) with :math:`t_S = \tfrac12\ln\Lambda` (exact :math:`\Lambda = \mathrm{Var}(M)/N`);
    right: exact :math:`p_+` against :math:`N` and its limit :math:`1/(1 + e^{-2Hm^*})`.

    Parameters
    ----------
    N : int
        Initial number of spins (made odd, so that :math:`M \neq 0`).
    beta, H : float
        Initial inverse temperature (ordered phase, > 1) and total field :math:`H = Nh`.

    Returns
    -------
    Explorer
    """
    import ipywidgets as W

    from numerics.models.cw import CurieWeiss

    controls = {"N": W.IntSlider(value=int(N) | 1, min=9, max=4097, step=8, description="N"),
                "beta": _slider("β", beta, 1.05, 3.0, 0.05),
                "H": _slider("H", H, -2.0, 2.0, 0.05)}
    Ns = np.unique(np.geomspace(9, 4097, 12).astype(int) | 1)

    def setup(axes):
        ax1, ax2 = axes
        st = {"phi": ax1.plot([], [], color="C0", label=r"$\varphi_{CW}(t)$")[0],
              "tS": ax1.axvline(1, color="C1", ls="--", label=r"$t_S = \frac{1}{2}\ln\Lambda$"),
              "floor": ax1.axhline(0.5, color="0.6", ls=":", lw=1, label=r"$p_+^2 + p_-^2$"),
              "curve": ax2.semilogx(Ns, Ns * 0.0, "o-", color="C0", ms=3, label="exact $p_+$")[0],
              "limit": ax2.axhline(0.5, color="k", ls=":", lw=1, label=r"$1/(1 + e^{-2Hm^*})$"),
              "point": ax2.plot([9], [0.5], "o", color="C1", ms=6)[0], "ax1": ax1, "ax2": ax2}
        ax1.set(xlabel="$t$", ylabel=r"class agreement $\varphi_{CW}(t)$", ylim=(0.45, 1.02))
        ax1.legend(loc="lower left")
        ax2.set(xlabel="$N$", ylabel="$p_+$", ylim=(0, 1), xlim=(7, 5000))
        _plain_log_ticks(ax2)
        ax2.legend(loc="lower right")
        return st

    def draw(st, N, beta, H):
        N = int(N) | 1
        cw = CurieWeiss(N, beta, H)
        p, t_S = cw.p_plus, cw.t_S
        t = np.linspace(0.01, 2 * t_S, 160)
        st["phi"].set_data(t, cw.phi(t))
        st["tS"].set_xdata([t_S, t_S])
        floor = p**2 + (1 - p) ** 2
        st["floor"].set_ydata([floor, floor])
        st["ax1"].set_xlim(0, t[-1])
        _title(st["ax1"], f"N = {N}, β = {beta:.2f}, H = {H:.2f}: m* = {cw.m_star:.3f}, t_S = {t_S:.3f}")
        st["curve"].set_ydata([CurieWeiss(int(n), beta, H).p_plus for n in Ns])
        st["limit"].set_ydata([cw.p_plus_asymptotic] * 2)
        st["point"].set_data([N], [p])
        _title(st["ax2"], f"p₊ = {p:.4f}")

    return Explorer(setup, draw, controls)
