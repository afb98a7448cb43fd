"""The memo as a PDF, printed by LibreOffice (``soffice --headless --convert-to pdf``) with the page
set-up the memo carries. Written atomically: converted in a private folder, then moved into place;
an existing PDF is kept unless ``overwrite``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from ..atomic import OutputExistsError, write_with

__all__ = ["write_pdf", "find_soffice", "PdfError"]

#: seconds LibreOffice may take for one memo
TIMEOUT = 300


class PdfError(RuntimeError):
    """The PDF could not be written (one line, naming the reason)."""


def find_soffice() -> str | None:
    """The LibreOffice command on this machine, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_pdf(xlsx, pdf=None, *, overwrite: bool = False) -> str:
    """Print the workbook ``xlsx`` to ``pdf`` (default: beside it, .pdf); return the PDF's path."""
    xlsx = os.fspath(xlsx)
    pdf = os.fspath(pdf) if pdf is not None else os.path.splitext(xlsx)[0] + ".pdf"
    if not pdf.lower().endswith(".pdf"):
        raise PdfError(f"--pdf: the PDF's name must end in .pdf, got {pdf!r}")
    if os.path.exists(pdf) and not overwrite:
        raise PdfError(f"--pdf: {pdf} exists; pass --force to replace it")
    soffice = find_soffice()
    if soffice is None:
        raise PdfError(
            "--pdf: LibreOffice (soffice) is not installed, so no PDF was written; install it or "
            "print the memo from Excel"
        )
    with tempfile.TemporaryDirectory(prefix="npl-xl-pdf-") as tmp:
        made = _convert(soffice, xlsx, tmp)
        try:
            write_with(pdf, lambda part: _copy(made, part), overwrite=overwrite)
        except OutputExistsError:
            raise PdfError(f"--pdf: {pdf} exists; pass --force to replace it") from None
    return pdf


def _copy(src: str, dst: str) -> None:
    shutil.copyfile(src, dst)


def _convert(soffice: str, xlsx: str, folder: str) -> str:
    """LibreOffice's PDF of ``xlsx`` in ``folder`` (a private profile there too)."""
    cmd = [
        soffice,
        f"-env:UserInstallation=file://{os.path.join(folder, 'profile')}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        folder,
        os.path.abspath(xlsx),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PdfError(f"--pdf: LibreOffice took more than {TIMEOUT} s; no PDF written") from None
    made = os.path.join(folder, os.path.splitext(os.path.basename(xlsx))[0] + ".pdf")
    if done.returncode != 0 or not os.path.exists(made):
        why = (done.stderr or done.stdout or "").strip().splitlines()
        reason = why[-1][:200] if why else f"exit code {done.returncode}"
        raise PdfError(f"--pdf: LibreOffice could not print the memo ({reason})")
    return made
