"""Pieces of ``regimes bench``: each module here defines ``run(quick: bool) -> dict`` whose
keys are merged (prefixed by nothing; choose distinct names) into the benchmark report."""
