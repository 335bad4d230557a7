"""The model-free engine: backward integrators, one-pass cloning, collapse, excess entropy and the
empirical score. It consumes any model of the protocol in :mod:`numerics.engine.protocol` and never
names one.

Modules
-------
- :mod:`~numerics.engine.protocol`: the :class:`DiffusionModel` interface and its optional capabilities.
- :mod:`~numerics.engine.sde`: time grids and the backward SDE step (exponential / Euler).
- :mod:`~numerics.engine.cloned`: the one-pass cloned integration loop (:func:`run_cloned`).
- :mod:`~numerics.engine.cloning`: cloning probability φ(t) per class level (:func:`clone_phi`).
- :mod:`~numerics.engine.collapse`: collapse onto training points (:func:`collapse_experiment`).
- :mod:`~numerics.engine.entropy`: excess entropy f^e(t) and t_C (:func:`excess_entropy_mc`).
- :mod:`~numerics.engine.posterior`: exact-posterior Monte Carlo of φ(t) on a grid, without an SDE
  (:func:`posterior_mc`; models with ``sample_labelled`` and ``posterior``).
- :mod:`~numerics.engine.empirical`: the empirical score (chunked GEMM + online log-sum-exp) and
  :class:`EmpiricalModel`, any training set as a model.
- :mod:`~numerics.engine.result`: :class:`ExperimentResult`, the base of every result.

The names below are importable from ``numerics.engine`` directly; the submodule is imported on first use.
"""

from __future__ import annotations

from numerics.lazy import exports, lazy_getattr

_EXPORTS = exports(
    protocol="DiffusionModel has require",
    sde="time_grid integrate_backward",
    cloned="run_cloned",
    cloning="clone_phi CloneResult",
    collapse="collapse_experiment CollapseResult",
    entropy="excess_entropy_mc estimate_t_C EntropyResult",
    empirical="EmpiricalScore EmpiricalModel",
    result="ExperimentResult binomial_stderr",
    posterior="posterior_mc PosteriorMC",
)

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
