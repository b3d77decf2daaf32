"""Opening a stored conversation (as the dashboard does at start-up with the latest one, and ctrl+o with any),
headless at 160x48: the time until its messages are mounted, and the event loop's worst stall meanwhile (how long
a key typed then would wait), for conversations of 10, 50 and 100 exchanges of Markdown answers.

Each run is a fresh process; with ``--against CHECKOUT`` another checkout of devsynth-tui is measured in the
same run, interleaved. Medians of RUNS.

    .venv/bin/python bench/bench_open_conversation.py [--against /path/to/other/checkout] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSWER = (
    "Here is some **Markdown** with `code` and a list:\n\n- one\n- two\n\n```python\ndef double(x):\n"
    "    return x * 2\n```\n\n" + "A paragraph of text that goes on for a while. " * 20
)


def store(exchanges: int) -> int:
    """A conversation of ``exchanges`` questions and answers in the app home; its id."""
    from devsynth_tui.config import app_home
    from devsynth_tui.services.store.conversations import Conversations, Message
    from devsynth_tui.services.store.database import Store, db_path

    convs = Conversations(Store(db_path(app_home())))
    cid = convs.start("long", Message("user", "a question about the code " * 3))
    for n in range(exchanges * 2 - 1):
        convs.add(
            cid,
            Message("assistant", ANSWER, meta={"stats": "m · 40 + 120 tokens"})
            if n % 2 == 0
            else Message("user", "a question about the code " * 3),
        )
    return cid


async def session(exchanges: int) -> dict:
    """Open the conversation in a settled dashboard: seconds until open, the loop's worst stall meanwhile."""
    from devsynth_tui.config import load
    from devsynth_tui.ui.app import DevsynthApp

    cid = store(exchanges)
    app = DevsynthApp(load(base_url="http://127.0.0.1:9").with_values({"llm.embedded.mode": "never"}))
    worst = 0.0

    async def ticker() -> None:
        nonlocal worst
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            worst = max(worst, time.perf_counter() - started - 0.005)

    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(2)  # started, the latest conversation opened once
        pane = app.main.chat_pane
        await pane.new_conversation()
        await pilot.pause(0.5)
        task = asyncio.create_task(ticker())
        await pilot.pause(0.2)
        worst, started = 0.0, time.perf_counter()
        await pane.switch_to(cid)
        opened = time.perf_counter() - started
        await pilot.pause(0.3)  # the layout of what was mounted
        task.cancel()
    return {"open": opened, "stall": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout of devsynth-tui to measure alongside")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.terminal import checkouts, load_average, session_in

    print(load_average(), flush=True)
    measured = checkouts(args.against)
    for exchanges in (10, 50, 100):
        results: dict[str, list[dict]] = {name: [] for name in measured}
        for _ in range(args.runs):
            for name, checkout in measured.items():
                results[name].append(session_in(__file__, [str(exchanges), str(checkout)], checkout))
        print(f"{exchanges} exchanges:", flush=True)
        for name, runs in results.items():
            opened = statistics.median(r["open"] for r in runs) * 1000
            stall = statistics.median(r["stall"] for r in runs) * 1000
            print(f"  {name:28} opened in {opened:6.0f} ms, worst stall meanwhile {stall:4.0f} ms (medians)")
    print(load_average())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--session"]:
        sys.path.insert(0, sys.argv[3])
        print(json.dumps(asyncio.run(session(int(sys.argv[2])))))
    else:
        main()
