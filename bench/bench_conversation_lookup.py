"""One conversation's title and count, read on the event loop as an answer starts a new conversation or one is
opened (``Conversations.get``) and as the dashboard starts (``latest``), in a store holding many: the row alone
against a count of every conversation (what both did before), side by side in one run. Medians of RUNS reads.

    .venv/bin/python bench/bench_conversation_lookup.py [--conversations 2000] [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devsynth_tui.services.store.conversations import Conversations, Message
from devsynth_tui.services.store.database import Store


def median_ms(read, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    convs = Conversations(Store(Path(tempfile.mkdtemp()) / "bench.db"))
    for n in range(args.conversations):  # ten messages each
        cid = convs.start(f"conversation {n}", Message("user", "a question " * 20))
        for k in range(9):
            convs.add(cid, Message("assistant" if k % 2 == 0 else "user", "some words " * 50))
    middle = args.conversations // 2
    print(f"{args.conversations} conversations, 10 messages each (medians of {args.runs} reads):")
    for name, one, every in (
        ("get", lambda: convs.get(middle), lambda: next(c for c in convs.list() if c.id == middle)),
        ("latest", convs.latest, lambda: convs.list()[0]),
    ):
        alone, counted = median_ms(one, args.runs), median_ms(every, args.runs)
        print(f"  {name:7} {alone:6.2f} ms; all counted {counted:6.2f} ms; ratio {counted / alone:.0f}x")


if __name__ == "__main__":
    main()
