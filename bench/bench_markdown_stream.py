"""Our MarkdownView against Textual's own ``Markdown.get_stream()`` on the same streams, headless at 160x48.

The same Markdown answers as bench_stream (stdlib docstrings and sources cut into tiktoken tokens), of 2,000
and 20,000 tokens, are written into each widget in a scrolling container as fast as it takes them: both are fed
the same way (fragments queue while a render runs; the next render takes all that queued), Textual's through
its ``MarkdownStream``, ours through the same kind of pump as the chat's. Time from the first fragment to the
last frame after the stream ended, wall and CPU seconds (the whole process, all threads), medians of RUNS
interleaved; and, as the key-echo bound, the longest time the event loop was held (a 1 ms ticker's worst
gap) and the longest automatic garbage collection during the stream. The last row is ours again with the
heap alive before the stream frozen (``gc.freeze()``, as issue 22's plan proposes for the app
after its start): what a full collection then still has to scan.

    .venv/bin/python bench/bench_markdown_stream.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from bench.bench_stream import answer_tokens
from bench.terminal import load_average
from devsynth_tui.ui.markdown_view import MarkdownView

BATCH = 20  # fragments a network read hands over at once


class Host(App):
    CSS = "VerticalScroll { height: 1fr; }"

    def compose(self):
        yield VerticalScroll()


class Holds:
    """The event loop's worst hold (a ticker's longest gap) and the longest gc pause, while running."""

    def __init__(self) -> None:
        self.loop_max = self.gc_max = 0.0
        self._gc_start = 0.0

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gc_max = max(self.gc_max, time.perf_counter() - self._gc_start)

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.loop_max = max(self.loop_max, now - last)
            last = now

    def __enter__(self) -> Holds:
        gc.callbacks.append(self._gc)
        self._task = asyncio.create_task(self._tick())
        return self

    def __exit__(self, *exc) -> None:
        self._task.cancel()
        gc.callbacks.remove(self._gc)


async def feed_textual(container, tokens: list[str]) -> None:
    widget = Markdown()
    await container.mount(widget)
    stream = Markdown.get_stream(widget)
    for k in range(0, len(tokens), BATCH):
        await stream.write("".join(tokens[k : k + BATCH]))
    await stream.stop()


async def feed_ours(container, tokens: list[str]) -> None:
    widget = MarkdownView()
    await container.mount(widget)
    widget.start()
    pending: list[str] = []
    ready = asyncio.Event()

    async def pump() -> None:
        while True:
            await ready.wait()
            ready.clear()
            chunk = "".join(pending)
            pending.clear()
            await widget.append(chunk)

    task = asyncio.create_task(pump())
    for k in range(0, len(tokens), BATCH):
        pending.append("".join(tokens[k : k + BATCH]))
        ready.set()
        await asyncio.sleep(0)
    while pending or ready.is_set():
        await asyncio.sleep(0.001)
    task.cancel()
    await widget.finish()


async def one(feed, tokens: list[str], freeze: bool = False) -> dict:
    app = Host()
    async with app.run_test(size=(160, 48)) as pilot:
        container = app.query_one(VerticalScroll)
        await pilot.pause(0.2)
        gc.collect()  # what earlier runs left is not this run's to collect
        if freeze:
            gc.freeze()
        with Holds() as holds:
            wall, cpu = time.perf_counter(), time.process_time()
            await feed(container, tokens)
            await pilot.pause()  # the last frame
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.unfreeze()
    return {"wall": wall, "cpu": cpu, "loop": holds.loop_max, "gc": holds.gc_max}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(load_average(), flush=True)
    feeds = {  # name: (feed, whether the heap alive before the stream is frozen out of the gc's reach)
        "MarkdownView": (feed_ours, False),
        "Textual Markdown.get_stream": (feed_textual, False),
        "MarkdownView, gc.freeze()": (feed_ours, True),
    }
    for n in (2_000, 20_000):
        tokens = answer_tokens(n)
        runs: dict[str, list[dict]] = {name: [] for name in feeds}
        for feed, _ in feeds.values():  # imports and first-use caches (parser, highlighter) before the timed runs
            asyncio.run(one(feed, tokens[:300]))
        for _ in range(args.runs):
            for name, (feed, freeze) in feeds.items():
                runs[name].append(asyncio.run(one(feed, tokens, freeze)))
        medians = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}
        ours, theirs = medians["MarkdownView"], medians["Textual Markdown.get_stream"]
        print(f"{n:,}-token Markdown stream, medians of {args.runs}:", flush=True)
        for name, m in medians.items():
            print(
                f"  {name:28} wall {m['wall']:6.2f} s, CPU {m['cpu']:6.2f} s;"
                f" loop held at most {m['loop'] * 1000:4.0f} ms, longest gc {m['gc'] * 1000:4.0f} ms"
            )
        print(
            f"  ours / Textual's: wall {ours['wall'] / theirs['wall']:.2f}x, CPU {ours['cpu'] / theirs['cpu']:.2f}x",
            flush=True,
        )
    print(load_average())


if __name__ == "__main__":
    main()
