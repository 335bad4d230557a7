"""Gaussian data (THEORY §1): OU noise, noisy law, linear score, learned-covariance law.

Results (prefix ``gauss``):

- ``gauss.Delta``        Δ_t = 1 - e^{-2t}, solved from the OU variance ODE.
- ``gauss.var_t``        variance of P_t along a covariance eigenvector of eigenvalue λ.
- ``gauss.score_coef``   S(x,t) = -Σ_t^{-1} x: coefficient along that eigenvector.
- ``gauss.kl_expected``  exact E KL(N(0,C) || N(0,Ĉ)) with n Ĉ ~ Wishart_d(C, n).
- ``gauss.kl_large_n``   its leading large-n form d(d+1)/(4n).
- ``gauss.mp_density``   Marchenko–Pastur density of Ĉ's spectrum (C = I, γ = d/n).
- ``gauss.mp_edge_plus`` / ``gauss.mp_edge_minus`` the spectrum edges (1 ± √γ)².

Learning law: the score is learned inside the linear family ``S(x) = -A_t x`` from ``n``
centred samples with known mean 0, so the generated law is ``N(0, Ĉ)`` with
``Ĉ = (1/n) Σ_μ a_μ a_μ^T`` (not the n-1 estimator).
"""

from __future__ import annotations

import sympy as sp
import sympy.stats as ss

from theory.special import ou_delta
from theory.registry import result, step
from theory.symbols import SYMBOLS

MODEL = "gauss"

t, d, n, lam, gamma, x = (SYMBOLS[k] for k in ("t", "d", "n", "lam", "gamma", "x"))


@result(
    "gauss.Delta",
    args=("t",),
    symbol=r"\Delta_t",
    description="variance of the OU noise at time t",
    assumptions="dx = -x dt + sqrt(2) dB, x(0) deterministic",
    reference="THEORY §0",
)
def delta():
    """Solve v' = -2 v + 2, v(0) = 0 for the variance v(t) of x(t) given x(0)."""
    v = sp.Function("v")
    ode = step("OU variance ODE", sp.Eq(v(t).diff(t), -2 * v(t) + 2))
    sol = sp.dsolve(ode, v(t), ics={v(0): 0}).rhs
    sol = step("solution", sp.simplify(sol))
    assert sp.simplify(sol - ou_delta(t)) == 0
    return ou_delta(t)


@result(
    "gauss.var_t",
    args=("t", "lam"),
    symbol=r"\lambda_t",
    description="eigenvalue of the covariance e^{-2t} C + Δ_t I of P_t (C-eigenvalue λ)",
    assumptions="P_0 = N(0, C)",
    reference="THEORY §1",
)
def var_t():
    """Var(e^{-t} a + sqrt(Δ_t) z) along an eigenvector of C, a ~ N(0, λ), z ~ N(0, 1)."""
    a = ss.Normal("a", 0, sp.sqrt(lam))
    zz = ss.Normal("z", 0, 1)
    expr = ss.variance(sp.exp(-t) * a + sp.sqrt(ou_delta(t)) * zz)
    return step("variance", sp.expand(sp.simplify(expr)))


@result(
    "gauss.score_coef",
    args=("t", "lam"),
    symbol=r"S_\lambda(t)",
    description="score of P_t along a C-eigenvector: S = S_λ(t) x",
    reference="THEORY §1",
)
def score_coef():
    """d/dx ln N(x; 0, λ_t) divided by x."""
    vt = var_t()
    logp = -x**2 / (2 * vt) - sp.log(2 * sp.pi * vt) / 2
    s = step("score", sp.diff(logp, x))
    return sp.simplify(s / x)


def _kl_gaussians_eigen() -> tuple[sp.Expr, sp.Symbol, sp.Symbol]:
    """KL(N(0,c) || N(0,ĉ)) per eigen-direction, derived by integrating the log-ratio."""
    c, chat = sp.symbols("c chat", positive=True)
    y = sp.Symbol("y", real=True)
    p = sp.exp(-y**2 / (2 * c)) / sp.sqrt(2 * sp.pi * c)
    logratio = sp.expand_log(sp.log(p) - (-y**2 / (2 * chat) - sp.log(2 * sp.pi * chat) / 2), force=True)
    kl = sp.simplify(sp.integrate(p * logratio, (y, -sp.oo, sp.oo)))
    return kl, c, chat


@result(
    "gauss.kl_expected",
    args=("n", "d"),
    symbol=r"\mathbb{E}\,\mathrm{KL}\left(\mathcal{N}(0,C)\,\|\,\mathcal{N}(0,\hat C)\right)",
    description="exact expected KL of the generated law N(0, Ĉ) from the data law, n samples",
    assumptions="n Ĉ ~ Wishart_d(C, n), n > d + 1; independent of C",
    reference="THEORY §1; Wishart moments E W^{-1} = C^{-1}/(n-d-1), E ln det W = Σ ψ((n-i+1)/2) + d ln 2 + ln det C",
    numba=False,
)
def kl_expected():
    """KL = ½[tr(Ĉ^{-1}C) - d + ln det Ĉ - ln det C], averaged with Wishart moments."""
    kl1, c, chat = _kl_gaussians_eigen()
    step("KL per eigen-direction", kl1)
    # Sum over directions: KL = ½[tr(Ĉ^{-1} C) - d + ln det Ĉ - ln det C] (matrix form of kl1).
    tr_term, logdet_term = sp.symbols("T L", real=True)
    kl1_check = sp.simplify(kl1 - (c / chat - 1 + sp.log(chat) - sp.log(c)) / 2)
    assert kl1_check == 0, kl1_check
    matrix_kl = step("matrix form", (tr_term - d + logdet_term) / 2)
    i = sp.Symbol("i", integer=True, positive=True)
    e_tr = step("E tr(Ĉ^{-1} C) = n E tr(W^{-1} C)", n * d / (n - d - 1))
    e_logdet = step(
        "E ln det Ĉ - ln det C",
        sp.Sum(sp.polygamma(0, (n - i + 1) / 2), (i, 1, d)) + d * sp.log(2) - d * sp.log(n),
    )
    return matrix_kl.subs({tr_term: e_tr, logdet_term: e_logdet})


@result(
    "gauss.kl_large_n",
    args=("n", "d"),
    symbol=r"\mathbb{E}\,\mathrm{KL}\big|_{n\to\infty}",
    description="leading large-n form of the expected KL",
    reference="THEORY §1",
)
def kl_large_n():
    """Expand ψ(x) = ln x - 1/(2x) + O(x^{-2}) and ln(1 - u) = -u + O(u²), keep O(1/n)."""
    i = sp.Symbol("i", integer=True, positive=True)
    eps = sp.Symbol("epsilon", positive=True)  # 1/n
    # tr term: n d/(n-d-1) - d, expanded in eps = 1/n
    tr = (d / (1 - (d + 1) * eps)) - d
    tr_lead = sp.series(tr, eps, 0, 2).removeO()
    # log-det term: Σ_i [ln((n-i+1)/2) - 1/(n-i+1)] + d ln 2 - d ln n
    #             = Σ_i [ln(1 - (i-1)/n) - 1/(n-i+1)] -> Σ_i [-(i-1) eps - eps]
    logdet_lead = sp.summation(-(i - 1) * eps - eps, (i, 1, d))
    lead = step("O(1/n) terms", sp.expand((tr_lead + logdet_lead) / 2))
    return sp.factor(lead.subs(eps, 1 / n))


@result(
    "gauss.mp_density",
    args=("x", "gamma"),
    symbol=r"\rho_{\mathrm{MP}}(x)",
    description="Marchenko–Pastur density of the eigenvalues of Ĉ (C = I, γ = d/n < 1), inside the edges",
    assumptions="d, n -> ∞ with γ = d/n fixed; valid for (1-√γ)² < x < (1+√γ)²",
    reference="Marchenko & Pastur (1967)",
)
def mp_density():
    """Stieltjes transform: γ z g² + (z + γ - 1) g + 1 = 0; ρ(x) = Im g(x + i0)/π."""
    g, z = sp.symbols("g z")
    quad = step("self-consistent equation", sp.Eq(gamma * z * g**2 + (z + gamma - 1) * g + 1, 0))
    disc = sp.expand((z + gamma - 1) ** 2 - 4 * gamma * z)
    roots = sp.solve(quad, g)
    assert len(roots) == 2
    step("discriminant", sp.factor(disc))
    # Inside the bulk disc < 0: g = [-(z+γ-1) ± i sqrt(-disc)] / (2γz); Im g / π:
    rho = sp.sqrt(-disc.subs(z, x)) / (2 * sp.pi * gamma * x)
    return step("density", rho)


@result("gauss.mp_edge_plus", args=("gamma",), symbol=r"\lambda_+", description="upper MP edge")
def mp_edge_plus():
    """Largest root in x of the discriminant (x + γ - 1)² - 4 γ x."""
    roots = sp.solve(sp.expand((x + gamma - 1) ** 2 - 4 * gamma * x), x)
    return sp.factor(sp.simplify(max(roots, key=lambda r: r.subs(gamma, sp.Rational(1, 4)))))


@result("gauss.mp_edge_minus", args=("gamma",), symbol=r"\lambda_-", description="lower MP edge")
def mp_edge_minus():
    """Smallest root in x of the discriminant (x + γ - 1)² - 4 γ x."""
    roots = sp.solve(sp.expand((x + gamma - 1) ** 2 - 4 * gamma * x), x)
    return sp.factor(sp.simplify(min(roots, key=lambda r: r.subs(gamma, sp.Rational(1, 4)))))
