"""Command-line declaration of ``regimes times`` (the code that runs: :mod:`numerics.data.commands`).

    regimes times PATH [--key K] [--labels-key L] [--label-column J] [--classes ...] [--max-n N] --json
    regimes times --dataset digits|fashion-mnist [--classes ...] [--max-n N] [--plot FILE.png] --json
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("times", help="speciation time t_S = ½ ln Λ and collapse time t_C of a dataset",
                       description="Speciation time from the top covariance eigenvalue (bootstrap error) and collapse "
                                   "time from the empirical excess entropy f^e(t) (Monte Carlo). Data are flattened, "
                                   "centred and scaled to unit average variance per coordinate.")
    p.add_argument("path", nargs="?", default=None, help="data file: .npy, .npz (named array) or .csv (samples in rows)")
    p.add_argument("--dataset", choices=("digits", "fashion-mnist"), default=None, help="built-in dataset instead of PATH")
    p.add_argument("--split", choices=("train", "test"), default="train", help="fashion-mnist split (default train)")
    p.add_argument("--key", default=None, help=".npz: name of the data array")
    p.add_argument("--labels-key", default=None, help=".npz: name of the labels array (for --classes)")
    p.add_argument("--label-column", default=None, help=".csv: index of the label column (for --classes)")
    p.add_argument("--classes", nargs="+", default=None, help="keep only these classes (labels)")
    p.add_argument("--max-n", default=None, help="random subset of at most N samples (seeded)")
    p.add_argument("--n-mc", default="1000", help="Monte Carlo points for f^e (default 1000; the full data is the training set)")
    p.add_argument("--n-boot", default="200", help="bootstrap replicas for the errors (default 200)")
    p.add_argument("--k", default="10", help="number of top eigenvalues reported (default 10)")
    p.add_argument("--seed", default="0", help="random seed (default 0)")
    p.add_argument("--plot", default=None, help="write f^e(t)/α and the spectrum to this PNG")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func="numerics.data.commands:run")
