r"""Gaussian data, ``gauss`` (THEORY §1): OU noise, noisy law, linear score, learned-covariance law.

:math:`P_0 = \mathcal N(0, C)` ⇒ :math:`P_t = \mathcal N(0, e^{-2t}C + \Delta_t I)`. Learning law: the score is
learned inside the linear family :math:`S(x) = -A_t x` from ``n`` centred samples with known mean 0,
so the generated law is :math:`\mathcal N(0, \hat C)` with :math:`\hat C = \frac1n\sum_\mu a_\mu a_\mu^T`
(not the n-1 estimator); :math:`n\hat C \sim \mathrm{Wishart}_d(C, n)`.

References: Biroli & Mézard (2023) arXiv:2306.03518; Marchenko & Pastur, Math. USSR Sb. 1, 457
(1967); Bartlett decomposition of the Wishart law (Muirhead, *Aspects of Multivariate Statistical
Theory*, Thm 3.2.14).
"""

from __future__ import annotations

import sympy as sp

from theory.registry import Model, helper, restate, step
from theory.special import Named, affine_moments, ou_delta
from theory.symbols import core, positive, real

MODEL = Model(
    "gauss",
    description="Gaussian data N(0, C) and the law of its learned linear score (THEORY §1)",
    symbols=dict(
        t=core("t", test=[1e-6, 0.37, 3.0, 20.0]),
        d=core("d", test=[1.0, 7.0, 1000.0, 1e6]),
        n=core("n", test=[2.0, 50.0, 20000.0, 1e9]),
        lam=positive("lambda", test=[1e-3, 0.5, 1.0, 50.0], doc="an eigenvalue of C"),
        gamma=positive("gamma", test=[0.01, 0.25, 0.5, 0.9], doc="aspect ratio d/n"),
        x=real("x", test=[0.1, 0.9, 1.5, 2.0], doc="an eigenvalue of Ĉ"),
    ),
)
result = MODEL.result

t, d, n, lam, gamma, x = MODEL.symbols("t d n lam gamma x")
DELTA = Named(r"\Delta_t", ou_delta(t))


@result(
    "gauss.Delta", kind="derived", args=("t",), symbol=r"\Delta_t",
    reference="THEORY §0", assumptions="dx = -x dt + sqrt(2) dB, x(0) deterministic",
    description="variance of the OU noise at time t",
)
def delta():
    """Solve v' = -2 v + 2, v(0) = 0 for the variance v(t) of x(t) given x(0)."""
    v = sp.Function("v")
    ode = step("OU variance ODE", sp.Eq(v(t).diff(t), -2 * v(t) + 2))
    sol = step("solution", sp.simplify(sp.dsolve(ode, v(t), ics={v(0): 0}).rhs))
    return restate("Δ_t = 1 - e^{-2t}", sol, ou_delta(t))


@result(
    "gauss.var_t", kind="derived", args=("t", "lam"), symbol=r"\lambda_t",
    reference="THEORY §1", assumptions="P_0 = N(0, C)",
    description="eigenvalue of the covariance e^{-2t} C + Δ_t I of P_t (C-eigenvalue λ)",
)
def var_t():
    r""":math:`\mathrm{Var}(e^{-t} a + \sqrt{\Delta_t} z)` along an eigenvector of C, :math:`a \sim \mathcal N(0, \lambda)`."""
    a, zz = sp.symbols("a z", real=True)  # independent: a ~ N(0, λ), z ~ N(0, 1)
    _, var = affine_moments(sp.exp(-t) * a + sp.sqrt(ou_delta(t)) * zz, {a: (0, lam), zz: (0, 1)})
    var = step("variance", sp.expand(var))
    return restate("λ_t = e^{-2t} λ + Δ_t", var, sp.exp(-2 * t) * lam + DELTA)


@result(
    "gauss.score_coef", kind="derived", args=("t", "lam"), symbol=r"S_\lambda(t)",
    reference="THEORY §1", description="score of P_t along a C-eigenvector: S = S_λ(t) x",
)
def score_coef():
    r""":math:`\partial_x\ln\mathcal N(x; 0, \lambda_t)/x = -1/\lambda_t`."""
    vt = sp.Symbol(r"lambda_t", positive=True)
    logp = -(x**2) / (2 * vt) - sp.log(2 * sp.pi * vt) / 2
    s = step("score ∂_x ln N(x; 0, λ_t)", sp.diff(logp, x))
    return sp.simplify(s / x).subs(vt, Named(r"\lambda_t", var_t()))


# ---------------------------------------------------------------------------------------
# expected KL of the learned law (Wishart moments)
# ---------------------------------------------------------------------------------------
def _kl_matrix_form() -> sp.Expr:
    r"""KL(N(0,C) ‖ N(0,Ĉ)) = ½[tr(Ĉ^{-1}C) - d + ln det Ĉ - ln det C].

    :math:`\mathbb E_x[\ln\mathcal N(x;0,C) - \ln\mathcal N(x;0,\hat C)]` with :math:`\mathbb E\,x^TAx = \mathrm{tr}(AC)`;
    run on generic symmetric 2×2 matrices (the log-ratio is a quadratic form plus constants, so
    its expectation replaces :math:`x_ix_j` by :math:`C_{ij}`) and on one direction by integration."""
    c11, c12, c22, h11, h12, h22 = sp.symbols("c11 c12 c22 h11 h12 h22", real=True)
    C = sp.Matrix([[c11, c12], [c12, c22]])
    Ch = sp.Matrix([[h11, h12], [h12, h22]])
    xs = sp.Matrix(sp.symbols("x1 x2", real=True))
    logratio = (-(xs.T * C.inv() * xs)[0] + (xs.T * Ch.inv() * xs)[0]) / 2 + (sp.log(Ch.det()) - sp.log(C.det())) / 2
    poly = sp.expand(logratio)
    mean = poly.subs({xs[0] ** 2: c11, xs[1] ** 2: c22}).subs(xs[0] * xs[1], c12)  # E x x^T = C
    T, L, dd = sp.symbols("T L d", real=True)
    form = (T - dd + L) / 2
    target = form.subs({T: (Ch.inv() * C).trace(), L: sp.log(Ch.det()) - sp.log(C.det()), dd: 2})
    assert sp.simplify(mean - target) == 0
    # one direction, by integration: KL(N(0,c) ‖ N(0,ĉ)) = ½[c/ĉ - 1 + ln ĉ - ln c]
    c, ch = sp.symbols("c chat", positive=True)
    y = sp.Symbol("y", real=True)
    pdf = sp.exp(-(y**2) / (2 * c)) / sp.sqrt(2 * sp.pi * c)
    lr = sp.expand_log(sp.log(pdf) - (-(y**2) / (2 * ch) - sp.log(2 * sp.pi * ch) / 2), force=True)
    kl1 = step("KL per direction (integral)", sp.simplify(sp.integrate(pdf * lr, (y, -sp.oo, sp.oo))))
    assert sp.simplify(kl1 - form.subs({T: c / ch, L: sp.log(ch) - sp.log(c), dd: 1})) == 0
    return step("KL = ½[tr(Ĉ^{-1}C) - d + ln det Ĉ - ln det C]  (T = tr Ĉ^{-1}C, L = ln det Ĉ/det C)", form.subs(dd, d))


@helper
def _chi2_moments() -> tuple[sp.Expr, sp.Expr, sp.Symbol]:
    r""":math:`\mathbb E[1/\chi^2_k] = 1/(k-2)` and :math:`\mathbb E\ln\chi^2_k = \psi(k/2) + \ln 2`, by integrating the χ² density."""
    k = sp.Symbol("k", positive=True)
    v = sp.Symbol("v", positive=True)
    dens = v ** (k / 2 - 1) * sp.exp(-v / 2) / (2 ** (k / 2) * sp.gamma(k / 2))
    inv = step("E[1/χ²_k]", sp.simplify(sp.gammasimp(sp.integrate(dens / v, (v, 0, sp.oo), conds="none"))))
    log = step("E ln χ²_k", sp.simplify(sp.integrate(dens * sp.log(v), (v, 0, sp.oo), conds="none")))
    return inv, log, k


@result(
    "gauss.kl_expected", kind="derived", args=("n", "d"), symbol=r"\mathbb{E}\,\mathrm{KL}\left(\mathcal{N}(0,C)\,\|\,\mathcal{N}(0,\hat C)\right)",
    reference="THEORY §1; Wishart moments by the Bartlett decomposition (Muirhead 1982, Thm 3.2.14)",
    assumptions="n Ĉ ~ Wishart_d(C, n), n > d + 1; independent of C",
    test_points=[(42, 30), (90, 30), (2040, 1), (2040, 7)],
    description="exact expected KL of the generated law N(0, Ĉ) from the data law, n samples",
)
def kl_expected():
    r""":math:`\frac12\left[\frac{nd}{n-d-1} - d + \sum_{i=1}^d\psi\!\left(\frac{n-i+1}2\right) + d\ln 2 - d\ln n\right]`.

    With :math:`W = n\hat C = C^{1/2}W_0C^{1/2}`, :math:`W_0 \sim \mathrm{Wishart}_d(I, n)`:
    :math:`\mathrm{tr}(\hat C^{-1}C) = n\,\mathrm{tr}\,W_0^{-1}` and :math:`\ln\det\hat C - \ln\det C = \ln\det W_0 - d\ln n`.
    Bartlett: :math:`W_0 = LL^T`, :math:`L_{ii}^2 \sim \chi^2_{n-i+1}` independent, so
    :math:`\ln\det W_0 = \sum_i\ln\chi^2_{n-i+1}`; each :math:`(W_0^{-1})_{ii}` is the inverse of a Schur
    complement :math:`\sim \chi^2_{n-d+1}`. The χ² moments are integrated (:func:`_chi2_moments`)."""
    form = _kl_matrix_form()
    inv, log, k = _chi2_moments()
    i = sp.Symbol("i", integer=True, positive=True)
    e_tr = step("E tr(Ĉ^{-1}C) = n d E[1/χ²_{n-d+1}]", sp.factor(n * d * inv.subs(k, n - d + 1)))
    e_logdet = step(
        "E ln det Ĉ - ln det C = Σ_i E ln χ²_{n-i+1} - d ln n",
        sp.Add(*[sp.Sum(term, (i, 1, d)).doit() for term in sp.Add.make_args(log.subs(k, n - i + 1))]) - d * sp.log(n),
    )
    T, L = sp.symbols("T L", real=True)
    kl = form.subs({T: e_tr, L: e_logdet})
    return step("E KL", kl)


@result(
    "gauss.kl_large_n", kind="derived", args=("n", "d"), symbol=r"\mathbb{E}\,\mathrm{KL}\big|_{n\to\infty}",
    reference="THEORY §1", description="leading large-n form of the expected KL",
)
def kl_large_n():
    """Expand ψ(x) = ln x - 1/(2x) + O(x^{-2}) and ln(1 - u) = -u + O(u²), keep O(1/n)."""
    i = sp.Symbol("i", integer=True, positive=True)
    eps = sp.Symbol("epsilon", positive=True)  # 1/n
    tr = (d / (1 - (d + 1) * eps)) - d  # n d/(n-d-1) - d in eps = 1/n
    tr_lead = sp.series(tr, eps, 0, 2).removeO()
    # log-det term: Σ_i [ln((n-i+1)/2) - 1/(n-i+1)] + d ln 2 - d ln n -> Σ_i [-(i-1) eps - eps]
    logdet_lead = sp.summation(-(i - 1) * eps - eps, (i, 1, d))
    lead = step("O(1/n) terms", sp.expand((tr_lead + logdet_lead) / 2))
    return sp.factor(lead.subs(eps, 1 / n))


# ---------------------------------------------------------------------------------------
# Marchenko–Pastur spectrum of Ĉ (C = I)
# ---------------------------------------------------------------------------------------
@helper
def _stieltjes_root():
    r"""Root :math:`g(z)` of the self-consistent equation :math:`\gamma z g^2 + (z + \gamma - 1)g + 1 = 0` of the
    Stieltjes transform :math:`g(z) = \int\rho(\lambda)\,d\lambda/(\lambda - z)`, the branch with
    :math:`g \sim -1/z` at infinity. Returns ``(root, z, discriminant)``."""
    g, zc = sp.symbols("g z")
    quad = step("self-consistent equation", sp.Eq(gamma * zc * g**2 + (zc + gamma - 1) * g + 1, 0))
    roots = sp.solve(quad, g)
    assert len(roots) == 2
    probe = {gamma: sp.Rational(1, 4)}
    phys = [r for r in roots if sp.limit((zc * r).subs(probe), zc, -sp.oo) == -1]
    assert len(phys) == 1, roots
    disc = sp.expand((zc + gamma - 1) ** 2 - 4 * gamma * zc)
    step("discriminant", sp.factor(disc))
    return phys[0], zc, disc


@result(
    "gauss.mp_density", kind="derived", args=("x", "gamma"), symbol=r"\rho_{\mathrm{MP}}(x)",
    reference="Marchenko & Pastur (1967)",
    assumptions="d, n -> ∞ with γ = d/n fixed; valid for (1-√γ)² < x < (1+√γ)²",
    description="Marchenko–Pastur density of the eigenvalues of Ĉ (C = I, γ = d/n < 1), inside the edges",
)
def mp_density():
    r""":math:`\rho(x) = \frac1\pi\,\mathrm{Im}\,g(x + i0)`: inside the bulk the discriminant is negative,
    :math:`\sqrt{\mathrm{disc}} = \pm i\sqrt{-\mathrm{disc}}`; the sign is that of the Herglotz branch
    (:math:`\mathrm{Im}\,g > 0` above the real axis), read at a probe point."""
    root, zc, disc = _stieltjes_root()
    probe = {gamma: sp.Rational(1, 4), zc: 1 + sp.I * sp.Rational(1, 10**12)}
    im_probe = sp.im(sp.N(root.subs(probe), 30))
    assert im_probe > 0, im_probe  # the Herglotz branch, with the principal square root
    D = sp.Symbol("D", positive=True)  # -disc(x) > 0 in the bulk
    sq = sp.sqrt(disc)
    sign = 1 if sp.im(sp.N(sp.sqrt(disc.subs(probe)), 30)) > 0 else -1
    on_axis = root.subs(sq, sign * sp.I * sp.sqrt(D)).subs(zc, x)
    rho = step("Im g(x + i0)/π", sp.simplify(sp.im(on_axis) / sp.pi))
    rho = rho.subs(D, sp.expand(-disc.subs(zc, x)))
    # normalisation at γ = 1/4 (checks branch and sign): ∫ ρ = 1 over the bulk
    import mpmath

    f = sp.lambdify(x, rho.subs(gamma, sp.Rational(1, 4)), "mpmath")
    with mpmath.workdps(30):
        total = mpmath.quad(f, [mpmath.mpf(1) / 4, mpmath.mpf(9) / 4])
    assert abs(total - 1) < 1e-20, total
    return step("ρ_MP(x)", rho)


@helper
def _edges() -> list[sp.Expr]:
    """Roots in x of the discriminant (x + γ - 1)² - 4 γ x, ordered at γ = 1/4."""
    roots = step("roots of the discriminant in x", sp.solve(sp.expand((x + gamma - 1) ** 2 - 4 * gamma * x), x))
    return sorted((sp.factor(sp.simplify(r)) for r in roots), key=lambda r: r.subs(gamma, sp.Rational(1, 4)))


@result("gauss.mp_edge_plus", args=("gamma",), symbol=r"\lambda_+", description="upper MP edge", kind="derived")
def mp_edge_plus():
    """Largest root in x of the discriminant (x + γ - 1)² - 4 γ x: (1 + √γ)²."""
    return _edges()[-1]


@result("gauss.mp_edge_minus", args=("gamma",), symbol=r"\lambda_-", description="lower MP edge", kind="derived")
def mp_edge_minus():
    """Smallest root in x of the discriminant (x + γ - 1)² - 4 γ x: (1 - √γ)²."""
    return _edges()[0]
