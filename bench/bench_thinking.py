"""Thinking models and LM Studio's JIT loading, measured against the LM Studio emulator (tests/).

- time to first token when the request makes LM Studio load the model: the emulator's load
  delay plus the client's own cost (median of N), beside the same request with the model loaded
- thinking tokens the client reports against the server's ``reasoning_tokens``
- the client's cost per stream event: a plain answer chunk against a ``reasoning_content``
  chunk and an inline ``<think>`` chunk (tags split across chunks), parsing alone and through
  the whole ``stream_chat`` (one network read per event, in memory)

    .venv/bin/python bench/bench_thinking.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from contextlib import aclosing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from lmstudio_emulator import LMStudioEmulator  # noqa: E402

from devsynth_tui.services.llm.client import LLMClient  # noqa: E402
from devsynth_tui.services.llm.results import ChatResult  # noqa: E402
from devsynth_tui.services.llm.sse import StreamReader  # noqa: E402

MODEL = "qwen/qwen3-4b"
LOAD_DELAY = 0.5
RUNS = 9
EVENTS = 2000
ROUNDS = 9


async def _result(client: LLMClient, payload: dict) -> ChatResult:
    async with aclosing(client.stream_chat(payload)) as stream:
        async for event in stream:
            if isinstance(event, ChatResult):
                return event
    raise RuntimeError("no result")


async def jit_ttft() -> None:
    emu = LMStudioEmulator().start()
    emu.load_delay = LOAD_DELAY
    client = LLMClient(emu.base_url)
    payload = {"model": MODEL, "messages": [{"role": "user", "content": "Say hello."}]}
    cold, warm, answer, counted = [], [], [], []
    try:
        await _result(client, payload)  # warm-up: the connection
        for _ in range(RUNS):
            emu.model(MODEL).instances.clear()  # unloaded: the next request loads it
            result = await _result(client, payload)
            cold.append(result.ttft)
            answer.append(result.ttft_answer)
            counted.append(
                (result.reasoning_tokens, sum(1 for _, thinking in emu.script(emu.model(MODEL)) if thinking))
            )
            warm.append((await _result(client, payload)).ttft)
    finally:
        await client.aclose()
        emu.stop()
    own = statistics.median(cold) - LOAD_DELAY
    print(
        f"time to first token with a {LOAD_DELAY:g} s JIT load: median {statistics.median(cold) * 1000:.1f} ms "
        f"= load {LOAD_DELAY * 1000:.0f} ms + {own * 1000:.1f} ms client and emulator (N={RUNS})"
    )
    print(
        f"  same request, model loaded: median {statistics.median(warm) * 1000:.1f} ms; "
        f"first answer token after the thinking: median {statistics.median(answer) * 1000:.1f} ms"
    )
    print(
        f"  thinking tokens, client-reported vs emulator-counted: {counted[0][0]} vs {counted[0][1]} "
        f"({'equal' if all(a == b for a, b in counted) else 'DIFFERENT'} in all {RUNS} runs)"
    )


def _events(kind: str) -> list[bytes]:
    """EVENTS SSE events of 4-character tokens: plain answer, reasoning_content, or inline think tags."""
    if kind == "inline":
        text = "<think>" + "hmm " * (EVENTS // 2) + "</think>" + "word" * EVENTS
        pieces = [text[i : i + 4] for i in range(0, 4 * EVENTS, 4)]
        deltas = [{"content": p} for p in pieces]
    else:
        deltas = [{kind: "word"} for _ in range(EVENTS)]
    return [
        f"data: {json.dumps({'choices': [{'index': 0, 'delta': d, 'finish_reason': None}]})}\n\n".encode()
        for d in deltas
    ]


def parse_cost(kind: str) -> float:
    """Microseconds per event for the stream reader alone (one event per read)."""
    lines = [[e.decode().rstrip("\n"), ""] for e in _events(kind)]
    reader = StreamReader(LLMClient("http://127.0.0.1:9/v1"), ChatResult())
    t = time.perf_counter()
    for read in lines:
        segments: list = []
        reader.apply_lines(read, segments)
        reader.deltas(segments)
    return (time.perf_counter() - t) / len(lines) * 1e6


class _Reads(httpx.AsyncByteStream):
    def __init__(self, events: list[bytes]):
        self.events = events

    async def __aiter__(self):
        for event in self.events:
            yield event
        yield b"data: [DONE]\n\n"


async def stream_cost(kind: str) -> float:
    """Microseconds per event through the whole client stream (in-memory transport, one event per read)."""
    events = _events(kind)
    client = LLMClient(
        "http://127.0.0.1:9/v1", transport=httpx.MockTransport(lambda r: httpx.Response(200, stream=_Reads(events)))
    )
    t = time.perf_counter()
    result = await _result(client, {"model": "m", "messages": []})
    cost = (time.perf_counter() - t) / len(events) * 1e6
    assert result.chunks == len(events)
    await client.aclose()
    return cost


async def main() -> None:
    await jit_ttft()
    kinds = {"content": "plain answer", "reasoning_content": "reasoning_content", "inline": "inline <think>"}
    parse: dict[str, list[float]] = {k: [] for k in kinds}
    stream: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(ROUNDS):  # interleaved, so a busy moment of the machine hits every kind alike
        for kind in kinds:
            parse[kind].append(parse_cost(kind))
            stream[kind].append(await stream_cost(kind))
    base_p, base_s = statistics.median(parse["content"]), statistics.median(stream["content"])
    print(f"client cost per stream event (median of {ROUNDS} x {EVENTS} events, interleaved; plain answer = 1.00):")
    print(f"  {'':18} {'parse only':>16} {'whole stream':>18}")
    for kind, label in kinds.items():
        p, s = statistics.median(parse[kind]), statistics.median(stream[kind])
        print(f"  {label:18} {p:8.1f} µs {p / base_p:5.2f}x {s:9.1f} µs {s / base_s:5.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
