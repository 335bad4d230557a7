"""Adding a model = one theory file + one numeric folder + one test file: nothing else is edited.

This test writes a toy model (two point masses ±a m̂, i.e. a two-class mixture with σ = 0) as exactly
those pieces — ``toy.py`` for ``theory/`` and a folder ``toy/`` for ``numerics/models/`` — into a
temporary directory, extends the package paths there (as if the files were in the tree), generates
its code with the codegen, and then uses it through every model-free entry point: the registry
listing, ``regimes simulate clone --model toy``, and ``regimes verify`` including a mutation that must
fail. It runs in a subprocess so the registry of this test session is untouched.
"""

import json
import subprocess
import sys
import textwrap

import pytest

THEORY_FILE = '''
"""Toy model: P_0 = ½ δ(a m̂) + ½ δ(-a m̂) (a two-class mixture with σ = 0)."""
import sympy as sp

from theory.registry import Model, step
from theory.special import ou_delta
from theory.symbols import core, positive

MODEL = Model("toy", description="two point masses ±a m̂", symbols=dict(
    t=core("t", test=[1e-3, 0.37, 3.0, 20.0]), a=positive("a", test=[0.5, 1.0, 3.0, 10.0], doc="|m|")))
result = MODEL.result
t, a = MODEL.symbols("t a")


@result("toy.kappa", args=("t", "a"), symbol=r"\\kappa(t)", kind="derived",
        description="signal-to-noise ratio e^{-2t} a²/Δ_t of the two noisy classes")
def kappa():
    """Centre e^{-t} a, within-class variance Δ_t: κ = centre²/variance."""
    return step("centre² / variance", sp.exp(-2 * t) * a**2 / ou_delta(t))
'''

MODEL_FILES = {
    "__init__.py": '"""Toy model package."""\n',
    "model.py": '''
"""Toy model: two point masses ±a m̂, m̂ = e_1."""
import math

import numpy as np

from numerics import universal
from numerics.results import theory


class Toy:
    """The engine protocol for P_0 = ½ δ(a e_1) + ½ δ(-a e_1) in d dimensions."""

    name = "toy"
    defaults = {"t_min": 1e-2}

    def __init__(self, d: int, a: float) -> None:
        self.d, self.a = int(d), float(a)

    @property
    def dim(self) -> int:
        return self.d

    def params(self) -> dict:
        return {"model": self.name, "d": self.d, "a": self.a}

    def score(self, x, t):
        c, delta = math.exp(-t) * self.a, -math.expm1(-2 * t)
        s = -x / delta
        s[:, 0] += c * np.tanh(c * x[:, 0] / delta) / delta
        return s

    def sample_t(self, size, t, rng):
        x = math.sqrt(-math.expm1(-2 * t)) * rng.standard_normal((size, self.d))
        x[:, 0] += np.where(rng.random(size) < 0.5, 1.0, -1.0) * math.exp(-t) * self.a
        return x

    def labels(self, y, t, rng=None):
        return {"class": np.sign(y[:, 0])}

    def phi_theory(self, t):
        return {"class": universal.phi(theory("toy.kappa")(np.asarray(t, float), self.a), 0.5)}
''',
    "cli.py": '''
"""Toy model options for regimes simulate."""
from numerics.cli import args as A

BUILD = "numerics.models.toy.commands:model_from_args"


def add_model_arguments(p, *, required=False):
    A.add_once(p, "--d", type=A.positive_int, required=required, help="dimension d")
    A.add_once(p, "--toy-a", type=A.positive, default=None, help="toy: |m| = a")
''',
    "commands.py": '''
"""The toy model from regimes simulate options."""
from numerics.models.toy.model import Toy


def model_from_args(ns):
    return Toy(ns.d, ns.toy_a)
''',
    "checks.py": '''
"""The toy model's check."""
import numpy as np

from numerics.engine.cloning import clone_phi
from numerics.models.toy.model import Toy
from numerics.verify import Measurement, check, seed_from


@check("toy.phi", tests=("toy.kappa",), description="cloned φ(t) vs the universal φ(κ(t))")
def phi(rng, full):
    m = Toy(8, 3.0)
    res = clone_phi(m, [0.8, 1.1, 1.4], 4000, seed_from(rng), steps=200)
    return [Measurement(float(th), float(v), float(se), label=f"t={t:g}")
            for t, v, se, th in zip(res.t, res.phi, res.stderr, res.phi_theory)]
''',
}

DRIVER = '''
import json, sys, pathlib
root = pathlib.Path(sys.argv[1])
import theory, numerics.models, numerics.generated
theory.__path__.append(str(root / "theory"))
numerics.models.__path__.append(str(root / "models"))
numerics.generated.__path__.append(str(root / "generated"))
from theory import codegen
(root / "generated" / "toy.py").write_text(codegen.module_source("toy"))
from numerics.cli import main
out = {}
from theory import registry
out["listed"] = "toy.kappa" in registry.names()
out["clone"] = main(["simulate", "clone", "--model", "toy", "--d", "8", "--toy-a", "3", "--samples", "300",
                     "--t-branch", "1.0", "--steps", "100", "--json"])
out["verify"] = main(["verify", "--only", "toy.*"])
out["verify_mutated"] = main(["verify", "--only", "toy.*", "--mutate", "toy.kappa=1.5"])
print("RESULT" + json.dumps(out))
'''


@pytest.mark.sympy
def test_a_toy_model_is_one_theory_file_one_folder(tmp_path):
    (tmp_path / "theory").mkdir()
    (tmp_path / "theory" / "toy.py").write_text(textwrap.dedent(THEORY_FILE))
    folder = tmp_path / "models" / "toy"
    folder.mkdir(parents=True)
    for name, text in MODEL_FILES.items():
        (folder / name).write_text(textwrap.dedent(text))
    (tmp_path / "generated").mkdir()
    r = subprocess.run([sys.executable, "-c", DRIVER, str(tmp_path)], capture_output=True, text=True, timeout=600)
    line = [x for x in r.stdout.splitlines() if x.startswith("RESULT")]
    assert line, r.stdout[-2000:] + r.stderr[-2000:]
    out = json.loads(line[0][len("RESULT"):])
    assert out == {"listed": True, "clone": 0, "verify": 0, "verify_mutated": 1}, (out, r.stderr[-2000:])
