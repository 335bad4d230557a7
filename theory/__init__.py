"""regimes' symbolic layer: models, named results derived by SymPy, their LaTeX and generated code.

See ``docs/theory_layer.md``. Entry points: :mod:`theory.registry` (``catalog()``, ``get()``),
:mod:`theory.codegen` (``python -m theory.codegen``), :mod:`theory.latex`. Importing ``theory``
alone imports nothing else; ``theory`` never imports ``numerics``.
"""
