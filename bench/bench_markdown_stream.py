"""Streaming an answer into Markdown: today's coalesced ``Markdown.append`` (AssistantMessage, a frame
every FRAME_SECONDS) against Textual's ``Markdown.get_stream()`` (MarkdownStream: one append per loop
turn, fragments gathered while an append runs).

2,000 and 20,000 tokens of a Markdown answer (prose, lists and fenced code built from the stdlib's own
sources at run time) are fed one token at a time into a headless app, as fast as the loop takes them
(a flood, as from a fast local server), and 2,000 also at 100 tokens/s. Per method and case: time until
the whole answer is in the widget (and how long after the last token), Markdown appends made, and the
worst event-loop stall meanwhile (a 5 ms sleep's lateness: how long a key press could wait). Each run
in a fresh process, capped at CAP_SECONDS.

    .venv/bin/python bench/bench_markdown_stream.py
"""

from __future__ import annotations

import asyncio
import inspect
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from devsynth_tui.services.sanitize import safe_text
from devsynth_tui.services.token_accounting import encoding
from devsynth_tui.ui.chat import AssistantMessage


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


class Host(App):
    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="messages")


class Lag:
    def __init__(self) -> None:
        self.worst, self._task = 0.0, asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - t - 0.005)

    def stop(self) -> float:
        self._task.cancel()
        return self.worst


def counting(markdown: Markdown) -> list[int]:
    count = [0]
    real = markdown.append

    def append(fragment: str):
        count[0] += 1
        return real(fragment)

    markdown.append = append
    return count


async def feed(tokens: list[str], rate: float | None, put) -> None:
    """Each token to ``put``: as fast as the loop allows, or ``rate`` tokens a second."""
    t0 = time.perf_counter()
    for n, token in enumerate(tokens):
        await put(token)
        wait = (t0 + (n + 1) / rate - time.perf_counter()) if rate else 0
        await asyncio.sleep(max(0.0, wait))


async def coalesced_append(tokens: list[str], rate: float | None) -> dict:
    async with Host().run_test(size=(120, 40)) as pilot:
        view = AssistantMessage()
        await pilot.app.query_one("#messages").mount(view)
        appends = counting(view.query_one(Markdown))
        lag, t = Lag(), time.perf_counter()
        view.start_stream()

        async def put(token: str) -> None:
            view.add(token)

        await feed(tokens, rate, put)
        fed = time.perf_counter()
        await view.finish(view.text, "", "ok")
        done = time.perf_counter()
        assert view.query_one(Markdown).source == safe_text("".join(tokens))
        return {"elapsed": done - t, "after_last": done - fed, "appends": appends[0], "stall": lag.stop()}


async def get_stream(tokens: list[str], rate: float | None) -> dict:
    async with Host().run_test(size=(120, 40)) as pilot:
        markdown = Markdown(open_links=False)
        await pilot.app.query_one("#messages").mount(markdown)
        appends = counting(markdown)
        lag, t = Lag(), time.perf_counter()
        stream = Markdown.get_stream(markdown)

        async def put(token: str) -> None:
            await stream.write(safe_text(token))

        await feed(tokens, rate, put)
        fed = time.perf_counter()
        await stream.stop()
        done = time.perf_counter()
        assert markdown.source == "".join(safe_text(token) for token in tokens)
        return {"elapsed": done - t, "after_last": done - fed, "appends": appends[0], "stall": lag.stop()}


METHODS = {"coalesced append (today)": coalesced_append, "Markdown.get_stream()": get_stream}
CASES = [(2_000, None, 3), (20_000, None, 1), (2_000, 100.0, 1)]  # tokens, tokens/s (None: flood), runs
CAP_SECONDS = 240


def one(method: str, n: int, rate: float | None) -> dict | None:
    """One run in a fresh process; None when it takes longer than CAP_SECONDS."""
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--one", method, str(n), str(rate or 0)],
            capture_output=True,
            text=True,
            timeout=CAP_SECONDS,
            check=True,
        ).stdout
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out)


def main() -> None:
    for n, rate, runs in CASES:
        results = {name: [one(name, n, rate) for _ in range(runs)] for name in METHODS}
        print(
            f"{n:,} tokens, {'as fast as the loop takes them' if rate is None else f'{rate:g} tokens/s'}"
            f" (median of {runs})"
        )
        for name, values in results.items():
            if any(v is None for v in values):
                print(f"  {name:26} not displayed within {CAP_SECONDS} s")
                continue
            med = {k: statistics.median(v[k] for v in values) for k in values[0]}
            print(
                f"  {name:26} displayed in {med['elapsed']:7.2f} s ({med['after_last'] * 1000:6.0f} ms after the last"
                f" token)  {med['appends']:5.0f} appends  worst loop stall {med['stall'] * 1000:5.0f} ms"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        method, n, rate = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) or None
        print(json.dumps(asyncio.run(METHODS[method](answer_tokens(n), rate))))
    else:
        main()
