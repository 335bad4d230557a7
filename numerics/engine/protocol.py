"""The model protocol: what the engine needs from a model, and nothing about which model it is.

The engine (integrators, one-pass cloning, collapse, excess entropy, the empirical score) consumes
any object with this interface, in the spirit of pyodesys' numeric system: the model knows its
exact score and how to draw from its noisy law; the engine knows how to integrate, clone, count
and estimate errors. A model lives in ``numerics/models/<name>/``; an arbitrary training set is
wrapped by :class:`numerics.engine.empirical.EmpiricalModel`.

Required (:class:`DiffusionModel`)
----------------------------------
``name``
    registry prefix of the model's results (``"gm"``, ``"cw"``, ...), reported in outputs.
``dim``
    dimension ``d`` of the state.
``score(x, t)``
    exact score ``∇ ln P_t(x)`` for a batch ``x`` of shape ``(B, dim)`` (THEORY §0).
``sample_t(size, t, rng)``
    exact draw of ``size`` points of ``P_t`` (start law of the backward dynamics).
``params()``
    dictionary of the parameters that define the model (goes into every result's ``params``).

Optional capabilities (looked up with :func:`has`)
--------------------------------------------------
``sample_labelled(size, rng)``
    ``(x, {level: labels})``: draws of ``P_0`` with class labels at every level (training sets of the
    empirical score; levels are named coarsest first, e.g. ``{"class": ±1}``).
``labels(y, t, rng)``
    ``{level: labels}`` of endpoints ``y`` at the final time ``t`` (what "the same class" means for
    cloning). A model without it has no class notion and cannot be cloned. Labels may be random: drawn
    from the exact class posterior at ``t`` they make cloning measure E Σ_c P(c|x_t)² with no t_min bias
    (the class given the endpoint is independent of the earlier states), so ``t_min`` may sit just below
    the branch times.
``posterior(x, t)``
    ``{level: (B, K) array}`` of class posteriors ``P(c | x_t = x)``: gives the exact conditional
    cloning probability ``Σ_c P(c|x)²`` on the branch states (no SDE needed).
``phi_theory(t)``
    ``{level: array}`` of the theory cloning probability at times ``t``.
``fast_path()``
    an exact lower-dimensional model with the same labels and theory (e.g. the projection of the
    two-class mixture on ``m̂``), used when the caller asks for it.
``excess_entropy(t, n)``, ``t_C(n)``, ``t_S``
    collapse / speciation theory for training sets of ``n`` points drawn from the model.
``defaults``
    dictionary of suggested run settings (``t_min``, ``steps``, ``dtype`` ...).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["DiffusionModel", "has", "require", "LEVEL_CLASS", "LEVEL_POINT"]

LEVEL_CLASS = "class"  # the finest class level of a model
LEVEL_POINT = "point"  # the training point (empirical score): agreement at this level is φ_C


@runtime_checkable
class DiffusionModel(Protocol):
    """Minimal interface consumed by the engine (see the module docstring for optional parts)."""

    name: str

    @property
    def dim(self) -> int: ...

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        """Exact score ∇ ln P_t(x) for a batch x of shape (B, dim)."""
        ...

    def sample_t(self, size: int, t: float, rng: np.random.Generator) -> np.ndarray:
        """``size`` exact draws of P_t, shape (size, dim)."""
        ...

    def params(self) -> dict:
        """The parameters that define the model (reported in every result)."""
        ...


def has(model: Any, capability: str) -> bool:
    """Whether ``model`` offers the optional ``capability`` (a method or attribute name)."""
    return getattr(model, capability, None) is not None


def require(model: Any, capability: str, purpose: str) -> None:
    """``ValueError`` naming the model and the missing capability when ``model`` lacks it."""
    if not isinstance(model, DiffusionModel):
        raise ValueError(f"model must implement the DiffusionModel protocol (name, dim, score, sample_t, params), "
                         f"got {type(model).__name__}")
    if not has(model, capability):
        raise ValueError(f"model {getattr(model, 'name', type(model).__name__)!r} has no {capability!r}: "
                         f"cannot {purpose}")
