"""Serve the demo site on 127.0.0.1: `with DemoPortal() as portal: portal.url`."""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
from functools import cache
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from xxgk.demo.background import BackgroundServer

SITE_DIR = Path(__file__).parent / "site"
DOWNFILE = "/module/download/downfile.jsp"
DOWNLOADS_DIR = SITE_DIR / "module" / "download" / "files"
CONTENT_TYPES = {
    ".html": "text/html",
    ".txt": "text/plain",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
NOT_FOUND_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
    "<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>"
).encode()

logger = logging.getLogger(__name__)


@cache
def load_manifest() -> dict[str, Any]:
    """Which report page / attachment path holds which seed, and the decoys (written with the
    site by `tests/fixtures/render/site.py`)."""
    return json.loads((SITE_DIR / "manifest.json").read_text(encoding="utf-8"))


class PortalHandler(SimpleHTTPRequestHandler):
    server: PortalServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(SITE_DIR), **kwargs)

    def do_GET(self) -> None:
        self.server.requested.append(self.path)
        path = urlsplit(self.path).path
        if path == DOWNFILE:
            self.send_download()
            return
        target = Path(self.translate_path(path))  # confined to SITE_DIR, ".." dropped
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            self.send_not_found()
            return
        self.send_file(target.read_bytes(), self.content_type(path, target))

    def content_type(self, path: str, target: Path) -> str:
        media_type = CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        if media_type is None:
            return "application/octet-stream"
        if media_type.startswith("text/") and path not in load_manifest()["no_header_charset"]:
            return f"{media_type}; charset=utf-8"
        return media_type

    def send_download(self) -> None:
        stored = parse_qs(urlsplit(self.path).query).get("filename", [""])[0]
        name = load_manifest()["downloads"].get(stored)
        if name is None:
            self.send_not_found()
            return
        disposition = f"attachment; filename=\"{stored}\"; filename*=UTF-8''{quote(name)}"
        self.send_file(
            (DOWNLOADS_DIR / stored).read_bytes(),
            CONTENT_TYPES[Path(stored).suffix],
            {"Content-Disposition": disposition},
        )

    def send_not_found(self) -> None:
        self.send_file(NOT_FOUND_PAGE, "text/html; charset=utf-8", status=HTTPStatus.NOT_FOUND)

    def send_file(
        self,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
        status: HTTPStatus = HTTPStatus.OK,
    ) -> None:
        """Send a page; a page the client already holds (its ETag) is answered 304, as the
        web servers of real portals do."""
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if status == HTTPStatus.OK and self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == HTTPStatus.OK:
            self.send_header("ETag", etag)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("demo portal: " + format, *args)


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True
    requested: list[str]


class DemoPortal(BackgroundServer):
    """The demo site on 127.0.0.1 (a free port unless given), served from a daemon thread."""

    _server: PortalServer

    def __init__(self, port: int = 0) -> None:
        super().__init__(PortalServer, PortalHandler, port)
        self._server.requested = []
        self.url = f"{self.address}/"
        logger.info("demo portal serving %s at %s", SITE_DIR, self.url)

    @property
    def requested(self) -> list[str]:
        """Every request path (with query) the portal has received, in order."""
        return list(self._server.requested)
