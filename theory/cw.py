"""Curie–Weiss model (THEORY §4): exact finite-N noisy density by Hubbard–Stratonovich,
score, equilibrium m*, χ, state weights, Λ, t_S, the two-state reduction, and the data law.

``P_0(s) ∝ exp(β M²/(2N) + h M)``, ``M = Σ_i s_i``, ``h = H/N``. Results (prefix ``cw``):
``log_hs_kernel``, ``lam``, ``Phi_site``, ``saddle_residual``, ``score_given_mu``,
``m_residual``, ``chi``, ``log_M_weight``, ``log_weight_ratio_asymptotic``,
``p_plus_asymptotic``, ``Lambda_exact``, ``Lambda_asymptotic``, ``t_S``, ``kappa``,
``snr_site``, ``Phi_typical`` (μ-measure of a typical trajectory; bimodality time),
``learned_sum_h_variance``, ``p_plus_error_linear``, ``global_weight_stderr``.

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
    ),
)
result = MODEL.result

t, x, z, n, p = MODEL.symbols("t x z n p_plus")
N, beta, H, h, m, M, mu, lam, chi, Lam = MODEL.symbols("N beta H h m M mu_hs lam_i chi Lambda")
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
