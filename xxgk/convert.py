"""Legacy Word files (DOC, WPS, RTF) to DOCX with LibreOffice, before `parsers.parse`, which is
pure and raises ParseError("unsupported") for them."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from parsers import ParseError
from parsers.extract import LEGACY_WORD

TIMEOUT = 120.0


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes) -> bytes:
    """DOCX bytes of a legacy Word file when LibreOffice is installed; any other bytes (or
    without LibreOffice) unchanged, for `parsers.parse` to read or refuse."""
    if not data.startswith(LEGACY_WORD) or soffice() is None:
        return data
    return convert(data, "doc", "docx")


def convert(data: bytes, suffix: str, target: str) -> bytes:
    """`soffice --headless --convert-to TARGET` of the bytes as a file named in.SUFFIX, in a
    temporary directory with a profile of its own (so runs can be concurrent)."""
    program = soffice()
    if program is None:
        raise ParseError("unsupported", "LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"in.{suffix}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=True)
        except (subprocess.SubprocessError, OSError) as error:
            raise ParseError("corrupt", f"LibreOffice could not convert it: {error}") from error
        outputs = list((work / "out").glob("in.*"))
        if not outputs:
            raise ParseError("corrupt", f"LibreOffice made no {target} of it")
        return outputs[0].read_bytes()
