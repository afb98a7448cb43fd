"""Atomic file writes that never replace a user's file unless asked.

The content goes to a temporary file beside the target, then moves into place in one step:
``os.replace`` when replacing is allowed, otherwise ``os.link`` (which fails if the target
appeared meanwhile, e.g. written by a concurrent run) followed by removing the temporary name.
Temporary files are removed on any failure and, via :func:`install_signal_cleanup`, on SIGTERM.
A process killed outright (SIGKILL, power loss) cannot clean up: its temporary file carries its
process id (``.npl-xl-<pid>-*``), and the next write into the same folder removes every such file
whose process is gone (:func:`clean_stale`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable

__all__ = [
    "write_with",
    "write_text",
    "check_extension",
    "install_signal_cleanup",
    "OutputExistsError",
    "clean_stale",
]

#: prefix of temporary files; the writer's process id follows
PREFIX = ".npl-xl-"

#: temporary files being written now (removed by the signal handler if the process is stopped)
_PENDING: set[str] = set()


class OutputExistsError(ValueError):
    """The output file exists (or appeared during the run) and replacing it was not asked for."""


def check_extension(path: str | os.PathLike, allowed: Iterable[str], what: str) -> None:
    """Refuse an output name whose extension does not match the format written (``.xlsx`` ...)."""
    allowed = tuple(allowed)
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in allowed:
        raise ValueError(
            f"{what}: {os.fspath(path)!r} must end in {' or '.join(allowed)} "
            f"(the format written), not {ext or 'no extension'!r}"
        )


def write_with(
    path: str | os.PathLike, writer: Callable[[str], None], *, overwrite: bool = False
) -> None:
    """Call ``writer(tmp_path)`` then move the result to ``path`` in one step.

    Raises :class:`OutputExistsError` if ``path`` exists (before or after the write) and
    ``overwrite`` is false; a failed write leaves any existing file untouched and no temporary
    file behind.
    """
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise OutputExistsError(
            f"output: {path} exists; pass --force (overwrite=True) to replace it"
        )
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    clean_stale(folder)
    fd, tmp = tempfile.mkstemp(
        prefix=f"{PREFIX}{os.getpid()}-", suffix=os.path.splitext(path)[1], dir=folder
    )
    os.close(fd)
    _PENDING.add(tmp)
    try:
        writer(tmp)
        mode = (
            os.stat(path).st_mode & 0o777
            if overwrite and os.path.exists(path)
            else 0o666 & ~_umask()
        )
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # atomic and exclusive: fails if the file appeared meanwhile
            except FileExistsError:
                raise OutputExistsError(
                    f"output: {path} appeared while writing (another run?); it was left as it is"
                ) from None
            except OSError:  # a file system without hard links: exclusive create, then replace
                _exclusive_replace(tmp, path)
            os.unlink(tmp)
    finally:
        _PENDING.discard(tmp)
        if os.path.exists(tmp):
            os.unlink(tmp)


def _alive(pid: int) -> bool:
    """True if a process with this id exists (or may: no permission to ask)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale(folder: str) -> list[str]:
    """Remove temporary files of writers that no longer run (``.npl-xl-<pid>-*`` with no process
    ``pid``) from ``folder``; returns their names. Files of live processes are left alone."""
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(PREFIX):
            continue
        pid_text = name[len(PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
            removed.append(name)
    return removed


def _exclusive_replace(tmp: str, path: str) -> None:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise OutputExistsError(
            f"output: {path} appeared while writing (another run?); it was left as it is"
        ) from None
    os.close(fd)
    os.replace(tmp, path)


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


def _on_signal(signum, frame) -> None:  # signal handler signature
    for tmp in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    sys.exit(128 + signum)


def install_signal_cleanup() -> None:
    """Remove pending temporary files and exit on SIGTERM (SIGINT raises KeyboardInterrupt, which
    the writers' ``finally`` already handles)."""
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_signal)
