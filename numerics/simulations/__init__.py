"""Sub-commands of ``regimes simulate``: each module here defines ``register(simsub)``
(``simsub`` is the sub-parsers object of ``regimes simulate``) and is discovered automatically."""
