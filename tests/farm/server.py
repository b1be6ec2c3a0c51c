"""The portal farm: one ThreadingHTTPServer on 127.0.0.1 hosting several sites by Host header.

The crawler reaches it as its HTTP proxy (`http_proxy=farm.proxy`), so each site lives at the
root of its own made-up host (`http://hanweb.farm.test/`) as the real systems do, and every
request — including any to hosts the crawl must not touch — is recorded with its host.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from xxgk.demo.background import BackgroundServer

LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds to wait before answering (a slow or timing-out server)
    delay: float = 0
    #: close the connection with a TCP reset instead of answering
    reset: bool = False


@dataclass(frozen=True)
class Call:
    method: str
    host: str
    #: path?query as requested
    target: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    at: float


Route = Reply | Callable[[Call], Reply]


@dataclass
class Site:
    host: str
    #: path (or path?query) → reply; a callable route answers from the call
    routes: dict[str, Route]
    disallow: list[str] = field(default_factory=list)
    #: False: the site has no robots.txt (404)
    robots_txt: bool = True
    reports: set[str] = field(default_factory=set)
    attachments: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://{self.host}/"

    def reply(self, call: Call) -> Reply:
        if call.path == "/robots.txt" and self.robots_txt:
            rules = "".join(f"Disallow: {path}\n" for path in self.disallow)
            return Reply(f"User-agent: *\n{rules}".encode(), content_type="text/plain")
        route = self.routes.get(call.target) or self.routes.get(call.path)
        if route is None:
            return not_found()
        return route(call) if callable(route) else route


def not_found() -> Reply:
    page = "<html><head><title>404 Not Found</title></head><body>404</body></html>"
    return Reply(page.encode(), status=404)


class FarmHandler(BaseHTTPRequestHandler):
    server: FarmServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def answer(self) -> None:
        target = urlsplit(self.path)  # absolute when we are the proxy
        host = target.netloc or self.headers.get("Host", "")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("latin-1") if length else ""
        call = Call(
            method=self.command,
            host=host,
            target=target.path + (f"?{target.query}" if target.query else ""),
            path=target.path,
            query=dict(parse_qsl(target.query)),
            form=dict(parse_qsl(body)),
            headers=dict(self.headers),
            at=time.monotonic(),
        )
        self.server.calls.append(call)
        site = self.server.sites.get(host)
        reply = site.reply(call) if site else not_found()
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.send(reply, call)

    def send(self, reply: Reply, call: Call) -> None:
        headers = {"Content-Type": reply.content_type, **reply.headers}
        status, body = reply.status, reply.body
        if status == 200:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers |= {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            if call.headers.get("If-None-Match") == etag:
                status, body = 304, b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FarmServer(ThreadingHTTPServer):
    daemon_threads = True
    sites: dict[str, Site]
    calls: list[Call]


class Farm(BackgroundServer):
    """The farm on a free port of 127.0.0.1: `with Farm(site, …) as farm: farm.proxy`."""

    _server: FarmServer

    def __init__(self, *sites: Site) -> None:
        super().__init__(FarmServer, FarmHandler)
        self._server.sites = {site.host: site for site in sites}
        self._server.calls = []
        self.proxy = self.address

    @property
    def calls(self) -> list[Call]:
        return list(self._server.calls)

    def requested(self, host: str) -> list[str]:
        """Request targets (path?query) for `host`, in order, robots.txt included."""
        return [call.target for call in self._server.calls if call.host == host]
