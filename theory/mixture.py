r"""General Gaussian mixtures, ``mixture`` (THEORY §6): K classes, any weights, means and covariances.

:math:`P_0 = \sum_c p_c\,\mathcal N(m_c, \Sigma_c)`; the OU process maps each class to
:math:`\mathcal N(e^{-t}m_c, \Gamma_c(t))`, :math:`\Gamma_c(t) = \Delta_t I + e^{-2t}\Sigma_c`, so the noisy law is the
same mixture and the exact score is :math:`S(x,t) = \sum_c \pi_c(x,t)\,\Gamma_c(t)^{-1}(e^{-t}m_c - x)`, with
:math:`\pi_c` the class posterior (softmax of :math:`\ln p_c + \ln\mathcal N(x; e^{-t}m_c, \Gamma_c)`).

Everything matrix-valued is derived *per eigen-coordinate* (one direction of an eigenbasis of
:math:`\Sigma_c`, eigenvalue ``lam``), which is what the generated NumPy code evaluates; the numerics
assemble the d-dimensional objects from an eigen/Cholesky factorisation of each covariance (never a
d×d inverse per point). Pairs of classes whose covariances do not share an eigenbasis are reduced to
one-dimensional problems in the generalised eigenbasis of :math:`(\Gamma_a, \Gamma_b)`, where the results
in :math:`(\Gamma_a, \Gamma_b, \delta^2)` apply coordinate by coordinate.

Results (prefix ``mixture.``): the eigen-coordinate variance ``Gamma``, log-density ``log_component``
and score ``score_component``; the Gaussian KL (``kl_gauss``, ``kl``) and the pairwise signal-to-noise
ratio :math:`\kappa_{ab} = \frac14[\mathrm{KL}(a\|b) + \mathrm{KL}(b\|a)]` (``kappa_gauss``, ``kappa``), its reduction
to §2 for separated means with a shared isotropic covariance (``kappa_mean``, ``t_S_mean``,
``t_S_mean_large_d``) and its same-mean isotropic-covariance form (``kappa_cov``, ``t_S_cov``,
``t_S_cov_large_d``: the ¼ ln d law), the exact finite-d cloning probability of two isotropic
covariance classes as a χ²_d integral (``phi_cov``), the covariance of the log-likelihood ratios
(``llr_cov``, the geometry of the large-d limit), and collapse (``entropy_term``, ``f_rank``,
``t_C_rank``: intrinsic dimension D, not d).

References: G. Biroli, T. Bonnaire, V. de Bortoli, M. Mézard, Nature Comm. 15, 9957 (2024),
arXiv:2402.18491; Achilli, Benedetti, Biroli, Mézard (2026), general class structure; Achilli,
Ambrogioni, Lucibello, Mézard, Ventura (2025), memorisation and intrinsic dimension.
"""

from __future__ import annotations

import sympy as sp

from theory.registry import Model, get, helper, restate, same, step
from theory.special import Named, affine_moments, ou_delta
from theory.symbols import core, positive, real

MODEL = Model(
    "mixture",
    description="K-class Gaussian mixture Σ_c p_c N(m_c, Σ_c), any weights, means, covariances (THEORY §6)",
    symbols=dict(
        t=core("t", test=[1e-6, 0.37, 3.0, 20.0]),
        d=core("d", test=[1.0, 7.0, 1000.0, 1e6]),
        n=core("n", test=[2.0, 50.0, 20000.0, 1e9]),
        alpha=core("alpha", test=[1e-6, 0.01, 0.7, 5.0]),
        lam=positive("lambda", test=[1e-9, 0.3, 1.0, 50.0], doc="an eigenvalue of a class covariance Σ_c"),
        lam_a=positive("lambda_a", test=[1e-9, 0.7, 1.3, 40.0], doc="eigenvalue of Σ_a in a common eigen-direction"),
        lam_b=positive("lambda_b", test=[2.0, 1e-9, 0.7, 1.3], doc="eigenvalue of Σ_b in the same direction"),
        dm=real("delta_m", test=[0.5, -3.0, 1e-4, 7.0], doc="component of m_a - m_b along that direction"),
        y=real("y", test=[-3.0, 0.0, 0.25, 40.0], doc="eigen-coordinate of x - e^{-t} m_c"),
        G_a=positive("Gamma_a", test=[1e-8, 0.5, 1.0, 30.0], doc="a variance of class a at time t"),
        G_b=positive("Gamma_b", test=[3.0, 2e-8, 0.25, 1.7], doc="the variance of class b in the same direction"),
        delta2=positive("delta^2", test=[1e-12, 0.3, 4.0, 1e4], doc="squared mean difference at time t, e^{-2t}(m_a - m_b)²"),
        D2=positive("m_ab^2", test=[1e-3, 4.0, 1000.0, 1e6], doc="squared distance of two class means"),
        sigma=positive("sigma", test=[0.05, 1.0, 1.0 + 1e-9, 3.0], doc="shared within-class standard deviation"),
        s2a=positive("sigma_a^2", test=[1.3, 0.05, 2.0, 1.0 + 1e-9], doc="isotropic variance of class a"),
        s2b=positive("sigma_b^2", test=[0.7, 1.0, 0.01, 3.0], doc="isotropic variance of class b"),
        p_a=positive("p_a", test=[0.5, 0.01, 0.77, 0.999], doc="weight of class a within the pair, p_a/(p_a + p_b)"),
        D=positive("D", test=[1.0, 2.0, 16.0, 1000.0], doc="intrinsic dimension: rank of a class covariance"),
        k_ab=positive("kappa_ab", test=[1e-6, 0.5, 1.0, 40.0], doc="κ between the reference class a and class b"),
        k_ac=positive("kappa_ac", test=[0.3, 2.0, 1e-6, 40.0], doc="κ between the reference class a and class c"),
        k_bc=positive("kappa_bc", test=[0.2, 1.0, 3.0, 1e-6], doc="κ between classes b and c"),
    ),
)
result = MODEL.result

t, d, n, alpha, lam, lam_a, lam_b, dm, y = MODEL.symbols("t d n alpha lam lam_a lam_b dm y")
G_a, G_b, delta2, D2, sigma, s2a, s2b, p_a, D = MODEL.symbols("G_a G_b delta2 D2 sigma s2a s2b p_a D")
k_ab, k_ac, k_bc = MODEL.symbols("k_ab k_ac k_bc")

DELTA = Named(r"\Delta_t", ou_delta(t))


def gaussian_pdf(x: sp.Expr, mean: sp.Expr, var: sp.Expr) -> sp.Expr:
    r"""Gaussian density :math:`\mathcal N(x; \mathrm{mean}, \mathrm{var})`."""
    return sp.exp(-((x - mean) ** 2) / (2 * var)) / sp.sqrt(2 * sp.pi * var)


# ---------------------------------------------------------------------------------------
# the noisy law of one class, per eigen-coordinate; the score
# ---------------------------------------------------------------------------------------
def gamma_expr(lam_: sp.Expr) -> sp.Expr:
    r""":math:`\Gamma = \Delta_t + \lambda e^{-2t}` with the named :math:`\Delta_t` (display form)."""
    return DELTA + lam_ * sp.exp(-2 * t)


@result(
    "mixture.Gamma", kind="derived", args=("t", "lam"), symbol=r"\Gamma_c(t)",
    reference="THEORY §6", description="eigenvalue of Γ_c(t) = Δ_t I + e^{-2t} Σ_c for the eigenvalue λ of Σ_c",
)
def gamma_t():
    r"""Variance of :math:`e^{-t}a + \sqrt{\Delta_t}z` along an eigenvector of :math:`\Sigma_c` with eigenvalue λ
    (:math:`a - m_c` has variance λ there, the noise z is independent): :math:`\Gamma = \Delta_t + \lambda e^{-2t}`.
    In matrix form :math:`\Gamma_c(t) = \Delta_t I + e^{-2t}\Sigma_c`: same eigenvectors, these eigenvalues."""
    a, zz = sp.symbols("a_i z_i", real=True)
    _, var = affine_moments(sp.exp(-t) * a + sp.sqrt(ou_delta(t)) * zz, {a: (0, lam), zz: (0, 1)})
    var = step("variance along the eigenvector", sp.expand(var))
    return restate("Γ = Δ_t + λ e^{-2t}", var, gamma_expr(lam))


def gamma_named(lam_: sp.Expr, name: str = r"\Gamma") -> Named:
    """Γ for eigenvalue ``lam_`` as a named intermediate (body: the derived ``mixture.Gamma``)."""
    return Named(name, gamma_t().subs(lam, lam_))


@result(
    "mixture.log_component", kind="derived", args=("y", "t", "lam"), symbol=r"\ln\mathcal N_c(y)",
    reference="THEORY §6",
    description="log-density of one eigen-coordinate y of x - e^{-t} m_c under class c at time t "
                "(ln N(x; e^{-t} m_c, Γ_c) is the sum over an eigenbasis of Σ_c)",
)
def log_component():
    r"""The OU transport of a Gaussian coordinate is Gaussian with the moments of ``mixture.Gamma``:
    :math:`\ln\mathcal N(y; 0, \Gamma) = -\frac{y^2}{2\Gamma} - \frac12\ln(2\pi\Gamma)`."""
    G = sp.Symbol("Gamma", positive=True)
    logpdf = step("ln N(y; 0, Γ)", sp.expand_log(sp.log(gaussian_pdf(y, 0, G)), force=True))
    return logpdf.subs(G, gamma_named(lam))


@result(
    "mixture.score_component", kind="derived", args=("y", "t", "lam"), symbol=r"\partial_y\ln\mathcal N_c",
    reference="THEORY §6",
    description="score of one eigen-coordinate of class c; the mixture score is S = Σ_c π_c Γ_c^{-1}(e^{-t} m_c - x)",
)
def score_component():
    r""":math:`\partial_y\ln\mathcal N_c = -y/\Gamma`. The mixture score follows from
    :math:`\nabla\ln\sum_c p_c\mathcal N_c = \sum_c\pi_c\nabla\ln\mathcal N_c`, :math:`\pi_c = p_c\mathcal N_c/\sum_{c'}p_{c'}\mathcal N_{c'}`
    (checked here on a generic two-component mixture)."""
    p1, n1, n2 = sp.symbols("p_1 N_1 N_2", positive=True)
    f1, f2 = sp.Function("f_1")(y), sp.Function("f_2")(y)  # ln N_1, ln N_2
    mix = sp.log(p1 * sp.exp(f1) + (1 - p1) * sp.exp(f2))
    post = p1 * sp.exp(f1) / (p1 * sp.exp(f1) + (1 - p1) * sp.exp(f2))
    assert sp.simplify(sp.diff(mix, y) - (post * sp.diff(f1, y) + (1 - post) * sp.diff(f2, y))) == 0
    step("∇ ln Σ_c p_c N_c = Σ_c π_c ∇ ln N_c", sp.Eq(sp.diff(mix, y), post * sp.diff(f1, y) + (1 - post) * sp.diff(f2, y)))
    return step("∂_y ln N_c", sp.diff(get("mixture.log_component").display, y))


# ---------------------------------------------------------------------------------------
# Gaussian KL and the pairwise signal-to-noise ratio
# ---------------------------------------------------------------------------------------
@helper
def _kl_matrix_form() -> sp.Expr:
    r"""KL between Gaussians, :math:`\frac12[\mathrm{tr}(\Gamma_b^{-1}\Gamma_a) - d + \delta^T\Gamma_b^{-1}\delta + \ln\det\Gamma_b - \ln\det\Gamma_a]`:
    :math:`\mathbb E_a[\ln\mathcal N_a - \ln\mathcal N_b]` with :math:`\mathbb E\,x^TAx = \mathrm{tr}(A\Gamma_a) + \mu^TA\mu`, run on
    generic symmetric 2×2 matrices (returned in the invariants ``T, Q, L``)."""
    a11, a12, a22, b11, b12, b22 = sp.symbols("a11 a12 a22 b11 b12 b22", real=True)
    e1, e2 = sp.symbols("delta_1 delta_2", real=True)
    A = sp.Matrix([[a11, a12], [a12, a22]])
    Bm = sp.Matrix([[b11, b12], [b12, b22]])
    xs = sp.Matrix(sp.symbols("x1 x2", real=True))  # x - m_a ~ N(0, A)
    dv = sp.Matrix([e1, e2])  # m_a - m_b
    w = xs + dv  # x - m_b
    logratio = (-(xs.T * A.inv() * xs)[0] + (w.T * Bm.inv() * w)[0]) / 2 + (sp.log(Bm.det()) - sp.log(A.det())) / 2
    poly = sp.expand(logratio)
    mean = poly.subs({xs[0] ** 2: a11, xs[1] ** 2: a22}).subs(xs[0] * xs[1], a12).subs({xs[0]: 0, xs[1]: 0})
    T, Q, L = sp.symbols("T Q L", real=True)
    form = (T - 2 + Q + L) / 2
    target = form.subs({T: (Bm.inv() * A).trace(), Q: (dv.T * Bm.inv() * dv)[0], L: sp.log(Bm.det()) - sp.log(A.det())})
    assert sp.simplify(mean - target) == 0
    return step("KL(a‖b) = ½[tr(Γ_b⁻¹Γ_a) - d + δᵀΓ_b⁻¹δ + ln det Γ_b - ln det Γ_a] (T, Q, L: the trace, "
                "quadratic and log-det terms; checked on generic 2×2 matrices)", (T - d + Q + L) / 2)


@result(
    "mixture.kl_gauss", kind="derived", args=("G_a", "G_b", "delta2"),
    symbol=r"\mathrm{KL}(\mathcal N_a\|\mathcal N_b)_i",
    reference="THEORY §6", test_points=[(0.5, 3.0, 0.3), (30.0, 0.25, 1e-12), (1e-8, 2e-8, 4.0), (1.0, 1.7, 1e4)],
    assumptions="one coordinate of the generalised eigenbasis of (Γ_a, Γ_b); the d-dimensional KL is the sum",
    description="KL between 1-D Gaussians of variances Γ_a, Γ_b and squared mean difference δ²",
)
def kl_gauss():
    r""":math:`\frac12[\Gamma_a/\Gamma_b - 1 + \delta^2/\Gamma_b - \ln(\Gamma_a/\Gamma_b)]` by integrating
    :math:`\mathcal N_a\ln(\mathcal N_a/\mathcal N_b)`; the matrix form (:func:`_kl_matrix_form`) is its sum over the
    generalised eigenbasis (:math:`W^T\Gamma_bW = I`, :math:`W^T\Gamma_aW = \mathrm{diag}\,\rho`)."""
    form = _kl_matrix_form()
    x = sp.Symbol("x", real=True)
    dl = sp.Symbol("delta", positive=True)
    pa = gaussian_pdf(x, dl, G_a)
    lr = sp.expand_log(sp.log(pa) - sp.log(gaussian_pdf(x, 0, G_b)), force=True)
    kl1 = step("∫ N_a ln(N_a/N_b), one coordinate", sp.simplify(sp.integrate(sp.expand(pa * lr), (x, -sp.oo, sp.oo))))
    T, Q, L = sp.symbols("T Q L", real=True)
    assert sp.simplify(kl1 - form.subs({T: G_a / G_b, Q: dl**2 / G_b, L: sp.log(G_b) - sp.log(G_a), d: 1})) == 0
    rr = (G_a - G_b) / G_b  # Γ_a/Γ_b - 1: the form r - ln(1 + r) keeps the digits of small r (log1p)
    return restate("KL = ½[r - ln(1 + r) + δ²/Γ_b], r = Γ_a/Γ_b - 1", kl1.subs(dl, sp.sqrt(delta2)),
                   (rr - sp.log(1 + rr) + delta2 / G_b) / 2)


@result(
    "mixture.kl", kind="assembled", args=("t", "lam_a", "lam_b", "dm"), symbol=r"\mathrm{KL}(\mathcal N_{a,t}\|\mathcal N_{b,t})_i",
    reference="THEORY §6", test_points=[(0.37, 1.3, 0.7, 0.5), (3.0, 40.0, 1e-9, -3.0), (1e-6, 0.7, 2.0, 7.0), (20.0, 1.0, 2.0, 1.0)],
    assumptions="one common eigen-direction of Σ_a and Σ_b (co-diagonal classes); the KL is the sum over directions",
    description="KL between the noised classes a and b along one common eigen-direction of their covariances",
)
def kl_t():
    r"""``mixture.kl_gauss`` at :math:`\Gamma_{a,b} = \Delta_t + \lambda_{a,b}e^{-2t}` (``mixture.Gamma``),
    :math:`\delta^2 = e^{-2t}\delta_m^2`."""
    ga, gb = gamma_named(lam_a, r"\Gamma_a"), gamma_named(lam_b, r"\Gamma_b")
    derived = step("KL at time t", get("mixture.kl_gauss").display.subs({G_a: ga, G_b: gb, delta2: sp.exp(-2 * t) * dm**2}))
    rr = (lam_a - lam_b) * sp.exp(-2 * t) / gb  # Γ_a/Γ_b - 1 without cancellation at large t
    return restate("r = Γ_a/Γ_b - 1 = (λ_a - λ_b) e^{-2t}/Γ_b", derived,
                   (rr - sp.log(1 + rr) + sp.exp(-2 * t) * dm**2 / gb) / 2)


@helper
def _kappa_gauss_form() -> sp.Expr:
    """¼[KL(a‖b) + KL(b‖a)] in the 1-D variables, simplified: the log-determinants cancel."""
    kl = get("mixture.kl_gauss").expr
    sym = kl + kl.subs({G_a: G_b, G_b: G_a}, simultaneous=True)
    return step("¼[KL(a‖b) + KL(b‖a)]: the ln det terms cancel", sp.simplify(sym / 4))


@result(
    "mixture.kappa_gauss", kind="assembled", args=("G_a", "G_b", "delta2"), symbol=r"\kappa_{ab,i}",
    reference="THEORY §6 (local asymptotic normality: the log-likelihood ratio is N(±2κ, 4κ) at large d)",
    description="pairwise signal-to-noise ratio ¼[KL(a‖b) + KL(b‖a)] of one coordinate (variances Γ_a, Γ_b, δ²)",
)
def kappa_gauss():
    r""":math:`\kappa = \frac18\left[\frac{(\Gamma_a - \Gamma_b)^2}{\Gamma_a\Gamma_b} + \delta^2\left(\frac1{\Gamma_a} + \frac1{\Gamma_b}\right)\right]`:
    the symmetrised KL, free of logarithms (no cancellation when :math:`\Gamma_a \approx \Gamma_b`)."""
    return restate("κ = ⅛[(Γ_a - Γ_b)²/(Γ_aΓ_b) + δ²(1/Γ_a + 1/Γ_b)]", _kappa_gauss_form(),
                   ((G_a - G_b) ** 2 / (G_a * G_b) + delta2 * (1 / G_a + 1 / G_b)) / 8)


@result(
    "mixture.kappa", kind="assembled", args=("t", "lam_a", "lam_b", "dm"), symbol=r"\kappa_{ab,i}(t)",
    reference="THEORY §6",
    assumptions="one common eigen-direction of Σ_a and Σ_b; κ_ab(t) is the sum over directions",
    description="pairwise signal-to-noise ratio of the noised classes a, b along one common eigen-direction",
)
def kappa_t():
    r"""``mixture.kappa_gauss`` at :math:`\Gamma_{a,b}(t)`, :math:`\delta^2 = e^{-2t}\delta_m^2`; with
    :math:`\Gamma_a - \Gamma_b = (\lambda_a - \lambda_b)e^{-2t}` (no cancellation at large t)."""
    ga, gb = gamma_named(lam_a, r"\Gamma_a"), gamma_named(lam_b, r"\Gamma_b")
    k = get("mixture.kappa_gauss").display.subs({delta2: sp.exp(-2 * t) * dm**2})
    derived = k.subs({G_a: ga, G_b: gb})
    return restate("κ(t) with Γ_a - Γ_b = (λ_a - λ_b) e^{-2t}", derived,
                   ((lam_a - lam_b) ** 2 * sp.exp(-4 * t) / (ga * gb) + sp.exp(-2 * t) * dm**2 * (1 / ga + 1 / gb)) / 8)


# ---------------------------------------------------------------------------------------
# separated means, shared isotropic covariance (reduces to §2)
# ---------------------------------------------------------------------------------------
@result(
    "mixture.kappa_mean", kind="derived", args=("t", "D2", "sigma"), symbol=r"\kappa_{ab}(t)",
    reference="THEORY §6 (reduces to §2's e^{-2t}|m|²/Γ_t)",
    description="κ_ab of two classes with a shared isotropic covariance σ² I and |m_a - m_b|² = D2",
)
def kappa_mean():
    r"""Sum of ``mixture.kappa`` over an orthonormal basis with :math:`\hat e_1 \parallel m_a - m_b`: only
    :math:`\hat e_1` carries a mean difference (:math:`\delta_m^2 = |m_a - m_b|^2`), the variances are equal, so
    :math:`\kappa_{ab} = e^{-2t}|m_a - m_b|^2/(4\Gamma_t)`. With :math:`m_\pm = \pm m` (§2) this is ``gm.kappa``."""
    k1 = get("mixture.kappa").expr.subs({lam_a: sigma**2, lam_b: sigma**2})
    along = step("direction of m_a - m_b", sp.simplify(k1.subs(dm, sp.sqrt(D2))))
    rest = step("the d - 1 other directions", sp.simplify(k1.subs(dm, 0)))
    assert rest == 0
    G = Named(r"\Gamma_t", gamma_t().subs(lam, sigma**2))
    form = restate("κ_ab = e^{-2t}|m_a - m_b|²/(4Γ_t)", along, sp.exp(-2 * t) * D2 / (4 * G))
    gm = get("gm.kappa")
    gd, gmu, gsig = gm.arg_symbols[1:]
    gm_form = gm.expr.subs({gsig: sigma, gd: 1, gmu: sp.sqrt(D2) / 2})  # |m|² = d μ̃² = D2/4
    assert sp.simplify(gm_form.subs(gm.arg_symbols[0], t) - expand(form)) == 0
    step("§2: m_± = ±m, |m_a - m_b|² = 4|m|² gives gm.kappa = e^{-2t}|m|²/Γ_t", sp.Eq(form.subs(D2, 4 * sp.Symbol("|m|^2", positive=True)), gm.display.subs(gm.arg_symbols[0], t)))
    return form


def expand(e: sp.Expr) -> sp.Expr:
    """``e`` with every named intermediate replaced by its body."""
    from theory.special import expand_named

    return expand_named(e)


def _kappa_one_root(kappa_expr: sp.Expr, probe: dict) -> sp.Expr:
    r"""Root of κ(t) = 1 for a κ rational in :math:`w = e^{-2t}`: solve in w, keep the root in (0, 1) at
    ``probe``, return :math:`t = \frac12\ln(1/w)`."""
    w = sp.Symbol("w", positive=True)
    kw = sp.simplify(expand(kappa_expr).subs(sp.exp(-2 * t), w).subs(sp.exp(-4 * t), w**2).subs(sp.exp(2 * t), 1 / w))
    assert t not in kw.free_symbols, kw
    num = step("κ(w) = 1, w = e^{-2t}: numerator", sp.factor(sp.numer(sp.together(kw - 1))))
    roots = sp.solve(num, w)
    good = [r for r in roots if (lambda v: v.is_real and 0 < v < 1)(sp.N(r.subs(probe)))]
    assert len(good) == 1, (roots, probe)
    return step("t = ½ ln(1/w)", sp.log(sp.simplify(1 / good[0])) / 2)


@result(
    "mixture.t_S_mean", kind="derived", args=("D2", "sigma"), symbol=r"t_S^{ab}",
    reference="THEORY §6", assumptions="shared isotropic covariance σ² I; real when |m_a - m_b|²/4 > σ² - 1",
    description="exact pairwise speciation time, root of κ_ab(t) = 1, for separated means and a shared σ² I",
)
def t_s_mean():
    r"""Solve :math:`e^{-2t}|m_a - m_b|^2 = 4\Gamma_t` (linear in :math:`w = e^{-2t}`):
    :math:`t_S^{ab} = \frac12\ln(|m_a - m_b|^2/4 + 1 - \sigma^2)` (leading order :math:`\frac12\ln(|m_a - m_b|^2/4)`)."""
    root = _kappa_one_root(get("mixture.kappa_mean").display, {D2: 400, sigma: 1})
    return restate("½ ln(|m_a - m_b|²/4 + 1 - σ²)", root, sp.log(D2 / 4 + 1 - sigma**2) / 2)


@result(
    "mixture.t_S_mean_large_d", kind="derived", args=("D2", "sigma"), symbol=r"t_S^{ab}",
    reference="THEORY §2, §6; Biroli, Bonnaire, de Bortoli, Mézard (2024): t_S = ½ ln Λ",
    description="large-d pairwise speciation time ½ ln Λ_ab, Λ_ab = σ² + |m_a - m_b|²/4 (top eigenvalue of the "
                "equal-weight pair's covariance); equals gm.t_S for the two-class mixture of §2",
)
def t_s_mean_large_d():
    r"""The exact root (``mixture.t_S_mean``) is the two-state root of :func:`theory.gm.logp_curvature_root`
    with :math:`C_2 = |m_a - m_b|^2/4`, :math:`S_2 = \sigma^2`, B = 1; eliminate for the pair's top covariance
    eigenvalue :math:`\Lambda_{ab} = \sigma^2 + |m_a - m_b|^2/4` and expand at large Λ (:func:`theory.gm.speciation_leading_order`):
    :math:`\frac12\ln\Lambda_{ab} + O(1/d)`."""
    from theory.gm import B, C2, S2, logp_curvature_root, speciation_leading_order

    root = logp_curvature_root()
    assert sp.simplify(root.subs({C2: D2 / 4, S2: sigma**2, B: 1}) - get("mixture.t_S_mean").expr) == 0
    step("mixture.t_S_mean is the two-state root at C2 = |m_a - m_b|²/4, S2 = σ², B = 1", root.subs(B, 1))
    L = sp.Symbol("Lambda", positive=True)
    lead = speciation_leading_order(root, L)  # Λ = S2 + B C2, B = 1 here
    return lead.subs(L, Named(r"\Lambda_{ab}", sigma**2 + D2 / 4))


# ---------------------------------------------------------------------------------------
# same mean, different isotropic covariances: the ¼ ln d law
# ---------------------------------------------------------------------------------------
@result(
    "mixture.kappa_cov", kind="assembled", args=("t", "d", "s2a", "s2b"), symbol=r"\kappa_{ab}(t)",
    reference="THEORY §6; Achilli, Benedetti, Biroli, Mézard (2026)",
    description="κ_ab of two classes with the same mean and isotropic covariances σ_a² I, σ_b² I",
)
def kappa_cov():
    r"""d times ``mixture.kappa`` at :math:`\delta_m = 0`:
    :math:`\kappa_{ab} = d(\sigma_a^2 - \sigma_b^2)^2e^{-4t}/(8\Gamma_a\Gamma_b)` (THEORY's :math:`d\varepsilon^2\sigma^4e^{-4t}/(2\Gamma_t^2)` for
    :math:`\sigma^2_{a,b} = \sigma^2(1 \pm \varepsilon)` at leading order)."""
    k1 = get("mixture.kappa").display.subs({lam_a: s2a, lam_b: s2b, dm: 0})
    return step("d identical directions", d * k1)


@result(
    "mixture.t_S_cov", kind="derived", args=("d", "s2a", "s2b"), symbol=r"t_S^{ab}",
    reference="THEORY §6", assumptions="same mean, isotropic σ_a² ≠ σ_b²; positive when κ_ab(0) > 1",
    test_points=[(1000.0, 1.3, 0.7), (7.0, 5.0, 1 / 3), (1e6, 1.001, 0.999), (256.0, 0.05, 3.0)],
    description="exact pairwise speciation time, root of κ_ab(t) = 1, for same-mean isotropic covariance classes",
)
def t_s_cov():
    r"""κ = 1 is a quadratic in :math:`w = e^{-2t}`: :math:`d(\sigma_a^2 - \sigma_b^2)^2w^2 = 8[1 + (\sigma_a^2 - 1)w][1 + (\sigma_b^2 - 1)w]`;
    its root in (0, 1), rationalised and written symmetric in a ↔ b:
    :math:`t_S^{ab} = \frac12\ln\frac{\sqrt{2(d + 2)}\,|\sigma_a^2 - \sigma_b^2| + 4 - 2\sigma_a^2 - 2\sigma_b^2}4`."""
    root = _kappa_one_root(get("mixture.kappa_cov").display, {d: 10**4, s2a: sp.Rational(13, 10), s2b: sp.Rational(7, 10)})
    form = sp.log((sp.sqrt(2 * (d + 2)) * sp.Abs(s2a - s2b) + 4 - 2 * s2a - 2 * s2b) / 4) / 2
    probes = [{d: 1000, s2a: sp.Rational(13, 10), s2b: sp.Rational(7, 10)}, {d: 7, s2a: 5, s2b: sp.Rational(1, 3)},
              {d: 50, s2a: sp.Rational(9, 4), s2b: sp.Rational(3, 2)}]
    form = restate("rationalised, symmetric in a ↔ b", root, form, probes=probes)
    swapped = form.subs({s2a: s2b, s2b: s2a}, simultaneous=True)
    assert sp.simplify(swapped - form) == 0
    return form


@result(
    "mixture.t_S_cov_large_d", kind="derived", args=("d", "s2a", "s2b"), symbol=r"t_S^{ab}",
    reference="THEORY §6; Achilli, Benedetti, Biroli, Mézard (2026): speciation at ¼ ln d",
    test_points=[(1000.0, 1.3, 0.7), (7.0, 5.0, 1 / 3), (1e6, 1.001, 0.999), (256.0, 0.05, 3.0)],
    description="large-d speciation time of same-mean isotropic covariance classes, ¼ ln(d (σ_a² - σ_b²)²/8): "
                "half the ½ ln d of mean-separated classes",
)
def t_s_cov_large_d():
    r"""Expand the exact root (``mixture.t_S_cov``) at large d: :math:`t = \frac14\ln d + \frac14\ln\frac{(\sigma_a^2 - \sigma_b^2)^2}{8} + O(d^{-1/2})`."""
    q = sp.Symbol("q", positive=True)  # |σ_a² - σ_b²|
    root = get("mixture.t_S_cov").expr.subs(sp.Abs(s2a - s2b), q)
    e = sp.Symbol("epsilon", positive=True)  # 1/sqrt(d)
    f = sp.expand_log(root.subs(d, 1 / e**2), force=True)
    step("expansion in d^{-1/2} (q = |σ_a² - σ_b²|)", sp.series(f, e, 0, 2).removeO().subs(e, 1 / sp.sqrt(d)))
    lead = sp.expand_log(sp.series(f, e, 0, 1).removeO().subs(e, 1 / sp.sqrt(d)), force=True)
    lead = step("leading order", sp.simplify(lead))
    form = sp.log(d * (s2a - s2b) ** 2 / 8) / 4
    assert same(lead, form.subs((s2a - s2b) ** 2, q**2), [{d: 1000, q: sp.Rational(3, 5)}, {d: 7, q: 4}])
    return step("¼ ln(d (σ_a² - σ_b²)²/8)", form)


@result(
    "mixture.phi_cov", kind="derived", args=("t", "d", "s2a", "s2b", "p_a"), symbol=r"\varphi_{ab}(t)",
    reference="THEORY §6", codegen=False,
    assumptions="exact at any d for same-mean isotropic classes; → φ(κ_ab(t), p_a) (gm.phi) at large d",
    description="exact finite-d cloning probability of two same-mean isotropic covariance classes: a 1-D integral over χ²_d",
)
def phi_cov():
    r""":math:`\varphi = \sum_{c} p_c\int_0^\infty du\,\chi^2_d(u)\,\big[P(a|\Gamma_cu)^2 + P(b|\Gamma_cu)^2\big]`.

    The class densities depend on x only through :math:`r = |x - e^{-t}m|^2` (sum of d eigen-coordinates of
    ``mixture.log_component``); under class c, :math:`r = \Gamma_c u`, :math:`u \sim \chi^2_d`. The
    log-likelihood ratio is affine in r; its mean under a is d × ``mixture.kl`` and its variance
    :math:`\frac d2(\Gamma_a/\Gamma_b - 1)^2 = 2\mathrm{KL}(1 + O(\varepsilon))`, :math:`\varepsilon = \Gamma_a/\Gamma_b - 1 = O(d^{-1/2})` at fixed κ:
    local asymptotic normality, so φ → ``gm.phi`` at :math:`\kappa_{ab}` (tested numerically)."""
    r, u = sp.symbols("r u", positive=True)
    ga, gb = gamma_named(s2a, r"\Gamma_a"), gamma_named(s2b, r"\Gamma_b")
    chi2 = step("χ²_d density", u ** (d / 2 - 1) * sp.exp(-u / 2) / (2 ** (d / 2) * sp.gamma(d / 2)))
    m1 = sp.simplify(sp.integrate(chi2 * u, (u, 0, sp.oo), conds="none"))
    m2 = sp.simplify(sp.integrate(chi2 * u**2, (u, 0, sp.oo), conds="none"))
    assert sp.simplify(m1 - d) == 0 and sp.simplify(m2 - d**2 - 2 * d) == 0
    Ga_, Gb_ = G_a, G_b
    G = sp.Symbol("Gamma", positive=True)
    lc_g = get("mixture.log_component").display.xreplace({gamma_named(lam): G})
    assert lc_g.free_symbols == {y, G}, lc_g
    assert sp.diff(lc_g, y, 3) == 0 and sp.diff(lc_g, y).subs(y, 0) == 0  # even quadratic: depends on Σ_i y_i² only
    lc_gr = step("Σ over d coordinates: y² → r/d", sp.expand(d * lc_g.subs(y, sp.sqrt(r / d))))
    llr_g = step("ln N_a/N_b as a function of r", sp.expand(sp.expand_log(lc_gr.subs(G, Ga_) - lc_gr.subs(G, Gb_), force=True)))
    slope = sp.diff(llr_g, r)
    mean_a = sp.simplify(llr_g.subs(r, Ga_ * d))
    var_a = sp.simplify(slope**2 * Ga_**2 * 2 * d)
    kl1 = get("mixture.kl_gauss").expr.subs({G_a: Ga_, G_b: Gb_, delta2: 0})
    assert sp.simplify(mean_a - d * kl1) == 0
    step("E_a[LLR] = d·KL_1 (mixture.kl at δ_m = 0)", sp.Eq(sp.Symbol("E_a[LLR]"), mean_a))
    eps = sp.Symbol("varepsilon", positive=True)
    ratio = sp.simplify((var_a / (2 * mean_a)).subs(Ga_, Gb_ * (1 + eps)))
    step("Var_a[LLR]/(2 E_a[LLR]) in ε = Γ_a/Γ_b - 1 (LAN: → 1)", sp.series(ratio, eps, 0, 2))
    assert sp.limit(ratio, eps, 0) == 1
    llr = llr_g.subs({Ga_: ga, Gb_: gb})
    pa_r = step("P(a|r) by Bayes", 1 / (1 + (1 - p_a) / p_a * sp.exp(-llr)))
    agree = pa_r**2 + (1 - pa_r) ** 2
    terms = [w * sp.Integral(chi2 * agree.subs(r, g * u), (u, 0, sp.oo)) for w, g in ((p_a, ga), (1 - p_a, gb))]
    return sp.Add(*terms)


# ---------------------------------------------------------------------------------------
# the geometry of the log-likelihood ratios (exact for a shared covariance, the large-d limit otherwise)
# ---------------------------------------------------------------------------------------
@result(
    "mixture.llr_cov", kind="derived", args=("k_ab", "k_ac", "k_bc"), symbol=r"\mathrm{Cov}_a(L_b, L_c)",
    reference="THEORY §6 (local asymptotic normality)",
    description="covariance, under class a, of the log-likelihood ratios L_b = ln N_b/N_a and L_c = ln N_c/N_a, "
                "from the pairwise κ (exact for a shared covariance; the large-d limit otherwise)",
)
def llr_cov():
    r"""With a shared covariance Γ, :math:`L_c = v_c\cdot z - |v_c|^2/2`, :math:`v_c = \Gamma^{-1/2}e^{-t}(m_c - m_a)`,
    :math:`z \sim \mathcal N(0, I)` under a, and :math:`\kappa_{bc} = |v_b - v_c|^2/4`: the LLRs are jointly Gaussian with
    mean :math:`-2\kappa_{ac}` and covariance :math:`v_b\cdot v_c = 2(\kappa_{ab} + \kappa_{ac} - \kappa_{bc})`
    (derived here with generic 3-vectors). The classes thus sit at points :math:`u_c` with
    :math:`|u_b - u_c|^2 = 4\kappa_{bc}` (classical multidimensional scaling), and the posterior is that of a
    unit-variance isotropic mixture centred there."""
    vb = sp.Matrix(sp.symbols("b1:4", real=True))
    vc = sp.Matrix(sp.symbols("c1:4", real=True))
    zs = sp.Matrix(sp.symbols("z1:4", real=True))
    Lb = (vb.T * zs)[0] - (vb.T * vb)[0] / 2
    Lc = (vc.T * zs)[0] - (vc.T * vc)[0] / 2
    laws = {zi: (0, 1) for zi in zs}
    mb, varb = affine_moments(Lb, laws)
    step("E_a L_b, Var_a L_b", sp.Tuple(mb, varb))
    assert sp.simplify(mb + varb / 2) == 0  # mean -2κ, variance 4κ: κ_ab = |v_b|²/4
    _, var_sum = affine_moments(Lb + Lc, laws)
    _, var_c = affine_moments(Lc, laws)
    cov = step("Cov(L_b, L_c) = [Var(L_b + L_c) - Var L_b - Var L_c]/2", sp.expand((var_sum - varb - var_c) / 2))
    kab, kac, kbc = (vb.T * vb)[0] / 4, (vc.T * vc)[0] / 4, ((vb - vc).T * (vb - vc))[0] / 4
    assert sp.expand(cov - 2 * (kab + kac - kbc)) == 0
    return step("in terms of the pairwise κ", 2 * (k_ab + k_ac - k_bc))


# ---------------------------------------------------------------------------------------
# collapse
# ---------------------------------------------------------------------------------------
@result(
    "mixture.entropy_term", kind="derived", args=("t", "lam"), symbol=r"\tfrac12\ln\frac{\Gamma}{\Delta_t}",
    reference="THEORY §6",
    description="entropy of one eigen-coordinate of a class at time t over that of the noise, ½ ln(1 + λ e^{-2t}/Δ_t)",
)
def entropy_term():
    r""":math:`h(\mathcal N(0, \Gamma)) - h(\mathcal N(0, \Delta_t)) = \frac12\ln(\Gamma/\Delta_t) = \frac12\ln(1 + \lambda e^{-2t}/\Delta_t)`
    (entropies by integration, :func:`theory.gm.gaussian_entropy`). Summed over the eigenvalues of each
    class and averaged over classes it gives :math:`s - s_\Delta` up to :math:`I(c; x_t)/d \le \ln K/d`."""
    from theory.gm import gaussian_entropy

    G, Dl = sp.symbols("Gamma Delta_t", positive=True)
    diff = step("h(Γ) - h(Δ_t)", sp.expand_log(gaussian_entropy(G) - gaussian_entropy(Dl), force=True))
    derived = diff.subs({G: gamma_t(), Dl: ou_delta(t)})
    return restate("½ ln(1 + λ e^{-2t}/Δ_t)", derived, sp.log(1 + lam * sp.exp(-2 * t) / DELTA) / 2)


@result(
    "mixture.f_rank", kind="assembled", args=("t", "alpha", "d", "D", "lam"), symbol=r"f(t)",
    reference="THEORY §6", test_points=[(0.37, 0.01, 1000.0, 16.0, 1.0), (3.0, 1e-6, 7.0, 2.0, 50.0),
                                        (1e-6, 0.7, 1e6, 1000.0, 0.3), (20.0, 5.0, 1000.0, 1.0, 1e-9)],
    description="excess entropy α - (D/d)·½ ln(1 + λ e^{-2t}/Δ_t) of data whose classes have rank-D covariances "
                "with eigenvalue λ (leading order in d; the exact f subtracts I(c; x_t)/d)",
)
def f_rank():
    r""":math:`f = \alpha - \frac1{2d}\sum_cp_c\sum_i\ln(1 + \lambda_{c,i}e^{-2t}/\Delta_t)` with D eigenvalues λ per class
    (``mixture.entropy_term``) and d - D zeros."""
    return step("α - (D/d)·entropy_term", alpha - D / d * get("mixture.entropy_term").display)


@result(
    "mixture.t_C_rank", kind="derived", args=("n", "D", "lam"), symbol=r"t_C",
    reference="THEORY §6; Achilli, Ambrogioni, Lucibello, Mézard, Ventura (2025)",
    description="collapse time ½ ln(1 + λ/(n^{2/D} - 1)) of data on D-dimensional linear manifolds (eigenvalue λ): "
                "the curse of dimensionality in the intrinsic dimension D, not d",
)
def t_c_rank():
    r"""Solve ``mixture.f_rank`` = 0 at :math:`\alpha = \ln n/d`: d cancels,
    :math:`\ln n = \frac D2\ln(1 + \lambda w/(1 - w))`, :math:`w = e^{-2t}`."""
    w = sp.Symbol("w", positive=True)
    f = get("mixture.f_rank").expr.subs(alpha, sp.log(n) / d)
    fw = sp.simplify(f.subs(sp.exp(-2 * t), w).subs(sp.exp(2 * t), 1 / w))
    fw = step("f(w) = 0 at α = ln n/d, w = e^{-2t}", sp.expand_log(fw * d, force=True))
    assert d not in fw.free_symbols, fw
    sols = sp.solve(sp.Eq(fw, 0), w)
    assert len(sols) == 1, sols
    sol = step("t = ½ ln(1/w)", sp.log(1 / sols[0]) / 2)
    return restate("½ ln(1 + λ/(n^{2/D} - 1))", sol, sp.log(1 + lam / (n ** (2 / D) - 1)) / 2,
                    probes=[{n: 1000, D: 7, lam: sp.Rational(3, 2)}, {n: 50, D: 2, lam: sp.Rational(1, 9)}])
