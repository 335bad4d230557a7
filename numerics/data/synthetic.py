"""Large synthetic datasets for the out-of-core checks (never stored in the repository):

    python -m numerics.data.synthetic /tmp/big.npy --n 1000000 --d 1024 [--h5] [--zarr]

writes a two-class Gaussian mixture (float32, centres ±m with |m|² = d, unit noise; labels 0/1 in
``PATH.labels.npy``) block by block, so a 4 GB file is made with a few MB of memory; ``--h5`` and
``--zarr`` write the same rows to ``PATH.h5`` (dataset ``X``) and ``PATH.zarr`` (array ``X``).
Reproducible from (n, d, seed): block b uses ``default_rng([seed, b])``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

__all__ = ["write_mixture"]

BLOCK = 65536


def _block(b: int, lo: int, hi: int, d: int, seed: int):
    rng = np.random.default_rng([seed, b])
    lab = rng.integers(0, 2, hi - lo)
    x = rng.standard_normal((hi - lo, d), dtype=np.float32)
    x += (2.0 * lab - 1.0).astype(np.float32)[:, None]
    return x, lab


def write_mixture(path: str | Path, n: int, d: int, *, seed: int = 0, h5: bool = False, zarr: bool = False) -> Path:
    """Write the mixture (module docstring); returns the .npy path."""
    path = Path(path)
    tmp = path.with_suffix(".npy.part")
    mm = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(n, d))
    labels = np.empty(n, dtype=np.int8)
    for b, lo in enumerate(range(0, n, BLOCK)):
        hi = min(lo + BLOCK, n)
        mm[lo:hi], labels[lo:hi] = _block(b, lo, hi, d, seed)
    mm.flush()
    del mm
    tmp.replace(path)
    np.save(path.with_suffix(".labels.npy"), labels)
    if h5:
        import h5py

        with h5py.File(path.with_suffix(".h5"), "w") as f:
            ds = f.create_dataset("X", shape=(n, d), dtype=np.float32, chunks=(min(4096, n), d))
            for b, lo in enumerate(range(0, n, BLOCK)):
                hi = min(lo + BLOCK, n)
                ds[lo:hi] = _block(b, lo, hi, d, seed)[0]
    if zarr:
        import zarr as z

        root = z.open_group(str(path.with_suffix(".zarr")), mode="w")
        arr = root.create_array("X", shape=(n, d), dtype=np.float32, chunks=(min(4096, n), d))
        for b, lo in enumerate(range(0, n, BLOCK)):
            hi = min(lo + BLOCK, n)
            arr[lo:hi] = _block(b, lo, hi, d, seed)[0]
    return path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path")
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--d", type=int, default=1024)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--h5", action="store_true")
    p.add_argument("--zarr", action="store_true")
    a = p.parse_args(argv)
    print(write_mixture(a.path, a.n, a.d, seed=a.seed, h5=a.h5, zarr=a.zarr))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
