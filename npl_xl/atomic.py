"""Atomic file writes that never replace a user's file unless asked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable


def write_with(path: str | os.PathLike, writer: Callable[[str], None], *, overwrite: bool = False) -> None:
    """Call ``writer(tmp_path)`` then move the result to ``path`` in one rename.

    Raises ``ValueError`` if ``path`` exists and ``overwrite`` is false; a failed write leaves
    any existing file untouched and no temporary file behind.
    """
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"output: {path} exists; pass --force (overwrite=True) to replace it")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".npl-xl-", suffix=os.path.splitext(path)[1], dir=folder)
    os.close(fd)
    try:
        writer(tmp)
        os.chmod(tmp, os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike, text: str, *, overwrite: bool = False) -> None:
    """Write ``text`` (UTF-8) atomically."""
    def writer(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
    write_with(path, writer, overwrite=overwrite)
