import os

import numpy as np
import pytest

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".venv", "numba-cache"))


@pytest.fixture
def rng():
    return np.random.default_rng(20240229)
