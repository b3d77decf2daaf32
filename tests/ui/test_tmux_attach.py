"""End to end in a real terminal (tmux) against the embedded server: type ``@`` and part of a path, Tab completes
it, Enter sends; the answer and the attachment show, and the status line shows the window's fill."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .test_tmux_e2e import STATS_LINE, capture, wait_for

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_at_path_tab_completes_and_is_sent(server_url, tmp_path):
    assert shutil.which("tmux"), "tmux is needed: .ci/run installs it"
    work = tmp_path / "project"
    work.mkdir()
    (work / "calculator_module.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "config.yaml").write_text("llm:\n  max_tokens: 24\n  temperature: 0\n")  # a short answer
    session = f"devsynth-attach-{os.getpid()}"
    home, config = shlex.quote(str(tmp_path / "home")), shlex.quote(str(tmp_path))
    env = f"DEVSYNTH_TUI_HOME={home} XDG_CONFIG_HOME={config} TERM=xterm-256color PYTHONPATH={shlex.quote(str(REPO))}"
    app = f"{shlex.quote(sys.executable)} -m devsynth_tui --config {config}/config.yaml --base-url {server_url}"
    cmd = f"env -u COLUMNS -u LINES {env} {app}"
    new = ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", "-c", str(work), cmd]
    subprocess.run(new, check=True)
    try:
        subprocess.run(["tmux", "resize-window", "-t", session, "-x", "160", "-y", "48"], check=True)
        wait_for(session, r"server at http://127\.0\.0\.1")
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "What does add return in @calc"], check=True)
        wait_for(session, r"in @calc")  # typed in full before Tab
        subprocess.run(["tmux", "send-keys", "-t", session, "Tab"], check=True)
        wait_for(session, r"@calculator_module\.py")  # completed in the prompt
        wait_for(session, r"attached: \d+ tokens")  # the bar above the prompt
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        screen = wait_for(session, STATS_LINE, seconds=180)
        assert re.search(r"What does add return in calculator_module\.py\s\s", screen), screen  # the @ goes
        assert "attached: calculator_module.py" in screen  # the attachment stays with the message
        wait_for(session, r"ctx \d+ %")  # the window's fill in the status line
    finally:
        print(capture(session))
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
