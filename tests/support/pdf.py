"""A .docx as the bureau prints it: converted to PDF by headless LibreOffice, read back with poppler."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path


def as_pdf(document: Path, tmp_path: Path) -> tuple[int, str]:
    """(pages, text) of ``document`` once LibreOffice has turned it into PDF in ``tmp_path``."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is required (scripts/setup.sh installs it)"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / (document.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    words = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)), words  # type: ignore[union-attr]
