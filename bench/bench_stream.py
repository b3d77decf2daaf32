"""Long streams in a real terminal (tmux, 160x48): the last token on screen, over a bare httpx read; key echo.

How long until the last token of a stream is on screen, over a bare httpx read of the same stream; and how
long a key typed during a 20,000-token stream takes to show in the input.

1. streams: a Markdown answer (prose, lists and fenced code built from the stdlib's own sources, cut into
   tiktoken tokens) of 20,000 and of 2,000 tokens, ending in a marker, sent by the loopback fault server
   (tests/fault_server.py, mode "text": the whole stream in one write, faster than any server). The
   dashboard's time is from Enter (tmux send-keys) to the marker on screen; the bare read's, from the
   request to the stream's end with httpx (connected first, lines read, nothing shown). Runs interleaved,
   a fresh dashboard each run; medians and their ratio, in wall time and in CPU seconds (the dashboard
   process's, all threads; the bare reader's thread's), which another load on the machine does not inflate.
   Also the worst case for the frozen blocks: 20,000 tokens "tok0 tok1 …" as one paragraph (mode "fast"),
   an open block that never completes.
2. key echo: while the fault server sends 20,000 tokens, 20 every 5 ms (mode "steady", at least 5 s), a
   key is typed every KEY_GAP seconds and the time until the input shows it is taken; the same at idle
   (no stream) beside it: the floor of tmux and polling. Once per run, a fresh dashboard each time: the
   worst key is given per run.

With ``--against CHECKOUT`` another checkout of devsynth-tui (e.g. main) is measured too, interleaved.
Goals (issue 22): the 20,000-token stream on screen within 2x the bare read; a key echoed within 50 ms at worst.

    .venv/bin/python bench/bench_stream.py [--runs 5] [--against /path/to/other/checkout]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fault_server import FaultServer

from bench.terminal import ROOT, Terminal, app_command, app_config, load_average
from devsynth_tui.services.context.token_accounting import encoding

MARKER = "ZQXJ-THE-END"
KEYS = 20
KEY_GAP = 0.15


def answer_tokens(n: int) -> list[str]:
    """``n`` token-sized fragments of a Markdown answer made from stdlib docstrings and sources."""
    import heapq
    import json.decoder
    import shlex
    import textwrap

    parts = []
    for module in (textwrap, heapq, shlex, json.decoder):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and fn.__doc__:
                doc = inspect.cleandoc(fn.__doc__)
                parts.append(
                    f"## `{name}`\n\n{doc}\n\n- defined in `{module.__name__}`\n- {len(doc.split())} words of docs\n\n"
                    f"```python\n{inspect.getsource(fn)}```\n"
                )
    enc = encoding()
    tokens = enc.encode_ordinary("\n".join(parts))
    while len(tokens) < n:
        tokens += tokens
    return [enc.decode([t]) for t in tokens[:n]]


def answer(n: int) -> list[str]:
    return [*answer_tokens(n - 1), f"\n\n{MARKER}"]


async def bare_read(url: str, n: int) -> tuple[float, float]:
    """(seconds, CPU seconds of this thread) for httpx to read the whole stream (connected beforehand, as the
    dashboard is); the fault server sends from another thread."""
    import httpx

    body = {"model": "m", "messages": [{"role": "user", "content": "go"}], "max_tokens": n, "stream": True}
    async with httpx.AsyncClient(base_url=url.removesuffix("/v1"), timeout=60) as client:
        await client.get("/v1/models")
        t, cpu = time.perf_counter(), time.thread_time()
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            async for _ in response.aiter_lines():
                pass
        return time.perf_counter() - t, time.thread_time() - cpu


def shown(url: str, n: int, marker: str = MARKER, checkout: Path = ROOT) -> tuple[float, float]:
    """(seconds, the dashboard's CPU seconds) from Enter to the last token (``marker``) on screen, in a fresh
    dashboard. The CPU figure does not depend on what else loads the machine."""
    with Terminal(app_command(app_config(url, max_tokens=n), checkout)) as term:
        term.wait_for(r"server at", r"Ask the model")
        time.sleep(1.5)  # connected and warmed up
        term.send("go")
        term.wait_for(r"go")
        process = term.process()
        cpu = sum(process.cpu_times()[:2])
        sent = term.send("Enter")
        seconds = term.wait_for(marker, since=sent, timeout=120)
        return seconds, sum(process.cpu_times()[:2]) - cpu


def key_echo(url: str, stream: bool, n: int = 20_000, checkout: Path = ROOT) -> list[float]:
    """Seconds from each key sent to its echo in the input, during a stream from ``url`` or at idle."""
    with Terminal(app_command(app_config(url, max_tokens=n), checkout)) as term:
        term.wait_for(r"server at", r"Ask the model")
        time.sleep(1.5)
        if stream:
            term.send("go")
            term.wait_for(r"go")
            term.send("Enter")  # apart from the text: sent with it, the Enter was sometimes lost (both checkouts)
            term.wait_for(r"tok\d{3,} ")  # the answer is streaming (its first lines scroll away fast)
        delays = []
        for k in range(1, KEYS + 1):
            sent = term.send("x")
            delays.append(term.wait_for(rf"x{{{k}}}", since=sent, poll=0.001))
            time.sleep(KEY_GAP)
        if stream and "tok19999" in term.screen():
            print("  (the stream had ended before the last key: the figure covers less than a stream)")
        return delays


def ms(runs: list[list[float]]) -> str:
    """Key delays over several runs: the median key, and each run's worst key (the goal's figure: one key of 20
    is a noisy maximum, so it is given per run)."""
    keys = [d for run in runs for d in run]
    worst = ", ".join(f"{max(run) * 1000:.0f}" for run in runs)
    return f"median {statistics.median(keys) * 1000:.0f} ms, worst per run {worst} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another checkout of devsynth-tui to measure alongside")
    args = parser.parse_args()
    checkouts = {"devsynth-tui": ROOT} | ({f"devsynth-tui ({args.against.name})": args.against} if args.against else {})
    print(load_average(), flush=True)
    faults = FaultServer().start()
    try:
        cases = [
            ("Markdown", "text", 20_000, MARKER),
            ("Markdown", "text", 2_000, MARKER),
            ("one-paragraph 'tokN'", "fast", 20_000, "tok19999"),
        ]
        for kind, mode, n, marker in cases:
            faults.text_pieces = answer(n)
            url = faults.url(mode)
            bare: list[tuple[float, float]] = []
            dash: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
            for _ in range(args.runs):
                bare.append(asyncio.run(bare_read(url, n)))
                for name, checkout in checkouts.items():
                    dash[name].append(shown(url, n, marker, checkout))
            b, bc = statistics.median(s for s, _ in bare), statistics.median(c for _, c in bare)
            print(f"{n:,}-token {kind} stream: bare httpx read {b * 1000:.0f} ms, CPU {bc:.2f} s", flush=True)
            for name, runs in dash.items():
                d, dc = statistics.median(s for s, _ in runs), statistics.median(c for _, c in runs)
                each = ", ".join(f"{s * 1000:.0f}" for s, _ in runs)
                print(
                    f"  {name:28} last token on screen {d * 1000:.0f} ms: {d / b:.1f}x the bare read ({each});"
                    f" CPU {dc:.2f} s",
                    flush=True,
                )
        during: dict[str, list[list[float]]] = {name: [] for name in checkouts}
        idle: dict[str, list[list[float]]] = {name: [] for name in checkouts}
        for _ in range(args.runs):
            for name, checkout in checkouts.items():
                during[name].append(key_echo(faults.url("steady"), stream=True, checkout=checkout))
                idle[name].append(key_echo(faults.url("ok"), stream=False, checkout=checkout))
        for name in checkouts:
            print(f"{name}: key echo, {KEYS} keys a run, {args.runs} runs:")
            print(f"  during a 20,000-token stream {ms(during[name])}\n  at idle {ms(idle[name])}", flush=True)
    finally:
        faults.stop()
    print(load_average())


if __name__ == "__main__":
    main()
