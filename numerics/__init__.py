import os as _os

# Numba's OpenMP layer busy-waits after a parallel region and starves the OpenBLAS GEMM that
# follows (measured 3x slowdown of the empirical score on 2 cores); workqueue threads sleep.
_os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
