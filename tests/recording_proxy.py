"""A loopback HTTP proxy that records every JSON request body before forwarding it, for tests.

Put it in front of the real llama.cpp server to assert what the server received
(every turn present, roles alternating) without trusting our own logs.
Responses, streamed ones included, are relayed chunk by chunk. Clear ``gate`` to hold
chat completions before they are forwarded (a run that is certainly still going), set it to let them through;
``hold_after(n)`` holds them instead once ``n`` streamed events are relayed (an answer certainly mid-stream),
and ``holding`` is set while one waits there.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler

import httpx
from loopback import LoopbackServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class RecordingProxy:
    """``RecordingProxy(upstream_root).start()``; point a client at ``.url``; read ``.bodies(path)``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.requests: list[tuple[str, str, dict | None]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.held_after: int | None = None
        self.holding = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self._relay("GET")

            def do_POST(self) -> None:
                self._relay("POST")

            def _relay(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    recorded = json.loads(body) if body else None
                except json.JSONDecodeError:
                    recorded = None
                proxy.requests.append((method, self.path, recorded))
                completion = self.path.endswith("/chat/completions")
                if completion and proxy.held_after is None:
                    proxy.gate.wait()
                events = 0
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
                with (
                    httpx.Client(timeout=None) as client,
                    client.stream(method, proxy.upstream + self.path, content=body, headers=headers) as r,
                ):
                    self.send_response(r.status_code)
                    for k, v in r.headers.items():
                        if k.lower() not in HOP_BY_HOP:
                            self.send_header(k, v)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for chunk in r.iter_raw():
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.flush()
                        events += chunk.count(b"data:")
                        if completion and proxy.held_after is not None and events >= proxy.held_after:
                            proxy._hold()
                    self.wfile.write(b"0\r\n\r\n")

        self.server = LoopbackServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> RecordingProxy:
        self.thread.start()
        return self

    def hold_after(self, events: int) -> None:
        """Hold every chat completion once ``events`` streamed events of it are relayed, until ``gate`` is set."""
        self.held_after = events
        self.gate.clear()

    def _hold(self) -> None:
        self.holding.set()
        self.gate.wait()
        self.holding.clear()

    def stop(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, path: str = "/v1/chat/completions") -> list[dict]:
        """The JSON bodies received for ``path``, oldest first."""
        return [body for _, p, body in self.requests if p == path and body is not None]
