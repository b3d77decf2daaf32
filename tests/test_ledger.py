import os
import sqlite3
import stat
import subprocess
import sys

import pytest
from conftest import run_cli

from devsynth_tui.config import app_home
from devsynth_tui.services.store.database import SCHEMA_VERSION, Store, StoreError, db_path
from devsynth_tui.services.store.ledger import Ledger, LedgerRow


def ledger() -> Ledger:
    return Ledger(Store(db_path(app_home())))


def test_record_report_history():
    led = ledger()
    led.record(LedgerRow("ask", "m", "embedded", prompt_tokens=100, completion_tokens=20, tokens_saved=30, cost=0.5))
    led.record(LedgerRow("chat", "m", "embedded", prompt_tokens=10, completion_tokens=5, status="cancelled"))
    r = led.report()
    assert (r.requests, r.prompt_tokens, r.completion_tokens, r.total_tokens, r.tokens_saved) == (2, 110, 25, 135, 30)
    text = r.text()
    for line in (
        "Token Usage Report:",
        "Total tokens: 135",
        "Prompt tokens: 110",
        "Completion tokens: 25",
        "Estimated cost: $0.5000",
        "Last reset: ",
        "Tokens saved: 30",
    ):
        assert line in text
    assert "Last reset: never (counted since " in text  # the first request began the count, no reset did
    hist = led.history(limit=1)
    assert len(hist) == 1 and hist[0]["status"] == "cancelled" and hist[0]["total_tokens"] == 15


def test_reset_archives_and_purge_deletes():
    led = ledger()
    led.record(LedgerRow("ask", prompt_tokens=7))
    led.reset()
    assert led.report().total_tokens == 0
    led.record(LedgerRow("ask", prompt_tokens=1))
    assert "Last reset: never" not in led.report().text()  # a reset's time
    assert led.report(all_time=True).total_tokens == 8
    assert len(led.history()) == 2
    led.reset(purge=True)
    assert led.report(all_time=True).total_tokens == 0 and led.history() == []


def test_files_are_private():
    ledger()
    home = app_home()
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(db_path(home)).st_mode) == 0o600


def test_wal_and_schema_version():
    led = ledger()
    assert led.store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert led.store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION


def test_not_a_database_is_left_untouched():
    path = db_path(app_home())
    path.write_bytes(b"this is not sqlite, it is my notes" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a devsynth-tui database"):
        ledger()
    assert path.read_bytes() == before
    r = run_cli("tokens", "report")
    assert r.returncode == 2 and str(path) in r.stderr and "Traceback" not in r.stderr
    assert path.read_bytes() == before


def test_newer_schema_is_refused_untouched():
    path = db_path(app_home())
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer"):
        ledger()
    assert path.read_bytes() == before


def test_locked_ledger_waits_past_the_busy_timeout_and_nothing_is_lost():
    led = ledger()
    led.record(LedgerRow("ask", prompt_tokens=1))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(6)",
            str(led.store.path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    notes: list = []
    led.store.waiting.append(notes.append)
    led.record(LedgerRow("ask", prompt_tokens=2))  # held for 6 s, twice the busy timeout: it waits, then lands
    assert holder.wait(10) == 0
    assert notes[0].startswith("waiting for the database") and notes[-1] is None
    led.record(LedgerRow("ask", prompt_tokens=3))
    assert [r["prompt_tokens"] for r in led.history()] == [3, 2, 1]


def test_concurrent_writers_lose_no_row():
    script = (
        "import sys; from devsynth_tui.services.store.ledger import Ledger, LedgerRow;"
        "from devsynth_tui.services.store.database import Store, db_path; from devsynth_tui.config import app_home;"
        "l = Ledger(Store(db_path(app_home())));"
        "[l.record(LedgerRow('w'+sys.argv[1], prompt_tokens=1)) for _ in range(100)]"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(i)]) for i in range(3)]
    assert all(p.wait() == 0 for p in procs)
    assert ledger().report().prompt_tokens == 300


def test_cli_tokens_commands():
    led = ledger()
    led.record(LedgerRow("ask", "m", prompt_tokens=8765, completion_tokens=3580, cost=0.1852))
    r = run_cli("tokens", "report")
    assert r.returncode == 0
    assert "Total tokens: 12,345\nPrompt tokens: 8,765\nCompletion tokens: 3,580" in r.stdout
    r = run_cli("tokens", "history", "--json", "--since", "2000-01-01")
    assert r.returncode == 0 and '"prompt_tokens": 8765' in r.stdout
    assert run_cli("tokens", "history", "--since", "yesterday").returncode == 2
    r = run_cli("tokens", "reset", "--purge")
    assert r.returncode == 2 and "--yes" in r.stderr
    assert run_cli("tokens", "reset").returncode == 0
    assert "Total tokens: 0" in run_cli("tokens", "report").stdout
    assert "Total tokens: 12,345" in run_cli("tokens", "report", "--all").stdout


@pytest.mark.parametrize(("text", "prompt", "saved"), [("", 0, 0), ("half an ans", 2_000, 8_000)])
async def test_a_request_cancelled_before_its_answer_credits_no_saving_of_a_prompt_not_counted(text, prompt, saved):
    """Esc during prompt processing recorded prompt 0 yet 8,000 saved (in the totals, then by stage): savings go with
    a prompt counted as sent."""
    import time
    from types import SimpleNamespace

    from devsynth_tui.services.pipeline.accounting import ledger_row, record_row
    from devsynth_tui.services.pipeline.request import ChatRequest

    stage = SimpleNamespace(stage="context:relevance", tokens_before=10_000, tokens_after=2_000)
    prep = SimpleNamespace(
        tokens_before=10_000, tokens_after=2_000, prompt_tokens=2_000, payload={"model": "m"}, reports=[stage]
    )
    prices = {"prompt_per_1k": 0.0, "completion_per_1k": 0.0}
    request, started = ChatRequest("a question"), time.perf_counter()
    row = ledger_row(request, prep, text, None, "cancelled", None, started, "", "llamacpp", None, prices)
    assert (row.prompt_tokens, row.tokens_saved) == (prompt, saved)
    led = ledger()
    await record_row(led, row, prep)
    by_stage = {r["key"]: r["tokens_saved"] for r in led.breakdown("stage")}
    assert led.report().tokens_saved == saved and by_stage == ({"context:relevance": saved} if saved else {})
