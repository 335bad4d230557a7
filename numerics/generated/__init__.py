"""NumPy functions generated from the theory registry by ``python -m theory.codegen`` (``make generate``).

One module per model (``gm``, ``gauss``, ``cw``, ``rem``) and the shared stable helpers
(``_helpers``); never edited by hand. Importing them loads NumPy only.
"""
