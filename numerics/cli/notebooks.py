"""Command-line declaration of ``regimes notebooks DIR`` (the code that runs: :func:`regimes.copy_notebooks`)."""

from __future__ import annotations

from numerics.cli import args as A


def register(sub) -> None:
    """Declare ``regimes notebooks``."""
    p = sub.add_parser("notebooks", help="copy the shipped notebooks into DIR (then: jupyter lab DIR)",
                       description="Copy the notebooks shipped with the package into DIR (created), for users who "
                                   "installed with pip: `pip install 'regimes[lab]'; regimes notebooks nb; "
                                   "jupyter lab nb`. Notebooks already in DIR are kept unless --overwrite.")
    p.add_argument("dir", metavar="DIR", type=A.output_dir,
                   help="target folder (created when missing; its parent must exist and be writable)")
    p.add_argument("--overwrite", action="store_true", help="replace notebooks already in DIR")
    p.set_defaults(func="numerics.cli.shipped:run_notebooks")
