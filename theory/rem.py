"""Random-energy-model (REM) view of collapse (THEORY §3).

``P^e_t(x) = (1/n) Σ_μ N(x; e^{-t} a_μ, Δ_t I)``: up to constants ``ln P^e_t(x)`` is the free
energy of a REM, ``Z(x) = Σ_μ exp(-d y_μ/(2Δ_t))`` with ``n = e^{αd}`` level energies
``y_μ = |x - e^{-t} a_μ|²/d`` (i.i.d. given ``x`` for Gaussian data ``a ~ N(0, σ² I)``) and
inverse temperature ``β = 1/(2Δ_t)`` per unit of ``d y``.

Chain of derivations (each one runs SymPy; nothing below is typed in):

1. ``cgf``: Gaussian integral per coordinate -> ``Λ(k) = -½ ln(1-2ks²) + k r/(1-2ks²)``,
   ``s² = σ² e^{-2t}``, ``r = |x|²/d``.
2. ``rate``: Legendre transform, solving ``y = Λ'(k)`` for ``k`` (root with ``k -> 0`` at the
   mean energy). Parametrised by ``ρ = 1/(1-2ks²)`` it is
   ``I = (ρ-1)/2 - ½ ln ρ + r(ρ-1)²/(2s²)``, ``y = s²ρ + rρ²`` (``rate_rho``, ``energy_rho``).
3. ``free_entropy_liquid``: ``(1/d) ln Z = α + Λ(-β)``; maximiser ``k* = -β = -1/(2Δ_t)``.
4. ``alpha_c_r`` / ``alpha_c``: ``I(y*)``; for a typical point (``r = Γ_t``) ``½ ln(Γ_t/Δ_t)``.
   ``t_C_alpha`` solves ``alpha_c(t) = α`` and is checked equal to ``gm.t_C_alpha``
   (collapse = condensation).
5. Condensed branch: ``(1/d) ln Z = -y_0/(2Δ_t)`` with ``I(y_0) = α``, ``y_0 <`` mean; the
   levels near ``y_0`` form a Poisson process with exponential intensity of slope ``|k(y_0)|``,
   so the Boltzmann weights are Poisson–Dirichlet ``PD(m)`` with ``m = |k(y_0)|/β``
   (``freezing_m_rho``), ``m = 1`` exactly at ``alpha_c``.
6. ``pd_participation``: ``E Σ w² = 1 - m`` for ``PD(m)`` (Laplace-transform derivation);
   ``pd_log_partition``: ``E ln Σ_j e^{-β(E_j - E_0)}`` of that process (the O(1/d)
   correction of the condensed free entropy).
7. ``derrida_*``: the textbook REM (Gaussian energies) as a reusable special case of the
   generic Legendre machinery :func:`rem_free_entropy_branches`.
"""

from __future__ import annotations

import sympy as sp

from theory.registry import Model, helper, restate, step
from theory.special import Named, ou_delta
from theory.symbols import core, positive, real

MODEL = Model(
    "rem",
    description="random-energy-model view of collapse (THEORY §3)",
    symbols=dict(
        t=core("t", test=[1e-6, 0.37, 3.0, 20.0]),
        alpha=core("alpha", test=[1e-6, 0.01, 0.7, 5.0]),
        sigma=positive("sigma", test=[0.05, 1.0, 1.0 + 1e-9, 3.0], doc="data standard deviation"),
        k=real("k", test=[-50.0, -1.0, -1e-3, 0.1], doc="cumulant-generating-function argument"),
        r=positive("r", test=[1e-3, 0.5, 1.0, 20.0], doc="|x|²/d"),
        y=positive("y", test=[1e-3, 0.5, 2.0, 30.0], doc="level energy |x - e^{-t} a|²/d"),
        beta=positive("beta", test=[1e-3, 0.3, 1.0, 10.0], doc="inverse temperature of a REM"),
        m_pd=positive("m", test=[1e-3, 0.3, 0.7, 0.999], doc="Poisson–Dirichlet (freezing) parameter"),
        rho=positive("rho", test=[1e-4, 0.2, 0.7, 0.999], doc="1/(1 - 2 k s²): parametrises the Legendre transform"),
    ),
)
result = MODEL.result

t, sigma, alpha, k, r, y, beta, m, rho = MODEL.symbols("t sigma alpha k r y beta m_pd rho")

#: s² = σ² e^{-2t}: variance of the signal part e^{-t} a per coordinate
S2 = sigma**2 * sp.exp(-2 * t)
_S = sp.Symbol("s2", positive=True)  # opaque s² used inside derivations
_D = sp.Symbol("D", positive=True)  # opaque Δ_t used inside derivations


def _timed(e: sp.Expr) -> sp.Expr:
    """Replace the opaque s², Δ by σ² e^{-2t}, Δ_t."""
    return e.subs({_S: S2, _D: ou_delta(t)})


def _gamma_t() -> sp.Expr:
    from theory.gm import gamma_t

    return gamma_t()


DELTA = Named(r"\Delta_t", ou_delta(t))


# ---------------------------------------------------------------------------------------
# generic REM machinery (reusable: any cumulant generating function)
# ---------------------------------------------------------------------------------------
def legendre_rate(cgf: sp.Expr, kk: sp.Symbol, yy: sp.Symbol, pick) -> tuple[sp.Expr, sp.Expr]:
    """Rate function ``I(y) = sup_k [k y - Λ(k)]`` by solving ``y = Λ'(k)`` for ``k``.

    ``pick(roots)`` selects the branch (the one with ``k = 0`` at the mean energy).
    Returns ``(I(y), k(y))``."""
    roots = sp.solve(sp.Eq(yy, sp.diff(cgf, kk)), kk)
    k_of_y = pick(roots)
    return sp.simplify(k_of_y * yy - cgf.subs(kk, k_of_y)), k_of_y


def rem_free_entropy_branches(cgf: sp.Expr, kk: sp.Symbol, a: sp.Expr, b: sp.Expr) -> dict:
    """Generic REM with ``e^{a d}`` i.i.d. levels of energy ``d y`` (cgf ``Λ(k)`` of ``y``) at
    inverse temperature ``b`` (Boltzmann factor ``e^{-b d y}``).

    High-temperature (liquid) branch: ``φ = a + Λ(-b)`` (saddle ``k = -b``, energy
    ``y* = Λ'(-b)``), valid while ``I(y*) = -b Λ'(-b) - Λ(-b) < a``; the condensation
    threshold is ``a_c = I(y*)``. Condensed branch: ``φ = -b y_0`` with ``I(y_0) = a``."""
    lam_at = cgf.subs(kk, -b)
    y_star = sp.diff(cgf, kk).subs(kk, -b)
    return {
        "liquid": a + lam_at,
        "y_star": y_star,
        "a_c": sp.simplify(-b * y_star - lam_at),
    }


# ---------------------------------------------------------------------------------------
# 1. cumulant generating function of the level energies
# ---------------------------------------------------------------------------------------
@result(
    "rem.cgf", kind="derived", args=("k", "t", "sigma", "r"), symbol=r"\Lambda(k)",
    reference="THEORY §3", assumptions="Gaussian data; exact at every d (y is a scaled non-central χ²_d)",
    description="cumulant generating function (1/d) ln E_a exp(k d y) of a level energy "
    "y = |x - e^{-t} a|²/d, a ~ N(0, σ² I), at a point with |x|²/d = r (k < 1/(2σ² e^{-2t}))",
)
def cgf():
    """Per coordinate: ln ∫ da N(a; 0, σ²) exp(k (x_i - s a)²), then (1/d)Σ_i x_i² = r."""
    a = sp.Symbol("a", real=True)
    xi = sp.Symbol("x_i", real=True)
    kn = sp.Symbol("kappa_neg", positive=True)  # k = -κ < 0: convergent, continued afterwards
    integrand = sp.exp(-kn * (xi - a) ** 2) * sp.exp(-(a**2) / (2 * _S)) / sp.sqrt(2 * sp.pi * _S)
    one = sp.integrate(integrand, (a, -sp.oo, sp.oo), conds="none")
    step("per-coordinate Gaussian integral E exp(k (x_i - s a_i)²)", one.subs(kn, -k))
    log_one = sp.expand_log(sp.log(sp.simplify(one)), force=True).subs(kn, -k)
    X = sp.Symbol("X", positive=True)  # X = x_i²
    log_one = sp.expand(log_one.subs(xi, sp.sqrt(X)))
    # the log is affine in x_i² -> averaging over coordinates replaces x_i² by r
    assert sp.diff(log_one, X, 2) == 0, log_one
    form = -sp.log(1 - 2 * k * _S) / 2 + k * X / (1 - 2 * k * _S)
    chk = sp.simplify(log_one - form)
    vals = {k: sp.Rational(-3, 7), _S: sp.Rational(2, 5), X: sp.Rational(9, 4)}
    assert abs(sp.N(chk.subs(vals), 40)) < 1e-30, chk
    step("ln E exp(k (x_i - s a_i)²) (affine in x_i²)", form)
    return step("Λ(k), s² = σ² e^{-2t}", form.subs({X: r, _S: S2}))


def _cgf_s() -> sp.Expr:
    """Λ(k) in the opaque s²."""
    return cgf().subs(S2, _S).subs(sigma**2 * sp.exp(-2 * t), _S)


# ---------------------------------------------------------------------------------------
# 2. rate function by Legendre transform
# ---------------------------------------------------------------------------------------
def _pick_k(roots):
    """Branch with k -> 0 at the mean energy y = Λ'(0) = s² + r."""
    mean = {y: _S + r}
    probe = {_S: sp.Rational(1, 3), r: sp.Rational(5, 4)}
    good = [rt for rt in roots if abs(sp.N(rt.subs(mean).subs(probe), 30)) < 1e-20]
    assert len(good) == 1, roots
    return good[0]


@helper
def _rate_s() -> tuple[sp.Expr, sp.Expr]:
    rate_y, k_of_y = legendre_rate(_cgf_s(), k, y, _pick_k)
    step("k(y) solving y = Λ'(k)", k_of_y)
    return rate_y, k_of_y


@result(
    "rem.rate", kind="derived", args=("y", "t", "sigma", "r"), symbol=r"I(y)",
    reference="THEORY §3",
    description="large-deviation rate function of the level energy y (Legendre transform of rem.cgf)",
)
def rate():
    """I(y) = sup_k [k y - Λ(k)], solved for the root k(y) with k(s² + r) = 0."""
    rate_y, _ = _rate_s()
    return step("I(y)", rate_y.subs(_S, S2))


@result(
    "rem.k_of_y", kind="derived", args=("y", "t", "sigma", "r"), symbol=r"k(y)",
    reference="THEORY §3", description="conjugate variable k(y) = I'(y) solving y = Λ'(k)",
)
def k_of_y():
    """Root of y = Λ'(k) with k = 0 at the mean energy."""
    _, kk = _rate_s()
    return kk.subs(_S, S2)


@helper
def _rho_param() -> dict:
    """ρ = 1/(1 - 2 k s²): k = (1 - 1/ρ)/(2 s²); y(ρ) and I(ρ) checked against the transform."""
    k_rho = (1 - 1 / rho) / (2 * _S)
    y_rho = sp.factor(sp.diff(_cgf_s(), k).subs(k, k_rho))
    rate_y, k_y = _rate_s()
    i_rho = sp.simplify(k_rho * y_rho - _cgf_s().subs(k, k_rho))
    # the transform evaluated along y(ρ) equals the parametric form (checked at exact points)
    for vals in ({rho: sp.Rational(2, 5), _S: sp.Rational(1, 3), r: sp.Rational(5, 4)},
                 {rho: sp.Rational(7, 3), _S: sp.Rational(9, 2), r: sp.Rational(1, 7)}):
        assert abs(sp.N((rate_y.subs(y, y_rho) - i_rho).subs(vals), 40)) < 1e-30
        assert abs(sp.N((k_y.subs(y, y_rho) - k_rho).subs(vals), 40)) < 1e-30
    lam2 = sp.simplify(sp.diff(_cgf_s(), k, 2).subs(k, k_rho))
    return {"k": k_rho, "y": y_rho, "I": i_rho, "Lambda2": lam2}


@result(
    "rem.energy_rho", kind="derived", args=("rho", "t", "sigma", "r"), symbol=r"y(\rho)",
    reference="THEORY §3", description="level energy y = Λ'(k) at ρ = 1/(1 - 2kσ²e^{-2t}) (ρ < 1: below the mean)",
)
def energy_rho():
    """y(ρ) = s² ρ + r ρ²."""
    return step("y(ρ)", sp.expand(_rho_param()["y"]).subs(_S, S2))


@result(
    "rem.rate_rho", kind="derived", args=("rho", "t", "sigma", "r"), symbol=r"I(\rho)",
    reference="THEORY §3", description="rate function along the parametrisation ρ = 1/(1 - 2kσ²e^{-2t})",
)
def rate_rho():
    """I(ρ) = (ρ - 1)/2 - ½ ln ρ + r (ρ - 1)²/(2 s²)."""
    form = (rho - 1) / 2 - sp.log(rho) / 2 + r * (rho - 1) ** 2 / (2 * _S)
    assert sp.simplify(_rho_param()["I"] - form) == 0
    return step("I(ρ)", form.subs(_S, S2))


@result(
    "rem.k_rho", kind="derived", args=("rho", "t", "sigma"), symbol=r"k(\rho)",
    reference="THEORY §3", description="conjugate variable k = I'(y) = (1 - 1/ρ)/(2σ²e^{-2t})",
)
def k_rho():
    """k(ρ) from ρ = 1/(1 - 2 k s²)."""
    return _rho_param()["k"].subs(_S, S2)


@result(
    "rem.cgf2_rho", kind="derived", args=("rho", "t", "sigma", "r"), symbol=r"\Lambda''(k(\rho))",
    reference="THEORY §3", description="variance rate Λ''(k) of the tilted level energy (Bahadur–Rao prefactor)",
)
def cgf2_rho():
    """Λ''(k) = 2 s² ρ² (s² + 2 r ρ)."""
    lam2 = _rho_param()["Lambda2"]
    assert sp.simplify(lam2 - 2 * _S * rho**2 * (_S + 2 * r * rho)) == 0
    return sp.factor(lam2).subs(_S, S2)


# ---------------------------------------------------------------------------------------
# 3-4. liquid branch, condensation threshold, identity with collapse
# ---------------------------------------------------------------------------------------
def _beta_t() -> sp.Expr:
    """Boltzmann factor exp(-|x - e^{-t}a|²/(2Δ_t)) = exp(-β d y): β = 1/(2Δ_t)."""
    return 1 / (2 * ou_delta(t))


@helper
def _branches() -> dict:
    """Liquid branch in the opaque s², Δ (β = 1/(2Δ)); Γ = Δ + s²."""
    return rem_free_entropy_branches(_cgf_s(), k, alpha, 1 / (2 * _D))


@result(
    "rem.free_entropy_liquid", kind="derived", args=("alpha", "t", "sigma", "r"), symbol=r"\varphi_{\mathrm{liq}}",
    reference="THEORY §3", assumptions="α > alpha_c_r; also (1/d) ln E[Z | x] exactly at any d",
    description="liquid (high-temperature) branch of (1/d) ln Z(x), Z = Σ_μ exp(-|x - e^{-t}a_μ|²/(2Δ_t))",
)
def free_entropy_liquid():
    """φ = α + Λ(-1/(2Δ_t)) = α - ½ ln(Γ_t/Δ_t) - r/(2Γ_t)."""
    liq = sp.simplify(_branches()["liquid"])
    step("α + Λ(-1/(2Δ))", liq)
    G = _gamma_t()
    assert sp.simplify(G - (ou_delta(t) + S2)) == 0
    G_ = sp.Symbol("Gamma_t", positive=True)
    form = sp.expand_log(sp.simplify(liq.subs(_S, G_ - _D)), force=True)  # Γ = Δ + s²
    return step("α - ½ ln(Γ_t/Δ_t) - r/(2Γ_t)", form.subs({G_: Named(r"\Gamma_t", G), _D: DELTA}))


@result(
    "rem.y_star", kind="derived", args=("t", "sigma", "r"), symbol=r"y^*",
    reference="THEORY §3", description="energy of the levels that dominate Z in the liquid phase, Λ'(-1/(2Δ_t))",
)
def y_star():
    """y* = Λ'(k*), k* = -β = -1/(2Δ_t)."""
    return step("y* = Λ'(-1/(2Δ_t))", _timed(sp.simplify(_branches()["y_star"])))


@result(
    "rem.alpha_c_r", kind="derived", args=("t", "sigma", "r"), symbol=r"\alpha_c(t, r)",
    reference="THEORY §3", description="condensation threshold I(y*) of the REM at a point with |x|²/d = r",
)
def alpha_c_r():
    """α_c = I(y*) = -β y* - Λ(-β) (Legendre transform at the liquid saddle)."""
    G_ = sp.Symbol("Gamma_t", positive=True)
    a_c = sp.expand_log(_branches()["a_c"], force=True).subs(_S, G_ - _D)
    a_c = sp.expand(sp.simplify(a_c))
    step("α_c(r) in Γ_t = Δ_t + s², Δ_t", a_c)
    # overflow/cancellation-free form (log1p of s²/Δ; no -½ + ... cancellation at large t)
    stable = sp.log(1 + _S / _D) / 2 + _S * (r - G_) / (2 * G_**2)
    assert sp.simplify(sp.expand_log(a_c - stable.subs(G_, _D + _S).subs(_S, G_ - _D), force=True)) == 0
    step("stable form", stable)
    a_c = stable.subs(_S / _D, sigma**2 / (sp.exp(2 * t) - 1)).subs(G_, _D + _S)
    a_c = _timed(a_c)
    # second route: the rate function itself, evaluated at y*
    via_rate = rate().subs(y, y_star())
    vals = {t: sp.Rational(3, 4), sigma: sp.Rational(6, 5), r: sp.Rational(2, 3)}
    assert abs(sp.N((a_c - via_rate).subs(vals), 40)) < 1e-30
    return step("α_c(t, r)", a_c)


@result(
    "rem.alpha_c", kind="derived", args=("t", "sigma"), symbol=r"\alpha_c(t)",
    reference="THEORY §3; Biroli, Bonnaire, de Bortoli, Mézard (2024)", assumptions="leading order in d; x ~ P_t",
    description="condensation threshold for a typical point of P_t (r = Γ_t): ½ ln(Γ_t/Δ_t)",
)
def alpha_c():
    """α_c(t) = I(y*)|_{r = Γ_t}; y* = Δ_t, k* = -1/(2Δ_t)."""
    G_ = sp.Symbol("Gamma_t", positive=True)
    br = _branches()
    ys = sp.simplify(br["y_star"].subs(r, _D + _S))
    assert sp.simplify(ys - _D) == 0, ys
    step("y*(r = Γ_t) = Δ_t", ys)
    a_c = sp.simplify(br["a_c"].subs(r, _D + _S).subs(_S, G_ - _D))
    step("α_c in Γ_t, Δ_t", a_c)
    # same value from the registered general-r threshold
    vals = {t: sp.Rational(4, 5), sigma: sp.Rational(3, 7)}
    assert abs(sp.N((alpha_c_r().subs(r, _gamma_t()) - _timed(a_c.subs(G_, _D + _S))).subs(vals), 40)) < 1e-30
    # ½ ln(Γ/Δ) = ½ ln(1 + s²/Δ), s²/Δ = σ²/(e^{2t} - 1): the log1p form (no cancellation at large t)
    stable = sp.log(1 + sigma**2 / (sp.exp(2 * t) - 1)) / 2
    assert sp.simplify(sp.expand_log(a_c.subs({G_: _D + _S}) - stable.subs(sigma**2, _S * sp.exp(2 * t)).subs(
        sp.exp(2 * t), 1 / (1 - _D)), force=True)) == 0
    return step("½ ln(1 + σ²/(e^{2t} - 1))", stable)


@result(
    "rem.t_C_alpha", kind="derived", args=("alpha", "sigma"), symbol=r"t_C",
    reference="THEORY §2-3",
    description="condensation time: alpha_c(t_C) = α (identical to the collapse time gm.t_C_alpha)",
)
def t_c_alpha():
    """Solve α_c(t) = α for t."""
    sols = sp.solve(sp.Eq(alpha_c(), alpha), t)
    probe = {alpha: sp.Rational(1, 10), sigma: sp.Rational(3, 2)}
    real = [s_ for s_ in sols if sp.N(s_.subs(probe)).is_real and sp.N(s_.subs(probe)) > 0]
    assert len(real) == 1, sols
    sol = sp.simplify(real[0])
    from theory.gm import f_leading, t_c_alpha as gm_t_c

    for vals in ({alpha: sp.Rational(1, 50), sigma: 1}, {alpha: sp.Rational(7, 3), sigma: sp.Rational(1, 9)}):
        assert abs(sp.N((sol - gm_t_c()).subs(vals), 40)) < 1e-30
    # collapse = condensation: f(t) = α - alpha_c(t) identically
    diff = f_leading() - (alpha - alpha_c())
    for vals in ({t: sp.Rational(1, 7), sigma: sp.Rational(5, 2), alpha: 1},
                 {t: 3, sigma: sp.Rational(1, 3), alpha: sp.Rational(1, 9)}, {t: sp.Rational(2, 3), sigma: 1, alpha: 2}):
        assert abs(sp.N(diff.subs(vals), 50)) < 1e-40
    return step("t_C", sol)


# ---------------------------------------------------------------------------------------
# 5. condensed branch and Poisson–Dirichlet statistics
# ---------------------------------------------------------------------------------------
@result(
    "rem.free_entropy_condensed_rho", kind="assembled", args=("rho", "t", "sigma", "r"), symbol=r"\varphi_{\mathrm{cond}}",
    reference="THEORY §3; Derrida (1981)", assumptions="α < alpha_c_r; leading order in d",
    description="condensed branch -y_0/(2Δ_t) of (1/d) ln Z, at ρ_0 solving I(ρ_0) = α, ρ_0 < 1",
)
def free_entropy_condensed_rho():
    """φ = -β y(ρ_0) = -y(ρ_0)/(2Δ_t): the lowest level dominates."""
    return -energy_rho() / (2 * DELTA)


@result(
    "rem.freezing_m_rho", kind="assembled", args=("rho", "t", "sigma"), symbol=r"m",
    reference="THEORY §3; Derrida (1981); Mézard-Parisi-Virasoro",
    description="Poisson–Dirichlet (freezing) parameter m = |k(y_0)|/β = slope ratio at the lowest level",
)
def freezing_m_rho():
    """Levels near y_0: N(E ≤ E_0 + v) ≈ e^{|k(y_0)| v} (E = d y); weights e^{-β E} -> PD(m), m = |k|/β."""
    m_expr = sp.simplify(-k_rho() / _beta_t())
    G = _gamma_t()
    # m = 1 exactly at the threshold (ρ* = Δ_t/Γ_t for r = Γ_t)
    assert sp.simplify(m_expr.subs(rho, ou_delta(t) / G) - 1) == 0
    return step("m(ρ)", m_expr)


@result(
    "rem.pd_participation", kind="derived", args=("m_pd",), symbol=r"\mathbb{E}\sum_\mu w_\mu^2",
    reference="Derrida (1981); Mézard, Parisi, Virasoro, Spin glass theory and beyond", assumptions="0 < m < 1",
    description="mean participation ratio of Poisson–Dirichlet PD(m) weights",
)
def pd_participation():
    """E Σ_j w_j² = ∫_0^∞ λ E[e^{-λ S}] ∫ x² e^{-λx} ν(dx) dλ (Mecke), ν(dx) = m x^{-m-1}dx,
    E e^{-λS} = exp(-Γ(1-m) λ^m)  ->  Γ(2-m)/Γ(1-m) = 1 - m."""
    lam, xx = sp.symbols("lambda_ x_", positive=True)
    q = sp.Symbol("q", positive=True)  # q = 1 - m > 0 keeps every integral convergent
    mm = 1 - q
    levy = _levy_coefficient(q)
    second = sp.integrate(xx**2 * sp.exp(-lam * xx) * mm * xx ** (-mm - 1), (xx, 0, sp.oo), conds="none")
    step("∫ x² e^{-λx} ν(dx)", second)
    total = sp.integrate(sp.powsimp(lam * second * sp.exp(-levy * lam**mm), force=True), (lam, 0, sp.oo), conds="none")
    total = sp.simplify(sp.gammasimp(total))
    for mv in (sp.Rational(1, 4), sp.Rational(2, 3)):  # Mecke formula numerically
        assert abs(sp.N(total.subs(q, 1 - mv), 30) - (1 - mv)) < 1e-20
    return step("E Σ w²", sp.expand(total.subs(q, 1 - m)))


@result(
    "rem.pd_log_partition", kind="derived", args=("m_pd",), symbol=r"\mathbb{E}\ln\sum_j e^{-\beta(E_j - E_0)}",
    reference="THEORY §3", assumptions="0 < m < 1",
    description="mean log-partition function of the Poisson process with N(E ≤ E_0 + v) = e^{mβ v} "
    "(O(1/d) term of the condensed free entropy)",
)
def pd_log_partition():
    r"""Mellin transform: :math:`\mathbb E S^{-s} = \frac1{\Gamma(s)}\int_0^\infty\lambda^{s-1}\,\mathbb E e^{-\lambda S}d\lambda`
    with :math:`\mathbb E e^{-\lambda S} = e^{-c\lambda^m}`, :math:`c = \Gamma(1-m)` (:func:`_levy_coefficient`);
    :math:`\mathbb E S^{-s} = 1 - s\,\mathbb E\ln S + O(s^2)`, so the series in s gives
    :math:`\mathbb E\ln S = \frac{\ln\Gamma(1-m)}m + \gamma_E\left(\frac1m - 1\right)`."""
    lam, s_, c = sp.symbols("lambda_ s c", positive=True)
    q = sp.Symbol("q", positive=True)  # q = 1 - m
    levy = _levy_coefficient(q).subs(q, 1 - m)
    mellin = sp.integrate(lam ** (s_ - 1) * sp.exp(-c * lam**m), (lam, 0, sp.oo), conds="none") / sp.gamma(s_)
    mellin = step("E S^{-s}", sp.simplify(mellin))
    ser = step("series in s", sp.series(mellin, s_, 0, 2))
    e_ln_s = -ser.removeO().coeff(s_, 1)
    return restate("E ln S", e_ln_s.subs(c, levy), sp.log(sp.gamma(1 - m)) / m + sp.EulerGamma * (1 / m - 1),
                   probes=[{m: sp.Rational(1, 3)}, {m: sp.Rational(3, 4)}])


@helper
def _levy_coefficient(q: sp.Symbol) -> sp.Expr:
    r"""The Laplace exponent of the PD(m) point process, :math:`m = 1 - q`:
    :math:`\int(1 - e^{-\lambda x})\,m x^{-m-1}dx = \lambda^m\int_0^\infty e^{-u}u^{-m}du = \Gamma(1-m)\lambda^m`
    (substitute :math:`u = \lambda x` and integrate by parts: the boundary term vanishes for 0 < m < 1).
    Returns the coefficient :math:`\Gamma(q)`."""
    u_ = sp.Symbol("u_", positive=True)
    mm = 1 - q
    for mv in (sp.Rational(1, 4), sp.Rational(2, 3)):
        bnd = -(1 - sp.exp(-u_)) * u_ ** (-mv)
        assert sp.limit(bnd, u_, sp.oo) == 0 and sp.limit(bnd, u_, 0) == 0
    coef = sp.integrate(sp.exp(-u_) * u_ ** (-mm), (u_, 0, sp.oo), conds="none")
    return step("∫(1 - e^{-λx}) ν(dx) = c λ^m, c", coef)


# ---------------------------------------------------------------------------------------
# 7. Derrida's REM (Gaussian energies) as a special case of the machinery
# ---------------------------------------------------------------------------------------
def _derrida():
    lam = k**2 / 2  # y ~ N(0, 1/d): (1/d) ln E e^{k d y} = k²/2
    rate_y, _ = legendre_rate(lam, k, y, lambda roots: roots[0])
    assert sp.simplify(rate_y - y**2 / 2) == 0
    return rem_free_entropy_branches(lam, k, alpha, beta)


@result(
    "rem.derrida_beta_c", kind="derived", args=("alpha",), symbol=r"\beta_c",
    reference="Derrida, Phys. Rev. B 24, 2613 (1981)",
    description="condensation temperature of Derrida's REM: e^{αd} levels with energies N(0, d)",
)
def derrida_beta_c():
    """Solve a_c(β) = α: β_c = sqrt(2α)."""
    br = _derrida()
    sols = [s_ for s_ in sp.solve(sp.Eq(br["a_c"], alpha), beta) if s_.is_positive is not False]
    assert len(sols) == 1, sols
    return step("β_c", sols[0])


@result(
    "rem.derrida_free_entropy", kind="derived", args=("alpha", "beta"), symbol=r"\varphi_{\mathrm{REM}}(\beta)",
    reference="Derrida, Phys. Rev. B 24, 2613 (1981)",
    description="free entropy (1/d) ln Z of Derrida's REM: α + β²/2 (β < β_c), β β_c (β ≥ β_c)",
)
def derrida_free_entropy():
    """Condensed branch: -β y_0 with I(y_0) = y_0²/2 = α, y_0 = -sqrt(2α)."""
    br = _derrida()
    bc = derrida_beta_c()
    y0 = -sp.sqrt(2 * alpha)
    assert sp.simplify(y0**2 / 2 - alpha) == 0
    step("liquid branch α + Λ(-β)", br["liquid"])
    step("condensed branch -β y_0", -beta * y0)
    return sp.Piecewise((br["liquid"], beta < bc), (-beta * y0, True))
