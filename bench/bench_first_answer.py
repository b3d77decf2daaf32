"""First answer text on screen, from Enter, against the embedded llama.cpp server: as is, and minus the server's
own time to process the prompt.

Each run is a fresh process (a new session): the dashboard starts (headless, 160x48), connects and
finishes its warm-up (a user takes longer than that to type), then the first prompt is typed (its text painted,
as a user sees it before Enter) and sent and, once answered, a second one. For each: the time from Enter to the
frame that shows the first answer text, as is and minus the server's prompt processing time (llama.cpp's
``timings.prompt_ms``). Read both: prompt_ms grows when the dashboard draws while the server works (two server
threads on two cores wait for each other), so the second figure can fall while the first, what a user waits,
grows. Beside it, in the same run, a bare httpx client's time to the first answer text minus the same server
figure: what a request costs with no dashboard at all (HTTP, the first token's decoding). Medians of RUNS.

    .venv/bin/python bench/bench_first_answer.py [--against /path/to/other/checkout] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ("Say something about the number {n}.", "And about the number {m}?")


async def session(url: str, n: int) -> dict:
    """One dashboard session: (first, second) answer times and gaps in seconds, and how long the warm-up took."""
    from devsynth_tui.config import load
    from devsynth_tui.ui.app import DevsynthApp
    from devsynth_tui.ui.chat import AssistantMessage
    from devsynth_tui.ui.chat_pane import ChatPane

    cfg = load(base_url=url).with_values(
        {"llm.embedded.mode": "never", "llm.max_tokens": 16, "disk.caching.enabled": False}
    )
    app = DevsynthApp(cfg)
    painted: list[float] = []
    real_flush = AssistantMessage.flush

    async def flush(self):  # the frame after an answer's first text was added is when it is on screen
        first = bool(self._pending) and not getattr(self, "_painted", False)
        await real_flush(self)
        if first:
            self._painted = True
            self.app.call_after_refresh(lambda: painted.append(time.perf_counter()))

    AssistantMessage.flush = flush
    done: list = []
    real_finished = ChatPane.finished

    async def finished(self, live, event):
        done.append(event)
        await real_finished(self, live, event)

    ChatPane.finished = finished
    times, gaps, started = [], [], time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        while app.session.pipeline is None or any(w.group == "warm-up" and w.is_running for w in app.workers):
            await pilot.pause(0.02)
        warm = time.perf_counter() - started
        await pilot.pause(0.5)
        for k, prompt in enumerate(PROMPTS):
            app.query_one("#prompt").text = prompt.format(n=n, m=n + 100)
            await app.query_one("#prompt").wait_for_refresh()  # typed: on screen before Enter
            sent = time.perf_counter()
            await pilot.press("enter")
            while len(done) <= k or app.main.chat_pane.live:
                await pilot.pause(0.01)
            await pilot.pause(0.2)
            times.append(painted[k] - sent)
            gaps.append(times[-1] - done[k].result.server_ttft)
    return {"times": times, "gaps": gaps, "warm": warm}


async def bare(url: str, n: int) -> float:
    """A bare httpx client's first answer text minus the server's prompt_ms."""
    import httpx

    body = {
        "model": "m",
        "messages": [{"role": "user", "content": PROMPTS[0].format(n=n)}],
        "max_tokens": 16,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    async with httpx.AsyncClient(base_url=url.removesuffix("/v1"), timeout=60) as client:
        await client.get("/v1/models")  # connected, as the dashboard is
        sent, first, prompt_ms = time.perf_counter(), None, None
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            async for line in response.aiter_lines():
                if not line.startswith("data: {"):
                    continue
                event = json.loads(line[6:])
                delta = (event.get("choices") or [{}])[0].get("delta", {})
                if first is None and delta.get("content"):
                    first = time.perf_counter()
                prompt_ms = (event.get("timings") or {}).get("prompt_ms", prompt_ms)
    return first - sent - prompt_ms / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout of devsynth-tui to measure alongside")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.terminal import checkouts, load_average, session_in
    from devsynth_tui.services.llm.embedded import EmbeddedServer

    print(load_average(), flush=True)
    server = EmbeddedServer(Path(tempfile.mkdtemp()))
    server.start()
    measured = checkouts(args.against)
    results: dict[str, list[dict]] = {name: [] for name in measured}
    bare_gaps: list[float] = []
    try:
        for run in range(args.runs):
            for k, (name, checkout) in enumerate(measured.items()):
                # a number of its own per session: the same prompt again was read from the server's prompt cache
                # (the checkout measured second in a run had its first prompt ~70 ms sooner)
                n = run * len(measured) + k
                results[name].append(session_in(__file__, [server.base_url, str(n), str(checkout)], checkout))
            bare_gaps.append(asyncio.run(bare(server.base_url, 1000 + run)))
    finally:
        server.stop()

    def ms(values):
        return f"median {statistics.median(values) * 1000:5.1f} ms ({', '.join(f'{v * 1000:.0f}' for v in values)})"

    print("Enter to the answer's first text on screen, as is / minus the server's prompt_ms:")
    for name, runs in results.items():
        for k, which in enumerate(("first prompt ", "second prompt")):
            print(f"  {name if k == 0 else '':28} {which} {ms([r['times'][k] for r in runs])}")
            print(f"  {'':28} {'':13} {ms([r['gaps'][k] for r in runs])}")
        print(f"  {'':28} (connected and warmed up {statistics.median(r['warm'] for r in runs):.2f} s after start)")
    print(f"  {'bare httpx client':28} {ms(bare_gaps)}")
    print(load_average())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--session"]:
        url, n, checkout = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        sys.path.insert(0, checkout)
        print(json.dumps(asyncio.run(session(url, n))))
    else:
        main()
