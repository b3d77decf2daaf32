"""The task runner in a real terminal (tmux, 80x24) against the embedded server: from Enter to the
first progress line on screen, beside a typed character to its echo in the same field (the
app's own key-to-screen time, the baseline), Enter to the first answer token, and Esc to "cancelled".

The screen is read with `tmux capture-pane` in a loop; one read is timed alone as the floor of
every figure. A frame at Textual's 60 fps is 16.7 ms.

    .venv/bin/python bench/bench_task_progress.py [RUNS]
"""

from __future__ import annotations

import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devsynth_tui.services.llm.embedded import EmbeddedServer  # noqa: E402

EXE = str(Path(sys.executable).parent / "devsynth-tui")
PROGRESS = ("starting on 1 file", "reading 1 context file", "preparing the request", "waiting for the first token")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def until(session: str, words: tuple[str, ...], limit: float = 120) -> tuple[float, str]:
    """Seconds until any of ``words`` is on screen, and the screen."""
    t = time.perf_counter()
    while True:
        screen = tmux("capture-pane", "-p", "-t", session)
        if any(w in screen for w in words):
            return time.perf_counter() - t, screen
        if time.perf_counter() - t > limit:
            raise RuntimeError(f"none of {words} in {limit} s:\n{screen}")


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "server").mkdir()
        server = EmbeddedServer(Path(tmp) / "server")
        server.start()
        code = Path(tmp) / "dragon.py"
        code.write_text(
            "def tell(dragon):\n    '''Tell a very long story about the dragon.'''\n    return dragon.story()\n"
        )
        session = "bench-task-progress"
        cmd = (
            f"env -u COLUMNS -u LINES DEVSYNTH_TUI_HOME={shlex.quote(tmp + '/home')} TERM=xterm-256color "
            f"{EXE} --base-url {server.base_url}"
        )
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd], check=True)
        try:
            until(session, ("model ",), 30)
            tmux("send-keys", "-t", session, "F3")
            until(session, ("Enter or Run",))
            tmux("send-keys", "-t", session, "-l", str(code))
            until(session, ("dragon.py",))
            reads, echo, progress, first, cancel = [], [], [], [], []
            for _ in range(runs):
                t = time.perf_counter()
                tmux("capture-pane", "-p", "-t", session)
                reads.append(time.perf_counter() - t)
                tmux("send-keys", "-t", session, "-l", ",")
                echo.append(until(session, ("dragon.py,",))[0])
                tmux("send-keys", "-t", session, "BSpace")
                while "dragon.py," in tmux("capture-pane", "-p", "-t", session):
                    time.sleep(0.005)
                tmux("send-keys", "-t", session, "Enter")
                seconds, screen = until(session, (*PROGRESS, "streaming"))
                assert any(p in screen for p in PROGRESS), "the first screen after Enter had no progress line"
                progress.append(seconds)
                first.append(seconds + until(session, ("streaming…",))[0])
                tmux("send-keys", "-t", session, "Escape")
                cancel.append(until(session, ("cancelled · the partial",), 10)[0])
        finally:
            tmux("kill-session", "-t", session)
            server.stop()
    ms = lambda xs: f"{statistics.median(xs) * 1000:7.1f} ms"  # noqa: E731
    print(f"runs: {runs} (2 cores; other work on the machine makes these noisy)")
    print(f"one screen read (tmux capture-pane), the floor:  {ms(reads)}")
    print(f"a typed character -> its echo (the baseline):   {ms(echo)}")
    print(
        f"Enter -> progress line on screen:               {ms(progress)}  "
        f"({statistics.median(progress) / statistics.median(echo):.1f}x the baseline)"
    )
    print(
        f"Enter -> first answer token on screen:          {ms(first)}  "
        f"({statistics.median(first) / statistics.median(progress):.0f}x later)"
    )
    print(f"Esc -> 'cancelled' under the partial answer:    {ms(cancel)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
