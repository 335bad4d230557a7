"""Datasets for the data-driven speciation and collapse times (THEORY §5, §7).

Sources
-------
- files: ``.npy`` (one array; streamed by rows, :class:`numerics.data.stores.NpyStore`), ``.npz`` (a
  named array, ``key``; optional ``labels_key``), ``.csv`` (numeric, comma separated, optional header
  line; ``label_column`` optional), HDF5 (``.h5``/``.hdf5``, ``key``) and Zarr directories (``key``),
  folders of PNG/JPEG images (sub-folders = classes): :func:`numerics.data.stores.open_store`.
  Nothing is ever unpickled: ``np.load(..., allow_pickle=False)``.
- built-in, offline: ``digits`` (the 8×8 handwritten digits shipped with the package, 1797 × 64) and
  ``fashion-mnist`` (Debian package ``dataset-fashion-mnist``: idx files under
  ``/usr/share/datasets/fashion-mnist/``; directory overridable by ``REGIMES_FASHION_MNIST_DIR``;
  ``split="train"`` 60000 × 784 or ``"test"`` 10000 × 784).

Preprocessing policy (applied identically by every entry point, reported as ``preprocessing`` in
every output; :mod:`numerics.data.stream` streams it)
-------------------------------------------------------------------------------------------------
1. select classes (if asked), then a uniformly random subset of ``max_n`` points (seeded);
2. flatten every sample to a vector of length ``d``;
3. units (``scale``): ``none`` (data as given), ``standardize`` (divide by one global scale s so that
   the *average* per-coordinate variance is 1: ``s² = (1/(n d)) Σ_μ |a_μ - ā|²``, population
   normalisation 1/n, the empirical law's), ``pm1`` (the data range [min, max] mapped to [-1, 1]);
4. centre: subtract the per-coordinate mean (changes no time: speciation and collapse depend on
   the covariance and on differences between points only).

The OU process relaxes to N(0, I): its times depend on the data's scale, so they are computed in
the units the user's model sees. The API default (:func:`load`, :func:`preprocess`) is
``standardize`` (the workbench's checks and notebooks); ``regimes times`` defaults to ``none`` for
files and ``pm1`` for the built-in image datasets.
"""

from __future__ import annotations

import math
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from numerics.data.stores import ArrayStore, Store, open_store
from numerics.data.stream import POLICY as _POLICIES
from numerics.data.stream import SCALES, prepare

__all__ = ["Dataset", "load_array", "load_builtin", "builtin_store", "load", "preprocess", "open_source", "BUILTIN",
           "FASHION_MNIST_DIR", "POLICY", "SCALES"]

BUILTIN = ("digits", "fashion-mnist")
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
POLICY = _POLICIES["standardize"]
_FASHION_HELP = ("Fashion-MNIST is not installed: install the Debian package with "
                 "`apt-get install -y dataset-fashion-mnist` (as root; `make venv` tries this), or set "
                 "REGIMES_FASHION_MNIST_DIR to a directory holding the four *-idx?-ubyte.gz files")


@dataclass
class Dataset:
    """Preprocessed data ``X`` (n × d, centred, in the units of ``preprocessing["scale"]``) with
    optional labels; ``log_unit`` = ln(user units / internal unit-variance units)."""

    X: np.ndarray
    labels: np.ndarray | None
    name: str
    preprocessing: dict = field(default_factory=dict)
    log_unit: float = 0.0

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
                label_column = _label_column(label_column)
                if not -data.shape[1] <= label_column < data.shape[1]:
                    raise ValueError(f"label column {label_column} out of range for {data.shape[1]} columns")
                labels = data[:, label_column]
                data = np.delete(data, label_column, axis=1)
        else:
            raise ValueError(f"{p.name}: unsupported file type {suffix!r} (use .npy, .npz, .csv, .h5/.hdf5, a Zarr directory or a folder of images)")
    except ValueError as exc:
        msg = str(exc)
        if "allow_pickle" in msg or "Object arrays" in msg:
            raise ValueError(f"{p.name}: holds an object (pickled) array, which is never loaded; save a numeric array") from None
        if msg.startswith((p.name, "label column", "label-column", "cannot read")):
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
    """Numeric comma-separated rows of equal length; the first line is a header only when one of
    its fields is not a number (a ragged numeric table is an error, never a silently dropped row)."""
    with open(p, "r", encoding="utf-8", errors="strict") as fh:
        lines = [ln for ln in fh.read().splitlines() if ln.strip()]
    if not lines:
        raise ValueError(f"{p.name}: empty file")

    def numbers(line: str):
        try:
            return [float(v) for v in line.split(",")]
        except ValueError:
            return None

    first = numbers(lines[0])
    body = lines if first is not None else lines[1:]
    if not body:
        raise ValueError(f"{p.name}: a header line and no data")
    rows = []
    for k, line in enumerate(body):
        r = numbers(line)
        if r is None:
            raise ValueError(f"{p.name}: line {k + 1 + (first is None)} is not numeric "
                             "(a numeric comma-separated table with at most one header line is expected)")
        if rows and len(r) != len(rows[0]):
            raise ValueError(f"{p.name}: line {k + 1 + (first is None)} has {len(r)} fields, the first data line "
                             f"{len(rows[0])} (rows must have equal length)")
        rows.append(r)
    return np.array(rows, dtype=float)


# ---------------------------------------------------------------------------------- built-in
def _read_idx(path: Path) -> np.ndarray:
    """An unsigned-byte idx file, gzip-compressed (one zlib call on the whole file: fast)."""
    try:
        raw = zlib.decompress(path.read_bytes(), wbits=31)
    except zlib.error as exc:
        raise ValueError(f"{path}: not a gzip-compressed idx file ({exc})") from None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte idx file")
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise ValueError(f"{path}: truncated idx file")
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    arr = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: truncated idx file")
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


def _builtin_raw(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
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
        return _read_idx(img), _read_idx(lab).astype(int)
    raise ValueError(f"unknown dataset {name!r} (built-in: {', '.join(BUILTIN)})")


def load_builtin(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Raw ``(images, labels)`` of a built-in dataset (``digits`` or ``fashion-mnist``), float64 images."""
    raw, lab = _builtin_raw(name, split)
    return raw.astype(float), lab


def builtin_store(name: str, split: str = "train") -> ArrayStore:
    """A built-in dataset as an in-memory store in its stored dtype (uint8 pixels for Fashion-MNIST)."""
    raw, lab = _builtin_raw(name, split)
    return ArrayStore(raw, lab, name if name == "digits" else f"{name}:{split}")


def open_source(source: str, *, builtin: bool = False, key: str | None = None, labels_key: str | None = None,
                label_column: int | None = None, split: str = "train") -> Store:
    """The store of a file, folder or built-in dataset (nothing read beyond headers and labels)."""
    if label_column is not None:
        label_column = _label_column(label_column)
    if builtin:
        return builtin_store(source, split)
    return open_store(source, key=key, labels_key=labels_key, label_column=label_column)


def _label_column(v) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, str)):
        raise ValueError(f"label-column must be an integer column index, got {v!r}")
    try:
        f = float(v)
    except ValueError:
        raise ValueError(f"label-column must be an integer column index, got {v!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise ValueError(f"label-column must be an integer column index, got {v!r}")
    return int(f)


# ---------------------------------------------------------------------------------- policy
def preprocess(raw: np.ndarray, labels: np.ndarray | None = None, *, classes=None, max_n: int | None = None,
               seed: int = 0, name: str = "data", scale: str = "standardize") -> Dataset:
    """Apply the preprocessing policy (module docstring) to an in-memory array and validate the data."""
    raw = _check_numeric(np.asarray(raw), name)
    if raw.ndim < 2:
        raise ValueError(f"{name}: expected samples along the first axis and at least 2 dimensions (n, d, ...), got shape {raw.shape}")
    return dataset(prepare(ArrayStore(raw, labels, name), classes=classes, max_n=max_n, seed=seed, scale=scale,
                           cache=True))


def dataset(stream) -> Dataset:
    """The in-memory :class:`Dataset` (X in the user's units, centred) of a prepared stream."""
    X = stream.to_units(stream.materialize())
    return Dataset(X, stream.labels, stream.name, stream.preprocessing, stream.log_unit)


def load(source: str, *, builtin: bool = False, classes=None, max_n: int | None = None, seed: int = 0,
         key: str | None = None, labels_key: str | None = None, label_column: int | None = None,
         split: str = "train", scale: str = "standardize") -> Dataset:
    """Load a file (``builtin=False``) or a built-in dataset by name, then :func:`preprocess` (in memory)."""
    store = open_source(source, builtin=builtin, key=key, labels_key=labels_key, label_column=label_column, split=split)
    return dataset(prepare(store, classes=classes, max_n=max_n, seed=seed, scale=scale, cache=True))
