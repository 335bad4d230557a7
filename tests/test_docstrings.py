"""Docs in the code: every public module, class and function of ``numerics`` and ``theory`` has a
docstring (numpydoc, with the formula or the purpose)."""

import importlib
import inspect
import pkgutil

import numerics
import theory

SKIP_MODULES = ("numerics.cli.__main__",)


def _modules():
    for pkg in (numerics, theory):
        yield pkg.__name__
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if info.name not in SKIP_MODULES:
                yield info.name


def _public_members(mod):
    names = getattr(mod, "__all__", None)
    for name, obj in vars(mod).items():
        if name.startswith("_") or (names is not None and name not in names):
            continue
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", None) == mod.__name__:
            yield name, obj


def test_every_public_function_and_class_has_a_docstring():
    missing = []
    for name in _modules():
        mod = importlib.import_module(name)
        if not (mod.__doc__ or "").strip():
            missing.append(name)
        for attr, obj in _public_members(mod):
            if not (inspect.getdoc(obj) or "").strip():
                missing.append(f"{name}.{attr}")
            if inspect.isclass(obj):
                for meth, fn in vars(obj).items():
                    if meth.startswith("_") or not inspect.isfunction(fn):
                        continue
                    if not (inspect.getdoc(fn) or "").strip():
                        missing.append(f"{name}.{attr}.{meth}")
    assert not missing, f"{len(missing)} public objects without a docstring:\n" + "\n".join(missing)
