"""Numeric layer of regimes: the model-free engine (``engine``), one folder per model (``models``),
datasets (``data``), the verification suite (``verify``), the CLI (``cli``) and the numeric side of the
registry (``results``: generated functions and mutable theory values)."""

import os as _os

# Numba's OpenMP layer busy-waits after a parallel region and starves the OpenBLAS GEMM that
# follows (measured 3x slowdown of the empirical score on 2 cores); workqueue threads sleep.
_os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
