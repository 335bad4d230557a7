"""Where the passes over a dataset run: in this process (default) or as tasks on a Dask cluster
(``--scheduler ADDRESS``, the optional extra ``pip install 'regimes[dask]'``).

A pass is a list of tasks ``fn(shared, *item)`` over row ranges of the data (``shared``: the
:class:`numerics.data.stream.DataStream`, which pickles by description: file path, selection and
transform, never a cached copy of the rows). Results come back **in the order of the items** and
are merged by the caller in that order, so a cluster and this process add the same partial sums in
the same order: the numbers agree to rounding of the BLAS kernels (bit-for-bit on one machine).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Sequence

from tqdm.auto import tqdm

from numerics import validate

__all__ = ["Executor", "LocalExecutor", "DaskExecutor", "executor_for", "TIMEOUT_ENV", "connect_timeout"]

# seconds to wait for a scheduler before giving up (one line, exit 2); default 30
TIMEOUT_ENV = "REGIMES_SCHEDULER_TIMEOUT"


def connect_timeout() -> float:
    """Seconds to wait for the scheduler: ``$REGIMES_SCHEDULER_TIMEOUT`` if set (a positive finite
    number, else ``ValueError`` naming it), else 30."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    return validate.positive(TIMEOUT_ENV, text) if text else 30.0


class Executor:
    """``map(fn, shared, items, desc)``: ``[fn(shared, *item) for item in items]``, in order."""

    name = "in-process"
    progress = False

    def map(self, fn: Callable, shared: Any, items: Sequence[tuple], desc: str = "") -> list:
        """``[fn(shared, *item) for item in items]``, in item order."""
        raise NotImplementedError

    def map_reduce(self, fn: Callable, shared: Any, items: Sequence[tuple], reduce: Callable, desc: str = ""):
        """``reduce(...reduce(reduce(None, r_0), r_1)..., r_last)`` over the results in item order."""
        acc = None
        for r in self.map(fn, shared, items, desc):
            acc = reduce(acc, r)
        return acc

    def describe(self) -> dict:
        """Where the tasks ran (``executor``; for Dask the scheduler, workers and threads)."""
        return {"executor": self.name}

    def close(self) -> None:
        """Release the executor (a Dask client disconnects)."""


class LocalExecutor(Executor):
    """Tasks run one after the other in this process (BLAS and Numba use the local cores)."""

    def __init__(self, progress: bool = False) -> None:
        self.progress = bool(progress)

    def _bar(self, items, desc):
        return tqdm(items, desc=desc, disable=not self.progress or len(items) < 2, leave=False, file=sys.stderr)

    def map(self, fn, shared, items, desc=""):
        """One task after the other in this process, with a progress bar when asked."""
        return [fn(shared, *it) for it in self._bar(items, desc)]

    def map_reduce(self, fn, shared, items, reduce, desc=""):
        acc = None  # results are reduced as they come: memory of one partial at a time
        for it in self._bar(items, desc):
            acc = reduce(acc, fn(shared, *it))
        return acc


class DaskExecutor(Executor):
    """Tasks submitted to a ``dask.distributed`` scheduler at ``address`` (``tcp://host:port``)."""

    name = "dask"

    def __init__(self, address: str, progress: bool = False, timeout: float | None = None) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ValueError("--scheduler needs the optional package dask.distributed "
                             "(pip install 'regimes[dask]')") from None
        self.address = address
        self.progress = bool(progress)
        timeout = connect_timeout() if timeout is None else timeout
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ValueError(f"scheduler {address!r}: cannot connect ({type(exc).__name__}: {exc})") from None

    def _shared(self, shared):
        # scattered afresh for every pass (the stream gains its statistics after the first one), as a
        # one-element list: a tuple or dict would be scattered element by element
        return self.client.scatter([shared], broadcast=True, hash=False)[0]

    def map(self, fn, shared, items, desc=""):
        """Tasks submitted to the cluster, results gathered in item order."""
        return self.map_reduce(fn, shared, items, _append, desc) or []

    def map_reduce(self, fn, shared, items, reduce, desc=""):
        fut = self._shared(shared)
        futures = [self.client.submit(fn, fut, *it, pure=False) for it in items]
        acc = None
        bar = tqdm(total=len(futures), desc=f"{desc} (dask)", disable=not self.progress or len(futures) < 2,
                   leave=False, file=sys.stderr)
        for k, f in enumerate(futures):  # in item order, each result released once merged
            acc = reduce(acc, f.result())
            futures[k] = None
            f.release()
            bar.update(1)
        bar.close()
        return acc

    def describe(self) -> dict:
        """The scheduler address, its number of workers and of worker threads."""
        info = self.client.scheduler_info()
        workers = info.get("workers", {})
        return {"executor": "dask", "scheduler": self.address, "workers": len(workers),
                "threads": int(sum(w.get("nthreads", 0) for w in workers.values()))}

    def close(self) -> None:
        """Disconnect the client (the cluster keeps running)."""
        self.client.close()


def executor_for(scheduler: str | None, progress: bool = False) -> Executor:
    """:class:`DaskExecutor` for a scheduler address, else :class:`LocalExecutor`."""
    return LocalExecutor(progress) if scheduler is None else DaskExecutor(scheduler, progress)


def _append(acc, r):
    acc = [] if acc is None else acc
    acc.append(r)
    return acc
