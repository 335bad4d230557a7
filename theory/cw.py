"""Curie–Weiss model (THEORY §4): exact finite-N noisy density by Hubbard–Stratonovich,
score, equilibrium m*, χ, state weights, Λ, t_S, the two-state reduction, and the data law.

``P_0(s) ∝ exp(β M²/(2N) + h M)``, ``M = Σ_i s_i``, ``h = H/N``. Results (prefix ``cw``):
``log_hs_kernel``, ``lam``, ``Phi_site``, ``saddle_residual``, ``score_given_mu``,
``m_residual``, ``chi``, ``log_M_weight``, ``log_weight_ratio_asymptotic``,
``p_plus_asymptotic``, ``Lambda_exact``, ``Lambda_asymptotic``, ``t_S``, ``kappa``,
``snr_site``, ``Phi_typical`` (μ-measure of a typical trajectory; bimodality time),
``learned_sum_h_variance``, ``p_plus_error_linear``, ``global_weight_stderr``, ``p_plus`` (exact finite-N
state weight, a finite sum over M), and denoising score matching in the family (issue #17):
``dsm_factor_delta``, ``dsm_factor_edm`` (loss weights), ``score_dh_given_mu``, ``score_dJ_given_mu``,
``Phi_site_dJ`` (the pieces of the analytic gradient), ``dsm_local_curvature``, ``dsm_global_curvature``
(the two curvatures of the DSM objective in the two-state approximation) and ``dsm_sum_h_variance``
(the DSM data law).

Transcendental roots (m*, the bimodality time) are *registered as equations/residuals* and
solved numerically in ``numerics.curie_weiss``.
"""

from __future__ import annotations

import sympy as sp

from theory.registry import Model, restate, step
from theory.special import Named, affine_moments, logcosh, ou_delta
from theory.symbols import core, positive, real

MODEL = Model(
    "cw",
    description="Curie–Weiss model P_0(s) ∝ exp(β M²/(2N) + h M) (THEORY §4)",
    symbols=dict(
        t=core("t", test=[1e-6, 0.37, 3.0, 20.0]),
        n=core("n", test=[2.0, 50.0, 20000.0, 1e9]),
        z=core("z", test=[-2.0, 0.0, 0.7, 3.0]),
        x=real("x", test=[0.1, 0.9, 1.5, 2.0], doc="a coordinate of the noisy point"),
        p_plus=positive("p_+", test=[0.01, 0.5, 0.77, 0.999], doc="weight of the + state"),
        N=positive("N", test=[7.0, 40.0, 100.0, 1000.0], doc="number of spins (same thing as d)"),
        beta=positive("beta", test=[0.3, 0.9, 1.5, 4.0], doc="inverse temperature (coupling J in the learned family)"),
        H=real("H", test=[-2.0, 0.0, 0.5, 30.0], doc="total field, h = H/N"),
        h=real("h", test=[-0.3, 0.0, 0.005, 2.0], doc="field per site"),
        m=real("m", test=[-0.9, 0.0, 0.3, 0.95], doc="magnetisation per spin (m* where it solves m = tanh(βm+h))"),
        M=real("M", test=[-4.0, 0.0, 2.0, 6.0], doc="total magnetisation Σ s_i"),
        mu_hs=real("mu", test=[-1.2, 0.0, 0.4, 1.0], doc="Hubbard–Stratonovich variable μ"),
        lam_i=real("lambda_i", test=[-50.0, -0.5, 0.0, 30.0], doc="site field e^{-t} x_i/Δ_t"),
        chi=positive("chi", test=[0.1, 0.43, 2.0, 50.0], doc="within-state susceptibility"),
        Lambda=positive("Lambda", test=[0.5, 1.0, 60.0, 1e6], doc="top covariance eigenvalue Var(M)/N"),
        r_dsm=positive("r", test=[1e-4, 0.3, 3.4, 1e5],
                       doc="ratio a_G/a_L of the global (state-weight) to the local (within-state) curvature of the DSM objective"),
    ),
)
result = MODEL.result

t, x, z, n, p = MODEL.symbols("t x z n p_plus")
N, beta, H, h, m, M, mu, lam, chi, Lam = MODEL.symbols("N beta H h m M mu_hs lam_i chi Lambda")
(r_dsm,) = MODEL.symbols("r_dsm")
DELTA = Named(r"\Delta_t", ou_delta(t))


# --------------------------------------------------------------------------------------
# Hubbard–Stratonovich representation of P_t (exact at finite N)
# --------------------------------------------------------------------------------------
@result(
    "cw.log_hs_kernel", kind="derived", args=("mu_hs", "M", "N", "beta"), symbol=r"\ln K(\mu; M)",
    reference="Hubbard–Stratonovich identity; THEORY §4",
    description="log of the HS kernel: e^{βM²/2N} = ∫ dμ K(μ; M), K = sqrt(Nβ/2π) e^{-Nβμ²/2 + βμM}",
)
def log_hs_kernel():
    r"""Hubbard–Stratonovich: find the Gaussian kernel :math:`K(\mu; M) = C e^{-A\mu^2/2 + b\mu}` with
    :math:`\int d\mu\,K = e^{\beta M^2/2N}` for every M. SymPy integrates the Gaussian,
    :math:`\int e^{-A\mu^2/2 + b\mu}d\mu = \sqrt{2\pi/A}\,e^{b^2/2A}`; with :math:`A = N\beta` (so that the
    saddle :math:`\mu = M/N` is the magnetisation per spin) matching the exponent and the prefactor
    gives :math:`b = \beta M`, :math:`C = \sqrt{N\beta/2\pi}`."""
    A, Cst = sp.symbols("A C", positive=True)
    b = sp.Symbol("b", real=True)
    gauss = step("∫ dμ e^{-Aμ²/2 + bμ}", sp.simplify(sp.integrate(sp.exp(-A * mu**2 / 2 + b * mu), (mu, -sp.oo, sp.oo), conds="none")))
    gauss = gauss.subs(A, N * beta)
    exponent = sp.expand_log(sp.log(gauss), force=True)
    (b_sol,) = [r for r in sp.solve(sp.Eq(exponent.coeff(b, 2) * b**2, beta * M**2 / (2 * N)), b) if sp.simplify(r - beta * M) == 0]
    step("exponent b²/(2Nβ) = βM²/(2N)", sp.Eq(b, b_sol))
    (c_sol,) = sp.solve(sp.Eq(Cst * gauss.subs(b, b_sol), sp.exp(beta * M**2 / (2 * N))), Cst)
    step("prefactor", sp.Eq(Cst, c_sol))
    kernel = c_sol * sp.exp(-N * beta * mu**2 / 2 + b_sol * mu)
    return step("ln K(μ; M)", sp.expand_log(sp.log(kernel), force=True))


@result(
    "cw.lam", kind="derived", args=("x", "t"), symbol=r"\lambda_i",
    reference="THEORY §4", description="site field of the noisy observation, λ_i = e^{-t} x_i / Δ_t",
)
def lam_field():
    """Gaussian likelihood N(x; e^{-t}s, Δ_t) ∝ e^{λ s} for s = ±1: λ = ∂_s of its log."""
    s = sp.Symbol("s", real=True)
    loglik = -((x - sp.exp(-t) * s) ** 2) / (2 * ou_delta(t))
    lin = step("coefficient of s", sp.expand(loglik).coeff(s, 1))  # the s² term is constant for s = ±1
    return restate("λ_i = e^{-t} x_i/Δ_t", lin, sp.exp(-t) * x / DELTA)


@result(
    "cw.Phi_site", kind="derived", args=("mu_hs", "lam_i", "beta", "h"), symbol=r"\Phi_i(\mu)",
    reference="THEORY §4",
    description="site term of the free entropy: Φ(μ; x) = (1/N) Σ_i Φ_i(μ), Φ_i = -βμ²/2 + ln 2cosh(βμ + h + λ_i)",
)
def phi_site():
    """Σ_s P_0(s) Π_i e^{λ_i s_i} = ∫dμ K(μ) Π_i Σ_{s_i=±1} e^{(βμ+h+λ_i)s_i}: the site sum is a 2cosh."""
    log_hs_kernel()
    a = beta * mu + h + lam
    site_sum = sum(sp.exp(a * s) for s in (1, -1))
    vals = {mu: sp.Rational(1, 3), lam: sp.Rational(-7, 5), beta: sp.Rational(3, 2), h: sp.Rational(1, 10)}
    stable = sp.log(2) + logcosh(a)
    assert abs(sp.N((sp.log(site_sum) - stable.rewrite(sp.log)).subs(vals), 40)) < 1e-30
    # -Nβμ²/2 = Σ_i (-βμ²/2): the Gaussian factor is shared equally among the sites
    return step("Φ_i", -beta * mu**2 / 2 + stable)


@result(
    "cw.saddle_residual", kind="derived", args=("mu_hs", "lam_i", "beta", "h"), symbol=r"\beta^{-1}\partial_\mu \Phi_i",
    reference="THEORY §4",
    description="site term of the saddle-point equation: ∂_μ Φ = 0 ⇔ (1/N) Σ_i [tanh(βμ+h+λ_i) - μ] = 0",
)
def saddle_residual():
    """(1/β) ∂_μ Φ_i."""
    return step("(1/β) ∂_μ Φ_i", sp.simplify(sp.diff(phi_site(), mu) / beta))


@result(
    "cw.score_given_mu", kind="derived", args=("x", "t", "mu_hs", "beta", "h"), symbol=r"S_i(x \mid \mu)",
    reference="THEORY §4",
    description="score at fixed μ: -x_i/Δ_t + (e^{-t}/Δ_t) tanh(βμ + h + λ_i); the exact score is its average over the μ-measure ∝ e^{NΦ(μ;x)}",
)
def score_given_mu():
    """ln P_t(x) = -|x|²/(2Δ_t) + ln ∫dμ e^{Σ_i Φ_i(μ; λ_i(x))} + const: differentiate in x_i under the integral."""
    logp_site = -(x**2) / (2 * ou_delta(t)) + phi_site().subs(lam, lam_field())
    d = step("∂_{x_i}", sp.diff(logp_site, x))
    form = -x / DELTA + sp.exp(-t) / DELTA * sp.tanh(beta * mu + h + Named(r"\lambda_i", lam_field()))
    return restate("S_i = -x_i/Δ_t + (e^{-t}/Δ_t) tanh(βμ + h + λ_i)", d, form)


# --------------------------------------------------------------------------------------
# equilibrium: m*, χ, the magnetization law and state weights
# --------------------------------------------------------------------------------------
@result(
    "cw.m_residual", kind="assembled", args=("m", "beta", "h"), symbol=r"F(m)",
    reference="THEORY §4",
    description="residual of the equilibrium equation m = tanh(βm + h) (the saddle point at x = 0); m* is its root, solved numerically",
)
def m_residual():
    """Saddle point of Φ at λ = 0 with μ = m."""
    return step("saddle at λ = 0", saddle_residual().subs({lam: 0, mu: m}))


@result(
    "cw.chi", kind="derived", args=("m", "beta"), symbol=r"\chi",
    reference="THEORY §4", description="within-state susceptibility ∂m/∂h = (1 - m²)/(1 - β(1 - m²)) at m = m*",
)
def chi_susceptibility():
    """Implicit differentiation of m(h) = tanh(βm(h) + h) w.r.t. h, then tanh(βm + h) = m."""
    mh = sp.Function("m")(h)
    eq = mh - sp.tanh(beta * mh + h)
    dm = sp.solve(sp.diff(eq, h), sp.diff(mh, h))[0]
    dm = step("dm/dh", dm)
    T = sp.Symbol("T")
    dm = dm.subs(sp.tanh(beta * mh + h), T).rewrite(sp.tanh)
    dm = sp.simplify(dm.subs(sp.tanh(beta * mh + h), T))
    if dm.has(sp.cosh):
        dm = sp.simplify(dm.rewrite(sp.tanh).subs(sp.tanh(beta * mh + h), T))
    out = sp.simplify(dm.subs(T, m).subs(mh, m))
    target = (1 - m**2) / (1 - beta * (1 - m**2))
    assert sp.simplify(out - target) == 0, out
    return target


@result(
    "cw.log_M_weight", kind="derived", args=("M", "N", "beta", "h"), symbol=r"\ln w(M)",
    reference="THEORY §4",
    description="unnormalised log-law of the magnetization: ln C(N,(N+M)/2) + βM²/(2N) + hM (log-gamma form)",
)
def log_M_weight():
    r"""Count the configurations: ``k`` up-spins give :math:`M = 2k - N`, in :math:`\binom Nk` ways, each
    with Boltzmann weight :math:`e^{\beta M^2/2N + hM}`; the binomial in log-gamma form (checked
    against brute-force enumeration at N = 6)."""
    import itertools

    k = sp.Symbol("k", nonnegative=True)
    (k_of_M,) = sp.solve(sp.Eq(2 * k - N, M), k)
    step("up-spins k with Σ s_i = M", sp.Eq(k, k_of_M))
    count = sp.binomial(N, k).rewrite(sp.gamma)
    xw = sp.Wild("xw")
    log_count = sp.expand_log(sp.log(count), force=True).replace(sp.log(sp.gamma(xw)), sp.loggamma(xw))
    log_count = step("ln C(N, k) (log-gamma)", log_count.subs(k, k_of_M))
    for Mv in range(-6, 7, 2):  # brute force at N = 6
        brute = sum(1 for s_ in itertools.product((1, -1), repeat=6) if sum(s_) == Mv)
        assert sp.simplify(sp.exp(log_count.subs({N: 6, M: Mv})).rewrite(sp.gamma) - brute) == 0
    spins = sp.symbols("s1:4", real=True)  # the energy depends on s only through M
    energy = beta * sum(spins) ** 2 / (2 * 3) + h * sum(spins)
    assert sp.expand(energy - (beta * M**2 / (2 * N) + h * M).subs({N: 3, M: sum(spins)})) == 0
    return step("ln w(M) = ln C(N,(N+M)/2) + βM²/(2N) + hM", log_count + beta * M**2 / (2 * N) + h * M)


@result(
    "cw.log_weight_ratio_asymptotic", kind="derived", args=("m", "H"), symbol=r"\ln(p_+/p_-)",
    reference="THEORY §4",
    description="large-N log ratio of the state weights, 2 H m* (Laplace approximation of the M-law)",
)
def log_weight_ratio_asymptotic():
    """Stirling: ln w(Nm) = N f(m) + H m + o(N), f = s(m) + βm²/2 (s the binary entropy); Laplace
    around ±m*: W_± = e^{N f(m*) ± H m*} sqrt(2π/(N|f''(±m*)|)); f even ⇒ f''(m*) = f''(-m*)."""
    s_bin = -(1 + m) / 2 * sp.log((1 + m) / 2) - (1 - m) / 2 * sp.log((1 - m) / 2)
    f = s_bin + beta * m**2 / 2
    assert sp.simplify(f - f.subs(m, -m)) == 0
    stat = step("f'(m) = 0", sp.simplify(sp.diff(f, m)))
    # stationarity ⇔ atanh(m) = βm ⇔ m = tanh(βm)
    assert sp.simplify(stat - (beta * m - sp.atanh(m)).rewrite(sp.log)) == 0
    f2 = sp.diff(f, m, 2)
    assert sp.simplify(f2 - f2.subs(m, -m)) == 0
    W = lambda sgn: sp.exp(N * f.subs(m, sgn * m) + sgn * H * m) * sp.sqrt(2 * sp.pi / (N * sp.Abs(f2.subs(m, sgn * m))))  # noqa: E731
    ratio = step("ln W_+/W_-", sp.simplify(sp.expand_log(sp.log(W(1) / W(-1)), force=True)))
    assert sp.simplify(ratio - 2 * H * m) == 0, ratio
    return 2 * H * m


@result(
    "cw.p_plus_asymptotic", kind="assembled", args=("m", "H"), symbol=r"p_+^{\infty}",
    reference="THEORY §4", description="large-N weight of the + state, 1/(1 + e^{-2Hm*})",
)
def p_plus_asymptotic():
    """p_+ = r/(1+r), r = e^{2Hm*}."""
    r = sp.exp(log_weight_ratio_asymptotic())
    form = 1 / (1 + sp.exp(-log_weight_ratio_asymptotic()))  # overflow-free form
    assert sp.simplify(r / (1 + r) - form) == 0
    return form


@result(
    "cw.Lambda_exact", kind="derived", args=("N", "M", "z"), symbol=r"\Lambda",
    reference="THEORY §4",
    description="top covariance eigenvalue, exact: Var(M)/N from the first two moments (here M = E M, z = E M²)",
)
def lambda_exact():
    r"""Exchangeable spins have :math:`C_{ij} = a\delta_{ij} + b`; its rows all sum to :math:`a + Nb`, the eigenvalue of
    :math:`u = 1/\sqrt N` (the top one for :math:`b > 0`, ferromagnetic correlations). From the moments
    (:math:`s_i^2 = 1`): :math:`\mathbb E s_i = \mathbb E M/N`, :math:`\mathbb E M^2 = N + N(N-1)\mathbb E s_is_j`."""
    EM, EM2 = M, z  # argument names of the generated function: M = E M, z = E M²
    ss_ = sp.Symbol("c_2", real=True)  # E s_i s_j, i ≠ j
    (pair,) = sp.solve(sp.Eq(EM2, N + N * (N - 1) * ss_), ss_)
    step("E s_i s_j from E M²", sp.Eq(ss_, pair))
    mean = EM / N
    c_diag, c_off = 1 - mean**2, pair - mean**2
    top = step("top eigenvalue a + N b = C_ii + (N - 1) C_ij", sp.simplify(c_diag + (N - 1) * c_off))
    a, b_ = sp.symbols("a b", real=True)  # the row-sum eigenvector, explicitly at N = 4
    Cm = sp.Matrix(4, 4, lambda i, j: a * (1 if i == j else 0) + b_)
    assert sp.simplify(Cm * sp.ones(4, 1) - (a + 4 * b_) * sp.ones(4, 1)) == sp.zeros(4, 1)
    return restate("Λ = Var(M)/N", top, (EM2 - EM**2) / N)


@result(
    "cw.Lambda_asymptotic", kind="derived", args=("N", "m", "chi", "p_plus"), symbol=r"\Lambda_\infty",
    reference="THEORY §4", description="two-state value of Var(M)/N: χ + 4 p_+ p_- N m*²",
)
def lambda_asymptotic():
    """M/√N is a two-state mixture with centres ±√N m*, within-state variance χ."""
    c = sp.sqrt(N) * m
    mean = p * c - (1 - p) * c
    second = p * (c**2 + chi) + (1 - p) * (c**2 + chi)
    var = step("Var(M/√N) = E[(M/√N)²] - E[M/√N]²", sp.expand(second - mean**2))
    return restate("Λ_∞ = χ + 4 p_+ p_- N m*²", var, chi + 4 * p * (1 - p) * N * m**2)


@result(
    "cw.t_S", kind="derived", args=("Lambda",), symbol=r"t_S",
    reference="THEORY §4", description="speciation time ½ ln Λ",
)
def t_s():
    r"""Speciation of the two-state reduction along :math:`u = 1/\sqrt N` (centres :math:`\pm\sqrt N m^*`,
    within-state variance χ, weights p_±): the generic exact root of :math:`4p_+p_-\kappa(t) = 1`
    (:func:`theory.gm.logp_curvature_root`) expanded at large :math:`\Lambda = \chi + 4p_+p_-Nm^{*2}`
    (``cw.Lambda_asymptotic``): :math:`t_S = \frac12\ln\Lambda + O(1/N)`."""
    from theory.gm import B, C2, S2, logp_curvature_root, speciation_leading_order

    reduction = {C2: N * m**2, S2: chi, B: 4 * p * (1 - p)}
    step("two-state reduction: |m|² -> N m*², σ² -> χ, 4 p_+ p_-", sp.Tuple(*[sp.Eq(k_, v) for k_, v in reduction.items()]))
    assert sp.simplify(lambda_asymptotic() - (S2 + B * C2).subs(reduction)) == 0
    return speciation_leading_order(logp_curvature_root(), Lam)


@result(
    "cw.kappa", kind="derived", args=("t", "N", "m", "chi"), symbol=r"\kappa(t)",
    reference="THEORY §4",
    description="signal-to-noise ratio of the two-state reduction along 1/√N: e^{-2t} N m*² / (Δ_t + χ e^{-2t})",
)
def kappa_t():
    r"""Project :math:`x = e^{-t}s + \sqrt{\Delta_t}z` on :math:`u = 1/\sqrt N`: within the + state
    :math:`M/\sqrt N` has mean :math:`\sqrt N m^*` and variance χ, so the projection has centre
    :math:`c_t = \sqrt N m^* e^{-t}` and variance :math:`v_t = \Delta_t + \chi e^{-2t}`; κ is the mean (= variance)
    of the posterior field of that two-state law, :math:`c_t^2/v_t` (:func:`theory.gm.field_law`)."""
    from theory.gm import _G, _c, field_law

    Y, Z = sp.symbols("Y Z", real=True)  # Y = M/√N within the + state, Z ~ N(0, 1), independent
    proj = sp.exp(-t) * Y + sp.sqrt(ou_delta(t)) * Z
    centre, var = affine_moments(proj, {Y: (sp.sqrt(N) * m, chi), Z: (0, 1)})
    centre = step("centre of u·x", sp.simplify(centre))
    var = step("variance of u·x", sp.expand(var))
    mean_field, _ = field_law()
    derived = mean_field.subs({_c: centre, _G: var})
    return restate("κ = e^{-2t} N m*²/(Δ_t + χ e^{-2t})", derived, sp.exp(-2 * t) * N * m**2 / (DELTA + chi * sp.exp(-2 * t)))


@result(
    "cw.snr_site", kind="derived", args=("t",), symbol=r"a(t)",
    reference="THEORY §4",
    description="per-site signal-to-noise ratio e^{-2t}/Δ_t = 1/(e^{2t} - 1): λ_i = a s_i + √a z_i",
)
def snr_site():
    """λ = e^{-t}x/Δ with x = e^{-t}s + √Δ z ⇒ λ = (e^{-2t}/Δ) s + (e^{-t}/√Δ) z: mean a s, variance a."""
    s = sp.Symbol("s", real=True)
    lam_x = lam_field().subs(x, sp.exp(-t) * s + sp.sqrt(ou_delta(t)) * z)
    a = sp.exp(-2 * t) / ou_delta(t)
    assert sp.simplify((sp.expand(lam_x).coeff(s, 1) - a).rewrite(sp.exp)) == 0
    assert sp.simplify((sp.expand(lam_x).coeff(z, 1) ** 2 - a).rewrite(sp.exp)) == 0
    return step("a = 1/(e^{2t} - 1)", 1 / (sp.exp(2 * t) - 1))


@result(
    "cw.Phi_typical", kind="derived", args=("mu_hs", "t", "beta", "m"), symbol=r"\bar\Phi(\mu; t)",
    reference="THEORY §4", codegen=False,
    description="large-N free entropy Φ(μ; x) for a typical x from the state of magnetization m (h = H/N → 0): bimodal in μ for t above t_B",
)
def phi_typical():
    """Φ → -βμ²/2 + Σ_{s=±1} (1 + s m)/2 E_z ln 2cosh(βμ + a s + √a z) (law of large numbers over sites)."""
    a = snr_site()
    gauss = sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)
    site = step("site term ln 2cosh(βμ + λ) at h = H/N -> 0", phi_site().subs(h, 0) + beta * mu**2 / 2)
    step("site field of a typical point in state s: λ = a s + √a z", a)
    terms = [
        (1 + s * m) / 2 * sp.Integral(gauss * site.subs(lam, a * s + sp.sqrt(a) * z), (z, -sp.oo, sp.oo))
        for s in (1, -1)
    ]
    return -beta * mu**2 / 2 + sp.Add(*terms)


# --------------------------------------------------------------------------------------
# data law: site fields learned with a local (conditional) objective
# --------------------------------------------------------------------------------------
def _sandwich_uniform_J():
    """Asymptotic covariance of (δ, J) for the local estimator (pseudo-likelihood / small-noise
    DSM): δ = uniform shift of the site fields. Per state ±: conditional field f_i = h_i + J m_{-i},
    m_{-i} ≈ ±m*, sech² f_i ≈ 1 - m*², summed residual R = Σ_i [s_i - tanh f_i] ≈ (1 - J(1 - m*²)) δM
    with Var(δM) = Nχ. Hessian A = Σ_i sech² f_i g g^T, score covariance B = E R² g g^T, g = (1, ±m*)."""
    Jc = beta
    q = 1 - m**2
    g = {1: sp.Matrix([1, m]), -1: sp.Matrix([1, -m])}
    w = {1: p, -1: 1 - p}
    A = sum((w[s] * N * q * g[s] * g[s].T for s in (1, -1)), sp.zeros(2, 2))
    R2 = N * chi * (1 - Jc * q) ** 2
    B = sum((w[s] * R2 * g[s] * g[s].T for s in (1, -1)), sp.zeros(2, 2))
    cov = sp.simplify(A.inv() * B * A.inv() / n)
    step("A", A)
    step("B", B)
    return cov


@result(
    "cw.learned_sum_h_variance", kind="derived", args=("N", "n", "chi", "p_plus"), symbol=r"\mathrm{Var}\,\sum_i \hat h_i",
    reference="THEORY §4 (Biroli, Bonnaire, de Bortoli, Mézard 2024: Σ ĥ_i error ~ sqrt(N/n))",
    assumptions="large N and n; ordered phase β > 1; χ = (1 - m*²)/(1 - β(1 - m*²))",
    description="variance of Σ_i ĥ_i from n samples with N site fields learned by a local objective: N/(4 p_+ p_- n χ)",
)
def learned_sum_h_variance():
    """Σ_i ĥ_i = N δ̂; Var = N² [A^{-1} B A^{-1}]_{δδ}/n, simplified with χ(1 - β(1-m²)) = 1 - m²."""
    cov = _sandwich_uniform_J()
    var = step("N² Var(δ̂)", sp.simplify(N**2 * cov[0, 0]))
    var = sp.simplify(var.subs(chi, (1 - m**2) / (1 - beta * (1 - m**2))))
    target = N / (4 * p * (1 - p) * n * chi)
    chk = sp.simplify(var - target.subs(chi, (1 - m**2) / (1 - beta * (1 - m**2))))
    assert chk == 0, chk
    return target


@result(
    "cw.p_plus_error_linear", kind="derived", args=("N", "n", "m", "chi", "p_plus"), symbol=r"\delta p_+",
    reference="THEORY §4", assumptions="ln(p̂_+/p̂_-) = 2 m* Σ_i ĥ_i (large N); small error",
    description="RMS error of the generated p_+ with learned site fields, linearised: m* sqrt(p_+ p_- N/(n χ)); a function of n/N only",
)
def p_plus_error_linear():
    """p̂_+ = σ(2m*(H + ε)), ε ~ N(0, Var Σĥ): δp_+ = |∂p_+/∂H| sqrt(Var) = 2 m* p_+ p_- sqrt(Var)."""
    Hs = sp.Symbol("Hs", real=True)
    pp = 1 / (1 + sp.exp(-2 * m * Hs))
    dp = sp.simplify(sp.diff(pp, Hs))
    dp_p = sp.simplify(dp.subs(Hs, sp.log(p / (1 - p)) / (2 * m)))
    assert sp.simplify((dp_p - 2 * m * p * (1 - p)).rewrite(sp.exp)) == 0, dp_p
    err = step("δp_+", 2 * m * p * (1 - p) * sp.sqrt(learned_sum_h_variance()))
    form = m * sp.sqrt(p * (1 - p) * N / (n * chi))
    vals = {m: sp.Rational(4, 5), p: sp.Rational(2, 7), N: 50, n: 300, chi: sp.Rational(3, 7)}
    assert abs(sp.N((err - form).subs(vals), 40)) < 1e-30
    return form


@result(
    "cw.global_weight_stderr", kind="derived", args=("n", "p_plus"), symbol=r"\delta p_+^{\rm ML}",
    reference="THEORY §4",
    description="standard error of the maximum-likelihood state weight (fraction of training samples with M > 0): sqrt(p_+ p_-/n), independent of N",
)
def global_weight_stderr():
    """Bernoulli ML: Var = p(1-p)/n (inverse Fisher information n/(p(1-p)))."""
    qq = sp.Symbol("q", positive=True)
    loglik = step("Bernoulli log-likelihood per sample", p * sp.log(qq) + (1 - p) * sp.log(1 - qq))
    fisher = step("Fisher information per sample", sp.simplify(sp.simplify(-sp.diff(loglik, qq, 2)).subs(qq, p)))
    return step("sqrt(1/(n I))", sp.sqrt(1 / (n * fisher)))


@result(
    "cw.p_plus", kind="assembled", args=("N", "beta", "H"), symbol=r"p_+", codegen=False,
    reference="THEORY §4",
    description="exact finite-N weight of the + state: Σ_{M>0} w(M) + ½ w(0), w the normalised magnetization law "
                "(cw.log_M_weight at h = H/N); a finite sum over M = 2k - N, evaluated by log-sum-exp",
)
def p_plus_exact():
    r""":math:`p_+ = \sum_{k=0}^{N} \theta(2k - N)\, w(2k - N) / \sum_{k=0}^{N} w(2k - N)`, θ = 1, ½, 0 for
    M > 0, M = 0, M < 0 (the convention of the two states' weights when N is even). A finite sum
    with symbolic N: no generated code (it needs the maximum of ln w for a stable shift); the
    numeric side sums the generated ``cw.log_M_weight`` by log-sum-exp
    (:attr:`numerics.models.cw.model.CurieWeiss.p_plus`, tied to this sum by an mpmath test)."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    Mk = 2 * k - N
    logw = step("ln w(M) at M = 2k - N, h = H/N", log_M_weight().subs({M: Mk, h: H / N}))
    theta = sp.Piecewise((1, Mk > 0), (sp.Rational(1, 2), sp.Eq(Mk, 0)), (0, True))
    Z = step("normalisation Σ_k w", sp.Sum(sp.exp(logw), (k, 0, N)))
    return step("p_+ = Σ_k θ(M) w(M) / Σ_k w(M)", sp.Sum(theta * sp.exp(logw), (k, 0, N)) / Z)


# --------------------------------------------------------------------------------------
# denoising score matching in the CW family (issue #17)
# --------------------------------------------------------------------------------------
def _dsm_residual_factor():
    """S_θ(x) - ∇_x ln N(x; e^{-t}a, Δ_t) with S_θ = -x/Δ + (e^{-t}/Δ) m (m = ⟨tanh(Jμ + h + λ)⟩_μ, the
    posterior mean of the spin; cw.score_given_mu averaged over μ): returns the factor f with
    S_θ - target = f (m - a)."""
    a, mm = sp.symbols("a m_i", real=True)
    target = step("DSM target ∂_x ln N(x; e^{-t}a, Δ_t)", sp.diff(-((x - sp.exp(-t) * a) ** 2) / (2 * ou_delta(t)), x))
    tanh_avg = sp.Symbol("T", real=True)
    s_mu = score_given_mu()
    s_theta = s_mu.subs(sp.tanh(beta * mu + h + lam_field()), tanh_avg)
    assert s_theta.has(tanh_avg), s_theta
    s_theta = s_theta.subs(tanh_avg, mm)
    diff = sp.simplify(s_theta - target)
    f = sp.simplify(diff / (mm - a))
    assert not f.has(mm) and not f.has(a) and not f.has(x), f
    return step("S_θ - target = (e^{-t}/Δ_t)(m_i - a_i)", f)


@result(
    "cw.dsm_factor_delta", kind="derived", args=("t",), symbol=r"c_\Delta(t)",
    reference="issue #17; Ho et al. (2020), ε-prediction loss",
    description="DSM loss with weight w(t) = Δ_t: Δ_t |S_θ - ∇ln N(x; e^{-t}a, Δ_t)|² = c(t) |m_θ(x) - a|², c = e^{-2t}/Δ_t",
)
def dsm_factor_delta():
    """w (e^{-t}/Δ)² with w = Δ."""
    f = _dsm_residual_factor()
    return restate("c = Δ_t (e^{-t}/Δ_t)² = e^{-2t}/Δ_t", sp.simplify(ou_delta(t) * f**2), sp.exp(-2 * t) / DELTA)


@result(
    "cw.dsm_factor_edm", kind="derived", args=("t",), symbol=r"c_{\rm EDM}(t)",
    reference="issue #17; Karras, Aittala, Aila, Laine (2022), EDM loss weight",
    description="EDM loss λ(σ)|D_θ - a|², λ = (σ² + σ_d²)/(σ σ_d)², σ_d = 1, σ² = e^{2t} - 1, on the denoiser "
                "D_θ = m_θ (Tweedie): c(t) = 1/Δ_t",
)
def dsm_factor_edm():
    """x_t/e^{-t} = a + σ z with σ = √Δ_t e^{t}; Tweedie D = e^{t}(x + Δ S_θ) = m_θ, so the EDM loss is
    λ(σ)|m_θ - a|², λ = (σ² + 1)/σ² for unit-variance spins."""
    sig2 = step("σ² = Δ_t e^{2t}", sp.simplify(ou_delta(t) * sp.exp(2 * t)))
    mm, xx = sp.symbols("m_i x_i", real=True)
    S = -xx / ou_delta(t) + sp.exp(-t) / ou_delta(t) * mm
    D = step("Tweedie denoiser e^{t}(x + Δ S_θ)", sp.simplify(sp.exp(t) * (xx + ou_delta(t) * S)))
    assert sp.simplify(D - mm) == 0
    lam_edm = (sig2 + 1) / sig2
    return restate("c = (σ² + 1)/σ² = 1/Δ_t", sp.simplify(lam_edm), 1 / DELTA)


@result(
    "cw.score_dh_given_mu", kind="derived", args=("x", "t", "mu_hs", "beta", "h"), symbol=r"\partial_{h_i} S_i(x \mid \mu)",
    reference="issue #17",
    description="∂S_i(x|μ)/∂h_i = (e^{-t}/Δ_t) sech²(βμ + h + λ_i); with ∂_{h_j} ln w(μ) = tanh(βμ + h_j + λ_j) it gives "
                "∂m_i/∂h_j = δ_ij ⟨sech²⟩ + Cov_μ(t_i, t_j)",
)
def score_dh_given_mu():
    r"""Differentiate ``cw.score_given_mu`` in the site field; the μ-measure ∝ :math:`e^{\sum_j\Phi_j}` moves with
    :math:`\partial_{h_j}\Phi_j = \tanh(\beta\mu + h_j + \lambda_j)` (``cw.Phi_site``), so
    :math:`\partial_{h_j}\langle f\rangle = \langle\partial_{h_j} f\rangle + \mathrm{Cov}_\mu(f, t_j)`."""
    dphi = step("∂Φ_i/∂h", sp.diff(phi_site(), h))
    assert sp.simplify(dphi - sp.tanh(beta * mu + h + lam)) == 0
    d = step("∂S_i/∂h", sp.diff(score_given_mu(), h))
    from theory.special import sech2

    return restate("(e^{-t}/Δ_t) sech²(βμ + h + λ_i)", d, sp.exp(-t) / DELTA * sech2(beta * mu + h + Named(r"\lambda_i", lam_field())))


@result(
    "cw.score_dJ_given_mu", kind="derived", args=("x", "t", "mu_hs", "beta", "h"), symbol=r"\partial_{J} S_i(x \mid \mu)",
    reference="issue #17",
    description="∂S_i(x|μ)/∂J = (e^{-t}/Δ_t) μ sech²(Jμ + h + λ_i) (J is the coupling, β at the truth)",
)
def score_dJ_given_mu():
    """Differentiate ``cw.score_given_mu`` in the coupling (the symbol β plays J in the learned family)."""
    d = step("∂S_i/∂J", sp.diff(score_given_mu(), beta))
    from theory.special import sech2

    return restate("(e^{-t}/Δ_t) μ sech²(Jμ + h + λ_i)", d, sp.exp(-t) / DELTA * mu * sech2(beta * mu + h + Named(r"\lambda_i", lam_field())))


@result(
    "cw.Phi_site_dJ", kind="derived", args=("mu_hs", "lam_i", "beta", "h"), symbol=r"\partial_J \Phi_i(\mu)",
    reference="issue #17",
    description="∂Φ_i/∂J = -μ²/2 + μ tanh(Jμ + h + λ_i): the μ-measure's response to the coupling, "
                "∂_J⟨f⟩ = ⟨∂_J f⟩ + Cov_μ(f, μ(Σ_j t_j - Nμ/2))",
)
def phi_site_dJ():
    """The HS normalisation sqrt(NJ/2π) does not depend on μ: it cancels in every μ-average."""
    d = step("∂Φ_i/∂J", sp.diff(phi_site(), beta))
    return restate("-μ²/2 + μ tanh(Jμ + h + λ_i)", d, -mu**2 / 2 + mu * sp.tanh(beta * mu + h + lam))


_sgn = sp.Symbol("sigma", real=True)  # the state, ±1


def _site_gauss(expr_of_lambda, a):
    """Σ_s (1 + s m)/2 E_z f(λ = a s + √a z): the average over the sites of a state of magnetization m
    (cw.snr_site: λ = a s + √a z), as an unevaluated Gaussian integral."""
    gauss = sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)
    return sp.Add(*[(1 + s * m) / 2 * sp.Integral(gauss * expr_of_lambda(a * s + sp.sqrt(a) * z), (z, -sp.oo, sp.oo))
                    for s in (1, -1)])


@result(
    "cw.dsm_local_curvature", kind="derived", args=("t", "beta", "m"), symbol=r"\ell(t)", codegen=False,
    reference="issue #17; THEORY §4",
    assumptions="large N, one state of magnetization m known from x (t below t_S); field atanh(m) (= βm* at N = ∞)",
    description="local (within-state) curvature of the DSM loss per unit c(t) and per site: "
                "a_L(t) = 2 c(t) N Q_2/(1 - J Q_1)², Q_k = E sech^{2k}(atanh m + λ), λ = a s + √a z",
)
def dsm_local_curvature():
    r"""Inside a state the μ-measure is one narrow peak at the saddle μ̄ = (1/N) Σ_i tanh(Jμ̄ + h_i + λ_i); a
    uniform shift δ of the fields moves it by :math:`d\bar\mu/d\delta = \bar q/(1 - J\bar q)` (implicit
    differentiation, :math:`\bar q` the mean of :math:`q_i = \mathrm{sech}^2(J\bar\mu + h + \lambda_i)`), so
    :math:`\partial_\delta m_i = q_i(1 + J\,d\bar\mu/d\delta) = q_i/(1 - J\bar q)`, and
    :math:`\partial_J m_i = \bar\mu\,\partial_\delta m_i` (direction (1, ±m)). The Gauss–Newton curvature of
    :math:`c|m - a|^2` in δ is :math:`2c\sum_i(\partial_\delta m_i)^2 = 2cN\,\overline{q^2}/(1 - J\bar q)^2`; by the
    law of large numbers over sites :math:`\overline{q^k} \to Q_k`, with :math:`\lambda = a s + \sqrt a z`
    (``cw.snr_site``) and the state field :math:`\mathrm{atanh}\,m` (:math:`\tanh` of it is the spin mean m)."""
    from theory.special import sech2

    dl, qb = sp.symbols("delta qbar", real=True)
    mub = sp.Function("mu")(dl)
    A = sp.Function("A")  # the site average of tanh(y + λ_i), y = Jμ̄ + h + δ: its derivative is q̄
    dmu = sp.solve(sp.diff(mub - A(beta * mub + h + dl), dl), sp.diff(mub, dl))[0]
    dmu = step("dμ̄/dδ (implicit), A' = q̄", sp.simplify(dmu.replace(lambda e: isinstance(e, sp.Subs), lambda e: qb)))
    assert sp.simplify(dmu - qb / (1 - beta * qb)) == 0, dmu
    qi = sp.Symbol("q_i", positive=True)
    resp = step("∂_δ m_i = q_i (1 + J dμ̄/dδ)", sp.simplify(qi * (1 + beta * dmu)))
    assert sp.simplify(resp - qi / (1 - beta * qb)) == 0
    a = snr_site()
    Q1 = step("Q_1 = E sech²(atanh m + λ)", _site_gauss(lambda l_: sech2(sp.atanh(m) + l_), a))
    Q2 = step("Q_2 = E sech⁴(atanh m + λ)", _site_gauss(lambda l_: sech2(sp.atanh(m) + l_) ** 2, a))
    # Q_1, Q_2 stay names in the display (defined in the description): the expanded form does not fit a line
    return step("ℓ = Q_2/(1 - J Q_1)² (a_L = 2 c N ℓ)", Named("Q_2", Q2) / (1 - beta * Named("Q_1", Q1)) ** 2)


@result(
    "cw.dsm_global_curvature", kind="derived", args=("t", "N", "m", "chi", "p_plus"), symbol=r"g(t)", codegen=False,
    reference="issue #17; THEORY §4 (two-state reduction along 1/√N)",
    assumptions="two-state reduction along u = 1/√N (centres ±√N m, within-state variance χ, weights p_±); "
                "the state weights depend on the fields through ln(p_+/p_-) = 2 m Σ_i h_i",
    description="global (state-weight) curvature of the DSM loss per unit c(t) and per site: "
                "a_G(t) = 2 c(t) N g(t), g = 16 N² m⁴ (Δ_t/v_t)² E[(P_+ P_-)²], v_t = Δ_t + χ e^{-2t}",
)
def dsm_global_curvature():
    r"""Along :math:`u = 1/\sqrt N`, :math:`Y = M/\sqrt N` is a two-state mixture (centres :math:`\pm\sqrt N m`,
    variance χ) observed as :math:`q = e^{-t}Y + \sqrt{\Delta_t}z`. Its posterior mean is
    :math:`E[Y|q] = P_+\bar Y_+ + P_-\bar Y_-` (Gaussian conditioning within a state), and the state
    weights enter through :math:`L = \ln(p_+/p_-) = 2m\sum_i h_i` (``cw.log_weight_ratio_asymptotic``), so a
    uniform shift δ of the fields gives :math:`\partial_\delta E[Y|q] = P_+P_-\,2mN\,(\bar Y_+ - \bar Y_-)`,
    :math:`\bar Y_+ - \bar Y_- = 2\sqrt N m\,\Delta_t/v_t`. The Gauss–Newton curvature is
    :math:`2c\,E(\partial_\delta E[Y|q])^2`; under state σ the half log-odds is
    :math:`u = h_0 + \sigma\kappa + \sqrt\kappa\zeta` (``cw.kappa``, the field law of THEORY §2),
    :math:`P_+P_- = \tfrac14\mathrm{sech}^2 u`."""
    from theory.gm import field_law
    from theory.special import sech2

    Y, qq, Lw, dl = sp.symbols("Y q L delta", real=True)
    v = ou_delta(t) + chi * sp.exp(-2 * t)
    c_t = sp.sqrt(N) * m * sp.exp(-t)
    # Gaussian conditioning inside state σ: Y = σ√N m + √χ ξ, q = e^{-t} Y + √Δ z
    cond = {}
    for sg in (1, -1):
        cov_yq = chi * sp.exp(-t)
        cond[sg] = sg * sp.sqrt(N) * m + cov_yq / v * (qq - sg * c_t)
    gap = step("Ȳ_+(q) - Ȳ_-(q)", sp.simplify(cond[1] - cond[-1]))
    assert sp.simplify(gap - 2 * sp.sqrt(N) * m * ou_delta(t) / v) == 0, gap
    # posterior weight of + given q, with log prior odds L (+ the likelihood ratio of the two Gaussians)
    llr = sp.expand(sp.simplify((-(qq - c_t) ** 2 + (qq + c_t) ** 2) / (2 * v)))
    Pp = 1 / (1 + sp.exp(-(Lw + llr)))
    ratio = log_weight_ratio_asymptotic()  # 2 H m: with the fields H -> Σ h_i = H + N δ
    L_of_delta = ratio.subs(H, H + N * dl)
    mean = Pp * cond[1] + (1 - Pp) * cond[-1]
    dmean = sp.diff(mean.subs(Lw, L_of_delta), dl)
    Pps = sp.Symbol("P_+", positive=True)
    form = Pps * (1 - Pps) * sp.diff(L_of_delta, dl) * gap
    probe = {qq: sp.Rational(3, 7), t: sp.Rational(11, 10), N: 50, m: sp.Rational(4, 5), chi: sp.Rational(2, 5),
             H: sp.Rational(1, 3), dl: 0}
    assert abs(sp.N((dmean - form.subs(Pps, Pp.subs(Lw, L_of_delta))).subs(probe), 40)) < 1e-30
    step("∂_δ E[Y|q] = P_+ P_- · 2mN · (Ȳ_+ - Ȳ_-)", form)
    mean_u, var_u = field_law()  # E[u | +] = Var[u | +] = c²/G
    kap = kappa_t()
    step("field law: κ = c_t²/v_t (cw.kappa)", kap)
    zeta = sp.Symbol("zeta", real=True)
    gauss = sp.exp(-(zeta**2) / 2) / sp.sqrt(2 * sp.pi)
    h0 = sp.log(p / (1 - p)) / 2
    pp2 = lambda u_: (sech2(u_) / 4) ** 2  # noqa: E731 - (P_+ P_-)² = sech⁴(u)/16
    E_pp2 = sum(w_ * sp.Integral(gauss * pp2(h0 + sg * kap + sp.sqrt(kap) * zeta), (zeta, -sp.oo, sp.oo))
                for sg, w_ in ((1, p), (-1, 1 - p)))
    curv = step("(∂_δ E[Y|q])² / (P_+P_-)² = (2mN)² (2√N m Δ/v)²", sp.simplify((2 * m * N) ** 2 * gap**2))
    # per site (a_G = 2 c N g): divide by N
    return step("g = 16 N² m⁴ (Δ_t/v_t)² E[(P_+P_-)²]", sp.simplify(curv / N) * E_pp2)


@result(
    "cw.dsm_sum_h_variance", kind="derived", args=("N", "n", "chi", "p_plus", "m", "r_dsm"),
    symbol=r"\mathrm{Var}_{\rm DSM}\sum_i \hat h_i",
    reference="issue #17; THEORY §4; Biroli, Bonnaire, de Bortoli, Mézard (2024)",
    assumptions="large N and n, two states; r = a_G/a_L = ∫ρ c g dt / ∫ρ c ℓ dt (cw.dsm_global_curvature, cw.dsm_local_curvature)",
    description="variance of Σ_i ĥ_i learned by DSM: [4 p_+ p_- N/χ + r²/(4 p_+ p_- m²)] / [n (r + 4 p_+ p_-)²]; "
                "the pseudo-likelihood law N/(4 p_+ p_- n χ) at r = 0, the ML law 1/(4 p_+ p_- m² n) as r → ∞",
)
def dsm_sum_h_variance():
    r"""Sandwich :math:`A^{-1}BA^{-1}/n` of the DSM M-estimator in the uniform shift δ and the coupling J
    (exchangeability makes the uniform mode an eigenvector, so :math:`\mathrm{Var}\sum_i\hat h_i = N^2\,\mathrm{Var}\,\hat\delta`).

    *Local part.* Inside state σ the noise-averaged DSM gradient of a datum depends on it only through M
    (exchangeability), along :math:`g_\sigma = (1, \sigma m)` (``cw.dsm_local_curvature``); at large N, M is
    Gaussian inside the state and the gradient linear in it, :math:`\psi = k(M - \bar M_\sigma)`. The gradient is
    unbiased for every value of the state's field, so differentiating :math:`E_\eta\psi = 0` gives the information
    identity :math:`k\,\mathrm{Var}(M|\sigma) = -a_L`, :math:`\mathrm{Var}(M|\sigma) = N\chi`: :math:`b_L = k^2N\chi = a_L^2/(N\chi)`.

    *Global part.* Near :math:`t_S` the gradient depends on a datum only through its state (along δ alone,
    ``cw.dsm_global_curvature``): :math:`\psi = k_G(1_{\sigma=+} - p_+)`, and
    :math:`\partial_\delta\ln P(\sigma) = 2mN(1_{\sigma=+} - p_+)` gives :math:`k_G\,2mN\,p_+p_- = -a_G`,
    :math:`b_G = k_G^2p_+p_- = a_G^2/(4m^2N^2p_+p_-)`. The two parts are uncorrelated (the within-state
    fluctuation has mean zero in each state).

    Then :math:`A = a_L G + a_G e_1e_1^T`, :math:`B = b_L G + b_G e_1e_1^T`,
    :math:`G = \sum_\sigma p_\sigma g_\sigma g_\sigma^T`, and with :math:`r = a_G/a_L` the result depends on r only."""
    aL, k, kG = sp.symbols("a_L k k_G", real=True)
    nchi = N * chi
    (k_sol,) = sp.solve(sp.Eq(k * nchi, -aL), k)
    bL = step("local: b_L = k² Var(M|σ), k Var(M|σ) = -a_L", sp.simplify(k_sol**2 * nchi))
    aG = r_dsm * aL
    (kG_sol,) = sp.solve(sp.Eq(kG * 2 * m * N * p * (1 - p), -aG), kG)
    bG = step("global: b_G = k_G² p_+p_-, k_G 2mN p_+p_- = -a_G", sp.simplify(kG_sol**2 * p * (1 - p)))
    g = {1: sp.Matrix([1, m]), -1: sp.Matrix([1, -m])}
    G = p * g[1] * g[1].T + (1 - p) * g[-1] * g[-1].T
    E = sp.Matrix([[1, 0], [0, 0]])
    A = aL * G + aG * E
    B = bL * G + bG * E
    step("A", A)
    step("B", B)
    Ai = A.inv()
    var = step("N² [A^{-1} B A^{-1}]_{δδ} / n", sp.simplify(N**2 * (Ai * B * Ai)[0, 0] / n))
    pq = p * (1 - p)
    form = (4 * pq * N / chi + r_dsm**2 / (4 * pq * m**2)) / (n * (r_dsm + 4 * pq) ** 2)
    out = restate("[4p_+p_- N/χ + r²/(4p_+p_- m²)] / [n (r + 4p_+p_-)²]", var, form)
    # limits: pseudo-likelihood (r -> 0) and the ML global weight (r -> ∞)
    assert sp.simplify(sp.limit(form, r_dsm, 0) - learned_sum_h_variance()) == 0
    ml = sp.simplify((global_weight_stderr() / (2 * m * pq)) ** 2)
    assert sp.simplify(sp.limit(form, r_dsm, sp.oo) - ml) == 0, (sp.limit(form, r_dsm, sp.oo), ml)
    step("r → 0: N/(4p_+p_- n χ) (cw.learned_sum_h_variance); r → ∞: 1/(4p_+p_- m² n) (cw.global_weight_stderr)", out)
    return out
