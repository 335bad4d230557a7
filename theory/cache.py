"""On-disk cache of derivations (the idea of ampform's cache), safe JSON only.

A derivation's entry holds its display expression, its recorded steps and the names of the
registered results it used, serialised by :mod:`theory.serialize`. The entry's key hashes

- the source of the derivation function,
- the full sources of the theory module that defines it and of every ``theory`` module that
  module imports, transitively (imports anywhere in the file, also inside functions),
- the SymPy version and the serialisation format,

so editing a derivation, a helper it calls, or anything it imports from ``theory`` invalidates
the entry automatically; a stale entry is simply never looked up again.

Location: ``$REGIMES_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("regimes")``, in a
``derivations`` folder. ``REGIMES_NO_CACHE=1`` bypasses the cache (no reads, no writes).
Files are written atomically (temporary file + rename) and at most :data:`KEEP` entries per
result are kept (several checkouts may share one cache).

Examples
--------
>>> import os, tempfile
>>> saved = {k: os.environ.pop(k, None) for k in ("REGIMES_CACHE_DIR", "REGIMES_NO_CACHE")}
>>> os.environ["REGIMES_CACHE_DIR"] = tempfile.mkdtemp()
>>> cache_dir().name
'derivations'
>>> store("demo.x", "k" * 64, {"value": 1})
>>> load("demo.x", "k" * 64)
{'value': 1}
>>> load("demo.x", "j" * 64) is None
True
>>> os.environ.update({k: v for k, v in saved.items() if v is not None})
>>> _ = [os.environ.pop(k) for k, v in saved.items() if v is None and k in os.environ]
"""

from __future__ import annotations

import dis
import functools
import hashlib
import inspect
import json
import os
import sys
import tempfile
from pathlib import Path
from types import CodeType, ModuleType
from typing import Callable

__all__ = ["enabled", "cache_dir", "derivation_key", "module_closure", "load", "store", "KEEP"]

#: entries kept per result name (the newest)
KEEP = 4
_PACKAGE = "theory"


def enabled() -> bool:
    """False when ``REGIMES_NO_CACHE`` is set to a true value (``1``, ``yes``, ``true``)."""
    return os.environ.get("REGIMES_NO_CACHE", "").strip().lower() not in ("1", "yes", "true", "on")


def cache_dir() -> Path:
    """``$REGIMES_CACHE_DIR/derivations`` or the user cache directory's ``regimes/derivations``."""
    root = os.environ.get("REGIMES_CACHE_DIR")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("regimes")
    return Path(root) / "derivations"


def _imports(code: CodeType):
    """``(level, module, fromlist)`` of every import statement compiled into ``code`` and its nested
    code objects (function bodies, classes, comprehensions)."""
    consts: list = []
    for ins in dis.get_instructions(code):
        if ins.opname == "IMPORT_NAME" and len(consts) >= 2:
            yield consts[-2], ins.argval, consts[-1]
        # the level and from-list are pushed as constants (LOAD_SMALL_INT for the level from CPython 3.14)
        consts = [*consts[-1:], ins.argval] if ins.opname in ("LOAD_CONST", "LOAD_SMALL_INT") else []
    for c in code.co_consts:
        if isinstance(c, CodeType):
            yield from _imports(c)


@functools.lru_cache(maxsize=256)
def _imported_theory_modules(source: str) -> frozenset[str]:
    """Names of the ``theory.*`` modules imported anywhere in ``source``.

    Read from the compiled bytecode (``IMPORT_NAME`` with its level and from-list), not from
    ``ast.parse``: CPython 3.11.7 (the CI's) keeps the AST constructor's recursion counter per
    interpreter, so an ``ast.parse`` here racing one in another thread (a traceback being formatted
    there computes its carets with ``ast.parse``) fails with ``SystemError: AST constructor
    recursion depth mismatch`` (CPython gh-106905, fixed in later releases). Compiling to a code
    object builds no Python AST. ``tests/theory/test_cache.py`` checks the reading against the syntax
    tree on every theory module.
    """
    out: set[str] = set()
    for level, module, fromlist in _imports(compile(source, "<theory module>", "exec", dont_inherit=True)):
        if level != 0 or not module or module.split(".")[0] != _PACKAGE:
            continue
        if module == _PACKAGE:
            out.update(f"{_PACKAGE}.{a}" for a in (fromlist or ()) if a != "*")
        else:
            out.add(module)
    return frozenset(m for m in out if m != _PACKAGE)


def _module_source(name: str) -> str | None:
    mod = sys.modules.get(name)
    path = getattr(mod, "__file__", None) if mod is not None else None
    if path is None:
        import importlib.util

        spec = importlib.util.find_spec(name)
        path = spec.origin if spec is not None else None
    if not path or not path.endswith(".py"):
        return None
    return Path(path).read_text(encoding="utf-8")


def module_closure(name: str) -> tuple[tuple[str, str], ...] | None:
    """``((module, source), ...)`` of ``name`` and every ``theory`` module it imports,
    transitively, sorted by name; ``None`` when a source cannot be read (then no caching).

    Sources are read from disk on every call (an edited module changes the key even in a
    long-lived process); their import lists are memoised by content."""
    seen: dict[str, str] = {}
    todo = [name]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        src = _module_source(m)
        if src is None:
            return None
        seen[m] = src
        todo.extend(_imported_theory_modules(src) - set(seen))
    return tuple(sorted(seen.items()))


def derivation_key(fn: Callable, extra: str = "") -> str | None:
    """The cache key of derivation ``fn``.

    Parameters
    ----------
    fn : callable
        The derivation function (a registered result's ``derive``).
    extra : str
        More text to hash (the registry passes the result's name and kind).

    Returns
    -------
    str or None
        sha256 hex digest of the sources (see the module docstring), SymPy version and format;
        ``None`` if ``fn`` cannot be keyed (defined outside an importable source file, e.g. in
        a notebook): such derivations are not cached.
    """
    import sympy

    from theory import serialize

    mod = fn.__module__
    if not isinstance(sys.modules.get(mod), ModuleType) or mod == "__main__":
        return None
    closure = module_closure(mod)
    if closure is None:
        return None
    try:
        fn_src = inspect.getsource(fn)
    except (OSError, TypeError):
        return None
    h = hashlib.sha256()
    for part in (f"sympy {sympy.__version__}", f"format {serialize.FORMAT}", extra, fn.__qualname__, fn_src):
        h.update(part.encode())
        h.update(b"\0")
    for m, src in closure:
        h.update(m.encode())
        h.update(b"\0")
        h.update(src.encode())
        h.update(b"\0")
    return h.hexdigest()


def _path(name: str, key: str) -> Path:
    return cache_dir() / f"{name}.{key[:24]}.json"


def load(name: str, key: str) -> dict | None:
    """The cached payload of a result.

    Parameters
    ----------
    name : str
        Result name (``gm.t_S``).
    key : str
        Its current :func:`derivation_key`.

    Returns
    -------
    dict or None
        The payload stored by :func:`store`; ``None`` when missing, disabled
        (``REGIMES_NO_CACHE``), unreadable, or written under another key.
    """
    if not enabled():
        return None
    path = _path(name, key)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("name") != name or data.get("key") != key:
        return None
    return data.get("payload")


def store(name: str, key: str, payload: dict) -> None:
    """Write a result's payload atomically (temporary file + rename).

    Keeps the newest :data:`KEEP` entries of ``name``. Errors (read-only disk ...) are ignored:
    the cache is optional. Does nothing when ``REGIMES_NO_CACHE`` is set.

    Parameters
    ----------
    name : str
        Result name.
    key : str
        Its :func:`derivation_key`.
    payload : dict
        JSON-serialisable data (the registry stores the encoded display expression, the
        steps and the used results).
    """
    if not enabled():
        return
    path = _path(name, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"name": name, "key": key, "payload": payload}, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        old = sorted(path.parent.glob(f"{name}.*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for p in old[KEEP:]:
            p.unlink(missing_ok=True)
    except OSError:
        pass
