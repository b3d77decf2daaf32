"""A known-clock OpenAI-compatible server: every token leaves at a scheduled moment, and is logged.

Request ``i`` (counted in arrival order, from 0) waits ``schedule(i).ttft`` before its first
token, then sends one token per SSE chunk after each gap of ``schedule(i).gaps``; it sends as many
tokens as the request's ``max_tokens``. Due times are absolute from the request's arrival, so a
late wake-up never shifts the tokens after it, and ``log`` keeps, per request, the moment it
arrived and the moment each token was written: the truth a benchmark's figures are held to.

It listens on the caller's event loop (``await ClockServer().listen()``): a client on the same
loop then sees each token the moment it is written, with no other process's scheduling between.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

TTFTS = (0.060, 0.100, 0.140, 0.180, 0.220, 0.080, 0.120, 0.160)  # seconds, one per request in a cycle of 8
SHORT_GAP = 0.010
LONG_GAPS = (0.040, 0.070, 0.100, 0.130)  # every fourth gap is long; how long depends on the request


@dataclass(frozen=True)
class Schedule:
    ttft: float
    gaps: tuple[float, ...]


def schedule(i: int, tokens: int) -> Schedule:
    """When request ``i``'s ``tokens`` tokens leave: the first after ``ttft``, then one after each gap."""
    long = LONG_GAPS[i % len(LONG_GAPS)]
    return Schedule(TTFTS[i % len(TTFTS)], tuple(long if (g + 1) % 4 == 0 else SHORT_GAP for g in range(tokens - 1)))


@dataclass
class Sent:
    arrived: float
    tokens: list[float] = field(default_factory=list)  # perf_counter when each token was written

    @property
    def ttft(self) -> float:
        return self.tokens[0] - self.arrived

    @property
    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.tokens, self.tokens[1:])]


class ClockServer:
    def __init__(self) -> None:
        self.port = 0
        self.log: list[Sent] = []
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def listen(self) -> ClockServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def aclose(self) -> None:
        """Stop listening and end every kept-alive connection's handler."""
        self._server.close()
        for task in self._handlers:
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Requests on one kept-alive connection, as llama.cpp and LM Studio serve them."""
        task = asyncio.current_task()
        self._handlers.add(task)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                arrived = time.perf_counter()
                path = head.split(" ", 2)[1]
                length = next(
                    (
                        int(line.split(":", 1)[1])
                        for line in head.split("\r\n")
                        if line.lower().startswith("content-length:")
                    ),
                    0,
                )
                body = json.loads(await reader.readexactly(length)) if length else {}
                if path.endswith("/v1/chat/completions"):
                    await self._stream(arrived, body, writer)
                else:
                    found = path.endswith("/v1/models")
                    data = json.dumps({"data": [{"id": "clock-model"}]}).encode() if found else b""
                    writer.write(
                        b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                        % (b"200 OK" if found else b"404 Not Found", len(data))
                        + data
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _stream(self, arrived: float, body: dict, writer: asyncio.StreamWriter) -> None:
        i = len(self.log)
        plan = schedule(i, int(body.get("max_tokens") or 16))
        sent = Sent(arrived)
        self.log.append(sent)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        due = arrived + plan.ttft
        for n, gap in enumerate((0.0, *plan.gaps)):
            due += gap
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            _piece(writer, _event(i, {"delta": {"content": f"t{n} "}}))
            sent.tokens.append(time.perf_counter())
            await writer.drain()
        usage = {"prompt_tokens": 5, "completion_tokens": len(sent.tokens), "total_tokens": 5 + len(sent.tokens)}
        _piece(
            writer, _event(i, {"delta": {}, "finish_reason": "length"}) + _event(i, None, usage) + b"data: [DONE]\n\n"
        )
        writer.write(b"0\r\n\r\n")


def _event(i: int, choice: dict | None, usage: dict | None = None) -> bytes:
    """One SSE event; its model names the request (``clock-I``, I its arrival number) to pair it with the log."""
    body = {
        "object": "chat.completion.chunk",
        "model": f"clock-{i}",
        "choices": [choice | {"index": 0}] if choice else [],
    }
    if usage:
        body["usage"] = usage
    return f"data: {json.dumps(body)}\n\n".encode()


def _piece(writer: asyncio.StreamWriter, data: bytes) -> None:
    """One piece of a chunked body."""
    writer.write(b"%x\r\n%s\r\n" % (len(data), data))
