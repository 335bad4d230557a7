"""Datasets: sources, speciation/collapse times, dynamics on data, checks and figures (THEORY §5, §7)."""
