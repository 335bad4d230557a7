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


def test_mutated_theory_is_reported_as_failure(capsys):
    """Mutate the exact KL law by 5 % (both signs): the suite must report the failure and exit 1."""
    for factor in ("1.05", "0.95"):
        rc = main(["verify", "--quick", "--only", "gauss.kl_law", "--mutate", f"gauss.kl_expected={factor}"])
        text = capsys.readouterr().out
        assert rc == 1 and "FAIL" in text
    assert main(["verify", "--quick", "--only", "gauss.kl_law"]) == 0


def test_mutation_reaches_theory_never_simulation(capsys, tmp_path):
    """The simulated values are bit-identical under a mutation; only the theory moves, by the factor."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    main(["verify", "--only", "gauss.kl_law", "--json", str(a)])
    main(["verify", "--only", "gauss.kl_law", "--json", str(b), "--mutate", "gauss.kl_expected=1.03"])
    ra, rb = json.loads(a.read_text())["checks"], json.loads(b.read_text())["checks"]
    assert [r["value"] for r in ra] == [r["value"] for r in rb]
    exact = [r for r in ra if r["name"].startswith("gauss.kl_law[n=")]
    exact_b = [r for r in rb if r["name"].startswith("gauss.kl_law[n=")]
    assert all(y["theory"] == pytest.approx(1.03 * x["theory"], rel=1e-12) for x, y in zip(exact, exact_b))
    assert json.loads(b.read_text())["mutations"] == {"gauss.kl_expected": 1.03}
    assert all("gauss.kl_expected" in r["used"] for r in exact)


def test_bad_mutation_is_one_line(capsys):
    for bad in ("gm.t_S", "gm.t_S=abc", "gm.t_S=-1", "nodot=1.1"):
        assert main(["verify", "--only", "gauss.kl_law", "--mutate", bad]) == 2
        err = capsys.readouterr().err
        assert "mutate" in err and len(err.strip().splitlines()) == 1


_SLOW = pytest.mark.slow  # the gm.t_S check runs ~45 s: its three mutations run in `make test-all`


@pytest.mark.parametrize("check,mutation", [
    pytest.param("gm.t_S", "gm.t_S=1.03", marks=_SLOW), pytest.param("gm.t_S", "gm.t_S=0.97", marks=_SLOW),
    ("gm.t_C", "gm.t_C=1.05"), ("gm.t_C", "gm.t_C=0.95"),
    ("gm.phi.fast_path", "gm.phi=1.02"), pytest.param("gm.t_S", "gm.phi=1.02", marks=_SLOW),
    ("gm.entropy_gap", "gm.entropy_gap=1.05"),
    ("gauss.kl_law", "gauss.kl_expected=1.05"), ("gauss.marchenko_pastur", "gauss.mp_density=0.95"),
    ("cw.generate", "cw.p_plus=1.03"), ("cw.t_S", "cw.t_S=1.05"), ("cw.t_S", "cw.p_plus=0.97"),
    ("rem.free_entropy", "rem.alpha_c=1.05"),
])
def test_headline_mutations_fail(capsys, check, mutation):
    """Each headline result wrong by a few percent fails the check that names it (the issue's list)."""
    assert main(["verify", "--quick", "--only", check, "--mutate", mutation]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_every_check_names_registered_results():
    from theory import registry

    names = set(registry.names())
    for c in verify.select_checks("full"):
        assert c.tests and set(c.tests) <= names, (c.name, c.tests)


def test_detection_limit_of_a_linear_check():
    """A check measuring 1 ± 0.01 against theory 1: under the threshold z*, the limit is z*·0.01 (linear),
    confirmed by a re-run, both signs."""
    from numerics.results import theory_value
    from numerics.verify import Check
    from numerics.verify.power import detection_limits

    def fn(rng, full):
        return Measurement(theory_value("gm.kappa", 1.0), 1.0, 0.01)

    lim = detection_limits(Check("x.lin", fn, True, "", ("gm.kappa",)), "gm.kappa", z_crit=4.0)
    assert lim.plus == pytest.approx(0.04, rel=1e-6) and lim.minus == pytest.approx(0.04, rel=1e-6)
    assert lim.method == "linear (confirmed)"


def test_detection_limit_found_by_rerun_when_nonlinear():
    """Theory quadratic in the factor: the linear estimate is not confirmed, re-runs find the limit."""
    from numerics.results import factor
    from numerics.verify import Check
    from numerics.verify.power import detection_limits

    def fn(rng, full):
        f = factor("gm.kappa")
        return Measurement(1.0 + 10 * (f - 1.0) ** 2, 1.0, 0.01)

    lim = detection_limits(Check("x.quad", fn, True, "", ("gm.kappa",)), "gm.kappa", z_crit=4.0)
    assert lim.limit == pytest.approx(math.sqrt(0.004), rel=0.1) and "re-run" in lim.method


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

    rep = verify.run_checks([Check("x.boom", boom, True, "", ("gm.t_S",))])
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


def test_coverage_leaves_no_result_untested():
    """Every registered result is tested by a check or declared in a model's UNCHECKED with a reason; no
    declaration is stale (names a result that does not exist or that a check tests)."""
    from theory import registry
    from numerics.verify.power import coverage

    cov = coverage(verify.select_checks("full"), list(registry.names()))
    assert cov["untested"] == [] and cov["unknown"] == {}, (cov["untested"], cov["unknown"])
    assert cov["stale_unchecked"] == [], cov["stale_unchecked"]
    assert all(reason.strip() for reason in cov["unchecked"].values())


def test_power_at_the_whole_suite_threshold(capsys):
    """``--power --power-rows K`` measures the limits at the Bonferroni threshold of K judged rows (the whole
    suite's), not at the smaller threshold of the rows selected: the limit scales with the threshold."""
    import json

    from numerics.verify.runner import z_threshold

    assert main(["verify", "--quick", "--only", "gm.excess_entropy", "--power", "--json", "-"]) == 0
    own = json.loads(capsys.readouterr().out)
    assert main(["verify", "--quick", "--only", "gm.excess_entropy", "--power", "--power-rows", "165", "--json", "-"]) == 0
    suite = json.loads(capsys.readouterr().out)
    assert suite["threshold"] == pytest.approx(z_threshold(165)) and own["threshold"] < suite["threshold"]
    a, b = own["limits"][0], suite["limits"][0]
    assert b["plus"] > a["plus"] and b["minus"] > a["minus"]
    assert main(["verify", "--quick", "--only", "gm.excess_entropy", "--power", "--power-rows", "0"]) == 2
