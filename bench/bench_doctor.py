"""doctor's run time on a 100,000-row ledger (target: at most 0.3 s).

Builds a ledger of 100,000 requests over 30 days (5 operations, 3 models, large and small
inputs, some errors and cache hits), then times, median of 7:
  - the advisor's checks over the whole ledger (--since 1970: every row in the window),
  - the same over its default window (the last week),
  - the whole `devsynth-tui doctor --json` command in a fresh process (imports, config, server probe
    against a closed port, machine readings, the checks), beside `tokens report` as the baseline of
    a process that starts, loads the config and opens the ledger. On a loaded machine the CPU finding
    fires and names the busiest programs, which measures them for 0.2 s.

    .venv/bin/python bench/bench_doctor.py
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROWS = 100_000
RUNS = 7


def build_ledger(home: Path) -> None:
    from devsynth_tui.services.store.database import Store, db_path
    from devsynth_tui.services.store.ledger import Ledger

    store = Store(db_path(home))
    with store.transaction() as conn:
        period = Ledger.open_period(conn)
    rng = random.Random(7)
    now = time.time()
    ops = ["chat", "ask", "explain file", "write tests", "review diff"]
    models = ["qwen/qwen3-4b", "meta/llama-3-8b", "google/gemma-3-1b"]
    rows = []
    for i in range(ROWS):
        before = rng.choice([300, 900, 6000, 24000])
        prompt = int(before * rng.uniform(0.15, 1.0))
        completion = rng.randint(20, 900)
        status = rng.choices(["ok", "error", "cancelled"], [95, 3, 2])[0]
        rows.append(
            (
                now - 30 * 86400 * (1 - i / ROWS),
                period,
                ops[i % 5],
                models[i % 3],
                "lmstudio",
                prompt,
                completion,
                prompt + completion,
                prompt,
                before,
                before - prompt,
                0.0,
                0.4,
                35.0,
                8.0,
                status,
                "server",
                int(rng.random() < 0.05),
            )
        )
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO requests(ts, period_id, operation, model, backend, prompt_tokens, completion_tokens, "
            "total_tokens,"
            " est_prompt_tokens, tokens_before, tokens_saved, cost, ttft, tps, duration, status, usage_source, cached)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    store.close()


def time_advise(home: Path, since: float | None) -> tuple[float, int]:
    from devsynth_tui.config import load
    from devsynth_tui.services.advisor import checks as advisor
    from devsynth_tui.services.store.database import Store, db_path

    cfg = load()
    store = Store(db_path(home))
    machine = advisor.Machine(cores=2, memory_total_mb=24_000, memory_available_mb=20_000, load_1m=0.3)
    times, found = [], 0
    for _ in range(RUNS):
        t = time.perf_counter()
        facts = advisor.Facts(
            cfg, store, advisor.default_since(cfg) if since is None else since, machine, cache_dir=home / "cache"
        )
        found = len(advisor.advise(facts).findings)
        times.append(time.perf_counter() - t)
    return statistics.median(times), found


def time_command(home: Path, *args: str) -> float:
    env = {**os.environ, "DEVSYNTH_TUI_HOME": str(home)}
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "devsynth_tui", *args], env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["DEVSYNTH_TUI_HOME"] = str(home)
        os.environ["XDG_CONFIG_HOME"] = str(home / "xdg")
        t = time.perf_counter()
        build_ledger(home)
        print(
            f"ledger of {ROWS:,} rows built in {time.perf_counter() - t:.1f} s "
            f"({(home / 'devsynth.db').stat().st_size / 1e6:.0f} MB); load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores"
        )
        whole, n = time_advise(home, 0.0)
        print(f"advisor checks, every row in the window: median {whole * 1000:.0f} ms of {RUNS} ({n} findings)")
        week, n = time_advise(home, None)
        print(f"advisor checks, default window (last 7 days): median {week * 1000:.0f} ms of {RUNS} ({n} findings)")
        command = time_command(home, "doctor", "--json", "--since", "1970-01-02", "--base-url", "http://127.0.0.1:9/v1")
        baseline = time_command(home, "tokens", "report")
        print(
            f"`devsynth-tui doctor --json --since 1970-01-02`, whole process: median {command * 1000:.0f} ms of "
            f"{RUNS}; "
            f"`tokens report` beside it {baseline * 1000:.0f} ms (process start, imports, config)"
        )
        print(f"target <= 300 ms for the checks: {'met' if whole <= 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
