"""A fault-injecting OpenAI-compatible server on real loopback sockets, for tests.

The mode is the first path segment: a client pointed at ``http://127.0.0.1:PORT/<mode>/v1``
gets that fault. It answers /v1/models, /v1/chat/completions (streamed or not), and
counts the chat requests each mode received.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter

HOSTILE = (
    "[bold red]rich[/] [@click=app.quit]click me[/] \x1b[2J\x1b[H\x1b[31mred\x1b[0m \x1b[10;10H"
    "\x1b]52;c;c2VjcmV0\x07 \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ \u202etxt.exe\u202c done"
)

EVIL_MODEL = "evil\x1b[2J\x1b]0;PWNED\x07\x1b]52;c;c2VjcmV0\x07\x9b31m[bold red]model[/]"


def _chunk(
    content: str | None = None, finish: str | None = None, usage: dict | None = None, model: str = "fault-model"
) -> bytes:
    body = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": model,
        "choices": []
        if usage
        else [{"index": 0, "delta": {"content": content} if content else {}, "finish_reason": finish}],
    }
    if usage:
        body["usage"] = usage
    return f"data: {json.dumps(body)}\n\n".encode()


class FaultServer:
    """Runs in a background thread with its own event loop."""

    def __init__(self) -> None:
        self.port = 0
        self.text_pieces: list[str] = ["Hello"]  # what mode "text" streams
        self.hits: Counter = Counter()
        self.usage: object = None  # the `usage` mode "oddusage" sends, as it is (any JSON value)
        self.loop = asyncio.new_event_loop()
        self._steps = asyncio.Semaphore(0)  # lines mode "stepped" may send: release() adds to it
        self._gate = asyncio.Semaphore(0)  # answers mode "gated" may send: open_gate() adds to it
        self.inflight = 0  # mode "gated": requests waiting at the gate now
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/v1"

    def release(self, lines: int) -> None:
        """Let mode "stepped" send ``lines`` more lines (from any thread)."""
        for _ in range(lines):
            self.loop.call_soon_threadsafe(self._steps.release)

    def open_gate(self, answers: int) -> None:
        """Let mode "gated" answer ``answers`` more of the requests waiting at its gate (from any thread)."""
        for _ in range(answers):
            self.loop.call_soon_threadsafe(self._gate.release)

    def start(self) -> FaultServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        async def cancel_handlers() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_handlers(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = (
                    await reader.readexactly(int(headers.get("content-length", 0)))
                    if headers.get("content-length")
                    else b""
                )
                keep = await self._route(method, path, headers, body, writer)
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # the server stops: a connection still open ends here (raised, asyncio prints it as an error)
        finally:
            writer.close()

    async def _send(self, writer, status: int, body: bytes, content_type="application/json", extra: str = "") -> bool:
        head = f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
        writer.write(head.encode() + body)
        await writer.drain()
        return True

    async def _route(self, method: str, path: str, headers: dict, body: bytes, writer) -> bool:
        parts = path.strip("/").split("/")
        mode, endpoint = parts[0], "/".join(parts[1:])
        if endpoint == "v1/models":
            model = EVIL_MODEL if mode in ("hostile500", "evil") else "fault-model"
            return await self._send(writer, 200, json.dumps({"data": [{"id": model}]}).encode())
        if endpoint != "v1/chat/completions":
            return await self._send(writer, 404, b'{"error": {"message": "no such route"}}')
        self.hits[mode] += 1
        request = json.loads(body or b"{}")
        return await getattr(self, f"mode_{mode}")(request, headers, writer)

    async def _stream_head(self, writer) -> None:
        """Streams are chunked, as llama.cpp and LM Studio send them: a cut connection is then detectable."""
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: "
            b"close\r\n\r\n"
        )
        await writer.drain()

    @staticmethod
    def _w(writer, data: bytes) -> None:
        writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    @staticmethod
    def _end(writer) -> None:
        writer.write(b"0\r\n\r\n")

    async def _stream(self, writer, pieces, done: bool = True, delay: float = 0.0, usage: bool = True) -> bool:
        await self._stream_head(writer)
        for piece in pieces:
            self._w(writer, _chunk(piece))
            await writer.drain()
            if delay:
                await asyncio.sleep(delay)
        self._w(writer, _chunk(finish="stop"))
        if usage:
            self._w(
                writer,
                _chunk(usage={"prompt_tokens": 5, "completion_tokens": len(pieces), "total_tokens": 5 + len(pieces)}),
            )
        if done:
            self._w(writer, b"data: [DONE]\n\n")
        self._end(writer)
        await writer.drain()
        return False

    # -- modes -------------------------------------------------------------------------------

    async def mode_ok(self, request, headers, writer) -> bool:
        if not request.get("stream"):
            answer = {
                "choices": [{"message": {"content": "fine"}, "finish_reason": "stop"}],
                "model": "fault-model",
                "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
            }
            return await self._send(writer, 200, json.dumps(answer).encode())
        return await self._stream(writer, ["Hello", " from", " the", " fault", " server."])

    async def mode_fast(self, request, headers, writer) -> bool:
        n = int(request.get("max_tokens") or 16)
        await self._stream_head(writer)
        batch = b"".join(_chunk(f"tok{i} ") for i in range(n))
        self._w(
            writer,
            batch
            + _chunk(finish="length")
            + _chunk(usage={"prompt_tokens": 5, "completion_tokens": n, "total_tokens": 5 + n})
            + b"data: [DONE]\n\n",
        )
        self._end(writer)
        await writer.drain()
        return False

    async def mode_silent(self, request, headers, writer) -> bool:
        await asyncio.sleep(3600)
        return False

    async def mode_http500(self, request, headers, writer) -> bool:
        return await self._send(
            writer, 500, b'{"error": {"message": "CUDA out of memory while loading", "type": "server_error"}}'
        )

    async def mode_notfound(self, request, headers, writer) -> bool:
        return await self._send(
            writer, 404, json.dumps({"error": {"message": f"Model '{request.get('model')}' not found"}}).encode()
        )

    async def mode_notloaded(self, request, headers, writer) -> bool:  # LM Studio's shape
        message = "No models loaded. Please load a model in the developer page or use the `lms load` command."
        return await self._send(
            writer,
            404,
            json.dumps(
                {"error": {"message": message, "type": "invalid_request_error", "code": "model_not_found"}}
            ).encode(),
        )

    async def mode_ratelimit(self, request, headers, writer) -> bool:
        if self.hits["ratelimit"] % 2 == 1:
            return await self._send(writer, 429, b'{"error": {"message": "slow down"}}', extra="Retry-After: 1\r\n")
        return await self.mode_ok(request, headers, writer)

    async def mode_disconnect(self, request, headers, writer) -> bool:
        await self._stream_head(writer)
        for piece in ("Partial", " answer", " before"):
            self._w(writer, _chunk(piece))
        await writer.drain()
        writer.transport.abort()
        return False

    async def mode_badsse(self, request, headers, writer) -> bool:
        await self._stream_head(writer)
        self._w(writer, _chunk("Partial") + b'{"choices": "this line has no data: field"}\n\n')
        self._end(writer)
        await writer.drain()
        return False

    async def mode_notjson(self, request, headers, writer) -> bool:
        await self._stream_head(writer)
        self._w(writer, _chunk("Partial") + b"data: this is not json\n\n")
        self._end(writer)
        await writer.drain()
        return False

    async def mode_pythonjson(self, request, headers, writer) -> bool:  # JSON as Python's json writes it
        await self._stream_head(writer)
        figures = {"timings": {"predicted_per_second": float("nan"), "prompt_ms": 1e400}}  # NaN, Infinity
        text = {"choices": [{"index": 0, "delta": {"content": "Figures as Python writes them"}}]}
        self._w(writer, f"data: {json.dumps(text | figures)}\n\n".encode() + _chunk(finish="stop"))
        self._w(writer, b"data: [DONE]\n\n")
        self._end(writer)
        await writer.drain()
        return False

    async def mode_deepjson(self, request, headers, writer) -> bool:  # JSON nested past any parser's depth
        await self._stream_head(writer)
        self._w(writer, _chunk("Partial") + b"data: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n")
        self._end(writer)
        await writer.drain()
        return False

    async def mode_nodone(self, request, headers, writer) -> bool:
        return await self._stream(writer, ["Partial", " answer"], done=False)

    async def mode_bigchunk(self, request, headers, writer) -> bool:
        return await self._stream(writer, ["x" * 1_000_000])

    async def mode_text(self, request, headers, writer) -> bool:  # text_pieces, all at once
        await self._stream_head(writer)
        pieces = b"".join(_chunk(piece) for piece in self.text_pieces)
        self._w(writer, pieces + _chunk(finish="stop") + b"data: [DONE]\n\n")
        self._end(writer)
        await writer.drain()
        return False

    async def mode_steady(self, request, headers, writer) -> bool:  # max_tokens tokens, 20 every 5 ms
        n = int(request.get("max_tokens") or 16)
        await self._stream_head(writer)
        for start in range(0, n, 20):
            self._w(writer, b"".join(_chunk(f"tok{i} ") for i in range(start, min(n, start + 20))))
            await writer.drain()
            await asyncio.sleep(0.005)
        self._w(writer, _chunk(finish="length") + b"data: [DONE]\n\n")
        self._end(writer)
        await writer.drain()
        return False

    async def mode_paced(self, request, headers, writer) -> bool:  # max_tokens one-line paragraphs, 100 a second
        return await self._stream(
            writer, [f"line{i}\n\n" for i in range(int(request.get("max_tokens") or 16))], delay=0.01
        )

    async def mode_stepped(self, request, headers, writer) -> bool:  # max_tokens one-line paragraphs, as released
        await self._stream_head(writer)
        n = int(request.get("max_tokens") or 16)
        for i in range(n):
            await self._steps.acquire()
            self._w(writer, _chunk(f"line{i}\n\n"))
            await writer.drain()
        usage = {"prompt_tokens": 5, "completion_tokens": n, "total_tokens": 5 + n}
        self._w(writer, _chunk(finish="stop") + _chunk(usage=usage) + b"data: [DONE]\n\n")
        self._end(writer)
        await writer.drain()
        return False

    async def mode_drip(self, request, headers, writer) -> bool:
        return await self._stream(writer, [f"drip{i} " for i in range(60)], delay=1.0)

    async def mode_hostile(self, request, headers, writer) -> bool:
        return await self._stream(writer, [HOSTILE[i : i + 7] for i in range(0, len(HOSTILE), 7)])

    async def mode_hostile500(self, request, headers, writer) -> bool:  # its model list names EVIL_MODEL too
        return await self._send(writer, 500, json.dumps({"error": {"message": HOSTILE}}).encode())

    async def mode_evil(self, request, headers, writer) -> bool:  # lists EVIL_MODEL and answers as it
        await self._stream_head(writer)
        usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
        chunks = [_chunk("evil says", model=EVIL_MODEL), _chunk(" hi", finish="stop", model=EVIL_MODEL)]
        self._w(writer, b"".join(chunks) + _chunk(usage=usage, model=EVIL_MODEL) + b"data: [DONE]\n\n")
        self._end(writer)
        await writer.drain()
        return False

    async def mode_oddusage(self, request, headers, writer) -> bool:  # an answer whose usage is self.usage
        await self._stream_head(writer)
        usage = json.dumps({"id": "c1", "model": "fault-model", "choices": [], "usage": self.usage})
        self._w(writer, _chunk("odd usage") + _chunk(finish="stop") + f"data: {usage}\n\n".encode())
        self._w(writer, b"data: [DONE]\n\n")
        self._end(writer)
        await writer.drain()
        return False

    async def mode_gated(self, request, headers, writer) -> bool:  # holds each request until open_gate()
        self.inflight += 1
        try:
            await self._gate.acquire()
        finally:
            self.inflight -= 1
        return await self._stream(writer, ["gated", " answer"])

    async def mode_keepalive(self, request, headers, writer) -> bool:  # SSE comments every 0.05 s, never data
        await self._stream_head(writer)
        return await self._keep_alive(writer)

    async def mode_keepalive_after(self, request, headers, writer) -> bool:  # one piece, then only comments
        await self._stream_head(writer)
        self._w(writer, _chunk("Partial"))
        return await self._keep_alive(writer)

    async def _keep_alive(self, writer) -> bool:
        while True:
            self._w(writer, b": keep-alive\n\n")
            await writer.drain()
            await asyncio.sleep(0.05)

    async def mode_echoauth(self, request, headers, writer) -> bool:
        message = f"invalid key: {headers.get('authorization', '')}"
        return await self._send(writer, 401, json.dumps({"error": {"message": message}}).encode())


if __name__ == "__main__":
    server = FaultServer().start()
    print(f"fault server on port {server.port}; e.g. {server.url('drip')}")
    while True:
        time.sleep(3600)
