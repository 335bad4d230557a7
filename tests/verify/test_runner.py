"""The verification suite runner: acceptance rule, JSON contract, and that checks can fail."""

import json
import math

import pytest

from numerics.verify import runner as verify
from numerics.verify import Measurement, all_checks
from numerics.cli import main


def test_threshold_grows_with_number_of_checks():
    assert verify.z_threshold(1) == pytest.approx(3.29, abs=0.01)
    assert verify.z_threshold(30) > verify.z_threshold(10) > verify.z_threshold(1)


def test_at_least_ten_quick_checks_registered():
    checks = verify.select_checks("quick")
    assert len({c.name for c in checks}) >= 3
    assert all(c.quick for c in checks)
    assert len(verify.select_checks("full")) >= len(checks)


def test_gaussian_checks_pass_and_json_contract(tmp_path, capsys):
    out = tmp_path / "v.json"
    rc = main(["verify", "--quick", "--only", "gauss.*", "--json", str(out), "--seed", "3"])
    assert rc == 0
    o = json.loads(out.read_text())
    assert o["checks"] and o["passed"]
    for row in o["checks"]:
        assert {"name", "theory", "value", "stderr", "z", "passed", "params", "seconds"} <= set(row)


def test_perturbed_theory_is_reported_as_failure(monkeypatch, capsys):
    """Perturb the exact KL law by 5 %: the suite must report the failure and exit non-zero."""
    from numerics.models.gauss import model as gaussian

    real = gaussian.expected_kl
    monkeypatch.setattr(gaussian, "expected_kl", lambda n, d: 1.05 * real(n, d))
    rc = main(["verify", "--quick", "--only", "gauss.kl_law"])
    text = capsys.readouterr().out
    assert rc == 1 and "FAIL" in text


def test_perturbed_score_is_reported_as_failure(monkeypatch, capsys):
    """A wrong score (5 % too weak) makes generation fail its check."""
    from numerics.models.gauss import model as gaussian

    real = gaussian.GaussianModel.score
    monkeypatch.setattr(gaussian.GaussianModel, "score", lambda self, x, t: 0.95 * real(self, x, t))
    rc = main(["verify", "--quick", "--only", "gauss.generation"])
    assert rc == 1 and "FAIL" in capsys.readouterr().out


def test_crashing_check_is_a_failed_row():
    from numerics.verify import Check

    def boom(rng, full):
        raise RuntimeError("boom")

    rep = verify.run_checks([Check("x.boom", boom, True, "")])
    assert not rep.passed and rep.rows[0].error.startswith("RuntimeError")


def test_z_uses_bias_allowance_and_stderr():
    assert verify._z(Measurement(1.0, 1.3, 0.1)) == pytest.approx(3.0)
    assert verify._z(Measurement(1.0, 1.3, 0.1, bias_allowance=0.1)) == pytest.approx(2.0)
    assert verify._z(Measurement(1.0, 1.0, 0.0)) == 0.0
    assert math.isinf(verify._z(Measurement(1.0, 1.1, 0.0)))


def test_seed_reproduces(capsys):
    c = [x for x in all_checks() if x.name == "gauss.kl_law"]
    a = verify.run_checks(c, seed=5).rows
    b = verify.run_checks(c, seed=5).rows
    assert [r.value for r in a] == [r.value for r in b]


def test_bad_arguments(capsys):
    assert main(["verify", "--only", "no-such-check-xyz"]) == 2
    assert main(["verify", "--seed", "-1"]) == 2
