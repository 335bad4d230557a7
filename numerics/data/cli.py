"""Command-line declaration of ``regimes times`` (the code that runs: :mod:`numerics.data.commands`).

    regimes times PATH [--key K] [--labels-key L] [--label-column J] [--classes ...] [--max-n N]
                  [--scale none|standardize|pm1] [--memory-budget 2G] [--scheduler tcp://HOST:PORT] --json
    regimes times --dataset digits|fashion-mnist [--classes ...] [--max-n N] [--plot FILE.png] --json

PATH: ``.npy`` (streamed), ``.npz``, ``.csv``, HDF5 (``.h5``/``.hdf5``), a Zarr directory, or a folder
of PNG/JPEG images (sub-folders = classes).
"""

from __future__ import annotations

import argparse
import re

from numerics.cli import args as A

_SUFFIX = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def memory_size(text: str) -> int:
    """Bytes, with an optional K/M/G/T suffix (powers of 1024): ``512M``, ``2G``, ``3.5GiB``."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:E[+-]?[0-9]+)?)\s*([KMGT]?)(?:I?B)?\s*", str(text).upper())
    if m is None:
        raise argparse.ArgumentTypeError(f"must be a size in bytes with an optional K/M/G/T suffix, got {text!r}")
    v = float(m.group(1)) * _SUFFIX[m.group(2)]
    if not 1 <= v < 2**62:
        raise argparse.ArgumentTypeError(f"must be a positive size, got {text!r}")
    return int(v)


def register(sub) -> None:
    """Declare ``regimes times`` on the ``regimes`` subparsers ``sub``."""
    p = sub.add_parser("times", help="speciation time t_S = ½ ln Λ and collapse time t_C of a dataset",
                       description="Speciation time from the top covariance eigenvalue (bootstrap error) and collapse "
                                   "time from the empirical excess entropy f^e(t) (Monte Carlo), in the units of "
                                   "--scale (the OU times depend on the data's scale). Data stream from disk in "
                                   "blocks within --memory-budget; --scheduler runs the passes on a Dask cluster.")
    p.add_argument("path", nargs="?", type=A.input_path, default=None,
                   help="data: .npy, .npz, .csv, .h5/.hdf5, a Zarr directory or a folder of PNG/JPEG images "
                        "(samples along the first axis; image sub-folders are classes)")
    p.add_argument("--dataset", choices=("digits", "fashion-mnist"), default=None, help="built-in dataset instead of PATH")
    p.add_argument("--split", choices=("train", "test"), default="train", help="fashion-mnist split (default train)")
    p.add_argument("--key", default=None, help=".npz / HDF5 / Zarr: name of the data array")
    p.add_argument("--labels-key", default=None, help=".npz / HDF5 / Zarr: name of the labels array (for --classes)")
    p.add_argument("--label-column", type=A.integer, default=None, help=".csv: index of the label column (for --classes)")
    p.add_argument("--classes", nargs="+", default=None, help="keep only these classes (labels)")
    p.add_argument("--max-n", type=A.positive_int, default=None, help="random subset of at most N samples (seeded)")
    p.add_argument("--scale", choices=("none", "standardize", "pm1"), default=None,
                   help="units of the data the diffusion sees: none (as given; default for files), standardize "
                        "(unit average variance per coordinate), pm1 (data range mapped to [-1, 1]; default for "
                        "the built-in image datasets)")
    p.add_argument("--n-mc", type=A.positive_int, default=1000,
                   help="Monte Carlo points for f^e (default 1000; the full data is the training set)")
    p.add_argument("--n-boot", type=A.positive_int, default=200, help="bootstrap replicas for the errors (default 200, >= 10)")
    p.add_argument("--k", type=A.positive_int, default=10, help="number of top eigenvalues reported (default 10)")
    p.add_argument("--seed", type=A.seed, default=0, help="random seed (integer >= 0; default 0)")
    p.add_argument("--memory-budget", type=memory_size, default=None,
                   help="bytes the run may hold (suffix K/M/G; default a quarter of RAM, at most half of what "
                        "`ulimit -v` leaves)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask.distributed scheduler (tcp://host:port): the covariance and f^e passes run there as "
                        "tasks over blocks of rows (pip install 'regimes[dask]')")
    p.add_argument("--plot", type=A.figure_file, default=None, help="write f^e(t)/α and the spectrum to this PNG")
    A.add_json(p)
    p.set_defaults(func="numerics.data.commands:run")
