"""The stream reader's cost per chunk: 20,000 SSE chunks of one token each (as llama.cpp and LM Studio send
them) applied by ``StreamReader`` in reads of 200 chunks, beside the floor of a bare ``orjson.loads`` (what
the reader parses with) and of ``json.loads`` of the same lines, in one run. CPU medians of RUNS and ratios.

    .venv/bin/python bench/bench_sse.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devsynth_tui.services.llm.results import ChatResult
from devsynth_tui.services.llm.sse import StreamReader

CHUNKS, READ = 20_000, 400  # lines per network read: 200 chunks and their blank separators


class Client:
    """What the reader asks of its client: the URL and the redaction of error messages."""

    url = "http://127.0.0.1/v1"

    @staticmethod
    def redact(text: str) -> str:
        return text


def stream_lines() -> list[str]:
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    lines = []
    for i in range(CHUNKS):
        choice = {"index": 0, "delta": {"content": f"tok{i} "}, "finish_reason": None}
        lines += ["data: " + json.dumps(chunk | {"choices": [choice]}), ""]
    return lines


def reader_cpu(lines: list[str]) -> float:
    reader, start = StreamReader(Client(), ChatResult()), time.process_time()  # type: ignore[arg-type]
    for k in range(0, len(lines), READ):
        segments: list[tuple[str, bool]] = []
        reader.apply_lines(lines[k : k + READ], segments)
        reader.deltas(segments)
    return time.process_time() - start


def bare_cpu(lines: list[str], loads: Callable[[str], object]) -> float:
    start = time.process_time()
    for line in lines:
        if line.startswith("data:"):
            loads(line[5:])
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    lines, reader, fast, plain = stream_lines(), [], [], []
    for _ in range(runs):
        reader.append(reader_cpu(lines))
        fast.append(bare_cpu(lines, orjson.loads))
        plain.append(bare_cpu(lines, json.loads))
    r, f, p = (statistics.median(cpu) for cpu in (reader, fast, plain))
    print(
        f"{CHUNKS:,} chunks: StreamReader {r * 1000:.0f} ms CPU; bare orjson.loads {f * 1000:.0f} ms ({r / f:.1f}x),"
        f" bare json.loads {p * 1000:.0f} ms ({r / p:.1f}x)"
    )


if __name__ == "__main__":
    main()
