"""Output files (numerics.io: checked first, atomic, never through a planted symlink) and the memory budget
(numerics.engine.memory: sizes, overrides, one-line refusals)."""

import os
import stat

import pytest

from numerics import io
from numerics.engine import memory


def test_atomic_write_replaces_a_planted_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.txt"
    link.symlink_to(victim)
    io.write_text_atomic(link, "new")
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_atomic_write_failure_leaves_old_file(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("old")
    with pytest.raises(RuntimeError):
        with io.open_atomic(f, "w") as fh:
            fh.write("partial")
            raise RuntimeError("boom")
    assert f.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_atomic_write_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        p = io.write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    finally:
        os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == 0o644 and p.read_bytes() == b"\x00\x01"


@pytest.mark.parametrize("path, why", [
    ("", "empty"), ("   ", "empty"), ("{tmp}", "directory"), ("{tmp}/missing/x.tex", "does not exist"),
])
def test_check_output_file(tmp_path, path, why):
    with pytest.raises(ValueError, match=why) as e:
        io.check_output_file(path.replace("{tmp}", str(tmp_path)), "output")
    assert str(e.value).startswith("output:")
    assert io.check_output_file(tmp_path / "ok.tex") == tmp_path / "ok.tex"
    with pytest.raises(ValueError, match=r"\.png"):
        io.check_output_file(tmp_path / "f.txt", "figure", suffixes=(".png",))


def test_check_output_dir(tmp_path):
    assert io.check_output_dir(tmp_path / "new") == tmp_path / "new"  # created later by the caller
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        io.check_output_dir(tmp_path / "file")
    with pytest.raises(ValueError, match="does not exist"):
        io.check_output_dir(tmp_path / "a" / "b")


@pytest.mark.parametrize("text, value", [("8G", 8 * 10**9), ("512M", 512 * 10**6), ("16GiB", 16 * 2**30),
                                         ("2.5e9", 2_500_000_000), ("100k", 100_000), ("1", 1), (" 3 MiB ", 3 * 2**20)])
def test_parse_size(text, value):
    assert memory.parse_size(text) == value


@pytest.mark.parametrize("text", ["", "0", "0.5", "-1G", "1X", "G", "nan", "inf", "1e999"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError, match="memory-budget"):
        memory.parse_size(text)


def test_budget_sources(monkeypatch):
    monkeypatch.setenv(memory.ENV, "3G")
    assert memory.budget() <= 3 * 10**9
    with memory.budget_override("1M"):
        assert memory.budget() == 10**6
        with pytest.raises(memory.MemoryBudgetError) as e:
            memory.require(2e6, "the widgets", samples=10, d=3)
        msg = str(e.value)
        assert "\n" not in msg and msg.startswith("samples=10, d=3: the widgets") and "--memory-budget" in msg
        memory.require(5e5, "the widgets", samples=1)  # under the budget: no exception
    monkeypatch.setenv(memory.ENV, "nonsense")
    with pytest.raises(ValueError, match=memory.ENV):
        memory.budget()


def test_refusal_names_the_parameter_before_allocating():
    """clone_phi with 1e12 samples: refused by the estimate (the allocation would be 7 TiB)."""
    from numerics.engine.cloning import clone_phi
    from numerics.models.gm import GaussianMixture

    with memory.budget_override("1G"), pytest.raises(memory.MemoryBudgetError, match="samples=1000000000000"):
        clone_phi(GaussianMixture(16, 1.0, 1.0), [1.0], 10**12, 0)
