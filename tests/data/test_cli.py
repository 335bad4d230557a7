"""``regimes times``: JSON contract, plot, and one-line errors for bad data."""

import json

import numpy as np
import pytest


KEYS = {"Lambda", "Lambda_err", "t_S", "t_S_err", "alpha", "t_C", "t_C_err", "eigenvalues", "n", "d",
        "preprocessing", "seed"}


def test_times_json_on_file(cli, tmp_path, rng):
    x = np.concatenate([rng.normal(-2, 1, (150, 30)), rng.normal(2, 1, (150, 30))])
    np.save(tmp_path / "x.npy", x)
    rc, out, err = cli(*["times", str(tmp_path / "x.npy"), "--json", "--n-mc", "200", "--n-boot", "50",
                                 "--plot", str(tmp_path / "p.png")])
    assert rc == 0, err
    o = json.loads(out)
    assert KEYS <= set(o)
    assert o["n"] == 300 and o["d"] == 30 and o["seed"] == 0
    assert o["preprocessing"]["scale"] == "none" and o["preprocessing"]["unit_scale"] == 1.0
    assert abs(o["t_S"] - 0.5 * np.log(o["Lambda"])) < 1e-12
    assert o["eigenvalues"][0] == o["Lambda"] and len(o["eigenvalues"]) == 10
    assert 0 < o["t_C"] < o["t_S"] and o["t_C_err"] > 0 and o["Lambda_err"] > 0
    assert (tmp_path / "p.png").stat().st_size > 1000
    assert o["units"]["t_S"]["edm_sigma"] > 0


def test_times_builtin_classes_and_subset(cli):
    rc, out, err = cli(*["times", "--dataset", "digits", "--classes", "3", "8", "--max-n", "200", "--seed", "4",
                                 "--json", "--n-mc", "200", "--n-boot", "50"])
    assert rc == 0, err
    o = json.loads(out)
    assert o["n"] == 200 and o["d"] == 64 and o["seed"] == 4
    assert o["preprocessing"]["classes"] == [3, 8] and o["source"] == "digits"


def _bad_files(tmp_path):
    np.save(tmp_path / "nan.npy", np.array([[1.0, np.nan], [0.0, 1.0]]))
    np.save(tmp_path / "one.npy", np.ones((1, 4)))
    np.save(tmp_path / "const.npy", np.ones((5, 4)))
    np.save(tmp_path / "obj.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
    np.save(tmp_path / "flat.npy", np.arange(6.0))
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "bad.csv").write_text("1,2,3\n4,5\n")
    return ["nan.npy", "one.npy", "const.npy", "obj.npy", "flat.npy", "junk.npz", "bad.csv", "missing.npy"]


def test_bad_data_one_line_nonzero(cli, tmp_path):
    for name in _bad_files(tmp_path):
        rc, out, err = cli(*["times", str(tmp_path / name), "--json"])
        assert rc != 0, name
        assert out == "", name
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in err, (name, err)


@pytest.mark.parametrize("argv", [["times"], ["times", "x.npy", "--dataset", "digits"],
                                  ["times", "--dataset", "digits", "--max-n", "0"],
                                  ["times", "--dataset", "digits", "--seed", "-1"]])
def test_bad_arguments(cli, argv):
    rc, out, err = cli(*argv)
    assert rc == 2 and len(err.strip().splitlines()) == 1
