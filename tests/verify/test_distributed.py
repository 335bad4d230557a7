"""``regimes verify --scheduler``: checks as Dask tasks give the in-process report (same rows, order,
threshold, numbers)."""

import json

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_verify_on_local_cluster_matches_in_process(cli, tmp_path, dask_scheduler):
    argv = ["verify", "--quick", "--only", "gauss.[km]*", "--seed", "3"]  # kl_law + marchenko_pastur: 8 rows, ~1 s
    rc1, _, err1 = cli(*argv, "--json", tmp_path / "local.json")
    rc2, _, err2 = cli(*argv, "--json", tmp_path / "dask.json", "--scheduler", dask_scheduler)
    assert rc1 == rc2, (err1, err2)
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("local.json", "dask.json"))
    assert [r["name"] for r in a["checks"]] == [r["name"] for r in b["checks"]] and len(a["checks"]) >= 3
    assert a["threshold"] == b["threshold"] and a["passed"] == b["passed"]
    for ra, rb in zip(a["checks"], b["checks"]):
        for key in ("theory", "value", "stderr", "z"):
            assert rb[key] == pytest.approx(ra[key], rel=1e-10, abs=1e-300), (ra["name"], key)
        assert ra["passed"] == rb["passed"] and ra["params"] == rb["params"]


def test_distributed_unknown_check_and_bad_scheduler(cli, monkeypatch):
    from numerics.verify.distributed import run_named_check

    ms, _, err, _ = run_named_check("no.such.check", "quick", 0, None)
    assert ms == [None] and "not registered" in err
    monkeypatch.setenv("REGIMES_SCHEDULER_TIMEOUT", "2")  # nothing listens on port 9: give up after 2 s, not 30
    rc, out, err = cli("verify", "--quick", "--only", "gauss.kl_law", "--scheduler", "tcp://127.0.0.1:9")
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "scheduler" in err


@pytest.mark.parametrize("text", ["0", "-1", "nan", "soon"])
def test_scheduler_timeout_must_be_a_positive_number(cli, monkeypatch, text):
    monkeypatch.setenv("REGIMES_SCHEDULER_TIMEOUT", text)
    rc, out, err = cli("verify", "--quick", "--only", "gauss.kl_law", "--scheduler", "tcp://127.0.0.1:9")
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "REGIMES_SCHEDULER_TIMEOUT" in err
