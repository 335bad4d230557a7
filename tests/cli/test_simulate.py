"""CLI contract of ``regimes simulate clone|collapse|entropy`` (JSON keys, errors)."""

import json

import pytest



def test_clone_fast_path_json(cli):
    rc, out, _ = cli("simulate", "clone", "--model", "gm", "--d", "250", "--mu", "1", "--sigma", "1",
                      "--samples", "4000", "--t-branch", "2.0", "2.76", "3.5", "--seed", "3", "--fast-path", "--json")
    assert rc == 0
    o = json.loads(out)
    for key in ("t", "phi", "stderr", "seconds", "phi_theory", "z", "params", "seed", "versions"):
        assert key in o
    assert len(o["t"]) == len(o["phi"]) == len(o["stderr"]) == 3
    assert all(abs(z) < 4 for z in o["z"])
    assert o["seed"] == 3 and o["params"]["d"] == 250


def test_clone_empirical_json(cli):
    rc, out, _ = cli("simulate", "clone", "--d", "16", "--mu", "1", "--sigma", "1", "--samples", "50",
                      "--t-branch", "0.3", "1.5", "--score", "empirical", "--n", "100", "--steps", "20", "--json")
    assert rc == 0
    o = json.loads(out)
    assert len(o["phi_C"]) == 2 and o["params"]["n"] == 100


def test_collapse_and_entropy_json(cli):
    rc, out, _ = cli("simulate", "collapse", "--d", "16", "--mu", "1", "--sigma", "1", "--samples", "40",
                      "--n", "50", "--steps", "20", "--json")
    assert rc == 0
    o = json.loads(out)
    for key in ("t", "phi_C", "stderr_C", "phi", "stderr", "grid", "on_final", "ratio", "collapse_time_mean",
                "t_C_theory", "t_S_theory", "seconds"):
        assert key in o
    rc, out, _ = cli("simulate", "entropy", "--d", "16", "--mu", "1", "--sigma", "1", "--samples", "50",
                      "--n", "60", "--t", "0.2", "0.5", "1", "2", "--json")
    assert rc == 0
    o = json.loads(out)
    for key in ("t", "f", "stderr", "alpha", "t_C", "t_C_stderr", "f_theory", "t_C_theory", "seconds"):
        assert key in o
    assert len(o["f"]) == 4


@pytest.mark.parametrize("argv, msg", [
    (["simulate", "clone", "--d", "10", "--mu", "1", "--sigma", "1", "--samples", "0", "--t-branch", "1"], "samples"),
    (["simulate", "clone", "--d", "10", "--mu", "1", "--sigma", "1", "--samples", "5", "--t-branch"], "t-branch"),
    (["simulate", "clone", "--d", "10", "--mu", "1", "--sigma", "1", "--samples", "5", "--t-branch", "-1"], "t-branch"),
    (["simulate", "clone", "--d", "10", "--mu", "1", "--sigma", "1", "--samples", "5", "--t-branch", "1",
      "--score", "empirical"], "--n"),
    (["simulate", "clone", "--d", "10.5", "--mu", "1", "--sigma", "1", "--samples", "5", "--t-branch", "1"], "d"),
    (["simulate", "clone", "--d", "10", "--mu", "1", "--sigma", "1", "--samples", "5", "--t-branch", "1",
      "--seed", "-2"], "seed"),
    (["simulate", "collapse", "--d", "10", "--mu", "1", "--sigma", "1", "--samples", "5", "--n", "0"], "n"),
    (["simulate", "entropy", "--d", "10", "--mu", "1", "--sigma", "1", "--samples", "5", "--n", "1"], "n"),
    (["simulate", "clone", "--d", "10", "--mu", "1", "--sigma", "1", "--samples", "5", "--t-branch", "1",
      "--dtype", "float16"], "dtype"),
])
def test_bad_input_one_line_error(cli, argv, msg):
    rc, out, err = cli(*argv)
    assert rc != 0
    assert msg in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
