"""LM Studio's idle auto-unload, measured in the dashboard against the LM Studio emulator (tests/): the time
from pressing Enter to the "loading …" notice (set in the state, then drawn), for a model listed as loaded at
connect time and unloaded since, beside a chat frame (FRAME_SECONDS) and the model's load time.

    .venv/bin/python bench/bench_unload_notice.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from lmstudio_emulator import LMStudioEmulator  # noqa: E402

from devsynth_tui.config import load  # noqa: E402
from devsynth_tui.ui.app import DevsynthApp  # noqa: E402
from devsynth_tui.ui.chat import FRAME_SECONDS  # noqa: E402

MODEL = "qwen/qwen3-4b"
LOAD_DELAY = 1.0
RUNS = 7


async def once(emulator: LMStudioEmulator) -> tuple[float, float]:
    """(Enter to the notice in the state, Enter to the frame that shows it), in seconds."""
    emulator.load(MODEL)
    app = DevsynthApp(load(base_url=emulator.base_url).with_values({"llm.embedded.mode": "never"}))
    async with app.run_test(size=(80, 24)) as pilot:
        while app.session.pipeline is None:
            await pilot.pause(0.05)
        await app.main.refresh_models()
        emulator.model(MODEL).instances.clear()  # unloaded while idle
        marks: dict[str, float] = {}

        def watch(new, old) -> None:
            if "loading" in new.notice and "set" not in marks:
                marks["set"] = time.perf_counter()
                app.call_after_refresh(lambda: marks.setdefault("drawn", time.perf_counter()))

        app.main.state.watch(watch)
        app.query_one("#prompt").text = "hi"
        sent = time.perf_counter()
        await pilot.press("enter")
        while "drawn" not in marks:
            await pilot.pause(0.01)
        while app.main.chat_pane.live:
            await pilot.pause(0.05)
    return marks["set"] - sent, marks["drawn"] - sent


async def main() -> None:
    import os

    os.environ["DEVSYNTH_TUI_HOME"] = tempfile.mkdtemp(prefix="bench-unload-")
    emulator = LMStudioEmulator().start()
    emulator.load_delay = LOAD_DELAY
    try:
        runs = [await once(emulator) for _ in range(RUNS)]
    finally:
        emulator.stop()
    state = statistics.median(r[0] for r in runs)
    drawn = statistics.median(r[1] for r in runs)
    print(f"Enter to the loading notice, median of {RUNS} (an auto-unloaded model, emulated LM Studio):")
    print(f"  in the state   {state * 1000:7.1f} ms")
    print(f"  on screen      {drawn * 1000:7.1f} ms  = {drawn / FRAME_SECONDS:.2f} chat frames ({FRAME_SECONDS} s)")
    print(f"  model load     {LOAD_DELAY * 1000:7.1f} ms  (the notice comes at {drawn / LOAD_DELAY:.1%} of it)")


if __name__ == "__main__":
    asyncio.run(main())
