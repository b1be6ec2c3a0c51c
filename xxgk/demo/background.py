"""An HTTP server on 127.0.0.1, serving from a daemon thread until stopped."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class BackgroundServer:
    def __init__(
        self,
        server_class: type[ThreadingHTTPServer],
        handler: type[BaseHTTPRequestHandler],
        port: int = 0,
    ) -> None:
        self._server = server_class(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, bound = self._server.server_address[:2]
        self.address = f"http://{host}:{bound}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
