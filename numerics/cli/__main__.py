"""``python -m numerics.cli`` = ``regimes``."""

from numerics.cli import main

raise SystemExit(main())
