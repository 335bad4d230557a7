"""Model package; see model.py."""
