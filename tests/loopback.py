"""The HTTP server the test doubles share: threaded, on loopback, quiet about clients that hang up."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer


class LoopbackServer(ThreadingHTTPServer):
    """A client closing its connection early (a cancelled stream) is normal here, not a traceback on stderr."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
