"""Registry of named theory results.

A named result (``gm.t_S``, ``gm.phi``, ``rem.alpha_c`` ...) is one object, a :class:`Result`:
the SymPy expression obtained by *running* its derivation, the recorded derivation steps, its
kind (``derived`` / ``assembled`` / ``definition``), argument symbols (the argument order of the
generated numeric function), assumptions, reference, LaTeX, and the location of its generated
NumPy function (``numerics.generated.<model>.<name>``).

A model module ``theory/<prefix>.py`` declares ``MODEL = Model("<prefix>", symbols=...)`` (its
own symbols with their awkward test values, see :mod:`theory.symbols`) and registers results
with ``@MODEL.result(...)``; the decorated function *is* the derivation. Model modules are
discovered automatically: adding one needs no edit of any table.

Derivations run lazily, on first access to :attr:`Result.expr`, and are cached in memory and
on disk (:mod:`theory.cache`, keyed by their sources and the SymPy version). Listing the
results (:func:`catalog`) runs no derivation.

Kinds
-----
``derived``
    obtained by running a derivation (solve, integrate, differentiate, series, Legendre ...);
``assembled``
    combines other registered results by substitution;
``definition``
    a defining formula (e.g. α = ln n / d).

``theory`` never imports ``numerics``: the numeric function is located by name
(:attr:`Result.generated_module`, :attr:`Result.function_name`) and loaded by
``numerics.results.numeric``.

Examples
--------
>>> from theory import registry
>>> row = next(r for r in registry.catalog() if r["name"] == "gm.alpha")
>>> row["kind"], row["args"], row["generated"]
('definition', ['n', 'd'], 'numerics.generated.gm.alpha')
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import sympy as sp

from theory import cache
from theory.special import expand_named
from theory.symbols import Param, SymbolTable

__all__ = [
    "KINDS", "Model", "Result", "result", "step", "restate", "same", "helper",
    "get", "all_results", "names", "models", "catalog",
]

KINDS = ("derived", "assembled", "definition")

_REGISTRY: dict[str, "Result"] = {}
_MODELS: dict[str, "Model"] = {}
_LOADED = False
#: theory modules that are not models (skipped by discovery)
_INFRASTRUCTURE = frozenset({"registry", "symbols", "special", "serialize", "cache", "codegen", "latex"})


# ---------------------------------------------------------------------------------------
# recording derivation steps and the results a derivation uses
# ---------------------------------------------------------------------------------------
@dataclass
class _Frame:
    steps: list = field(default_factory=list)
    uses: set = field(default_factory=set)


_STACK: list[_Frame] = []


def _as_basic(expr) -> sp.Basic:
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr)
    if isinstance(expr, (list, tuple)):
        return sp.Tuple(*[_as_basic(e) for e in expr])
    if not isinstance(expr, sp.Basic):
        raise TypeError(f"a derivation step must be a SymPy object, got {type(expr).__name__}")
    return expr


def step(what: str, expr):
    """Record a derivation step (shown by ``regimes latex NAME --steps``) and return ``expr``.

    Parameters
    ----------
    what : str
        One line: what this step is ("solve f = 0", "∂_q ln P_t").
    expr : sympy.Basic, Matrix, or a list/tuple of them
        The expression at this step.
    """
    if _STACK:
        _STACK[-1].steps.append((what, _as_basic(expr)))
    return expr


def helper(fn: Callable) -> Callable:
    """Decorator for a derivation helper used by several results: it runs once per process
    (per hashable argument tuple), and the steps it recorded and the registered results it used
    are replayed into every derivation that calls it, so each result's recorded steps do not
    depend on which result ran first.

    Examples
    --------
    >>> import sympy as sp
    >>> @helper
    ... def double(x):
    ...     return step("double", 2 * x)
    >>> double(sp.Symbol("y"))
    2*y
    """
    memo: dict = {}

    @functools.wraps(fn)
    def wrapper(*args):
        if args not in memo:
            frame = _Frame()
            _STACK.append(frame)
            try:
                value = fn(*args)
            finally:
                _STACK.pop()
            memo[args] = (value, tuple(frame.steps), frozenset(frame.uses))
        value, steps, uses = memo[args]
        if _STACK:
            _STACK[-1].steps.extend(steps)
            _STACK[-1].uses.update(uses)
        return value

    return wrapper


def _probe_values(symbols: Iterable[sp.Symbol], k: int) -> dict:
    """Exact rational probe point number ``k`` (away from special values)."""
    pos = [sp.Rational(3, 7), sp.Rational(5, 4), sp.Rational(2, 9), sp.Rational(7, 3)]
    out = {}
    for j, s in enumerate(sorted(symbols, key=lambda s: s.name)):
        v = pos[(k + j) % len(pos)]
        out[s] = v if (s.is_positive or j % 2 == 0) else -v
    return out


def same(a: sp.Expr, b: sp.Expr, probes: Sequence[Mapping] | None = None, *, digits: int = 40) -> bool:
    """True when ``a`` and ``b`` agree to ``digits - 10`` digits at exact probe points.

    ``probes`` are ``{symbol: value}`` points; by default three rational points are made from
    the free symbols (positive symbols get positive values).

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", positive=True)
    >>> same(sp.log(x**2), 2 * sp.log(x)), same(sp.sin(x), x)
    (True, False)
    """
    diff = expand_named(a) - expand_named(b)
    syms = diff.free_symbols
    points = list(probes) if probes is not None else [_probe_values(syms, k) for k in range(3)]
    tol = sp.Float(10) ** (10 - digits)
    for pt in points:
        v = sp.N(diff.subs(pt).doit(), digits)
        scale = 1 + abs(sp.N(expand_named(a).subs(pt).doit(), digits))
        if not v.is_number or abs(v) > tol * scale:
            return False
    return True


def restate(what: str, derived: sp.Expr, form: sp.Expr, probes: Sequence[Mapping] | None = None) -> sp.Expr:
    """Record ``form`` as a step after checking it equals ``derived`` (at exact probe points,
    40 digits; see :func:`same`) and return it: the way to restate a derived expression in a
    stable or readable form without typing in an unchecked formula.

    Raises
    ------
    AssertionError
        When the two differ.
    """
    if not same(derived, form, probes):
        raise AssertionError(f"{what}: restated form differs from the derived one:\n  {derived}\n  {form}")
    return step(what, form)


# ---------------------------------------------------------------------------------------
# results and models
# ---------------------------------------------------------------------------------------
@dataclass
class Result:
    """A named theory result (see the module docstring).

    Attributes
    ----------
    name : str
        ``<model>.<short>``; ``short`` is the generated function's name.
    derive : callable
        The derivation: ``derive() -> sympy.Expr`` (its display form, which may contain
        :class:`theory.special.Named` intermediates).
    args : tuple of str
        Argument names, in the generated function's order (declared in the model's symbols).
    symbol : str
        LaTeX of the left-hand side.
    kind : str
        ``"derived"``, ``"assembled"`` or ``"definition"``.
    test_points : tuple of tuples, optional
        Explicit argument tuples for the generic codegen test (else the model's test values).
    """

    name: str
    derive: Callable[[], sp.Expr]
    args: tuple[str, ...]
    symbol: str
    description: str
    kind: str
    model: "Model"
    assumptions: str = ""
    reference: str = ""
    codegen: bool = True
    test_points: tuple[tuple[float, ...], ...] = ()
    _display: sp.Expr | None = field(default=None, repr=False)
    _expr: sp.Expr | None = field(default=None, repr=False)
    _steps: list = field(default_factory=list, repr=False)
    _uses: tuple[str, ...] = field(default=(), repr=False)
    _from_cache: bool = field(default=False, repr=False)

    # ---- identity ----------------------------------------------------------------------
    @property
    def short(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def label(self) -> str:
        return "eq:" + self.name.replace(".", ":").replace("_", "-")

    @property
    def arg_symbols(self) -> tuple[sp.Symbol, ...]:
        """The SymPy symbols of :attr:`args` (from the model's symbol table)."""
        return tuple(self.model.symbols[a] for a in self.args)

    # ---- the derivation ----------------------------------------------------------------
    def _materialize(self) -> None:
        if self._expr is None:
            self._run()
        if _STACK:  # a derivation in progress uses this result (and what this one used)
            _STACK[-1].uses.add(self.name)
            _STACK[-1].uses.update(self._uses)

    def _run(self) -> None:
        key = cache.derivation_key(self.derive, extra=f"{self.name}|{self.kind}") if cache.enabled() else None
        if key is not None and self._load(key):
            return
        frame = _Frame()
        _STACK.append(frame)
        try:
            display = self.derive()
        finally:
            _STACK.pop()
        if not isinstance(display, sp.Basic):
            raise TypeError(f"derivation of {self.name} returned {type(display).__name__}, not a SymPy expression")
        self._set(display, frame.steps, tuple(sorted(frame.uses - {self.name})))
        if key is not None:
            self._store(key)

    def _set(self, display, steps, uses) -> None:
        self._display, self._steps, self._uses = display, list(steps), tuple(uses)
        self._expr = expand_named(display)

    def _load(self, key: str) -> bool:
        from theory import serialize

        payload = cache.load(self.name, key)
        if payload is None:
            return False
        try:
            display = serialize.decode(payload["display"])
            steps = [(str(w), serialize.decode(e)) for w, e in payload["steps"]]
            uses = tuple(str(u) for u in payload["uses"])
        except (KeyError, TypeError, ValueError):
            return False
        self._set(display, steps, uses)
        self._from_cache = True
        return True

    def _store(self, key: str) -> None:
        from theory import serialize

        try:
            payload = {
                "display": serialize.encode(self._display),
                "steps": [[w, serialize.encode(e)] for w, e in self._steps],
                "uses": list(self._uses),
            }
        except serialize.UnsupportedNode as exc:
            warnings.warn(f"{self.name} not cached: {exc}", stacklevel=3)
            return
        cache.store(self.name, key, payload)

    @property
    def expr(self) -> sp.Expr:
        """The derived SymPy expression, every named intermediate expanded (what codegen and
        numeric evaluation use). The derivation runs (or loads from the cache) on first access."""
        self._materialize()
        return self._expr

    @property
    def display(self) -> sp.Expr:
        """The expression as derived, named intermediates (Δ_t, Γ_t, Λ ...) kept as names."""
        self._materialize()
        return self._display

    @property
    def derivation(self) -> list[tuple[str, sp.Basic]]:
        """The recorded derivation steps: ``[(what, expression), ...]``."""
        self._materialize()
        return list(self._steps)

    @property
    def uses(self) -> tuple[str, ...]:
        """Names of the registered results the derivation used (directly or not)."""
        self._materialize()
        return self._uses

    # ---- faces ---------------------------------------------------------------------------
    def latex(self) -> str:
        """``symbol = display expression`` as LaTeX (no environment; :func:`theory.latex.latex`)."""
        from theory.latex import latex

        return f"{self.symbol} = {latex(self.display)}"

    def latex_equation(self) -> str:
        """The result in an ``equation`` environment with its label."""
        return f"\\begin{{equation}}\n  {self.latex()}\n  \\label{{{self.label}}}\n\\end{{equation}}"

    def _repr_latex_(self) -> str:
        from theory.latex import display_latex

        return display_latex(self)

    def lambdify(self):
        """Quick NumPy function of the expression (notebooks; hot paths use the generated module)."""
        return sp.lambdify(self.arg_symbols, self.expr, modules=["numpy", "scipy"])

    # ---- numeric side (located by name, loaded by numerics) ----------------------------
    @property
    def generated_module(self) -> str:
        return f"numerics.generated.{self.model.name}"

    @property
    def function_name(self) -> str:
        return self.short

    @property
    def generated(self) -> str | None:
        """Dotted path of the generated function, ``None`` for results without codegen."""
        return f"{self.generated_module}.{self.function_name}" if self.codegen else None

    def metadata(self) -> dict:
        """The catalog row (no derivation runs)."""
        return {
            "name": self.name, "args": list(self.args), "symbol": self.symbol, "description": self.description,
            "kind": self.kind, "assumptions": self.assumptions, "reference": self.reference,
            "generated": self.generated,
        }


class Model:
    """A model: its result prefix, its own symbols (with awkward test values), its results.

    Parameters
    ----------
    name : str
        The prefix of its results (``gm``, ``cw`` ...) and of its generated module.
    symbols : SymbolTable or mapping of str to Param
        Its symbols; results' ``args`` name them.
    description : str
        One line.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory.symbols import positive
    >>> demo = Model("doctest_demo", symbols={"sigma": positive("sigma", test=[0.5, 2.0])})
    >>> @demo.result("doctest_demo.half", args=("sigma",), symbol="h", kind="definition",
    ...              description="half of sigma")
    ... def half():
    ...     return demo.symbols["sigma"] / 2
    >>> get("doctest_demo.half").expr
    sigma/2
    >>> demo.unregister()
    """

    def __init__(self, name: str, symbols: SymbolTable | Mapping[str, Param], description: str = "") -> None:
        if not name.isidentifier():
            raise ValueError(f"model name must be an identifier, got {name!r}")
        self.name = name
        self.symbols = symbols if isinstance(symbols, SymbolTable) else SymbolTable(**symbols)
        self.description = description
        _MODELS[name] = self

    def __repr__(self) -> str:
        return f"Model({self.name!r}, {len(self.symbols)} symbols)"

    @property
    def results(self) -> list[Result]:
        return [r for r in all_results() if r.model is self]

    def unregister(self) -> None:
        """Remove this model and its results from the registry (notebooks, doctests)."""
        for k in [k for k, r in _REGISTRY.items() if r.model is self]:
            del _REGISTRY[k]
        _MODELS.pop(self.name, None)

    def result(
        self,
        name: str,
        *,
        args: Iterable[str],
        symbol: str,
        description: str,
        kind: str,
        assumptions: str = "",
        reference: str = "",
        codegen: bool = True,
        test_points: Iterable[Iterable[float]] = (),
    ):
        """Decorator: register the derivation ``fn() -> sympy.Expr`` as result ``name``.

        The decorated function, when called, returns the result's :attr:`Result.expr`
        (derived once, then cached), so derivations compose by calling each other.
        """
        prefix, _, short = name.partition(".")
        if prefix != self.name or not short.isidentifier():
            raise ValueError(f"result {name!r} must be named '{self.name}.<identifier>'")
        if kind not in KINDS:
            raise ValueError(f"kind of {name!r} must be one of {KINDS}, got {kind!r}")
        args = tuple(args)
        missing = [a for a in args if a not in self.symbols]
        if missing:
            raise ValueError(f"{name}: arguments {missing} are not declared in model {self.name!r}'s symbols")
        points = tuple(tuple(float(v) for v in pt) for pt in test_points)
        if any(len(pt) != len(args) for pt in points):
            raise ValueError(f"{name}: every test point needs {len(args)} values")

        def deco(fn: Callable[[], sp.Expr]) -> Callable[[], sp.Expr]:
            if name in _REGISTRY:
                raise ValueError(f"result {name!r} registered twice")
            _REGISTRY[name] = Result(
                name=name, derive=fn, args=args, symbol=symbol, description=description, kind=kind,
                model=self, assumptions=assumptions, reference=reference, codegen=codegen, test_points=points,
            )

            @functools.wraps(fn)
            def derived() -> sp.Expr:
                return _REGISTRY[name].expr

            return derived

        return deco


def result(name: str, **kwargs):
    """``@result("gm.t_S", ...)``: :meth:`Model.result` of the model named by the prefix."""
    prefix = name.partition(".")[0]
    try:
        model = _MODELS[prefix]
    except KeyError:
        raise ValueError(f"no model {prefix!r} declared (create Model({prefix!r}, symbols=...) first)") from None
    return model.result(name, **kwargs)


# ---------------------------------------------------------------------------------------
# discovery and listing
# ---------------------------------------------------------------------------------------
def _load() -> None:
    """Import every ``theory`` module that is not infrastructure; those with ``MODEL`` are models."""
    global _LOADED
    if _LOADED:
        return
    import theory

    for info in pkgutil.iter_modules(theory.__path__):
        if info.name.startswith("_") or info.name in _INFRASTRUCTURE:
            continue
        mod = importlib.import_module(f"theory.{info.name}")
        if not isinstance(getattr(mod, "MODEL", None), Model):
            raise TypeError(f"theory.{info.name} is not a model module (no MODEL = Model(...))")
    _LOADED = True


def names() -> list[str]:
    """All result names, sorted."""
    _load()
    return sorted(_REGISTRY)


def all_results() -> list[Result]:
    """All results, sorted by name (no derivation runs)."""
    _load()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def models() -> list[Model]:
    """All models, sorted by name."""
    _load()
    return [_MODELS[k] for k in sorted(_MODELS)]


def get(name: str) -> Result:
    """The result named ``name``; ``ValueError`` listing the known names otherwise."""
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown result {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def catalog() -> list[dict]:
    """Metadata of every result, without running any derivation.

    Returns
    -------
    list of dict
        One row per result, sorted by name: ``name``, ``args`` (list, the generated
        function's argument order), ``symbol`` (LaTeX), ``description``, ``kind``,
        ``assumptions``, ``reference``, ``generated`` (dotted path or ``None``).
    """
    return [r.metadata() for r in all_results()]

