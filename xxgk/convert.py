"""Before `parsers.parse`, which is pure: legacy Word files (DOC, WPS, RTF) to DOCX with
LibreOffice (the parser refuses them as `unsupported`), and containers (a ZIP of report files,
a RAR) opened, their members to be parsed as documents of their own (`xxgk.documents`).

A ZIP is unpacked within bounds (`MAX_MEMBERS` files, `MAX_BYTES` unpacked in all, each read no
further than that), so a zip bomb is `too_large`, not a full disk. A RAR is archived but not
unpacked: no RAR reader ships with Python or Debian's base, so its parse is `unsupported`.
"""

from __future__ import annotations

import io
import posixpath
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from parsers import ParseError
from parsers.extract import LEGACY_WORD, MAX_BYTES

TIMEOUT = 120.0
RAR = b"Rar!\x1a\x07"
ZIP = b"PK\x03\x04"
#: Members that make a ZIP a package of one document rather than a container of several.
PACKAGE_MEMBERS = {"[Content_Types].xml", "OFD.xml", "mimetype"}
#: Members of a container that are documents to parse (not pictures, not nested containers).
DOCUMENT_SUFFIXES = {
    ".pdf", ".doc", ".docx", ".wps", ".txt", ".ofd", ".html", ".htm", ".xls", ".xlsx", ".et",
}  # fmt: skip
MAX_MEMBERS = 200
#: The flag of a ZIP entry whose name is UTF-8; without it Chinese tools wrote GBK.
UTF8_NAME = 0x800


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes) -> bytes:
    """DOCX bytes of a legacy Word file when LibreOffice is installed; any other bytes (or
    without LibreOffice) unchanged, for `parsers.parse` to read or refuse. A container is no
    document: refused with why (its members are documents, or it is too large, damaged, a
    RAR)."""
    if is_container(data):
        if members := container_members(data):
            raise ParseError(
                "unsupported", f"a ZIP archive of {len(members)} documents, each parsed on its own"
            )
        raise ParseError("unsupported", "a ZIP archive holding no document")
    if not data.startswith(LEGACY_WORD) or soffice() is None:
        return data
    return convert(data, "doc", "docx")


def is_container(data: bytes) -> bool:
    """A RAR, or a ZIP that is not a package of one document (DOCX, XLSX, OFD, EPUB)."""
    if data.startswith(RAR):
        return True
    if not data.startswith(ZIP):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False  # damaged: the parser says so
    return not names & PACKAGE_MEMBERS


def container_members(data: bytes) -> list[tuple[str, bytes]]:
    """The documents a container holds, as (name, bytes), in its order."""
    if data.startswith(RAR):
        raise ParseError(
            "unsupported", "a RAR archive: archived, not unpacked (no RAR reader installed)"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [e for e in archive.infolist() if is_document_member(e)]
            if len(entries) > MAX_MEMBERS:
                raise ParseError("too_large", f"{len(entries)} files, over {MAX_MEMBERS}")
            members, left = [], MAX_BYTES
            for entry in entries:
                with archive.open(entry) as member:
                    body = member.read(left + 1)  # never more than the bound, whatever it says
                left -= len(body)
                if left < 0:
                    raise ParseError("too_large", f"it unpacks to over {MAX_BYTES} bytes")
                members.append((member_name(entry), body))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise ParseError("corrupt", f"bad zip archive: {error}") from error
    except NotImplementedError as error:  # an encryption or compression zipfile lacks
        raise ParseError("unsupported", f"zip archive: {error}") from error
    except RuntimeError as error:  # zipfile: a password is required
        raise ParseError("encrypted", f"zip archive: {error}") from error
    return members


def member_name(entry: zipfile.ZipInfo) -> str:
    if entry.flag_bits & UTF8_NAME:
        return entry.filename
    try:
        return entry.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return entry.filename


def is_document_member(entry: zipfile.ZipInfo) -> bool:
    name = entry.filename
    if entry.is_dir() or name.startswith("__MACOSX/") or posixpath.basename(name).startswith("."):
        return False
    return posixpath.splitext(name)[1].lower() in DOCUMENT_SUFFIXES


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
