"""Time from `make run` (with .venv already there) to the embedded backend answering, in a real terminal.

The clock stops when the dashboard's status line names the embedded server, which the app
shows once `/health` answered and the model list came back.

    .venv/bin/python bench/bench_make_run.py
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def once(n: int) -> float:
    session = f"bench-make-run-{n}"
    cmd = (
        f"cd {ROOT} && env -u COLUMNS -u LINES -u DEVSYNTH_TUI_BASE_URL -u LM_STUDIO_ENDPOINT "
        f"DEVSYNTH_TUI_HOME={tempfile.mkdtemp()} make run"
    )  # LM Studio's default address, where nothing listens here: the embedded backend stands in
    t = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", cmd], check=True)
    try:
        while "embedded SmolLM2" not in tmux("capture-pane", "-p", "-t", session):
            time.sleep(0.01)
            if time.perf_counter() - t > 60:
                raise RuntimeError("the embedded backend never answered")
        return time.perf_counter() - t
    finally:
        tmux("send-keys", "-t", session, "C-q")
        time.sleep(1)
        tmux("kill-session", "-t", session)


if __name__ == "__main__":
    times = [once(n) for n in range(5)]
    print(
        f"make run (venv present) to the embedded backend answering: median {statistics.median(times):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in times)})"
    )
