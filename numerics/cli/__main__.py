"""``python -m numerics.cli`` = ``regimes``."""

from numerics.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
