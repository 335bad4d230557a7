"""Heat-bath (Glauber) Monte Carlo of the Curie–Weiss law: an independent route to the law of M.

The chains use only the Hamiltonian ``-βM²/(2N) - hM`` and the single-spin heat-bath rule, never the
closed-form law ``cw.log_M_weight`` (binomial count × Boltzmann factor): the count of configurations
emerges from picking a spin at random. Random-scan updates of one spin only change M, so a chain is
tracked through M alone: pick an up spin with probability n₊/N, remove it (``M_rest = M - s``) and
set it up with probability ``1/(1 + e^{-2(βM_rest/N + h)})``; the kernel draws one uniform per update
against the rows of that same matrix (down / stay / up).

The chain's exact law after k updates from its start is ``p₀ Tᵏ`` with the (N+1)×(N+1) birth–death
matrix :func:`transition_matrix`; its stationary law follows from detailed balance of T alone
(:func:`stationary_law`), so the burn-in bias of any statistic is *computed*, not guessed
(:func:`burn_in_bias`).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from numerics import validate
from numerics.engine import memory

__all__ = ["heat_bath_M", "transition_matrix", "stationary_law", "burn_in_bias"]


@numba.njit(cache=True)
def _chains(down, stay_or_down, N, chains, updates, seed):  # pragma: no cover - compiled
    np.random.seed(seed)
    out = np.empty(chains, dtype=np.int64)
    for c in range(chains):
        n_up = 0
        for i in range(N):  # start: independent fair spins
            if np.random.random() < 0.5:
                n_up += 1
        for k in range(updates):  # one uniform per update: down / stay / up (rows of transition_matrix)
            u = np.random.random()
            if u < down[n_up]:
                n_up -= 1
            elif u >= stay_or_down[n_up]:
                n_up += 1
        out[c] = 2 * n_up - N
    return out


def heat_bath_M(N: int, beta: float, h: float, chains: int, sweeps: int, rng: np.random.Generator) -> np.ndarray:
    """Final magnetizations M of ``chains`` independent random-scan heat-bath chains of ``sweeps`` × N
    single-spin updates each, started from independent fair spins.

    Parameters
    ----------
    N : int
        Number of spins.
    beta, h : float
        Coupling and per-spin field of the weight ``exp(βM²/(2N) + hM)``.
    chains, sweeps : int
        Independent chains (one sample each: the samples are i.i.d.) and sweeps per chain.
    rng : numpy.random.Generator
        Source of the chains' seed (the run is reproducible from ``(parameters, rng)``).

    Returns
    -------
    numpy.ndarray
        int64 array of M ∈ {-N, -N+2, ..., N}, one per chain.

    Raises
    ------
    ValueError
        For a parameter out of range (named in the message).
    MemoryBudgetError
        Before allocating, when the chains or the heat-bath matrix exceed the memory budget.
    """
    N = validate.integer("N", N, 1)
    chains = validate.integer("chains", chains, 1)
    sweeps = validate.integer("sweeps", sweeps, 0)
    beta, h = validate.as_float("beta", beta), validate.as_float("h", h)
    memory.require(8.0 * chains, "the chains' magnetizations", chains=chains)
    T = transition_matrix(N, beta, h)
    down = np.concatenate([[0.0], np.diag(T, -1)])  # P(M → M - 2) by n₊ = 0..N
    stay_or_down = down + np.diag(T)
    stay_or_down[-1] = np.inf  # all up: no move up, whatever the rounding of down + stay
    seed = int(rng.integers(0, 2**31 - 1))
    return _chains(down, stay_or_down, N, chains, sweeps * N, seed)


def transition_matrix(N: int, beta: float, h: float) -> np.ndarray:
    """One random-scan heat-bath update as a birth–death matrix on M = -N, -N+2, ..., N:
    ``T[M, M∓2]`` from picking an up/down spin (prob. n₊/N, n₋/N) and resetting it down/up by the
    heat-bath rule; the diagonal keeps the rest."""
    N = validate.integer("N", N, 1)
    memory.require(4 * 8.0 * (N + 1) ** 2, "the heat-bath matrix (and its powers)", N=N)
    M = np.arange(-N, N + 1, 2)
    K = N + 1
    T = np.zeros((K, K))
    for k, m in enumerate(M):
        n_up = (N + m) // 2
        if n_up > 0:  # an up spin is picked: M_rest = M - 1
            pu = 0.5 * (1.0 + math.tanh(beta * (m - 1) / N + h))  # 1/(1 + e^{-2x}), no overflow
            T[k, k] += n_up / N * pu
            T[k, k - 1] += n_up / N * (1.0 - pu)
        if n_up < N:  # a down spin is picked: M_rest = M + 1
            pu = 0.5 * (1.0 + math.tanh(beta * (m + 1) / N + h))
            T[k, k + 1] += (N - n_up) / N * pu
            T[k, k] += (N - n_up) / N * (1.0 - pu)
    return T


def stationary_law(T: np.ndarray) -> np.ndarray:
    """Stationary law of a birth–death matrix by detailed balance, π_{k+1}/π_k = T[k,k+1]/T[k+1,k]
    (accumulated in log space, normalised by log-sum-exp)."""
    up, down = np.diag(T, 1), np.diag(T, -1)
    logpi = np.concatenate([[0.0], np.cumsum(np.log(up) - np.log(down))])
    logpi -= logpi.max()
    p = np.exp(logpi)
    return p / p.sum()


def burn_in_bias(N: int, beta: float, h: float, sweeps: int, g: np.ndarray) -> float:
    """E[g(M)] after ``sweeps`` sweeps from fair spins minus E[g(M)] under the stationary law: the exact
    (derived) bias of :func:`heat_bath_M`'s estimate of E g, from ``p₀ T^{N·sweeps}``."""
    T = transition_matrix(N, beta, h)
    p = np.array([math.comb(N, j) for j in range(N + 1)], dtype=float) / 2.0**N
    p = p @ np.linalg.matrix_power(T, N * sweeps)
    return float(p @ g - stationary_law(T) @ g)
