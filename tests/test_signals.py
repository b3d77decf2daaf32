"""One signal path: SIGINT, SIGTERM and SIGHUP end `ask` mid-answer as Esc ends an answer in the dashboard:
the partial answer is stored in the conversation, the ledger has a ``cancelled`` row, the exit status is
128 + the signal, and there is no traceback. The real embedded server answers; the recording proxy holds
the stream after a few events, so the signal always lands mid-answer, however fast or busy the machine."""

import os
import signal
import subprocess
import sys

import pytest

from devsynth_tui.config import app_home
from devsynth_tui.services.store.conversations import Conversations
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger

QUESTION = "Count from one to fifty."


@pytest.mark.integration
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["TERM", "HUP", "INT"])
def test_a_signal_mid_answer_keeps_the_partial_answer_and_a_cancelled_row(recording_proxy, sig):
    recording_proxy.hold_after(6)
    p = subprocess.Popen(
        [sys.executable, "-m", "devsynth_tui", "--base-url", recording_proxy.url, "ask", QUESTION, "--max-tokens=200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert recording_proxy.holding.wait(120), "the answer never started"
        first = os.read(p.stdout.fileno(), 4096)  # some of the answer reached the terminal
        assert first.strip()
        p.send_signal(sig)
        out, err = p.communicate(timeout=120)
    finally:
        recording_proxy.gate.set()
        if p.poll() is None:
            p.kill()
    assert p.returncode == 128 + sig, err.decode()
    assert b"Traceback" not in err and f"interrupted by {sig.name}".encode() in err
    store = Store(db_path(app_home()))
    conversation = Conversations(store).latest()
    assert conversation is not None
    question, answer = Conversations(store).messages(conversation.id)
    assert question.content == QUESTION
    assert answer.status == "cancelled" and answer.content and answer.content in (first + out).decode()
    assert [r["status"] for r in Ledger(store).history(5)] == ["cancelled"]
