"""Output files: checked before any work, written atomically, never through a planted symlink.

Every file ``regimes`` writes (``latex -o``, ``verify --json/--out``, figures, ``cw-data-law --figure``)
goes through this module:

- :func:`check_output_file` / :func:`check_output_dir` validate a path *before* the work that produces
  its content (an unwritable path fails at once, not after minutes of computation);
- :func:`open_atomic` (and :func:`write_text_atomic`, :func:`write_bytes_atomic`) write to a fresh
  temporary file in the destination directory (created with ``O_EXCL``, mode 0600 until complete) and
  ``os.replace`` it onto the final name. The rename replaces the directory entry itself, so a symlink
  planted at the final path is replaced, never followed: its target is untouched. A reader sees the old
  file or the complete new one, never a partial write; a failure leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterator

__all__ = ["file_problem", "dir_problem", "check_output_file", "check_output_dir", "open_atomic", "write_text_atomic", "write_bytes_atomic"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_problem(path, *, suffixes: tuple[str, ...] | None = None) -> str | None:
    """Why ``path`` cannot be written as one output file (None when it can): empty, an existing
    directory, a missing or unwritable directory, or an extension outside ``suffixes``. An existing file
    or symlink at the path is fine: :func:`open_atomic` replaces it."""
    text = os.fspath(path) if path is not None else ""
    if not str(text).strip():
        return "must be a file path, got an empty string"
    p = Path(text)
    if p.is_dir() and not p.is_symlink():
        return f"must be a file, {str(p)!r} is a directory"
    if suffixes is not None and p.suffix.lower() not in suffixes:
        return f"must end in one of {', '.join(suffixes)}, got {str(p)!r}"
    return _dir_problem(p.parent if str(p.parent) else Path("."))


def dir_problem(path) -> str | None:
    """Why ``path`` cannot be an output directory (None when it can): an existing writable directory,
    or a new one whose parent exists and is writable."""
    text = os.fspath(path) if path is not None else ""
    if not str(text).strip():
        return "must be a directory path, got an empty string"
    p = Path(text)
    if p.exists():
        if not p.is_dir():
            return f"{str(p)!r} exists and is not a directory"
        return _dir_problem(p)
    return _dir_problem(p.parent if str(p.parent) else Path("."))


def _dir_problem(d: Path) -> str | None:
    if not d.is_dir():
        return f"directory {str(d)!r} does not exist"
    if not os.access(d, os.W_OK | os.X_OK):
        return f"directory {str(d)!r} is not writable"
    return None


def check_output_file(path, name: str = "output", *, suffixes: tuple[str, ...] | None = None) -> Path:
    """Validated destination of one output file (:func:`file_problem`); ``ValueError`` naming ``name``."""
    why = file_problem(path, suffixes=suffixes)
    if why:
        raise ValueError(f"{name}: {why}")
    return Path(path)


def check_output_dir(path, name: str = "out") -> Path:
    """Validated output directory (:func:`dir_problem`); ``ValueError`` naming ``name``. The caller
    creates it (``mkdir``) when the work is done."""
    why = dir_problem(path)
    if why:
        raise ValueError(f"{name}: {why}")
    return Path(path)


@contextlib.contextmanager
def open_atomic(path, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on a clean exit it replaces ``path``.

    ``mode`` is ``"w"`` (text; ``kwargs`` go to ``open``, e.g. ``newline=""``) or ``"wb"``. The final
    file gets the usual permissions (0666 minus the umask). On an exception the temporary file is
    removed and ``path`` is left as it was.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
    try:
        if mode == "w":
            kwargs.setdefault("encoding", "utf-8")
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, (stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP | stat.S_IROTH | stat.S_IWOTH)
                 & ~_umask())
        os.replace(tmp, p)  # replaces a symlink at p itself: never writes through it
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`open_atomic`); returns the path."""
    with open_atomic(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_bytes_atomic(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`open_atomic`); returns the path."""
    with open_atomic(path, "wb") as fh:
        fh.write(data)
    return Path(path)
