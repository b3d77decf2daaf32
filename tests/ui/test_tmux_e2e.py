"""End to end: the real `devsynth-tui` in a real terminal (tmux) against the embedded server."""

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.integration


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def wait_for(session: str, pattern: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if re.search(pattern, screen):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} never appeared; screen was:\n{screen}")


# The stats line under a finished answer ("SmolLM2… · 31 + 9 tokens · ttft …"); the sidebar's last request says
# "31 + 9 tokens (server usage)" and may be drawn a frame before it, so "tok/s" alone does not tell them apart.
STATS_LINE = r"[\d,]+ \+ [\d,]+ tokens · [^\n]*"


def test_type_prompt_read_streamed_answer_and_counters(server_url, tmp_path):
    assert shutil.which("tmux"), "tmux is needed: .ci/run installs it"
    session = f"devsynth-e2e-{os.getpid()}"
    (tmp_path / "devsynth-tui").mkdir()
    (tmp_path / "devsynth-tui" / "config.yaml").write_text("llm:\n  max_tokens: 48\n  temperature: 0\n")  # short
    home, config = shlex.quote(str(tmp_path / "home")), shlex.quote(str(tmp_path))
    env = f"DEVSYNTH_TUI_HOME={home} XDG_CONFIG_HOME={config} TERM=xterm-256color"
    cmd = f"env -u COLUMNS -u LINES {env} {shlex.quote(sys.executable)} -m devsynth_tui --base-url {server_url}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", cmd], check=True)
    try:
        subprocess.run(["tmux", "resize-window", "-t", session, "-x", "160", "-y", "48"], check=True)
        wait_for(session, r"server at http://127\.0\.0\.1")
        subprocess.run(
            ["tmux", "send-keys", "-t", session, "What is 2+2? Answer in one sentence.", "Enter"], check=True
        )
        wait_for(session, STATS_LINE, seconds=180)
        screen = wait_for(session, r"prompt\s+[1-9][\d,]*\s+completion\s+[1-9]")  # the session counters settled
        chat = "\n".join(line.split("▏")[0] for line in screen.splitlines())  # the chat column, not the sidebar
        assert "What is 2+2?" in chat and re.search(r"max_tokens \(?48", chat), screen  # the config file was read
        stats = re.search(STATS_LINE, chat)
        assert stats, screen
        answer = chat[chat.index("What is 2+2?") + 40 : chat.rfind("\n", 0, stats.start())]
        assert re.search(r"\w{2,}", answer), screen  # the streamed answer's text is on screen
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
        for _ in range(50):
            if subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode:
                break
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_the_last_token_of_a_20k_token_stream_is_on_screen_in_a_real_terminal(tmp_path):
    """A stream faster than any redraw (20,000 tokens in one write) is followed to its end."""
    import yaml
    from fault_server import FaultServer

    assert shutil.which("tmux"), "tmux is needed: .ci/run installs it"
    faults = FaultServer().start()
    config = tmp_path / "config.yaml"
    llm = {"base_url": faults.url("fast"), "embedded": "never", "max_tokens": 20_000}
    config.write_text(yaml.safe_dump({"llm": llm}))
    session = f"devsynth-e2e-stream-{os.getpid()}"
    home, xdg = shlex.quote(str(tmp_path / "home")), shlex.quote(str(tmp_path))
    env = f"DEVSYNTH_TUI_HOME={home} XDG_CONFIG_HOME={xdg} TERM=xterm-256color"
    python, config_arg = shlex.quote(sys.executable), shlex.quote(str(config))
    cmd = f"env -u COLUMNS -u LINES {env} {python} -m devsynth_tui --config {config_arg}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", cmd], check=True)
    try:
        wait_for(session, r"server at http://127\.0\.0\.1")
        subprocess.run(["tmux", "send-keys", "-t", session, "go", "Enter"], check=True)
        screen = wait_for(session, r"stopped at max_tokens \(20,000\)")  # the stats line under the finished answer
        assert "tok19999" in screen, screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        faults.stop()


def dashboard_for(home: Path) -> psutil.Process | None:
    """The dashboard process started with DEVSYNTH_TUI_HOME=home, if it runs: Python running `-m devsynth_tui`,
    not the tmux server, shell or make whose command line names it (the test's own environment has that home)."""
    for p in psutil.process_iter(["cmdline"]):
        try:
            if (p.info["cmdline"] or [])[1:3] == ["-m", "devsynth_tui"] and p.environ().get("DEVSYNTH_TUI_HOME") == str(
                home
            ):
                return p
        except psutil.Error:
            pass
    return None


def test_closing_the_terminal_quits_even_when_no_hangup_signal_arrives(server_url, tmp_path):
    """`make run` in a terminal window that is closed: make keeps the SIGHUP, the app must still go (not spin)."""
    home, makefile = tmp_path / "home", tmp_path / "Makefile"
    run = f"DEVSYNTH_TUI_HOME={shlex.quote(str(home))} {shlex.quote(sys.executable)} -m devsynth_tui"
    makefile.write_text(f"run:\n\t{run} --base-url {server_url}\n")
    session = f"devsynth-hup-{os.getpid()}"
    cmd = f"make -s -f {shlex.quote(str(makefile))} run"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd], check=True)
    try:
        wait_for(session, r"model SmolLM2")  # connected (before, the status line says "model -")
        app = dashboard_for(home)
        assert app is not None
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    _, alive = psutil.wait_procs([app], timeout=30)
    for process in alive:
        process.kill()  # leave nothing spinning behind a failure
    assert not alive, f"the dashboard (pid {app.pid}) outlived its closed terminal"
