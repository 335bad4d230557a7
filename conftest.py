"""Repository-level pytest configuration: doctests run over theory/ and numerics/ (pyproject's
``testpaths``); ``python -m numerics.cli``'s entry module is not imported by the collector."""

collect_ignore_glob = ["numerics/cli/__main__.py", "numerics/generated/*.py"]
