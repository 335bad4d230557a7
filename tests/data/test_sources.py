"""Loading and the preprocessing policy (numerics.data)."""

import gzip
import math
import struct

import numpy as np
import pytest

from numerics.data import sources as data


def test_policy_centres_and_scales(rng):
    raw = rng.normal(3.0, 2.0, size=(50, 4, 5))
    ds = data.preprocess(raw)
    assert ds.X.shape == (50, 20)
    np.testing.assert_allclose(ds.X.mean(axis=0), 0.0, atol=1e-12)
    assert math.isclose(np.mean(ds.X ** 2), 1.0, rel_tol=1e-12)         # unit average variance
    flat = raw.reshape(50, -1)
    s = ds.preprocessing["unit_scale"]
    np.testing.assert_allclose(ds.X * s + flat.mean(axis=0), flat, rtol=1e-12)  # one global scale
    assert ds.preprocessing["raw_shape"] == [50, 4, 5] and ds.preprocessing["policy"] == data.POLICY


def test_classes_and_subset_are_seeded(rng):
    raw = rng.normal(size=(100, 3))
    lab = np.repeat([0, 1, 2, 3], 25)
    a = data.preprocess(raw, lab, classes=[1, 3], max_n=20, seed=5)
    b = data.preprocess(raw, lab, classes=[1, 3], max_n=20, seed=5)
    c = data.preprocess(raw, lab, classes=[1, 3], max_n=20, seed=6)
    assert a.n == 20 and set(a.labels) <= {1, 3}
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    with pytest.raises(ValueError, match="no samples of class"):
        data.preprocess(raw, lab, classes=[7])
    with pytest.raises(ValueError, match="needs labels"):
        data.preprocess(raw, None, classes=[1])


@pytest.mark.parametrize("bad, match", [
    (np.array([[1.0, np.nan], [2.0, 3.0]]), "non-finite"),
    (np.array([[1.0, np.inf], [2.0, 3.0]]), "non-finite"),
    (np.ones((1, 5)), "at least 2 samples"),
    (np.ones((4, 5)), "zero variance"),
    (np.arange(5.0), "shape"),
    (np.array([[1 + 1j, 2], [3, 4]]), "numeric"),
])
def test_bad_data(bad, match):
    with pytest.raises(ValueError, match=match):
        data.preprocess(bad)


def test_files_round_trip(tmp_path, rng):
    x = rng.normal(size=(30, 6))
    lab = np.arange(30) % 3
    np.save(tmp_path / "a.npy", x)
    np.savez(tmp_path / "b.npz", images=x, y=lab)
    np.savetxt(tmp_path / "c.csv", np.column_stack([x, lab]), delimiter=",", header="a,b,c,d,e,f,label", comments="")
    for arr, lab_out in [data.load_array(tmp_path / "a.npy"),
                         data.load_array(tmp_path / "b.npz", labels_key="y"),
                         data.load_array(tmp_path / "c.csv", label_column=-1)]:
        np.testing.assert_allclose(arr, x, rtol=1e-15, atol=1e-15) if arr.shape == x.shape else pytest.fail(str(arr.shape))
    ds = data.load(str(tmp_path / "c.csv"), classes=[2], label_column=6)
    assert ds.n == 10 and ds.d == 6


def test_bad_files(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickled"):
        data.load_array(tmp_path / "obj.npy")
    (tmp_path / "junk.npy").write_bytes(b"not an array")
    with pytest.raises(ValueError, match="cannot read"):
        data.load_array(tmp_path / "junk.npy")
    (tmp_path / "t.csv").write_text("1,2\n3,x\n")
    with pytest.raises(ValueError, match="numeric"):
        data.load_array(tmp_path / "t.csv")
    np.savez(tmp_path / "two.npz", a=np.ones((3, 2)), b=np.ones((3, 2)))
    with pytest.raises(ValueError, match="--key"):
        data.load_array(tmp_path / "two.npz")
    with pytest.raises(ValueError, match="no such file"):
        data.load_array(tmp_path / "missing.npy")
    (tmp_path / "x.txt").write_text("1")
    with pytest.raises(ValueError, match="unsupported"):
        data.load_array(tmp_path / "x.txt")
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))
    with pytest.raises(ValueError, match="numeric"):
        data.load_array(tmp_path / "s.npy")


def test_digits_builtin():
    raw, lab = data.load_builtin("digits")
    assert raw.shape == (1797, 8, 8) and lab.shape == (1797,)
    assert raw.max() == 16 and set(np.unique(lab)) == set(range(10))
    ds = data.load("digits", builtin=True, classes=[0, 1])
    assert ds.n == int(np.sum((lab == 0) | (lab == 1))) and ds.d == 64


def _write_idx(path, arr):
    arr = np.asarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 8, arr.ndim]) + b"".join(struct.pack(">I", s) for s in arr.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + arr.tobytes())


def test_fashion_reader_and_missing(tmp_path, monkeypatch, rng):
    imgs = rng.integers(0, 256, size=(12, 28, 28))
    labs = np.arange(12) % 10
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", imgs)
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", labs)
    monkeypatch.setenv("REGIMES_FASHION_MNIST_DIR", str(tmp_path))
    raw, lab = data.load_builtin("fashion-mnist")
    np.testing.assert_array_equal(raw, imgs)
    np.testing.assert_array_equal(lab, labs)
    monkeypatch.setenv("REGIMES_FASHION_MNIST_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="apt-get install -y dataset-fashion-mnist"):
        data.load_builtin("fashion-mnist")
    with pytest.raises(ValueError, match="unknown dataset"):
        data.load_builtin("cifar")


def test_fashion_installed_or_clear_message():
    """With the Debian package: the real test split; without it: the install hint."""
    if (data.fashion_mnist_dir() / "t10k-images-idx3-ubyte.gz").is_file():
        raw, lab = data.load_builtin("fashion-mnist", "test")
        assert raw.shape == (10000, 28, 28) and np.bincount(lab).tolist() == [1000] * 10
        assert raw.max() == 255
    else:
        with pytest.raises(ValueError, match="apt-get install"):
            data.load_builtin("fashion-mnist", "test")
