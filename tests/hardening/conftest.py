"""The hardening suite (issue #15): its helper modules (``hostile_corpus``, ``hostile_judge``) are imported
from this folder, and every test runs under a fixed 4 GB memory budget, so that the refusals it asserts do
not depend on the machine's RAM."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def fixed_memory_budget(monkeypatch):
    monkeypatch.setenv("REGIMES_MEMORY_BUDGET", "4G")
