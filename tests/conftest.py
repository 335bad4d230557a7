"""Shared fixtures: a seeded rng, an in-process CLI runner, a subprocess CLI runner, small models.

Markers (pyproject): ``slow`` (long; ``make test-fast`` deselects), ``notebooks`` (executes notebooks),
``browser`` (drives Chromium), ``sympy`` (runs SymPy derivations)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".venv", "numba-cache"))


@pytest.fixture
def rng():
    return np.random.default_rng(20240229)


@pytest.fixture
def cli(capsys):
    """``cli(*argv) -> (exit code, stdout, stderr)``: ``regimes`` run in this process."""
    from numerics.cli import main

    def run(*argv):
        rc = main([str(a) for a in argv])
        out = capsys.readouterr()
        return rc, out.out, out.err

    return run


@pytest.fixture
def cli_process():
    """``cli_process(*argv) -> CompletedProcess``: ``python -m numerics.cli`` in a fresh process."""

    def run(*argv, **kw):
        return subprocess.run([sys.executable, "-m", "numerics.cli", *map(str, argv)], capture_output=True, text=True,
                              **kw)

    return run


@pytest.fixture
def gm_model():
    """The paper's two-class mixture at a small dimension: d = 64, μ̃ = σ = 1, p_+ = ½."""
    from numerics.models.gm import GaussianMixture

    return GaussianMixture(64, 1.0, 1.0)


@pytest.fixture
def cw_model():
    """A small ordered Curie–Weiss model: N = 33, β = 1.5, H = 0.5."""
    from numerics.models.cw import CurieWeiss

    return CurieWeiss(33, 1.5, 0.5)


@pytest.fixture(scope="session")
def dask_scheduler():
    """Address of a LocalCluster (two worker processes on 127.0.0.1, one task thread each), shared by
    the session's Dask tests; skips with the reason when the ``dask`` extra is not installed. The
    workers' BLAS uses as many threads as this process's (float32 GEMM rounding depends on the
    thread count: with it equal the cluster's numbers are bit-for-bit the in-process ones)."""
    distributed = pytest.importorskip("distributed", reason="the dask extra (pip install 'regimes[dask]') is not installed")
    from threadpoolctl import threadpool_info

    blas = max([int(i.get("num_threads") or 1) for i in threadpool_info() if i.get("user_api") == "blas"] or [1])
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=":0", silence_logs=40)  # any free port: no clash with a running 8787
    client = distributed.Client(cluster)
    client.run(_blas_threads, blas)
    client.close()
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def _blas_threads(n):
    """On a worker: BLAS thread count n (Dask starts workers with one)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n, user_api="blas")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log: Path | None = None, timeout: float = 120.0) -> None:
    def tail() -> str:
        return log.read_text()[-3000:] if log is not None and log.exists() else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no answer from {url} within {timeout} s:\n{tail()}")


def _stop(proc: subprocess.Popen) -> None:
    """End a server started with ``start_new_session=True`` and the kernels it started (its own session)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def servers():
    """Helpers for local servers (JupyterLab): ``free_port()``, ``wait(url, proc, log=None)``, ``stop(proc)``."""
    return SimpleNamespace(free_port=_free_port, wait=_wait, stop=_stop)
