"""Dashboard figures, each measured side by side with its baseline in the same run.

1. start to the full first screen (real terminal: tmux), median of 5
2. idle: CPU of the app process over 30 s with sampling every second, and its RSS
3. first answer text on screen minus the server's own time to first token (embedded server)
4. streaming a 20,000-token answer from a local source as fast as it can send: time until fully
   displayed over a bare httpx client reading the same stream; and the worst event-loop lag
   meanwhile (a 10 ms timer's lateness), which bounds how long a key press waits
5. the same lag while a thinking model (the LM Studio emulator) streams 2,000 thinking tokens,
   then its answer

    .venv/bin/python bench/bench_dashboard.py
"""

from __future__ import annotations

import asyncio
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from devsynth_tui.config import load  # noqa: E402
from devsynth_tui.services.embedded import EmbeddedServer  # noqa: E402

EXE = str(Path(sys.executable).parent / "devsynth-tui")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def start_app(session: str, home: str, extra: str = "") -> float:
    cmd = f"env -u COLUMNS -u LINES DEVSYNTH_TUI_HOME={shlex.quote(home)} TERM=xterm-256color {EXE} {extra}"
    t = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", cmd], check=True)
    while "Quit" not in tmux("capture-pane", "-p", "-t", session):
        time.sleep(0.005)
        if time.perf_counter() - t > 20:
            raise RuntimeError("no first screen in 20 s")
    return time.perf_counter() - t


def app_process(session: str) -> psutil.Process:
    pane = psutil.Process(int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip()))
    for p in [pane] + pane.children(recursive=True):
        if "devsynth-tui" in " ".join(p.cmdline()) and "embedded" not in " ".join(p.cmdline()):
            return p
    raise RuntimeError("app process not found")


def first_screen_and_idle(server_url: str) -> None:
    times = []
    for n in range(5):
        session = f"bench-start-{n}"
        times.append(start_app(session, tempfile.mkdtemp(), f"--base-url {server_url}"))
        tmux("kill-session", "-t", session)
        time.sleep(0.3)
    print(f"start to full first screen: median {statistics.median(times) * 1000:.0f} ms ({', '.join(f'{t * 1000:.0f}' for t in times)})")
    session = "bench-idle"
    start_app(session, tempfile.mkdtemp(), f"--base-url {server_url}")
    time.sleep(5)
    proc = app_process(session)
    cpu0, t0 = sum(proc.cpu_times()[:2]), time.perf_counter()
    time.sleep(30)
    cpu = (sum(proc.cpu_times()[:2]) - cpu0) / (time.perf_counter() - t0)
    print(f"idle over 30 s, sampling every 1 s: {cpu * 100:.2f} % of one core; RSS {proc.memory_info().rss / 2**20:.0f} MB "
          f"(embedded server not counted)")
    tmux("kill-session", "-t", session)


async def first_answer(server_url: str) -> None:
    from devsynth_tui.ui.app import DevsynthApp
    from devsynth_tui.ui.chat import AssistantMessage

    gaps = []
    for n in range(6):
        os.environ["DEVSYNTH_TUI_HOME"] = tempfile.mkdtemp()
        cfg = load(base_url=server_url).with_values({"llm.embedded": "never", "llm.max_tokens": 32, "disk.caching.enabled": False})
        app = DevsynthApp(cfg)
        painted: list[float] = []
        original = AssistantMessage.flush

        async def flush(self):
            had = bool(self._pending)
            await original(self)
            if had and not painted:
                painted.append(time.perf_counter())

        AssistantMessage.flush = flush
        finished = []
        real_finished = app.main.finished

        async def capture(live, done):
            finished.append(done)
            await real_finished(live, done)

        app.main.finished = capture
        try:
            async with app.run_test(size=(160, 48)) as pilot:
                while app.session.pipeline is None:
                    await pilot.pause(0.05)
                app.query_one("#prompt").text = f"Say something about the number {n}."
                sent = time.perf_counter()
                await pilot.press("enter")
                await until_answered(app, pilot)
        finally:
            AssistantMessage.flush = original
        gaps.append(((painted[0] - sent) - finished[0].result.server_ttft) * 1000)
    print(f"first answer text on screen minus the server's prompt_ms: median {statistics.median(gaps[1:]):.1f} ms "
          f"({', '.join(f'{g:.1f}' for g in gaps[1:])}; the first run is a warm-up)")


async def streaming() -> None:
    from fault_server import FaultServer

    faults = FaultServer().start()
    url = faults.url("fast")
    payload = {"model": "m", "messages": [{"role": "user", "content": "go"}], "max_tokens": 20000, "stream": True}
    bare = []
    for _ in range(3):
        t = time.perf_counter()
        async with httpx.AsyncClient(timeout=60) as c:
            async with c.stream("POST", url.removesuffix("/v1") + "/v1/chat/completions", json=payload) as r:
                async for _ in r.aiter_lines():
                    pass
        bare.append(time.perf_counter() - t)
    shown, key_delays = [], []
    for _ in range(3):
        seconds, lag = await stream_in_dashboard(url, "go")
        shown.append(seconds)
        key_delays.append(lag)
    faults.stop()
    b, s = statistics.median(bare), statistics.median(shown)
    print(f"20,000-token stream: bare httpx {b:.2f} s, fully displayed {s:.2f} s: {s / b:.2f}x")
    print(f"key press during that stream: the event loop was at most {max(key_delays) * 1000:.0f} ms late "
          f"(median of the 3 runs' worst: {statistics.median(key_delays) * 1000:.0f} ms), the longest a key waits")


async def until_answered(app, pilot) -> None:
    await pilot.pause()
    while app.main.live:
        await pilot.pause(0.01)


async def stream_in_dashboard(url: str, prompt: str, **values) -> tuple[float, float]:
    """(seconds until the answer is fully displayed, the event loop's worst lateness meanwhile)."""
    from devsynth_tui.ui.app import DevsynthApp

    os.environ["DEVSYNTH_TUI_HOME"] = tempfile.mkdtemp()
    cfg = load(base_url=url).with_values({"llm.embedded": "never", "llm.max_tokens": 20000, **values})
    app = DevsynthApp(cfg)
    async with app.run_test(size=(160, 48)) as pilot:
        while app.session.pipeline is None:
            await pilot.pause(0.05)
        app.query_one("#prompt").text = prompt
        lags: list[float] = []
        probing = True

        async def probe() -> None:
            """How late the event loop runs a 10 ms timer: a key press waits at most that long."""
            while probing:
                due = time.perf_counter() + 0.01
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - due)

        prober = asyncio.ensure_future(probe())
        t = time.perf_counter()
        await pilot.press("enter")
        await until_answered(app, pilot)
        await pilot.pause()
        seconds = time.perf_counter() - t
        probing = False
        await prober
    return seconds, max(lags)


async def thinking_stream() -> None:
    from lmstudio_emulator import LMStudioEmulator

    emulator = LMStudioEmulator().start()
    emulator.reasoning = " ".join(f"step{n}" for n in range(2000))  # 2,000 thinking tokens, then the answer
    emulator.tokens_per_chunk = 4
    lags = []
    for _ in range(3):
        _, lag = await stream_in_dashboard(emulator.base_url, "think hard")
        lags.append(lag)
    emulator.stop()
    print(f"thinking model, 2,000 thinking tokens streamed into the collapsed block: the event loop was at most "
          f"{max(lags) * 1000:.0f} ms late (median of the 3 runs' worst: {statistics.median(lags) * 1000:.0f} ms)")


def main() -> None:
    server = EmbeddedServer(Path(tempfile.mkdtemp()))
    server.start()
    try:
        first_screen_and_idle(server.base_url)
        asyncio.run(first_answer(server.base_url))
    finally:
        server.stop()
    asyncio.run(streaming())
    asyncio.run(thinking_stream())


if __name__ == "__main__":
    main()
