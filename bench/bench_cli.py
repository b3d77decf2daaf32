"""Start-up of the headless commands, and client timing fidelity against the embedded server.

- median wall time of `devsynth-tui --help` and `devsynth-tui tokens report` with a 10,000-row ledger
- over 5 requests: client time to first token minus the server's timings.prompt_ms, and client
  tokens/s over the server's predicted_per_second (the benchmark runner uses the same figures)

    .venv/bin/python bench/bench_cli.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import aclosing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.embedded import EmbeddedServer
from devsynth_tui.services.llm.results import ChatResult
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger

EXE = str(Path(sys.executable).parent / "devsynth-tui")


def timed(args: list[str], env: dict, runs: int = 11) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(args, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def startup() -> None:
    home = Path(tempfile.mkdtemp())
    env = {**os.environ, "DEVSYNTH_TUI_HOME": str(home)}
    ledger = Ledger(Store(db_path(home)))
    with ledger.store.transaction() as conn:
        period = ledger.open_period(conn)
        for i in range(10_000):
            conn.execute(
                "INSERT INTO requests(ts, period_id, operation, prompt_tokens, completion_tokens, total_tokens, status)"
                " VALUES (?, ?, 'ask', 100, 20, 120, 'ok')",
                (time.time() - i, period),
            )
    python = timed([sys.executable, "-c", "pass"], env)
    print(f"python -c pass (baseline):                      {python * 1000:6.0f} ms")
    print(
        f"devsynth-tui --help:                            {timed([EXE, '--help'], env) * 1000:6.0f} ms (median of 11)"
    )
    print(
        f"devsynth-tui tokens report, 10,000-row ledger:  {timed([EXE, 'tokens', 'report'], env) * 1000:6.0f} ms "
        "(median of 11)"
    )


async def fidelity() -> None:
    server = EmbeddedServer(Path(tempfile.mkdtemp()))
    server.start()
    client = LLMClient(server.base_url)
    ttft_gap, ratio = [], []
    try:
        for n in range(6):
            payload = {
                "model": "m",
                "messages": [{"role": "user", "content": f"Write a paragraph about the number {n}."}],
                "max_tokens": 128,
                "temperature": 0,
                "ignore_eos": True,
            }
            result: ChatResult | None = None
            async with aclosing(client.stream_chat(payload)) as stream:
                async for event in stream:
                    if isinstance(event, ChatResult):
                        result = event
            if n == 0:
                continue  # warm-up
            ttft_gap.append((result.ttft - result.server_ttft) * 1000)
            ratio.append(result.client_tps / result.server_tps)
    finally:
        await client.aclose()
        server.stop()
    print(
        f"client TTFT minus server prompt_ms: median {statistics.median(ttft_gap):.1f} ms "
        f"({', '.join(f'{g:.1f}' for g in ttft_gap)})"
    )
    print(
        f"client tokens/s over server predicted_per_second: median {statistics.median(ratio):.3f} "
        f"({', '.join(f'{r:.3f}' for r in ratio)})"
    )


if __name__ == "__main__":
    startup()
    asyncio.run(fidelity())
