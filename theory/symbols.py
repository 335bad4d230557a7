"""The one table of SymPy symbols, named as in THEORY.md §0 (``SYMBOLS[name]``).

Result argument lists (``Result.args``) refer to these names, and the generated numeric
functions take their arguments in that order under the same names.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["SYMBOLS", "sym"]

_pos = dict(positive=True, real=True)

SYMBOLS: dict[str, sp.Symbol] = {
    # time and noise
    "t": sp.Symbol("t", **_pos),
    # dimension, data count, entropy rate
    "d": sp.Symbol("d", **_pos),
    "n": sp.Symbol("n", **_pos),
    "alpha": sp.Symbol("alpha", **_pos),
    # Gaussian / mixture parameters
    "sigma": sp.Symbol("sigma", **_pos),
    "mu": sp.Symbol("mu", **_pos),  # \tilde mu: |m|^2 = d mu^2
    "p_plus": sp.Symbol("p_+", **_pos),
    "lam": sp.Symbol("lambda", **_pos),  # a covariance eigenvalue
    "gamma": sp.Symbol("gamma", **_pos),  # aspect ratio d/n
    # projected coordinates and fields
    "q": sp.Symbol("q", real=True),
    "x": sp.Symbol("x", real=True),
    "z": sp.Symbol("z", real=True),
    "u": sp.Symbol("u", real=True),
    "kappa": sp.Symbol("kappa", **_pos),
    "eps": sp.Symbol("epsilon", **_pos),
    # auxiliary (derived quantities used as intermediate symbols)
    "Delta": sp.Symbol("Delta_t", **_pos),
    "Gamma": sp.Symbol("Gamma_t", **_pos),
    "Lambda": sp.Symbol("Lambda", **_pos),
    "m_norm": sp.Symbol("|m|", **_pos),
    # rem (random-energy-model view of collapse, THEORY §3)
    "k": sp.Symbol("k", real=True),  # cumulant-generating-function argument
    "r": sp.Symbol("r", **_pos),  # |x|^2 / d
    "y": sp.Symbol("y", **_pos),  # level energy |x - e^{-t} a|^2 / d
    "beta": sp.Symbol("beta", **_pos),  # inverse temperature of a REM
    "m_pd": sp.Symbol("m", **_pos),  # Poisson-Dirichlet (freezing / Parisi) parameter
    "rho": sp.Symbol("rho", **_pos),  # 1/(1 - 2 k s^2): parametrises the Legendre transform
}


def sym(*names: str) -> tuple[sp.Symbol, ...] | sp.Symbol:
    """``sym("t", "d")`` -> the registered symbols (one symbol for one name)."""
    out = tuple(SYMBOLS[n] for n in names)
    return out[0] if len(out) == 1 else out

# ---- Curie-Weiss (cw) -------------------------------------------------------------------
SYMBOLS.update({
    "N": sp.Symbol("N", **_pos),  # number of spins (same thing as d)
    "beta": sp.Symbol("beta", **_pos),  # inverse temperature (coupling J in the learned family)
    "H": sp.Symbol("H", real=True),  # total field, h = H/N
    "h": sp.Symbol("h", real=True),  # field per site
    "m": sp.Symbol("m", real=True),  # magnetization per spin (m* where it solves m = tanh(βm+h))
    "M": sp.Symbol("M", real=True),  # total magnetization Σ s_i
    "mu_hs": sp.Symbol("mu", real=True),  # Hubbard-Stratonovich variable μ
    "lam_i": sp.Symbol("lambda_i", real=True),  # site field e^{-t} x_i/Δ_t
    "chi": sp.Symbol("chi", **_pos),  # within-state susceptibility
})
