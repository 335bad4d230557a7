"""CLI contract of the foundation: ``regimes gm``, ``regimes results``, ``regimes latex``."""

import json
import re
import shutil
import subprocess
import sys

import pytest

from numerics.cli import main


def run(args, capsys):
    rc = main(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_gm_json_contract(capsys):
    rc, out, _ = run(["gm", "--d", "1024", "--mu", "1", "--sigma", "1", "--n", "20000", "--t", "1", "3.466", "5", "--json"], capsys)
    assert rc == 0
    o = json.loads(out)
    for k in ["Lambda", "t_S", "t_C", "alpha", "t", "kappa", "phi"]:
        assert k in o
    assert o["Lambda"] == pytest.approx(1025.0)
    assert o["t_S"] == pytest.approx(0.5 * __import__("math").log(1025.0))
    assert len(o["t"]) == len(o["kappa"]) == len(o["phi"]) == 3
    assert o["alpha"] == pytest.approx(__import__("math").log(20000) / 1024)


def test_gm_without_n_has_no_collapse_keys(capsys):
    rc, out, _ = run(["gm", "--d", "100", "--mu", "1", "--sigma", "1", "--p-plus", "0.2", "--json"], capsys)
    o = json.loads(out)
    assert rc == 0 and "t_C" not in o and "alpha" not in o and len(o["phi"]) == 6


def test_gm_table(capsys):
    rc, out, _ = run(["gm", "--d", "100", "--mu", "1", "--sigma", "1", "--n", "1000"], capsys)
    assert rc == 0 and "t_S" in out and "t_C" in out and "phi" in out


@pytest.mark.parametrize("bad", [
    ["--d", "0", "--mu", "1", "--sigma", "1"],
    ["--d", "-5", "--mu", "1", "--sigma", "1"],
    ["--d", "10", "--mu", "1", "--sigma", "-1"],
    ["--d", "10", "--mu", "1", "--sigma", "1", "--n", "0.5"],
    ["--d", "10", "--mu", "1", "--sigma", "1", "--t", "0"],
    ["--d", "10", "--mu", "1", "--sigma", "1", "--t", "-1"],
    ["--d", "10", "--mu", "1", "--sigma", "1", "--p-plus", "1"],
    ["--d", "10", "--mu", "1", "--sigma", "1", "--p-plus", "0"],
    ["--d", "ten", "--mu", "1", "--sigma", "1"],
    ["--d", "10", "--mu", "nan", "--sigma", "1"],
    ["--mu", "1", "--sigma", "1"],
])
def test_gm_bad_input_one_line(bad, capsys):
    rc, out, err = run(["gm", *bad], capsys)
    assert rc != 0
    lines = [x for x in err.strip().splitlines() if x]
    assert len(lines) == 1 and "Traceback" not in err and "error" in lines[0]


def test_console_script_bad_input_no_traceback():
    exe = shutil.which("regimes") or str(__import__("pathlib").Path(sys.executable).parent / "regimes")
    p = subprocess.run([exe, "gm", "--d", "-1", "--mu", "1", "--sigma", "1"], capture_output=True, text=True)
    assert p.returncode != 0 and "Traceback" not in p.stderr and p.stderr.count("\n") == 1


def test_results_and_latex(capsys, tmp_path):
    rc, out, _ = run(["results", "--json"], capsys)
    names = [r["name"] for r in json.loads(out)["results"]]
    assert "gm.t_C" in names and "gm.phi" in names
    rc, out, _ = run(["latex", "gm.t_C"], capsys)
    assert rc == 0 and "\\log" not in out and "\\ln" in out and "\\label{eq:gm:t-C}" in out
    rc, out, _ = run(["latex", "gm.t_S", "--inline"], capsys)
    assert rc == 0 and out.strip() == "$t_S = \\frac{1}{2} \\ln \\Lambda$"
    rc, out, _ = run(["latex", "gm.t_S", "--align"], capsys)
    assert rc == 0 and out.startswith("\\begin{align}") and "\\label{eq:gm:t-S}" in out
    rc, _, err = run(["latex", "no.such"], capsys)
    assert rc != 0 and "unknown result" in err
    f = tmp_path / "all.tex"
    rc, _, _ = run(["latex", "--all", "-o", str(f)], capsys)
    assert rc == 0
    check_latex_document(f.read_text())
    if shutil.which("pdflatex"):
        p = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f.name],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stdout[-2000:]
        assert (tmp_path / "all.pdf").exists()


def check_latex_document(tex: str) -> None:
    """Parse-check: balanced braces/environments, a body, only ASCII, every result labelled."""
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert all(ord(c) < 128 for c in tex)
    depth = 0
    for i, c in enumerate(tex):
        if c == "{" and (i == 0 or tex[i - 1] != "\\"):
            depth += 1
        elif c == "}" and (i == 0 or tex[i - 1] != "\\"):
            depth -= 1
        assert depth >= 0
    assert depth == 0
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(env)
        else:
            assert stack and stack.pop() == env
    assert not stack
    # the standalone document defines no \label (a first pdflatex run would warn); each label is printed
    assert tex.count("label \\texttt{eq:") == tex.count("\\begin{equation}") > 10 and "\\label{" not in tex


@pytest.mark.notebooks
def test_bench_notebooks_times_each_shipped_notebook(cli, tmp_path, monkeypatch):
    """`regimes bench --notebooks --json`: per notebook the wall time from kernel start and of its cells alone."""
    pytest.importorskip("nbclient", reason="the lab extra is not installed")
    import nbformat

    import regimes

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nassert os.environ['REGIMES_NB_SIZE'] == 'small'")])
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setattr(regimes, "notebook_paths", lambda: [path])
    rc, out, err = cli("bench", "--notebooks", "--repeats", "1", "--json")
    assert rc == 0, err
    rep = json.loads(out)
    assert 0 < rep["tiny_run_all_seconds"] < rep["tiny_seconds"] < 120
