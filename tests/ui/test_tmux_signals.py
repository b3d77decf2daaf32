"""The real dashboard in a real terminal (tmux) ended mid-answer by a real SIGTERM or SIGHUP, or by closing the
terminal: the partial answer and a `cancelled` row are stored, as Esc stores them, and the app exits (with 128 + the
signal, where a shell is left to tell)."""

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

import psutil
import pytest
import yaml
from fault_server import FaultServer

from devsynth_tui.services.store.conversations import Conversations
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger

from .test_tmux_e2e import capture, dashboard_for, wait_for

pytestmark = pytest.mark.integration


CLOSED = 0  # the terminal closed: tmux ends the session (a hang-up, and no terminal left to write to)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, CLOSED])
def test_a_signal_mid_answer_stores_the_partial_answer_and_quits(tmp_path, signum):
    assert shutil.which("tmux"), "tmux is needed: .ci/run installs it"
    faults = FaultServer().start()
    config, home, rc = tmp_path / "config.yaml", tmp_path / "home", tmp_path / "rc"
    config.write_text(
        yaml.safe_dump({"llm": {"base_url": faults.url("stepped"), "embedded": "never", "max_tokens": 40}})
    )
    env = f"DEVSYNTH_TUI_HOME={shlex.quote(str(home))} XDG_CONFIG_HOME={shlex.quote(str(tmp_path))} TERM=xterm-256color"
    app = f"{shlex.quote(sys.executable)} -m devsynth_tui --config {shlex.quote(str(config))}"
    cmd = f"env -u COLUMNS -u LINES {env} {app}; echo $? > {shlex.quote(str(rc))}; sleep 30"
    session = f"devsynth-signal-{os.getpid()}-{signum}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", cmd], check=True)
    try:
        wait_for(session, r"server at http://127\.0\.0\.1", 120)
        subprocess.run(["tmux", "send-keys", "-t", session, "go"], check=True)
        wait_for(session, r"\n\s*go\s", 60)  # in the prompt
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        faults.release(3)
        wait_for(session, r"line2", 40)  # mid-answer: the server holds the rest
        process = dashboard_for(home)
        assert process is not None
        if signum == CLOSED:
            subprocess.run(["tmux", "kill-session", "-t", session], check=True)
            _, alive = psutil.wait_procs([process], timeout=120)
            for left in alive:
                left.kill()  # leave nothing behind a failure
            assert not alive, "the dashboard outlived its closed terminal by 120 s"
        else:
            os.kill(process.pid, signum)
            deadline = time.monotonic() + 120
            while not (rc.exists() and rc.read_text().strip()) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert rc.exists(), f"the dashboard did not end in 120 s; screen:\n{capture(session)}"
            assert rc.read_text().strip() == str(128 + signum), capture(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        faults.stop()
    store = Store(db_path(home))
    [conversation] = Conversations(store).list()
    user, assistant = Conversations(store).messages(conversation.id)
    assert user.content == "go" and assistant.status == "cancelled" and "line2" in assistant.content
    [row] = Ledger(store).history(5)
    assert row["status"] == "cancelled"
