"""Datasets for the data-driven speciation and collapse times (THEORY §5).

Sources
-------
- files: ``.npy`` (one array), ``.npz`` (a named array, ``key``; optional ``labels_key``),
  ``.csv`` (numeric, comma separated, optional header line; ``label_column`` optional).
  Nothing is ever unpickled: ``np.load(..., allow_pickle=False)``.
- built-in, offline: ``digits`` (the 8×8 handwritten digits shipped with the package, 1797 × 64) and
  ``fashion-mnist`` (Debian package ``dataset-fashion-mnist``: idx files under
  ``/usr/share/datasets/fashion-mnist/``; directory overridable by ``REGIMES_FASHION_MNIST_DIR``;
  ``split="train"`` 60000 × 784 or ``"test"`` 10000 × 784).

Preprocessing policy (the only one; applied identically by every entry point, reported as
``preprocessing`` in every output)
-------------------------------------------------------------------------------------------
1. select classes (if asked), then a uniformly random subset of ``max_n`` points (seeded);
2. flatten every sample to a vector of length ``d`` (float64);
3. centre: subtract the per-coordinate mean of the selected set;
4. scale by one global factor ``s`` so that the *average* per-coordinate variance is 1:
   ``s² = (1/(n d)) Σ_μ |a_μ - ā|²`` (population normalisation 1/n, the empirical law's).
   Coordinates keep their relative scales; a constant pixel stays 0.

The OU process relaxes to N(0, I), so this puts data and noise on the same scale, as
diffusion models do; times in other units follow from ``numerics.timeconv``. Times computed on
unscaled data ``a`` equal those on ``a / s`` for the same process only if ``s = 1``: the scale
``s`` is reported so a user can redo the computation for other conventions.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from numerics import validate

__all__ = ["Dataset", "load_array", "load_builtin", "load", "preprocess", "BUILTIN", "FASHION_MNIST_DIR",
           "POLICY"]

BUILTIN = ("digits", "fashion-mnist")
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
POLICY = "flatten; centre (subtract per-coordinate mean); divide by one global scale s so that the average per-coordinate variance is 1"
_FASHION_HELP = ("Fashion-MNIST is not installed: install the Debian package with "
                 "`apt-get install -y dataset-fashion-mnist` (as root; `make venv` tries this), or set "
                 "REGIMES_FASHION_MNIST_DIR to a directory holding the four *-idx?-ubyte.gz files")


@dataclass
class Dataset:
    """Preprocessed data ``X`` (n × d, centred, unit average variance) with optional labels."""

    X: np.ndarray
    labels: np.ndarray | None
    name: str
    preprocessing: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])


# ---------------------------------------------------------------------------------- files
def _check_numeric(arr: np.ndarray, what: str) -> np.ndarray:
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{what}: expected a numeric array, got dtype {arr.dtype}")
    return arr


def load_array(path: str | os.PathLike, key: str | None = None, labels_key: str | None = None,
               label_column: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Read ``(data, labels or None)`` from a .npy, .npz or .csv file (no pickle)."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"cannot read {str(p)!r}: no such file")
    suffix = p.suffix.lower()
    labels = None
    magic = {".npy": b"\x93NUMPY", ".npz": b"PK"}.get(suffix)
    if magic is not None:
        with open(p, "rb") as fh:
            if fh.read(len(magic)) != magic:
                raise ValueError(f"cannot read {p.name}: not a {suffix} file")
    try:
        if suffix == ".npy":
            data = np.load(p, allow_pickle=False)
        elif suffix == ".npz":
            with np.load(p, allow_pickle=False) as z:
                names = list(z.files)
                if key is None:
                    for cand in ("X", "x", "data", "images"):
                        if cand in names:
                            key = cand
                            break
                    else:
                        if len(names) != 1:
                            raise ValueError(f"{p.name}: holds arrays {names}; name one with --key")
                        key = names[0]
                if key not in names:
                    raise ValueError(f"{p.name}: no array named {key!r} (has {names})")
                data = z[key]
                if labels_key is not None:
                    if labels_key not in names:
                        raise ValueError(f"{p.name}: no array named {labels_key!r} (has {names})")
                    labels = z[labels_key]
        elif suffix == ".csv":
            data = _read_csv(p)
            if label_column is not None:
                if not -data.shape[1] <= label_column < data.shape[1]:
                    raise ValueError(f"label column {label_column} out of range for {data.shape[1]} columns")
                labels = data[:, label_column]
                data = np.delete(data, label_column, axis=1)
        else:
            raise ValueError(f"{p.name}: unsupported file type {suffix!r} (use .npy, .npz or .csv)")
    except ValueError as exc:
        msg = str(exc)
        if "allow_pickle" in msg or "Object arrays" in msg:
            raise ValueError(f"{p.name}: holds an object (pickled) array, which is never loaded; save a numeric array") from None
        if msg.startswith(p.name) or msg.startswith("label column") or msg.startswith("cannot read"):
            raise
        raise ValueError(f"cannot read {p.name}: {msg}") from None
    except (OSError, EOFError) as exc:
        raise ValueError(f"cannot read {p.name}: {exc}") from None
    except Exception as exc:  # zipfile.BadZipFile and friends: one clear line
        raise ValueError(f"cannot read {p.name}: {type(exc).__name__}: {exc}") from None
    data = _check_numeric(np.asarray(data), p.name)
    if labels is not None:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.shape[0] != data.shape[0]:
            raise ValueError(f"{p.name}: labels must be 1-D with one entry per sample, got shape {labels.shape}")
    return data, labels


def _read_csv(p: Path) -> np.ndarray:
    with open(p, "r", encoding="utf-8", errors="strict") as fh:
        lines = [ln for ln in fh.read().splitlines() if ln.strip()]
    if not lines:
        raise ValueError(f"{p.name}: empty file")

    def parse(rows):
        return np.array([[float(v) for v in r.split(",")] for r in rows], dtype=float)

    try:
        return parse(lines)
    except ValueError:
        pass
    try:  # one header line
        return parse(lines[1:]) if len(lines) > 1 else np.empty((0, 0))
    except ValueError:
        raise ValueError(f"{p.name}: not a numeric comma-separated table (rows of equal length, at most one header line)") from None


# ---------------------------------------------------------------------------------- built-in
def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path.name}: not an unsigned-byte idx file")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    arr = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path.name}: truncated idx file")
    return arr.reshape(tuple(dims))


def _digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8×8 handwritten digits (1797 × 8 × 8, labels 0–9) shipped with the package as
    ``numerics/data/digits.csv.gz`` (the copy scikit-learn bundles; UCI "Optical Recognition of
    Handwritten Digits", Alpaydin & Kaynak 1998, CC BY 4.0), so scikit-learn is not needed."""
    path = Path(__file__).with_name("digits.csv.gz")
    arr = np.loadtxt(path, delimiter=",")
    if arr.shape != (1797, 65):
        raise ValueError(f"{path}: expected 1797 rows of 64 pixels and a label, got {arr.shape}")
    return arr[:, :-1].reshape(-1, 8, 8), arr[:, -1].astype(int)


def fashion_mnist_dir() -> Path:
    return Path(os.environ.get("REGIMES_FASHION_MNIST_DIR", FASHION_MNIST_DIR))


def load_builtin(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Raw ``(images, labels)`` of a built-in dataset (``digits`` or ``fashion-mnist``)."""
    if name == "digits":
        return _digits()
    if name == "fashion-mnist":
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        root = fashion_mnist_dir()
        prefix = "train" if split == "train" else "t10k"
        img, lab = root / f"{prefix}-images-idx3-ubyte.gz", root / f"{prefix}-labels-idx1-ubyte.gz"
        if not (img.is_file() and lab.is_file()):
            raise ValueError(f"{_FASHION_HELP} (looked in {root})")
        return _read_idx(img).astype(float), _read_idx(lab).astype(int)
    raise ValueError(f"unknown dataset {name!r} (built-in: {', '.join(BUILTIN)})")


# ---------------------------------------------------------------------------------- policy
def preprocess(raw: np.ndarray, labels: np.ndarray | None = None, *, classes=None, max_n: int | None = None,
               seed: int = 0, name: str = "data") -> Dataset:
    """Apply the preprocessing policy (module docstring) and validate the data."""
    raw = _check_numeric(np.asarray(raw), name)
    if raw.ndim < 2:
        raise ValueError(f"{name}: expected samples along the first axis and at least 2 dimensions (n, d, ...), got shape {raw.shape}")
    shape = raw.shape
    sel = np.arange(shape[0])
    if classes is not None:
        if labels is None:
            raise ValueError(f"{name}: --classes needs labels, and this data has none")
        classes = list(classes)
        lab_vals = labels.astype(float) if labels.dtype.kind in "biuf" else labels
        keep = np.zeros(shape[0], dtype=bool)
        for c in classes:
            hit = lab_vals == (float(c) if labels.dtype.kind in "biuf" else c)
            if not np.any(hit):
                raise ValueError(f"{name}: no samples of class {c!r}")
            keep |= hit
        sel = sel[keep]
    if max_n is not None:
        max_n = validate.positive_int("max-n", max_n)
        if sel.size > max_n:
            sel = np.sort(np.random.default_rng(seed).choice(sel, size=max_n, replace=False))
    X = np.asarray(raw[sel], dtype=float).reshape(sel.size, -1)
    if X.shape[0] < 2:
        raise ValueError(f"{name}: need at least 2 samples, got {X.shape[0]}")
    if X.shape[1] < 1:
        raise ValueError(f"{name}: samples have no coordinates (shape {shape})")
    if not np.all(np.isfinite(X)):
        bad = int(np.count_nonzero(~np.isfinite(X)))
        raise ValueError(f"{name}: {bad} non-finite values (NaN or inf) in the data")
    mean = X.mean(axis=0)
    X -= mean
    var = float(np.mean(X * X))  # (1/(n d)) Σ |a - ā|²
    if not var > 1e-300 or not np.isfinite(var):
        raise ValueError(f"{name}: zero variance (all samples identical)")
    scale = float(np.sqrt(var))
    X /= scale
    lab = None if labels is None else np.asarray(labels)[sel]
    info = {
        "policy": POLICY,
        "raw_shape": [int(s) for s in shape],
        "n": int(X.shape[0]),
        "d": int(X.shape[1]),
        "scale": scale,
        "classes": None if classes is None else [c if isinstance(c, str) else _num(c) for c in classes],
        "max_n": max_n,
        "seed": int(seed),
    }
    return Dataset(X, lab, name, info)


def _num(c):
    f = float(c)
    return int(f) if f == int(f) else f


def load(source: str, *, builtin: bool = False, classes=None, max_n: int | None = None, seed: int = 0,
         key: str | None = None, labels_key: str | None = None, label_column: int | None = None,
         split: str = "train") -> Dataset:
    """Load a file (``builtin=False``) or a built-in dataset by name, then :func:`preprocess`."""
    if builtin:
        raw, labels = load_builtin(source, split)
        name = source if source == "digits" else f"{source}:{split}"
    else:
        raw, labels = load_array(source, key=key, labels_key=labels_key, label_column=label_column)
        name = Path(source).name
    return preprocess(raw, labels, classes=classes, max_n=max_n, seed=seed, name=name)
