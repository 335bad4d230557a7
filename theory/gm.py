"""Two-class Gaussian mixture (THEORY §2), unequal weights p_± supported everywhere.

``P_0 = p_+ N(+m, σ² I) + p_- N(-m, σ² I)``, ``|m|² = d μ̃²`` (symbol ``mu``), ``p_- = 1 - p_+``.
Only the projection ``q = m̂·x`` is non-trivial: the results below are derived for the 1-D
law of ``q`` and the full-d objects follow (``S = -x/Γ_t + m̂ (S_q(q) + q/Γ_t)``).

Results (prefix ``gm``): ``Gamma``, ``log_density_q``, ``score_q``, ``Lambda``, ``t_S``,
``kappa``, ``t_curv_logp``, ``t_curv_V``, ``phi`` (+ ``phi_defect_integrand``),
``entropy_gap`` (+ integrand), ``f_leading``, ``t_C``, ``t_C_alpha``, ``alpha``,
``log_n_required``.
"""

from __future__ import annotations

import sympy as sp
import sympy.stats as ss

from theory.special import logcosh, ou_delta, sech2
from theory.registry import result, step
from theory.symbols import SYMBOLS

MODEL = "gm"

t, d, n, alpha, sigma, mu, p, q, u, kappa, eps = (
    SYMBOLS[k] for k in ("t", "d", "n", "alpha", "sigma", "mu", "p_plus", "q", "u", "kappa", "eps")
)
pm = 1 - p  # p_-


def _gaussian_pdf(y, mean, var):
    return sp.exp(-((y - mean) ** 2) / (2 * var)) / sp.sqrt(2 * sp.pi * var)


def centre_t() -> sp.Expr:
    """c_t = e^{-t}|m|, the class centre along m̂ at time t."""
    return sp.exp(-t) * sp.sqrt(d) * mu


@result(
    "gm.Gamma",
    args=("t", "sigma"),
    symbol=r"\Gamma_t",
    description="within-class variance of P_t",
    reference="THEORY §2",
)
def gamma_t():
    """Var(e^{-t} a_i + sqrt(Δ_t) z_i) for a_i ~ N(±m_i, σ²)."""
    a = ss.Normal("a", 0, sigma)
    zz = ss.Normal("z", 0, 1)
    return step("variance", sp.expand(ss.variance(sp.exp(-t) * a + sp.sqrt(ou_delta(t)) * zz)))


# Generic 1-D objects in terms of opaque positive symbols: c (centre), G (variance), h (field
# offset ½ ln(p_+/p_-)); substituted by their time-dependent values at the end.
_c, _G = sp.symbols("c_t Gamma_t", positive=True)
_h = sp.Symbol("h_0", real=True)
H0 = sp.log(p / pm) / 2  # ½ ln(p_+/p_-)


def _logp_generic() -> sp.Expr:
    """ln[p_+ N(q; c, G) + p_- N(q; -c, G)] = -(q²+c²)/(2G) - ½ln(2πG) + ln 2 + ½ ln(p_+p_-) + ln cosh(cq/G + h)."""
    return (
        -(q**2 + _c**2) / (2 * _G)
        - sp.log(2 * sp.pi * _G) / 2
        + sp.log(2) + sp.log(p * pm) / 2
        + logcosh(_c * q / _G + _h)
    )


def _time_values() -> dict:
    return {_c: centre_t(), _G: gamma_t(), _h: H0}


@result(
    "gm.log_density_q",
    args=("q", "t", "d", "mu", "sigma", "p_plus"),
    symbol=r"\ln P_t(q)",
    description="log-density of the projection q = m̂·x under P_t (stable log-cosh form)",
    reference="THEORY §2",
)
def log_density_q():
    """ln[p_+ N(q; c_t, Γ_t) + p_- N(q; -c_t, Γ_t)], c_t = e^{-t}|m|, rewritten with ln cosh."""
    raw = step("definition", sp.log(p * _gaussian_pdf(q, _c, _G) + pm * _gaussian_pdf(q, -_c, _G)))
    stable = _logp_generic()
    # p e^{u} + p_- e^{-u} = 2 sqrt(p_+ p_-) cosh(u + h0): check the rewrite at exact points
    diff = (raw - stable.rewrite(sp.log)).subs(_h, H0)
    for vals in ({q: sp.Rational(3, 7), _c: sp.Rational(1, 3), _G: sp.Rational(5, 4), p: sp.Rational(1, 5)},
                 {q: -2, _c: 7, _G: sp.Rational(1, 9), p: sp.Rational(9, 10)}):
        assert abs(sp.N(diff.subs(vals), 40)) < 1e-30
    step("stable form", stable)
    return stable.subs(_time_values())


@result(
    "gm.score_q",
    args=("q", "t", "d", "mu", "sigma", "p_plus"),
    symbol=r"S_q(q,t)",
    description="score along m̂: ∂_q ln P_t(q); the full score is S = -x/Γ_t + m̂ (S_q + q/Γ_t)",
    reference="THEORY §2",
)
def score_q():
    """Differentiate ln P_t(q): -q/Γ_t + (c_t/Γ_t) tanh(c_t q/Γ_t + ½ ln(p_+/p_-))."""
    return step("∂_q ln P_t", sp.diff(log_density_q(), q))


@result(
    "gm.Lambda",
    args=("d", "mu", "sigma", "p_plus"),
    symbol=r"\Lambda",
    description="top eigenvalue of the data covariance σ² I + 4 p_+ p_- m m^T",
    reference="THEORY §2",
)
def lambda_top():
    """Variance of q = m̂·a under P_0 (the direction m̂ is the top eigenvector)."""
    c = sp.sqrt(d) * mu
    mean = p * c + pm * (-c)
    second = p * (c**2 + sigma**2) + pm * (c**2 + sigma**2)
    var = step("Var(m̂·a)", sp.factor(sp.expand(second - mean**2)))
    return sp.collect(sp.expand(var), sigma)


@result(
    "gm.t_S",
    args=("d", "mu", "sigma", "p_plus"),
    symbol=r"t_S",
    description="speciation time ½ ln Λ (leading order)",
    reference="Biroli, Bonnaire, de Bortoli, Mézard (2024), Eq. for t_S; THEORY §2",
)
def t_s():
    """t_S = ½ ln Λ."""
    return sp.log(lambda_top()) / 2


@result(
    "gm.kappa",
    args=("t", "d", "mu", "sigma"),
    symbol=r"\kappa(t)",
    description="signal-to-noise ratio e^{-2t}|m|²/Γ_t along m̂",
    reference="THEORY §2",
)
def kappa_t():
    """κ = c_t²/Γ_t."""
    return centre_t() ** 2 / gamma_t()


def _curvature_time(curvature_at_zero: sp.Expr) -> sp.Expr:
    """Solve curvature(q=0, t) = 0 for t via w = e^{-2t}; keep the root that tends to 0
    as d -> ∞ (speciation happens at large t).

    ``curvature_at_zero`` is in the generic symbols (c, G, h). It depends on the weights only
    through sech²(h0) = 1 - tanh²(h0) = 4 p_+ p_-, kept as the factor B = 4 p_+ p_- (never
    expanded in p_+, so p_+ near 0 or 1 loses no digits)."""
    assert sp.simplify((1 - sp.tanh(H0) ** 2).rewrite(sp.exp) - 4 * p * pm) == 0
    w = sp.Symbol("w", positive=True)
    B = sp.Symbol("B", positive=True)
    curv = curvature_at_zero.subs(sp.tanh(_h) ** 2, 1 - B)
    assert _h not in curv.free_symbols
    step("curvature at q = 0 (B = 4 p_+ p_-)", sp.simplify(curv))
    curv = curv.subs({_c: sp.sqrt(w * d) * mu, _G: 1 - w + sigma**2 * w})
    num = sp.factor(sp.numer(sp.together(curv)))
    step("numerator in w = e^{-2t}", num)
    roots = sp.solve(num, w)
    probe = {d: 10**6, mu: 1, sigma: sp.Rational(1, 2), B: 1}
    good = [r for r in roots if 0 < sp.N(r.subs(probe)) < 1e-3]
    assert len(good) == 1, roots
    inv_w = sp.radsimp(1 / good[0])  # rationalised: finite at σ = 1 where the quadratic degenerates
    inv_w = sp.factor_terms(sp.simplify(inv_w))
    return step("t = ½ ln(1/w)", sp.log(inv_w.subs(B, 4 * p * pm)) / 2)


@result(
    "gm.t_curv_logp",
    args=("d", "mu", "sigma", "p_plus"),
    symbol=r"t_{\ln P}",
    description="exact finite-d time at which ∂²_q ln P_t(0) changes sign (single -> double well)",
    reference="THEORY §2",
)
def t_curv_logp():
    """Solve ∂²_q ln P_t(q)|_{q=0} = 0 for t."""
    return _curvature_time(sp.diff(_logp_generic(), q, 2).subs(q, 0))


@result(
    "gm.t_curv_V",
    args=("d", "mu", "sigma", "p_plus"),
    symbol=r"t_{V}",
    description="exact finite-d time at which the backward potential V(q,t) = -q²/2 - 2 ln P_t(q) turns double-well at q=0",
    reference="THEORY §2; Biroli & Mézard (2023)",
)
def t_curv_v():
    """Solve ∂²_q V(0,t) = 0, V = -q²/2 - 2 ln P_t(q)."""
    V = -(q**2) / 2 - 2 * _logp_generic()
    return _curvature_time(sp.diff(V, q, 2).subs(q, 0))


def _posterior_plus() -> sp.Expr:
    """P(+|q) by Bayes, as ½(1 + tanh(u + h0)), u = c q/Γ."""
    G, c = gamma_t(), centre_t()
    bayes = p * _gaussian_pdf(q, c, G) / (p * _gaussian_pdf(q, c, G) + pm * _gaussian_pdf(q, -c, G))
    form = (1 + sp.tanh(c * q / G + sp.log(p / pm) / 2)) / 2
    vals = {q: sp.Rational(2, 3), t: sp.Rational(1, 2), d: 7, mu: sp.Rational(1, 3), sigma: sp.Rational(5, 4), p: sp.Rational(3, 10)}
    assert abs(sp.N((bayes - form).subs(vals), 40)) < 1e-30
    return step("P(+|q)", form)


@result(
    "gm.phi_defect_integrand",
    args=("u", "kappa", "p_plus"),
    symbol=r"\varphi_{\mathrm{defect}}(u)",
    description="integrand of 1 - φ over the field u = c_t q/Γ_t (sum over the true class)",
    reference="THEORY §2",
)
def phi_defect_integrand():
    """½ Σ_c p_c N(u; s_c κ, κ) sech²(u + h0): 1 - φ = ∫ du (this)."""
    _posterior_plus()
    h0 = sp.log(p / pm) / 2
    assert sp.simplify((1 - sp.tanh(u) ** 2 - sech2(u).rewrite(sp.log)).rewrite(sp.exp)) == 0
    s2 = sech2(u + h0)  # = 1 - tanh², printed without cancellation or overflow in the tails
    return (p * _gaussian_pdf(u, kappa, kappa) + pm * _gaussian_pdf(u, -kappa, kappa)) * s2 / 2


@result(
    "gm.phi",
    args=("kappa", "p_plus"),
    symbol=r"\varphi(t)",
    description="cloning probability E_{x~P_t} Σ_c P(c|x)² as a function of κ(t) and p_+",
    assumptions="exact at any d for the GM (only q matters); t_S ↔ κ -> 1 for p_+ = ½, d -> ∞",
    reference="THEORY §2; Biroli, Bonnaire, de Bortoli, Mézard (2024)",
    codegen=False,
)
def phi():
    """φ = ½ + ½ Σ_c p_c E_z tanh²(s_c κ + √κ z + h0), h0 = ½ ln(p_+/p_-).

    Derivation: Σ_c P(c|x)² = ½(1 + tanh²(u + h0)); given class c, u = c_t q/Γ_t is
    N(s_c κ, κ)."""
    post = _posterior_plus()
    agree = sp.simplify(post**2 + (1 - post) ** 2)
    step("Σ_c P(c|q)²", agree)
    # distribution of u given the class: q = s c_t + sqrt(Γ) z -> u = s κ + sqrt(κ) z
    zz = SYMBOLS["z"]
    u_of = {1: kappa + sp.sqrt(kappa) * zz, -1: -kappa + sp.sqrt(kappa) * zz}
    cc, GG = sp.symbols("c Gamma", positive=True)
    chk = sp.simplify((cc * (cc + sp.sqrt(GG) * zz) / GG) - u_of[1].subs(kappa, cc**2 / GG))
    assert chk == 0, chk
    h0 = sp.log(p / pm) / 2
    gauss = sp.exp(-zz**2 / 2) / sp.sqrt(2 * sp.pi)
    terms = [
        w * sp.Integral(gauss * (1 + sp.tanh(u_of[s] + h0) ** 2) / 2, (zz, -sp.oo, sp.oo))
        for s, w in ((1, p), (-1, pm))
    ]
    return sp.Add(*terms)


@result(
    "gm.entropy_gap",
    args=("kappa", "p_plus"),
    symbol=r"\delta(\kappa)",
    description="excess entropy of the 1-D mixture along m̂ over one Gaussian of variance Γ_t (0 ≤ δ ≤ H(p))",
    reference="THEORY §2 (finite-d correction)",
    codegen=False,
)
def entropy_gap():
    """δ = -E ln P_t(q) - ½ ln(2πeΓ_t) = κ - ½ ln(4 p_+ p_-) - Σ_c p_c E ln cosh(s_c κ + √κ z + h0)."""
    log_density_q()  # runs the identity check of the stable form
    zz = SYMBOLS["z"]
    h0 = H0
    gauss = sp.exp(-zz**2 / 2) / sp.sqrt(2 * sp.pi)
    const = -(_logp_generic() - logcosh(_c * q / _G + _h))
    const_mean = sp.expand(const).subs(q**2, _c**2 + _G)  # E q² = c² + Γ under either class
    gap = sp.expand_log(const_mean - sp.log(2 * sp.pi * sp.E * _G) / 2, force=True)
    gap = step("non-integral part (κ = c²/Γ)", sp.simplify(sp.expand(gap).subs(_c**2, kappa * _G)))
    terms = [
        w * sp.Integral(gauss * logcosh(s * kappa + sp.sqrt(kappa) * zz + h0), (zz, -sp.oo, sp.oo))
        for s, w in ((1, p), (-1, pm))
    ]
    return gap - sp.Add(*terms)


@result(
    "gm.alpha",
    args=("n", "d"),
    symbol=r"\alpha",
    description="entropy rate of the training set, ln n / d",
    reference="THEORY §0",
)
def alpha_rate():
    """α = ln(n)/d."""
    return sp.log(n) / d


@result(
    "gm.f_leading",
    args=("t", "alpha", "sigma"),
    symbol=r"f(t)",
    description="excess entropy α - [s(t) - s_Δ(t)] at leading order in d (finite-d: subtract δ/d)",
    reference="THEORY §2",
)
def f_leading():
    """f = α - ½ ln(Γ_t/Δ_t): s = ½ ln(2πeΓ_t) + O(1/d), s_Δ = ½ ln(2πeΔ_t)."""
    G = gamma_t()
    s = sp.log(2 * sp.pi * sp.E * G) / 2
    s_delta = sp.log(2 * sp.pi * sp.E * ou_delta(t)) / 2
    return alpha - sp.expand_log(s - s_delta, force=True)


@result(
    "gm.t_C_alpha",
    args=("alpha", "sigma"),
    symbol=r"t_C",
    description="collapse time from f(t_C) = 0, in terms of α",
    reference="Biroli, Bonnaire, de Bortoli, Mézard (2024); THEORY §2",
)
def t_c_alpha():
    """Solve α = ½ ln(Γ_t/Δ_t) for t."""
    sols = sp.solve(sp.Eq(f_leading(), 0), t)
    real = [s for s in sols if s.is_real is not False and sp.N(s.subs({alpha: sp.Rational(1, 10), sigma: 1})).is_real]
    assert len(real) == 1, sols
    sol = step("solve f = 0", real[0])
    target = sp.log(1 + sigma**2 / (sp.exp(2 * alpha) - 1)) / 2
    assert abs(sp.N((sol - target).subs({alpha: sp.Rational(3, 10), sigma: sp.Rational(7, 5)}), 40)) < 1e-30
    return target


@result(
    "gm.t_C",
    args=("n", "d", "sigma"),
    symbol=r"t_C",
    description="collapse time ½ ln(1 + σ²/(n^{2/d} - 1))",
    reference="Biroli, Bonnaire, de Bortoli, Mézard (2024); THEORY §2",
)
def t_c():
    """t_C(α = ln n / d)."""
    expr = t_c_alpha().subs(alpha, alpha_rate())
    closed = sp.log(1 + sigma**2 / (n ** (2 / d) - 1)) / 2
    vals = {n: 1000, d: 7, sigma: sp.Rational(3, 2)}
    assert abs(sp.N((expr - closed).subs(vals), 40)) < 1e-30
    return step("½ ln(1 + σ²/(n^{2/d} - 1))", closed)


@result(
    "gm.log_n_required",
    args=("eps", "d", "sigma"),
    symbol=r"\ln n_{\min}(\varepsilon)",
    description="log of the number of training points needed for t_C ≤ ε (curse of dimensionality)",
    reference="THEORY §2: n ≳ (σ²/2ε)^{d/2} for small ε",
)
def log_n_required():
    """Solve t_C(n) = ε for ln n."""
    logn = sp.Symbol("L", positive=True)
    expr = t_c_alpha().subs(alpha, logn / d)
    sols = sp.solve(sp.Eq(expr, eps), logn)
    assert len(sols) == 1, sols
    step("ln n", sols[0])
    form = d * sp.log(1 + sigma**2 / (sp.exp(2 * eps) - 1)) / 2
    vals = {eps: sp.Rational(1, 10), d: 9, sigma: sp.Rational(4, 3)}
    assert abs(sp.N((sols[0] - form).subs(vals), 40)) < 1e-30
    return form
