"""Row stores: the raw samples of a dataset, read in row ranges without loading the whole array
(THEORY §5; the out-of-core half of :mod:`numerics.data.sources`).

A store is ``n`` samples of one shape (flattened to ``d`` coordinates when read), with optional
labels held in memory (n values). Every store reads rows ``[lo, hi)`` (:meth:`Store.read`) and a
sorted set of rows (:meth:`Store.take`); nothing else is ever resident, so memory is the size of
the rows asked for. Stores pickle by *description* (path, key, header), so that Dask workers
reopen the file themselves (:mod:`numerics.data.parallel`).

Kinds
-----
- :class:`ArrayStore`: an array already in memory (``.npz``, ``.csv``, the built-in datasets);
- :class:`NpyStore`: a ``.npy`` file; rows are read with positioned reads into a buffer (``os.pread``
  of the rows asked for), so a file larger than the address space limit (``ulimit -v``) still
  streams; a Fortran-ordered file is opened memory-mapped (rows are strided there);
- :class:`HDF5Store` (h5py) and :class:`ZarrStore` (zarr): one array named by ``key``, optional
  ``labels_key``; slices are read through the library (its chunk cache bounds the memory);
- :class:`ImageFolderStore` (Pillow): a folder of PNG/JPEG images, sorted by path; sub-folders are
  classes (torchvision's ImageFolder layout: labels are the sub-folder names); every image must
  have the size and mode of the first.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import numpy as np

__all__ = ["Store", "ArrayStore", "NpyStore", "HDF5Store", "ZarrStore", "ImageFolderStore", "IMAGE_SUFFIXES",
           "HDF5_SUFFIXES", "open_store"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")
_KEY_CANDIDATES = ("X", "x", "data", "images")


def _check_dtype(dtype: np.dtype, name: str) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected a numeric array, got dtype {dtype}")
    return dtype


def _check_shape(shape: tuple, name: str) -> tuple:
    if len(shape) < 2:
        raise ValueError(f"{name}: expected samples along the first axis and at least 2 dimensions (n, d, ...), "
                         f"got shape {tuple(shape)}")
    return tuple(int(s) for s in shape)


class Store:
    """Base class: ``name``, ``shape`` (n, ...), ``dtype``, ``labels`` (None or n values)."""

    name: str = "data"
    shape: tuple = ()
    dtype: np.dtype = np.dtype(float)
    labels: np.ndarray | None = None
    kind: str = "array"

    @property
    def n(self) -> int:
        return int(self.shape[0])

    @property
    def d(self) -> int:
        return int(np.prod(self.shape[1:], dtype=np.int64))

    @property
    def row_bytes(self) -> int:
        return self.d * self.dtype.itemsize

    def read(self, lo: int, hi: int) -> np.ndarray:
        """Rows ``lo..hi-1``, flattened: shape (hi - lo, d), the store's dtype."""
        raise NotImplementedError

    def take(self, idx: np.ndarray) -> np.ndarray:
        """Rows ``idx`` (sorted, increasing), flattened."""
        idx = np.asarray(idx, dtype=np.int64)
        out = np.empty((idx.size, self.d), dtype=self.dtype)
        for k, i in enumerate(idx):
            out[k] = self.read(int(i), int(i) + 1)[0]
        return out

    def describe(self) -> dict:
        """kind, name, shape and dtype (reported as ``preprocessing.source``)."""
        return {"kind": self.kind, "name": self.name, "shape": list(self.shape), "dtype": self.dtype.name}

    _transient: tuple = ()  # open handles: dropped when pickled (a worker reopens the file)

    def __getstate__(self):
        st = dict(self.__dict__)
        for k in self._transient:
            st[k] = None
        return st


class ArrayStore(Store):
    """An in-memory array (n, ...) with optional labels."""

    kind = "memory"

    def __init__(self, arr: np.ndarray, labels: np.ndarray | None = None, name: str = "data") -> None:
        arr = np.asarray(arr)
        self.dtype = _check_dtype(arr.dtype, name)
        self.shape = _check_shape(arr.shape, name)
        self.arr = arr.reshape(arr.shape[0], -1)
        self.labels = None if labels is None else np.asarray(labels)
        self.name = name

    def read(self, lo: int, hi: int) -> np.ndarray:
        return self.arr[lo:hi]

    def take(self, idx: np.ndarray) -> np.ndarray:
        return self.arr[np.asarray(idx, dtype=np.int64)]


class NpyStore(Store):
    """A ``.npy`` file read by rows (positioned reads; never unpickled, never mapped whole)."""

    kind = "npy"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = str(path)
        self.name = Path(path).name
        with open(self.path, "rb") as fh:
            try:
                version = np.lib.format.read_magic(fh)
                reader = {(1, 0): np.lib.format.read_array_header_1_0,
                          (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                if reader is None:  # (3, 0): utf-8 header, same layout as 2.0
                    fh.seek(8)
                    hlen = int.from_bytes(fh.read(4), "little")
                    header = ast.literal_eval(fh.read(hlen).decode("utf-8"))
                    shape, fortran, dtype = header["shape"], header["fortran_order"], np.dtype(header["descr"])
                else:
                    shape, fortran, dtype = reader(fh, max_header_size=1 << 20)
            except ValueError as exc:
                msg = str(exc)
                if "allow_pickle" in msg or "object" in msg.lower():
                    raise ValueError(f"{self.name}: holds an object (pickled) array, which is never loaded; "
                                     "save a numeric array") from None
                raise ValueError(f"cannot read {self.name}: {msg}") from None
            except (SyntaxError, KeyError, TypeError, UnicodeDecodeError) as exc:
                raise ValueError(f"cannot read {self.name}: bad .npy header ({type(exc).__name__})") from None
            self.offset = fh.tell()
        if dtype.hasobject:
            raise ValueError(f"{self.name}: holds an object (pickled) array, which is never loaded; save a numeric array")
        self.dtype = _check_dtype(dtype, self.name)
        self.shape = _check_shape(tuple(shape), self.name)
        self.fortran = bool(fortran)
        need = self.offset + self.n * self.row_bytes
        size = os.path.getsize(self.path)
        if size < need:
            raise ValueError(f"cannot read {self.name}: truncated .npy file ({size} bytes, header says {need})")
        self._fd = None

    _transient = ("_fd",)

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
        return self._fd

    def __del__(self):
        if getattr(self, "_fd", None) is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass

    def _mapped(self) -> np.ndarray:
        mm = np.memmap(self.path, dtype=self.dtype, mode="r", offset=self.offset, shape=self.shape, order="F")
        return mm.reshape(self.n, -1, order="F")

    def read(self, lo: int, hi: int) -> np.ndarray:
        lo, hi = max(0, lo), min(self.n, hi)
        if self.fortran:
            return np.ascontiguousarray(self._mapped()[lo:hi])
        out = np.empty((hi - lo, self.d), dtype=self.dtype)
        buf = memoryview(out.reshape(-1).view(np.uint8))
        pos, start, total = 0, self.offset + lo * self.row_bytes, (hi - lo) * self.row_bytes
        fd = self._file()
        while pos < total:
            got = os.preadv(fd, [buf[pos:]], start + pos) if hasattr(os, "preadv") else None
            if got is None:
                data = os.pread(fd, total - pos, start + pos)
                got = len(data)
                buf[pos:pos + got] = data
            if got <= 0:
                raise ValueError(f"cannot read {self.name}: unexpected end of file")
            pos += got
        return out

    def take(self, idx: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, dtype=np.int64)
        if self.fortran:
            return np.ascontiguousarray(self._mapped()[idx])
        out = np.empty((idx.size, self.d), dtype=self.dtype)
        # runs of consecutive rows are read in one call
        breaks = np.nonzero(np.diff(idx) != 1)[0] + 1
        for run in np.split(np.arange(idx.size), breaks):
            if run.size:
                out[run[0]:run[-1] + 1] = self.read(int(idx[run[0]]), int(idx[run[-1]]) + 1)
        return out


def _pick_key(names: list[str], key: str | None, fname: str) -> str:
    if key is None:
        for cand in _KEY_CANDIDATES:
            if cand in names:
                return cand
        if len(names) != 1:
            raise ValueError(f"{fname}: holds arrays {names}; name one with --key")
        return names[0]
    if key not in names:
        raise ValueError(f"{fname}: no array named {key!r} (has {names})")
    return key


def _labels(arr, n: int, fname: str) -> np.ndarray:
    lab = np.asarray(arr[...])
    if lab.ndim != 1 or lab.shape[0] != n:
        raise ValueError(f"{fname}: labels must be 1-D with one entry per sample, got shape {lab.shape}")
    return lab


class _ChunkedStore(Store):
    """A store read through an array library (h5py, zarr): slices, and sorted row sets."""

    def _array(self):
        raise NotImplementedError

    def _rows(self, arr, idx: np.ndarray):
        raise NotImplementedError

    def _adopt(self, arr, names: list[str], labels_key: str | None, get) -> None:
        """dtype, shape and (``labels_key``, read by ``get(name)``) labels of the data array ``arr``."""
        self.dtype = _check_dtype(arr.dtype, self.name)
        self.shape = _check_shape(arr.shape, self.name)
        self.labels = None
        if labels_key is not None:
            if labels_key not in names:
                raise ValueError(f"{self.name}: no array named {labels_key!r} (has {names})")
            self.labels = _labels(get(labels_key), self.n, self.name)

    def read(self, lo: int, hi: int) -> np.ndarray:
        return np.asarray(self._array()[lo:hi]).reshape(-1, self.d)

    def take(self, idx: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size == 0:
            return np.empty((0, self.d), dtype=self.dtype)
        return np.asarray(self._rows(self._array(), idx)).reshape(-1, self.d)


class HDF5Store(_ChunkedStore):
    """One dataset of an HDF5 file (h5py), read by row slices."""

    kind = "hdf5"

    def __init__(self, path: str | os.PathLike, key: str | None = None, labels_key: str | None = None) -> None:
        h5py = _need("h5py", "HDF5 files")
        self.path, self.name = str(path), Path(path).name
        try:
            with h5py.File(self.path, "r") as f:
                names = []
                f.visititems(lambda nm, obj: names.append(nm) if isinstance(obj, h5py.Dataset) else None)
                self.key = _pick_key(names, key, self.name)
                self._adopt(f[self.key], names, labels_key, f.__getitem__)
        except OSError as exc:
            raise ValueError(f"cannot read {self.name}: {exc}") from None
        self._f = None

    _transient = ("_f",)

    def _array(self):
        if self._f is None:
            import h5py

            self._f = h5py.File(self.path, "r")
        return self._f[self.key]

    def _rows(self, arr, idx: np.ndarray):
        return arr[idx]


class ZarrStore(_ChunkedStore):
    """One array of a Zarr store (a directory), read by row slices."""

    kind = "zarr"

    def __init__(self, path: str | os.PathLike, key: str | None = None, labels_key: str | None = None) -> None:
        zarr = _need("zarr", "Zarr stores")
        self.path, self.name = str(path), Path(path).name
        try:
            node = zarr.open(self.path, mode="r")
        except Exception as exc:  # zarr raises several types for a non-store; one line
            raise ValueError(f"cannot read {self.name}: not a Zarr store ({type(exc).__name__}: {exc})") from None
        if hasattr(node, "shape"):  # a bare array
            if key is not None:
                raise ValueError(f"{self.name}: is a single array; --key does not apply")
            self.key, arr, names = None, node, []
        else:
            names = sorted(k for k, _ in node.arrays())
            self.key = _pick_key(names, key, self.name)
            arr = node[self.key]
        self._adopt(arr, names, labels_key, lambda k: node[k])
        self._a = None

    _transient = ("_a",)

    def _array(self):
        if self._a is None:
            import zarr

            node = zarr.open(self.path, mode="r")
            self._a = node if self.key is None else node[self.key]
        return self._a

    def _rows(self, arr, idx: np.ndarray):
        return arr.get_orthogonal_selection((idx,) + (slice(None),) * (len(self.shape) - 1))


class ImageFolderStore(Store):
    """A folder of images (PNG/JPEG, Pillow), sorted; sub-folder names are the class labels."""

    kind = "images"

    def __init__(self, root: str | os.PathLike) -> None:
        _need("PIL", "image folders", package="pillow")
        root = Path(root)
        self.path, self.name = str(root), root.name
        subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        files: list[Path] = []
        labels: list[str] = []
        if subdirs:
            for sd in subdirs:
                fs = sorted(p for p in sd.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
                files += fs
                labels += [sd.name] * len(fs)
        else:
            files = sorted(p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        if not files:
            raise ValueError(f"{self.name}: no images ({', '.join(IMAGE_SUFFIXES)}) in the folder or its sub-folders")
        self.files = [str(f) for f in files]
        self.labels = np.array(labels) if subdirs else None
        first = self._decode(0)
        self.sample_shape = first.shape
        self.dtype = _check_dtype(first.dtype, self.name)
        self.shape = (len(self.files),) + tuple(first.shape)

    def _decode(self, i: int) -> np.ndarray:
        from PIL import Image, UnidentifiedImageError

        f = self.files[i]
        try:
            with Image.open(f) as im:
                arr = np.asarray(im)
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            raise ValueError(f"cannot read image {f}: {exc}") from None
        if hasattr(self, "sample_shape") and arr.shape != self.sample_shape:
            raise ValueError(f"image {f}: shape {arr.shape} differs from the first image's {self.sample_shape} "
                             "(all images must have one size and mode)")
        return arr

    def read(self, lo: int, hi: int) -> np.ndarray:
        return self.take(np.arange(max(lo, 0), min(hi, self.n)))

    def take(self, idx: np.ndarray) -> np.ndarray:
        out = np.empty((len(idx), self.d), dtype=self.dtype)
        for k, i in enumerate(np.asarray(idx, dtype=np.int64)):
            out[k] = self._decode(int(i)).reshape(-1)
        return out


def _need(module: str, what: str, package: str | None = None):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ValueError(f"{what} need the optional package {package or module} "
                         f"(pip install 'regimes[data]')") from None


def _is_zarr(p: Path) -> bool:
    return p.suffix.lower() == ".zarr" or any((p / m).exists() for m in (".zarray", ".zgroup", "zarr.json"))


def open_store(path: str | os.PathLike, *, key: str | None = None, labels_key: str | None = None,
               label_column: int | None = None) -> Store:
    """The store for a path: ``.npy`` (streamed), ``.h5/.hdf5`` (h5py), a Zarr directory, a folder of
    images, or ``.npz`` / ``.csv`` (read whole: :func:`numerics.data.sources.load_array`)."""
    p = Path(path)
    if p.is_dir():
        if key is not None and not _is_zarr(p):
            raise ValueError(f"{p.name}: --key applies to .npz, HDF5 and Zarr sources, not to an image folder")
        return ZarrStore(p, key, labels_key) if _is_zarr(p) else ImageFolderStore(p)
    if not p.is_file():
        raise ValueError(f"cannot read {str(p)!r}: no such file")
    suffix = p.suffix.lower()
    if suffix == ".npy":
        if p.stat().st_size == 0:
            raise ValueError(f"cannot read {p.name}: empty file")
        with open(p, "rb") as fh:
            if fh.read(6) != b"\x93NUMPY":
                raise ValueError(f"cannot read {p.name}: not a .npy file")
        return NpyStore(p)
    if suffix in HDF5_SUFFIXES:
        return HDF5Store(p, key, labels_key)
    from numerics.data.sources import load_array

    arr, labels = load_array(p, key=key, labels_key=labels_key, label_column=label_column)
    return ArrayStore(arr, labels, p.name)
