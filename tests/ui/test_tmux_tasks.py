"""End to end at 80x24 in a real terminal (tmux): the task runner shows progress as soon as Enter is
pressed, streams the answer, and Esc cancels it with the partial answer kept."""

import os
import shlex
import subprocess
import sys

import pytest

from ui.test_tmux_e2e import capture, wait_for

pytestmark = pytest.mark.integration

PROGRESS = ("running on 1 file", "reading 1 context file", "preparing the request", "waiting for the first token")


def test_task_runner_progress_at_once_then_stream_then_esc(recording_proxy, tmp_path):
    code = tmp_path / "dragon.py"
    code.write_text(
        "def tell(dragon):\n    '''Tell a very long story about the dragon, chapter by chapter.'''\n"
        "    return dragon.story()\n"
    )
    session = f"devsynth-tasks-{os.getpid()}"
    env = (
        f"DEVSYNTH_TUI_HOME={shlex.quote(str(tmp_path / 'home'))} XDG_CONFIG_HOME={shlex.quote(str(tmp_path))} "
        "TERM=xterm-256color"
    )
    cmd = (
        f"env -u COLUMNS -u LINES {env} {shlex.quote(sys.executable)} -m devsynth_tui --base-url {recording_proxy.url}"
    )
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd], check=True)
    try:
        subprocess.run(["tmux", "resize-window", "-t", session, "-x", "80", "-y", "24"], check=True)
        wait_for(session, r"model SmolLM2")
        subprocess.run(["tmux", "send-keys", "-t", session, "F3"], check=True)
        wait_for(session, r"Enter or Run sends the task")
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", str(code)], check=True)
        wait_for(session, r"dragon\.py")
        recording_proxy.hold_after(20)  # the answer stops mid-stream at the proxy: it is certainly still streaming
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        first = wait_for(session, "|".join((*PROGRESS, "streaming")), 10)
        assert any(p in first for p in PROGRESS), first  # progress shows before the first token arrives
        wait_for(session, r"streaming… \(Esc cancels\)", 120)
        subprocess.run(["tmux", "send-keys", "-t", session, "Escape"], check=True)
        screen = wait_for(session, r"cancelled · the partial answer is kept", 10)
        recording_proxy.gate.set()
        assert "tokens," in screen.splitlines()[-2]  # the status line kept its token counts at 80 columns
        assert "Sidebar" in screen.splitlines()[-1]  # and the footer its ^b key
        print("\n--- first screen after Enter ---\n" + first + "\n--- after Esc ---\n" + capture(session))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
