"""Figure modules (discovered by numerics.figures)."""
