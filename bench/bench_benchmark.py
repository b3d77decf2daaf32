"""The benchmark runner's fidelity and concurrency, and the guide's section 4.3 by measurement.

1. known clock: a server that sends every token at a scheduled moment (tests/clock_server.py);
   for TTFT, ITL and TPOT at concurrency 1 and 4, the schedule, what the server did, and what the
   benchmark reported, every percentile side by side
2. embedded server: client generation tok/s (1/TPOT) against the server's predicted_per_second
   at concurrency 1 and 4, means over the requests; aggregate output tok/s
3. embedded server slots: aggregate output tok/s at concurrency 4 with parallel 1, 2, 4
4. the thread sweep: `benchmark --sweep llm.embedded.threads=1,2,4` and the value it names
5. the dashboard's worst event-loop lag (a 10 ms timer's lateness) during a benchmark run with the
   guide's stages, against the same app idle

    .venv/bin/python bench/bench_benchmark.py
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from devsynth_tui.config import load  # noqa: E402
from devsynth_tui.services.benchmark import runner as bm  # noqa: E402
from devsynth_tui.services.llm.embedded import EmbeddedServer, EmbeddedSettings  # noqa: E402

STATS = ("p50", "p90", "p99")


def home() -> str:
    os.environ["DEVSYNTH_TUI_HOME"] = path = tempfile.mkdtemp()
    return path


def cli(*args: str, env_home: str | None = None) -> dict:
    env = {**os.environ, "DEVSYNTH_TUI_HOME": env_home or tempfile.mkdtemp()}
    out = subprocess.run(
        [sys.executable, "-m", "devsynth_tui", *args, "--json"], env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout)


async def known_clock() -> None:
    from clock_server import ClockServer, schedule

    from devsynth_tui.config import app_home
    from devsynth_tui.services.llm.backend import connect
    from devsynth_tui.services.pipeline.pipeline import Pipeline
    from devsynth_tui.services.store.database import Store, db_path
    from devsynth_tui.services.store.ledger import Ledger

    home()
    tokens = 17
    server = await ClockServer().listen()
    cfg = load(base_url=server.url).with_values({"llm.embedded.mode": "never"})
    backend = await connect(cfg, app_home())
    ledger = Ledger(Store(db_path(app_home())))
    async for event in bm.Runner(Pipeline(cfg, backend, ledger), ledger.store).run(
        bm.Options(8, 0, [1, 4], tokens, stages=False)
    ):
        result = event
    await backend.aclose()
    await server.aclose()
    print("1. known clock, ms: schedule / what the server did / reported")
    worst = 0.0
    for level in result.serving:
        requests = [r for r in result.requests if r["concurrency"] == level["concurrency"]]
        pairs = [
            (r["sent"], server.log[int(r["model"].split("-")[1])], schedule(int(r["model"].split("-")[1]), tokens))
            for r in requests
        ]
        plan = {
            "ttft": [p.ttft for _, _, p in pairs],
            "itl": [g for _, _, p in pairs for g in p.gaps],
            "tpot": [sum(p.gaps) / len(p.gaps) for _, _, p in pairs],
        }
        did = {
            "ttft": [s.tokens[0] - t for t, s, _ in pairs],
            "itl": [g for _, s, _ in pairs for g in s.gaps],
            "tpot": [(s.tokens[-1] - s.tokens[0]) / (len(s.tokens) - 1) for _, s, _ in pairs],
        }
        for metric in ("ttft", "itl", "tpot"):
            a, b, c = bm.summarize(plan[metric]), bm.summarize(did[metric]), level[metric]
            worst = max(worst, *(abs(c[s] - b[s]) for s in STATS))
            print(
                f"   concurrency {level['concurrency']} {metric:4} "
                + "   ".join(f"{s} {a[s] * 1000:6.1f} / {b[s] * 1000:6.1f} / {c[s] * 1000:6.1f}" for s in STATS)
            )
    print(f"   largest |reported - what the server did|: {worst * 1000:.2f} ms")


def serving_run(url: str, concurrency: str) -> dict:
    """`benchmark` without the guide's stages: 8 requests of 64 tokens after one warm-up, as JSON."""
    return cli(
        "--base-url",
        url,
        "benchmark",
        "--no-stages",
        "--requests",
        "8",
        "--warmup",
        "1",
        "--max-tokens",
        "64",
        "--concurrency",
        concurrency,
    )


def fidelity(url: str) -> None:
    run = serving_run(url, "1,4")
    print(
        "2. embedded server, 64 output tokens: client generation tok/s (1/TPOT) vs server predicted_per_second, means"
    )
    for level in run["serving"]:
        client, server = level["decode_tps"]["mean"], level["server"]["predicted_per_second"]["mean"]
        print(
            f"   concurrency {level['concurrency']}: client {client:.1f} vs server {server:.1f} tok/s "
            f"({100 * (client / server - 1):+.1f} %); "
            f"aggregate {level['output_tokens_per_s']:.1f} output tok/s; TTFT p50 {level['ttft']['p50'] * 1000:.0f} "
            "ms; "
            f"pipeline preparation p50 {level['overhead']['preparation']['p50'] * 1000:.1f} ms, after "
            f"{level['overhead']['after']['p50'] * 1000:.1f} ms"
        )


def slots() -> None:
    print("3. slots: aggregate output tok/s at concurrency 4 (8 requests of 64 tokens), threads one per core")
    for parallel in (1, 2, 4):
        server = EmbeddedServer(Path(tempfile.mkdtemp()), EmbeddedSettings(parallel=parallel))
        server.start()
        try:
            run = serving_run(server.base_url, "4")
        finally:
            server.stop()
        level = run["serving"][0]
        print(
            f"   parallel {parallel}: {level['output_tokens_per_s']:.1f} output tok/s, TTFT p50 "
            f"{level['ttft']['p50'] * 1000:.0f} ms, "
            f"e2e p50 {level['e2e']['p50'] * 1000:.0f} ms"
        )


def thread_sweep() -> None:
    config = Path(tempfile.mkdtemp()) / "c.yaml"
    config.write_text("llm:\n  embedded:\n    mode: always\n")
    run = cli(
        "--config",
        str(config),
        "benchmark",
        "--no-stages",
        "--requests",
        "3",
        "--warmup",
        "1",
        "--max-tokens",
        "32",
        "--sweep",
        "llm.embedded.threads=1,2,4",
    )
    print(f"4. thread sweep on {os.cpu_count()} cores (medium prompt, 32 tokens, 3 requests a value), p50s:")
    for row in run["sweep"]:
        print(
            f"   threads {row['params']['llm.embedded.threads']}: {row['tps_p50']:.1f} tok/s (server "
            f"{row['server_tps_p50']:.1f}), "
            f"TTFT {row['ttft_p50'] * 1000:.0f} ms"
        )
    print("   " + bm.format_best(bm.RunResult(**{k: v for k, v in run.items() if k != "schema"})))


async def dashboard_lag(url: str) -> None:
    from devsynth_tui.ui.app import DevsynthApp

    async def lags(run_benchmark: bool) -> dict[str, float]:
        """The worst lateness of a 10 ms timer, per phase of the run (the pane's status when it was seen)."""
        home()
        app = DevsynthApp(load(base_url=url).with_values({"llm.embedded.mode": "never"}))
        worst: dict[str, float] = {}
        async with app.run_test(size=(160, 48)) as pilot:
            while app.session.pipeline is None:
                await pilot.pause(0.05)
            await pilot.pause(2)  # the app's own start-up work done
            await pilot.press("f6")  # the benchmark pane is mounted when first shown: its status line is read below
            await pilot.pause(0.5)
            probing = True

            async def probe() -> None:
                while probing:
                    due = time.perf_counter() + 0.01
                    await asyncio.sleep(0.01)
                    lag = time.perf_counter() - due
                    phase = str(app.query_one("#bench-status").render()).partition(" · ")[2] or "idle"
                    phase = "Prompt construction" if phase == "Prompt construction" else "the rest of the run"
                    worst[phase] = max(worst.get(phase, 0.0), lag)

            prober = asyncio.ensure_future(probe())
            if run_benchmark:
                app.main.benchmarking = app.main.run_benchmark(bm.Options(4, 1, [1, 2], 32, stages=True))
                await app.main.benchmarking.wait()
            else:
                await asyncio.sleep(20)
            probing = False
            await prober
        return worst

    idle, running = await lags(False), await lags(True)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "devsynth_tui", "--version"], capture_output=True, check=True)
    blocked = time.perf_counter() - t
    print(
        f"5. dashboard's worst event-loop lag during a run with the guide's stages (concurrency 1,2): "
        f"{running.get('the rest of the run', 0) * 1000:.0f} ms outside the Prompt construction stage, "
        f"{running.get('Prompt construction', 0) * 1000:.0f} ms in it (the pipeline's prepare over this package's "
        f"sources; its pruning runs in a worker thread); idle for 20 s: {max(idle.values()) * 1000:.0f} ms. "
        f"The blocking `--version` call the run used to make took {blocked * 1000:.0f} ms here"
    )


def main() -> None:
    load_before = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load_before:.1f} at the start")
    asyncio.run(known_clock())
    server = EmbeddedServer(Path(tempfile.mkdtemp()))
    server.start()
    try:
        fidelity(server.base_url)
        asyncio.run(dashboard_lag(server.base_url))
    finally:
        server.stop()
    slots()
    thread_sweep()
    print(f"load average at the end {os.getloadavg()[0]:.1f} (other helpers share the machine: figures are noisy)")


if __name__ == "__main__":
    main()
