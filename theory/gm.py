r"""Two-class Gaussian mixture, ``gm`` (THEORY §2); unequal weights p_± supported everywhere.

:math:`P_0 = p_+ \mathcal N(+m, \sigma^2 I) + p_- \mathcal N(-m, \sigma^2 I)`, :math:`|m|^2 = d\tilde\mu^2`
(symbol ``mu``), :math:`p_- = 1 - p_+` (kept as a factor: no digits lost near p_+ → 1).
Only the projection :math:`q = \hat m\cdot x` is non-trivial: the results are derived for the
1-D law of ``q`` and the full-d objects follow (:math:`S = -x/\Gamma_t + \hat m(S_q + q/\Gamma_t)`).

The two-state speciation analysis (:func:`curvature_root`, :func:`speciation_leading_order`)
is generic in the centre, within-state variance and weights; ``theory.cw`` reuses it.

References: G. Biroli, T. Bonnaire, V. de Bortoli, M. Mézard, "Dynamical regimes of diffusion
models", Nature Comm. 15, 9957 (2024), arXiv:2402.18491; G. Biroli, M. Mézard, J. Stat. Mech.
(2023) 093402, arXiv:2306.03518.
"""

from __future__ import annotations

import sympy as sp

from theory.registry import Model, get, helper, restate, step
from theory.special import Named, affine_moments, logcosh, ou_delta, sech2
from theory.symbols import CORE, core, positive, real

MODEL = Model(
    "gm",
    description="two-class Gaussian mixture p_+ N(+m, σ² I) + p_- N(-m, σ² I) (THEORY §2)",
    symbols=dict(
        t=core("t", test=[1e-6, 0.37, 3.0, 20.0]),
        d=core("d", test=[1.0, 7.0, 1000.0, 1e6]),
        n=core("n", test=[2.0, 50.0, 20000.0, 1e9]),
        alpha=core("alpha", test=[1e-6, 0.01, 0.7, 5.0]),
        sigma=positive("sigma", test=[0.05, 1.0, 1.0 + 1e-9, 3.0], doc="within-class standard deviation"),
        mu=positive("mu", test=[0.01, 0.5, 1.0, 4.0], doc="|m|/sqrt(d)"),
        p_plus=positive("p_+", test=[0.01, 0.5, 0.77, 0.999], doc="weight of the + class"),
        q=real("q", test=[-3.0, 0.0, 0.25, 40.0], doc="projection m̂·x"),
        u=real("u", test=[-30.0, -1.0, 0.3, 12.0], doc="posterior field c_t q/Γ_t"),
        kappa=positive("kappa", test=[1e-8, 0.5, 1.0, 300.0], doc="signal-to-noise ratio κ(t)"),
        eps=positive("epsilon", test=[1e-4, 0.05, 0.5, 3.0], doc="target collapse time"),
    ),
)
result = MODEL.result

t, d, n, alpha, sigma, mu, p, q, u, kappa, eps = MODEL.symbols("t d n alpha sigma mu p_plus q u kappa eps")
z = CORE["z"]
pm = 1 - p  # p_-

# Generic 1-D two-state objects in opaque symbols: centre c (at time t), variance G, field h
# (= ½ ln(p_+/p_-)), weights p_+, p_- (P_MINUS, substituted by 1 - p_+ at the end).
_c, _G = sp.symbols("c_t Gamma_t", positive=True)
_h = sp.Symbol("h_0", real=True)
P_MINUS = sp.Symbol("p_-", positive=True)
#: generic two-state parameters at t = 0: squared centre |m|², within-state variance, 4 p_+ p_-
C2, S2, B = sp.symbols("C2 S2 B", positive=True)


def gaussian_pdf(y: sp.Expr, mean: sp.Expr, var: sp.Expr) -> sp.Expr:
    r"""Gaussian density :math:`\mathcal N(y; \mathrm{mean}, \mathrm{var})`.

    Parameters
    ----------
    y, mean, var : sympy.Expr
        Point, mean and variance.

    Returns
    -------
    sympy.Expr
        :math:`e^{-(y - \mathrm{mean})^2/2\mathrm{var}}/\sqrt{2\pi\,\mathrm{var}}`.
    """
    return sp.exp(-((y - mean) ** 2) / (2 * var)) / sp.sqrt(2 * sp.pi * var)


def centre_t() -> sp.Expr:
    r"""Class centre along :math:`\hat m` at time t, :math:`c_t = e^{-t}|m| = e^{-t}\sqrt d\,\tilde\mu`."""
    return sp.exp(-t) * sp.sqrt(d) * mu


# display names of the intermediates (they print as names, evaluate as their bodies)
DELTA = Named(r"\Delta_t", ou_delta(t))
M2 = Named("|m|^2", d * mu**2)
PM = Named("p_-", pm)
CN = Named("c_t", centre_t())


def h0() -> sp.Expr:
    r"""The field offset of the posterior, :math:`h_0 = \frac12\ln(p_+/p_-)` (built on use: evaluating a
    logarithm at import would cost a quarter second of SymPy's lazy imports)."""
    return sp.log(p / pm) / 2


def h0_named() -> Named:
    """h_0 as a named intermediate."""
    return Named("h_0", h0())


def gamma_named() -> Named:
    """Γ_t as a named intermediate (its body is the derived ``gm.Gamma``)."""
    return Named(r"\Gamma_t", gamma_t())


@result(
    "gm.Gamma", kind="derived", args=("t", "sigma"), symbol=r"\Gamma_t",
    reference="THEORY §2", description="within-class variance of P_t",
)
def gamma_t():
    r"""Variance of :math:`e^{-t} a_i + \sqrt{\Delta_t} z_i` for :math:`a_i \sim \mathcal N(\pm m_i, \sigma^2)`."""
    a, zz = sp.symbols("a_i z_i", real=True)  # a_i - (±m_i) ~ N(0, σ²), z_i ~ N(0, 1), independent
    _, var = affine_moments(sp.exp(-t) * a + sp.sqrt(ou_delta(t)) * zz, {a: (0, sigma**2), zz: (0, 1)})
    var = step("variance", sp.expand(var))
    return restate("Γ_t = Δ_t + σ² e^{-2t}", var, DELTA + sigma**2 * sp.exp(-2 * t))


# ---------------------------------------------------------------------------------------
# the 1-D log-density and the posterior, in the generic symbols
# ---------------------------------------------------------------------------------------
@helper
def logp_generic() -> sp.Expr:
    r"""Derive :math:`\ln[p_+\mathcal N(q; c, G) + p_-\mathcal N(q; -c, G)]` in the stable form
    :math:`-\frac{q^2+c^2}{2G} - \frac12\ln 2\pi G + \ln 2 + \frac12\ln p_+p_- + \ln\cosh(cq/G + h_0)`.

    Factor the q-even Gaussian out of the mixture, write :math:`p_\pm = \sqrt{p_+p_-}\,e^{\pm h_0}`
    and recognise :math:`e^x + e^{-x} = 2\cosh x`. Returned in ``c_t, Gamma_t, h_0, p_+``
    (``p_-`` as ``1 - p_+``).
    """
    mix = step("mixture density of q", p * gaussian_pdf(q, _c, _G) + P_MINUS * gaussian_pdf(q, -_c, _G))
    common = sp.exp(-(q**2 + _c**2) / (2 * _G)) / sp.sqrt(2 * sp.pi * _G)
    odd = step("divided by the q-even Gaussian", sp.expand(sp.powsimp(sp.expand(mix / common))))
    s = sp.Symbol("s", positive=True)  # sqrt(p_+ p_-)
    split = sp.factor_terms(sp.powsimp(sp.expand(odd.subs({p: s * sp.exp(_h), P_MINUS: s * sp.exp(-_h)}))))
    x = sp.Wild("x")
    cosh = step("p_± = √(p_+p_-) e^{±h_0}", split.replace(sp.exp(x) + sp.exp(-x), 2 * sp.cosh(x)))
    assert cosh.has(sp.cosh), cosh
    logp = sp.expand_log(sp.log(common * cosh), force=True)
    logp = logp.replace(sp.log(sp.cosh(x)), logcosh(x)).subs(s, sp.sqrt(p * P_MINUS))
    logp = sp.expand_log(logp, force=True).subs(P_MINUS, pm)
    return step("ln P_t(q), stable", logp)


@result(
    "gm.log_density_q", kind="derived", args=("q", "t", "d", "mu", "sigma", "p_plus"), symbol=r"\ln P_t(q)",
    reference="THEORY §2", description="log-density of the projection q = m̂·x under P_t (stable log-cosh form)",
)
def log_density_q():
    r""":math:`\ln[p_+\mathcal N(q; c_t, \Gamma_t) + p_-\mathcal N(q; -c_t, \Gamma_t)]`, from
    :func:`logp_generic` at :math:`c_t = e^{-t}|m|`, :math:`h_0 = \frac12\ln(p_+/p_-)`."""
    return logp_generic().subs({_c: CN, _G: gamma_named(), _h: h0_named()})


@result(
    "gm.score_q", kind="derived", args=("q", "t", "d", "mu", "sigma", "p_plus"), symbol=r"S_q(q,t)",
    reference="THEORY §2",
    description="score along m̂: ∂_q ln P_t(q); the full score is S = -x/Γ_t + m̂ (S_q + q/Γ_t)",
)
def score_q():
    r"""Differentiate :math:`\ln P_t(q)`: :math:`-q/\Gamma_t + (c_t/\Gamma_t)\tanh(c_t q/\Gamma_t + h_0)`."""
    return step("∂_q ln P_t", sp.diff(get("gm.log_density_q").display, q))


@helper
def half_log_likelihood_ratio() -> sp.Expr:
    r""":math:`\frac12\ln[\mathcal N(q; c, G)/\mathcal N(q; -c, G)] = cq/G`, the posterior field (generic symbols)."""
    llr = sp.expand(sp.expand_log(sp.log(gaussian_pdf(q, _c, _G) / gaussian_pdf(q, -_c, _G)), force=True) / 2)
    return step("½ ln N_+/N_- (the field u)", sp.simplify(llr))


@helper
def field_law() -> tuple[sp.Expr, sp.Expr]:
    r"""Mean and variance of the field :math:`u = cq/G` given the + class (:math:`q \sim \mathcal N(c, G)`),
    in generic symbols: both equal :math:`c^2/G` (the Nishimori structure)."""
    field = half_log_likelihood_ratio()
    mean, var = affine_moments(field, {q: (_c, _G)})
    mean = step("E[u | +]", sp.simplify(mean))
    var = step("Var[u | +]", sp.simplify(var))
    assert sp.simplify(mean - var) == 0, (mean, var)
    return mean, var


@result(
    "gm.kappa", kind="derived", args=("t", "d", "mu", "sigma"), symbol=r"\kappa(t)",
    reference="THEORY §2", description="signal-to-noise ratio e^{-2t}|m|²/Γ_t along m̂",
)
def kappa_t():
    r""":math:`\kappa = \mathbb E[u\,|\,+] = \mathrm{Var}[u\,|\,+] = c_t^2/\Gamma_t` for the posterior field
    :math:`u = \frac12\ln\mathcal N_+/\mathcal N_-` (so κ = ½ KL(N_+‖N_-), cf. THEORY §6)."""
    mean, _ = field_law()
    derived = mean.subs({_c: centre_t(), _G: gamma_t()})
    return restate("κ = e^{-2t}|m|²/Γ_t", derived, sp.exp(-2 * t) * M2 / gamma_named())


# ---------------------------------------------------------------------------------------
# speciation: top eigenvalue, curvature conditions, t_S (generic two-state analysis)
# ---------------------------------------------------------------------------------------
@result(
    "gm.Lambda", kind="derived", args=("d", "mu", "sigma", "p_plus"), symbol=r"\Lambda",
    reference="THEORY §2", description="top eigenvalue of the data covariance σ² I + 4 p_+ p_- m m^T",
)
def lambda_top():
    r"""Variance of :math:`q = \hat m\cdot a` under :math:`P_0` (:math:`\hat m` is the top eigenvector):
    :math:`\Lambda = \sigma^2 + 4p_+p_-|m|^2`."""
    c = sp.sqrt(d) * mu
    mean = p * c + pm * (-c)
    second = p * (c**2 + sigma**2) + pm * (c**2 + sigma**2)
    var = step("Var(m̂·a)", sp.factor(sp.expand(second - mean**2)))
    return restate("Λ = σ² + 4 p_+ p_- |m|²", var, sigma**2 + 4 * p * PM * M2)


@helper
def curvature_root(curvature_at_zero: sp.Expr) -> sp.Expr:
    r"""Time at which a curvature at q = 0 changes sign, for the generic two-state law.

    With :math:`w = e^{-2t}`, :math:`c_t^2 = w\,` ``C2`` and :math:`\Gamma_t = 1 - w + w\,` ``S2``, solve
    for ``w`` and keep the root that tends to 0 as ``C2`` → ∞ (speciation at large t).
    Reference: THEORY §2 (single → double well); Biroli & Mézard (2023).

    Parameters
    ----------
    curvature_at_zero : sympy.Expr
        The curvature at q = 0 in the generic symbols (``c_t``, ``Gamma_t``, ``h_0``); it may
        depend on the weights only through :math:`\mathrm{sech}^2 h_0 = 4p_+p_- =` ``B``.

    Returns
    -------
    sympy.Expr
        :math:`t = \frac12\ln(1/w)` in ``C2, S2, B``.
    """
    w = sp.Symbol("w", positive=True)
    assert sp.simplify((1 - sp.tanh(h0()) ** 2).rewrite(sp.exp) - 4 * p * pm) == 0
    curv = curvature_at_zero.subs(sp.tanh(_h) ** 2, 1 - B)
    assert _h not in curv.free_symbols
    step("curvature at q = 0 (B = 4 p_+ p_-)", sp.simplify(curv))
    curv = curv.subs({_c: sp.sqrt(w * C2), _G: 1 - w + S2 * w})
    num = step("numerator in w = e^{-2t}", sp.factor(sp.numer(sp.together(curv))))
    roots = sp.solve(num, w)
    probe = {C2: 10**6, S2: sp.Rational(1, 4), B: 1}
    good = [r for r in roots if 0 < sp.N(r.subs(probe)) < 1e-3]
    assert len(good) == 1, roots
    inv_w = sp.factor_terms(sp.simplify(sp.radsimp(1 / good[0])))  # finite where a quadratic degenerates
    return step("t = ½ ln(1/w)", sp.log(inv_w) / 2)


@helper
def logp_curvature_root() -> sp.Expr:
    r"""Exact time at which :math:`\partial_q^2\ln P_t(0)` changes sign (single → double well), in
    ``C2, S2, B``: :math:`\frac12\ln(B\,C_2 + 1 - S_2)`."""
    return curvature_root(sp.diff(logp_generic(), q, 2).subs(q, 0))


def speciation_leading_order(root: sp.Expr, Lam: sp.Expr) -> sp.Expr:
    r"""Large-Λ form of an exact speciation root (in ``C2, S2, B``).

    The top covariance eigenvalue of the two-state law is :math:`\Lambda = S_2 + B\,C_2`
    (THEORY §2, §4); eliminate ``C2`` for Λ and expand at Λ → ∞: the leading term is
    :math:`\frac12\ln\Lambda`, the correction :math:`O(1/\Lambda) = O(1/d)`
    (Biroli, Bonnaire, de Bortoli, Mézard 2024: :math:`t_S = \frac12\ln\Lambda`).

    Parameters
    ----------
    root : sympy.Expr
        Exact speciation time in ``C2, S2, B`` (e.g. :func:`logp_curvature_root`).
    Lam : sympy.Expr
        What Λ is written with in the result: a symbol, or a :class:`~theory.special.Named`.

    Returns
    -------
    sympy.Expr
        :math:`\frac12\ln` ``Lam``.
    """
    L, e = sp.symbols("Lambda epsilon", positive=True)
    in_lambda = step("root in Λ = S2 + B C2", sp.simplify(root.subs(C2, (L - S2) / B)))
    f = in_lambda.subs(L, 1 / e)
    step("expansion in 1/Λ", sp.series(f, e, 0, 2).subs(e, 1 / L))
    lead = step("leading order", sp.expand_log(sp.series(f, e, 0, 1).removeO().subs(e, 1 / L), force=True))
    assert sp.simplify(lead - sp.log(L) / 2) == 0, lead
    return lead.subs(L, Lam)


@result(
    "gm.t_S", kind="derived", args=("d", "mu", "sigma", "p_plus"), symbol=r"t_S",
    reference="Biroli, Bonnaire, de Bortoli, Mézard (2024), Eq. for t_S; THEORY §2",
    description="speciation time ½ ln Λ (leading order in d of the exact double-well time)",
)
def t_s():
    r"""Root of :math:`4p_+p_-\kappa(t) = 1` (the curvature of :math:`\ln P_t` at q = 0 changes sign,
    :func:`logp_curvature_root`), expanded at large Λ: :math:`t_S = \frac12\ln\Lambda + O(1/d)`."""
    root = logp_curvature_root()
    return speciation_leading_order(root, Named(r"\Lambda", lambda_top()))


@result(
    "gm.t_curv_logp", kind="derived", args=("d", "mu", "sigma", "p_plus"), symbol=r"t_{\ln P}",
    reference="THEORY §2",
    description="exact finite-d time at which ∂²_q ln P_t(0) changes sign (single -> double well)",
)
def t_curv_logp():
    """Solve ∂²_q ln P_t(q)|_{q=0} = 0 for t (:func:`logp_curvature_root` for the mixture)."""
    return logp_curvature_root().subs({C2: d * mu**2, S2: sigma**2, B: 4 * p * pm})


@result(
    "gm.t_curv_V", kind="derived", args=("d", "mu", "sigma", "p_plus"), symbol=r"t_{V}",
    reference="THEORY §2; Biroli & Mézard (2023)",
    description="exact finite-d time at which the backward potential V(q,t) = -q²/2 - 2 ln P_t(q) turns double-well at q=0",
)
def t_curv_v():
    """Solve ∂²_q V(0,t) = 0, V = -q²/2 - 2 ln P_t(q)."""
    V = -(q**2) / 2 - 2 * logp_generic()
    return curvature_root(sp.diff(V, q, 2).subs(q, 0)).subs({C2: d * mu**2, S2: sigma**2, B: 4 * p * pm})


# ---------------------------------------------------------------------------------------
# cloning probability
# ---------------------------------------------------------------------------------------
@helper
def posterior_plus() -> sp.Expr:
    r""":math:`P(+|q)` by Bayes, as :math:`\frac12[1 + \tanh(u + h_0)]` (generic symbols, field u)."""
    field = half_log_likelihood_ratio()  # N_-/N_+ = e^{-2u}, u = c q/G
    bayes = 1 / (1 + sp.exp(-2 * _h) * sp.exp(-2 * field))  # p_-/p_+ = e^{-2 h_0}
    bayes = step("Bayes: P(+|q) = 1/(1 + (p_-/p_+) N_-/N_+)", sp.powsimp(bayes.subs(q, u * _G / _c)))
    return restate("P(+|q) = ½(1 + tanh(u + h_0))", bayes, (1 + sp.tanh(u + _h)) / 2)


@helper
def field_density(sign: int) -> sp.Expr:
    r"""Density of the field :math:`u = c_t q/\Gamma_t` given the class of sign ``sign``:
    :math:`\mathcal N(u; \pm\kappa, \kappa)` (change of variables from :math:`q \sim \mathcal N(\pm c_t, \Gamma_t)`,
    THEORY §2).

    Parameters
    ----------
    sign : {1, -1}
        The class.

    Returns
    -------
    sympy.Expr
        The density in ``u`` and ``kappa``.
    """
    q_of_u = sp.solve(sp.Eq(u, half_log_likelihood_ratio()), q)[0]  # u = c q/G
    jac = sp.Abs(sp.diff(q_of_u, u))
    dens = sp.simplify(gaussian_pdf(q_of_u, sign * _c, _G) * jac)  # p_u(u) = p_q(q(u)) |dq/du|
    dens = sp.simplify(dens.subs(_c, sp.sqrt(kappa * _G)))
    return restate(f"law of u given class {'+' if sign > 0 else '-'}", dens, gaussian_pdf(u, sign * kappa, kappa))


@result(
    "gm.phi_defect_integrand", kind="derived", args=("u", "kappa", "p_plus"), symbol=r"\varphi_{\mathrm{defect}}(u)",
    reference="THEORY §2", description="integrand of 1 - φ over the field u = c_t q/Γ_t (sum over the true class)",
)
def phi_defect_integrand():
    r""":math:`1 - \varphi = \int du\,\frac12\sum_c p_c\,\mathcal N(u; s_c\kappa, \kappa)\,\mathrm{sech}^2(u + h_0)`.

    From :math:`1 - \sum_c P(c|x)^2 = 2P(+|x)P(-|x) = \frac12\mathrm{sech}^2(u + h_0)`
    (:func:`posterior_plus`) averaged over the field's law in each class (:func:`field_density`)."""
    post = posterior_plus()
    defect = sp.simplify((1 - post**2 - (1 - post) ** 2).rewrite(sp.exp))
    defect = restate("1 - Σ_c P(c|x)² = ½ sech²(u + h_0)", defect, sech2(u + _h) / 2)
    integrand = (p * field_density(1) + PM * field_density(-1)) * defect.subs(_h, h0_named())
    return step("Σ_c p_c N(u; s_c κ, κ) · ½ sech²(u + h_0)", integrand)


@result(
    "gm.phi", kind="derived", args=("kappa", "p_plus"), symbol=r"\varphi(t)",
    reference="THEORY §2; Biroli, Bonnaire, de Bortoli, Mézard (2024)",
    assumptions="exact at any d for the GM (only q matters); t_S ↔ κ -> 1 for p_+ = ½, d -> ∞", codegen=False,
    description="cloning probability E_{x~P_t} Σ_c P(c|x)² as a function of κ(t) and p_+",
)
def phi():
    r""":math:`\varphi = \frac12 + \frac12\sum_c p_c\,\mathbb E_z\tanh^2(s_c\kappa + \sqrt\kappa z + h_0)`.

    :math:`\sum_c P(c|x)^2 = \frac12(1 + \tanh^2(u + h_0))`; given class c, :math:`u \sim \mathcal N(s_c\kappa, \kappa)`,
    i.e. :math:`u = s_c\kappa + \sqrt\kappa z`."""
    post = posterior_plus()
    agree = step("Σ_c P(c|q)²", sp.simplify(post**2 + (1 - post) ** 2))
    gauss = sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)
    terms = []
    for sign, w in ((1, p), (-1, PM)):
        field_density(sign)  # u | c ~ N(s_c κ, κ): u = s_c κ + √κ z
        terms.append(w * sp.Integral(gauss * agree.subs({u: sign * kappa + sp.sqrt(kappa) * z, _h: h0_named()}), (z, -sp.oo, sp.oo)))
    return sp.Add(*terms)


# ---------------------------------------------------------------------------------------
# entropy and collapse
# ---------------------------------------------------------------------------------------
def gaussian_entropy(var: sp.Expr) -> sp.Expr:
    r"""Differential entropy :math:`-\mathbb E\ln\mathcal N(x; 0, v) = \frac12\ln(2\pi e v)`, by integration.

    Parameters
    ----------
    var : sympy.Expr
        The variance v.

    Returns
    -------
    sympy.Expr
        :math:`\frac12\ln 2 + \frac12\ln\pi + \frac12 + \frac12\ln v`.
    """
    v = sp.Symbol("v", positive=True)
    return _gaussian_entropy_v(v).subs(v, var)


@helper
def _gaussian_entropy_v(v: sp.Symbol) -> sp.Expr:
    x = sp.Symbol("x_", real=True)
    logpdf = sp.expand_log(sp.log(gaussian_pdf(x, 0, v)), force=True)
    h = sp.integrate(-gaussian_pdf(x, 0, v) * logpdf, (x, -sp.oo, sp.oo))
    return step("entropy of N(0, v)", sp.expand_log(sp.simplify(h), force=True))


@result(
    "gm.entropy_gap", kind="derived", args=("kappa", "p_plus"), symbol=r"\delta(\kappa)",
    reference="THEORY §2 (finite-d correction)", codegen=False,
    description="excess entropy of the 1-D mixture along m̂ over one Gaussian of variance Γ_t (0 ≤ δ ≤ H(p))",
)
def entropy_gap():
    r""":math:`\delta = -\mathbb E\ln P_t(q) - \frac12\ln(2\pi e\Gamma_t) = \kappa - \frac12\ln(4p_+p_-) - \sum_c p_c\,\mathbb E\ln\cosh(s_c\kappa + \sqrt\kappa z + h_0)`."""
    logp = logp_generic()
    const = -(logp - logcosh(_c * q / _G + _h))
    const_mean = sp.expand(const).subs(q**2, _c**2 + _G)  # E q² = c² + Γ under either class
    gap = sp.expand_log(const_mean - gaussian_entropy(_G), force=True)
    gap = step("non-integral part (κ = c²/Γ)", sp.simplify(sp.expand(gap).subs(_c**2, kappa * _G)))
    gauss = sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)
    terms = [
        w * sp.Integral(gauss * logcosh(s * kappa + sp.sqrt(kappa) * z + h0_named()), (z, -sp.oo, sp.oo))
        for s, w in ((1, p), (-1, PM))
    ]
    return gap - sp.Add(*terms)


@result(
    "gm.alpha", kind="definition", args=("n", "d"), symbol=r"\alpha",
    reference="THEORY §0", description="entropy rate of the training set, ln n / d",
)
def alpha_rate():
    """α = ln(n)/d (definition)."""
    return sp.log(n) / d


@result(
    "gm.f_leading", kind="derived", args=("t", "alpha", "sigma"), symbol=r"f(t)",
    reference="THEORY §2",
    description="excess entropy α - [s(t) - s_Δ(t)] at leading order in d (finite-d: subtract δ/d)",
)
def f_leading():
    r""":math:`f = \alpha - [s(t) - s_\Delta(t)] = \alpha - \frac12\ln(\Gamma_t/\Delta_t)`, with the entropies of
    :math:`\mathcal N(0,\Gamma_t)` (:math:`s = \frac12\ln 2\pi e\Gamma_t + O(1/d)`) and :math:`\mathcal N(0,\Delta_t)`."""
    G, D = sp.Symbol("Gamma_t", positive=True), sp.Symbol("Delta_t", positive=True)
    f = step("α - [s - s_Δ]", sp.expand_log(alpha - (gaussian_entropy(G) - gaussian_entropy(D)), force=True))
    return restate("f = α - ½ ln(Γ_t/Δ_t)", f.subs({G: gamma_t(), D: ou_delta(t)}), alpha - sp.log(gamma_named() / DELTA) / 2)


@result(
    "gm.t_C_alpha", kind="derived", args=("alpha", "sigma"), symbol=r"t_C",
    reference="Biroli, Bonnaire, de Bortoli, Mézard (2024); THEORY §2",
    description="collapse time from f(t_C) = 0, in terms of α",
)
def t_c_alpha():
    r"""Solve :math:`\alpha = \frac12\ln(\Gamma_t/\Delta_t)` for t:
    :math:`t_C = \frac12\ln(1 + \sigma^2/(e^{2\alpha} - 1))`.

    Exponentiated, :math:`f = 0` reads :math:`\Gamma_t = e^{2\alpha}\Delta_t`: linear in :math:`w = e^{-2t}`."""
    w = sp.Symbol("w", positive=True)
    G, D = sp.Symbol("Gamma_t", positive=True), sp.Symbol("Delta_t", positive=True)
    f_gd = f_leading().subs({gamma_t(): G, ou_delta(t): D})
    assert f_gd.free_symbols == {alpha, G, D}, f_gd
    (cond,) = sp.solve(sp.Eq(f_gd, 0), G)
    cond = step("f = 0 ⇔ Γ_t = e^{2α} Δ_t", sp.Eq(G, cond))
    in_w = cond.subs({G: gamma_t(), D: ou_delta(t)}).subs(sp.exp(-2 * t), w)
    (w_sol,) = sp.solve(in_w, w)
    sol = step("solve in w = e^{-2t}: t = ½ ln(1/w)", sp.log(1 / w_sol) / 2)
    return restate("stable form", sol, sp.log(1 + sigma**2 / (sp.exp(2 * alpha) - 1)) / 2,
                   probes=[{alpha: sp.Rational(3, 10), sigma: sp.Rational(7, 5)}, {alpha: 3, sigma: sp.Rational(1, 9)}])


@result(
    "gm.t_C", kind="assembled", args=("n", "d", "sigma"), symbol=r"t_C",
    reference="Biroli, Bonnaire, de Bortoli, Mézard (2024); THEORY §2",
    description="collapse time ½ ln(1 + σ²/(n^{2/d} - 1))",
)
def t_c():
    """gm.t_C_alpha at α = gm.alpha = ln n / d."""
    expr = step("t_C(α = ln n/d)", t_c_alpha().subs(alpha, alpha_rate()))
    return restate("½ ln(1 + σ²/(n^{2/d} - 1))", expr, sp.log(1 + sigma**2 / (n ** (2 / d) - 1)) / 2,
                   probes=[{n: 1000, d: 7, sigma: sp.Rational(3, 2)}])


@result(
    "gm.log_n_required", kind="derived", args=("eps", "d", "sigma"), symbol=r"\ln n_{\min}(\varepsilon)",
    reference="THEORY §2: n ≳ (σ²/2ε)^{d/2} for small ε",
    description="log of the number of training points needed for t_C ≤ ε (curse of dimensionality)",
)
def log_n_required():
    """Solve t_C(n) = ε for ln n."""
    logn = sp.Symbol("L", positive=True)
    sols = sp.solve(sp.Eq(t_c_alpha().subs(alpha, logn / d), eps), logn)
    assert len(sols) == 1, sols
    sol = step("ln n", sols[0])
    return restate("d/2 ln(1 + σ²/(e^{2ε} - 1))", sol, d * sp.log(1 + sigma**2 / (sp.exp(2 * eps) - 1)) / 2,
                   probes=[{eps: sp.Rational(1, 10), d: 9, sigma: sp.Rational(4, 3)}])
