"""Issue 21's service-layer faults on the real paths: a loopback server that misbehaves, a second SQLite
connection holding the write lock, a damaged file, a full disk (a real tmpfs), a FIFO, odd values."""

import asyncio
import contextlib
import math
import os
import sqlite3
import subprocess
import threading

import pytest
from db_lock import WriteLockHolder
from fault_server import EVIL_MODEL, HOSTILE

from devsynth_tui.config import app_home, load, overrides_path
from devsynth_tui.config_schema import ConfigError, check_number, parse_number
from devsynth_tui.services.benchmark.runner import Options, Runner
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.errors import ModelNotFound, RequestTimeout, ServerError
from devsynth_tui.services.llm.results import Delta
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest, Done
from devsynth_tui.services.sanitize import safe_line, safe_markup
from devsynth_tui.services.store import database as store_module
from devsynth_tui.services.store.database import Store, StoreError, db_path
from devsynth_tui.services.store.ledger import Ledger, LedgerRow


def no_controls(text: str) -> bool:
    """Nothing a terminal would act on: no C0 (newline aside), DEL, C1 or bidi override characters."""
    return not any(
        (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 or c in "\u202a\u202b\u202c\u202d\u202e" for c in text
    )


async def wait_for(condition, seconds: float = 60, what: str = "the condition") -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{what} never happened")


def db(home):
    home.mkdir(parents=True, exist_ok=True)
    return db_path(home)


def pipeline(url: str, **values) -> Pipeline:
    cfg = load(base_url=url).with_values({"llm.embedded.mode": "never", "disk.caching.enabled": False, **values})
    client = LLMClient(url, retries=0)
    return Pipeline(cfg, Backend(client, "openai", active_model="fault-model"), Ledger(Store(db_path(app_home()))))


async def last_event(pipe: Pipeline, prompt: str = "go"):
    return [e async for e in pipe.run(ChatRequest(prompt))][-1]


# -- 1. one sanitizer for outside strings ---------------------------------------------------------


def test_safe_line_leaves_no_control_and_safe_markup_no_markup():
    from rich.markup import render

    for text in (EVIL_MODEL, HOSTILE, "a\nb\u2028c"):
        line = safe_line(text)
        assert no_controls(line) and "\n" not in line
        assert render(safe_markup(text)).plain == line  # shown literally, never as markup
    assert safe_line("x" * 10, limit=5) == "xxxx\u2026"


async def test_a_servers_error_body_and_model_ids_reach_messages_and_the_ledger_inert(faults):
    url = faults.url("hostile500")
    client = LLMClient(url, retries=0)
    with pytest.raises(ServerError) as failed:
        await client.chat({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    assert no_controls(str(failed.value)) and "\n" not in str(failed.value)
    with pytest.raises(ModelNotFound) as missing:
        await Backend(client, "openai").resolve_model("absent")
    assert no_controls(str(missing.value)) and "evil" in str(missing.value)
    await client.aclose()

    done = await last_event(pipeline(url))
    assert isinstance(done, Done) and done.status == "error" and no_controls(done.error or "")
    [row] = Ledger(Store(db_path(app_home()))).history(5)
    assert "server error 500" in row["error"] and no_controls(row["error"])


# -- 2. usage counts of any shape --------------------------------------------------------------


@pytest.mark.parametrize(
    "usage, prompt, completion",
    [
        ({"prompt_tokens": "5", "completion_tokens": [4]}, 5, None),
        ({"prompt_tokens": 5.0, "completion_tokens": "x"}, 5, None),
        ({"prompt_tokens": None, "completion_tokens": -3}, None, None),
        ({"prompt_tokens": math.inf, "completion_tokens": {"n": 1}}, None, None),
        ("forty", None, None),
        ([1, 2], None, None),
    ],
)
async def test_usage_of_any_shape_ends_in_done_with_a_ledger_row(faults, usage, prompt, completion):
    faults.usage = usage
    done = await last_event(pipeline(faults.url("oddusage")))
    assert isinstance(done, Done) and done.status == "ok" and done.text == "odd usage"
    [row] = Ledger(Store(db_path(app_home()))).history(5)
    assert row["status"] == "ok" and isinstance(row["prompt_tokens"], int) and row["completion_tokens"] > 0
    if prompt is not None:
        assert row["prompt_tokens"] == prompt  # a numeric string or a whole float is the server's count
    assert row["completion_tokens"] == done.row.completion_tokens  # our own count stood in for the bad one


# -- 3. keep-alive comments don't hold a request open ----------------------------------------------


@pytest.mark.parametrize(
    "mode, said", [("keepalive", "did not start answering"), ("keepalive_after", "stopped sending")]
)
async def test_keep_alive_comments_do_not_defeat_the_timeouts(faults, mode, said):
    client = LLMClient(faults.url(mode), timeout=0.5, first_byte_timeout=0.5, retries=0)
    got: list[str] = []

    async def consume():
        async with contextlib.aclosing(client.stream_chat({"model": "m", "messages": []})) as stream:
            async for item in stream:
                got.append(getattr(item, "text", ""))

    with pytest.raises(RequestTimeout) as stopped:
        await asyncio.wait_for(consume(), 60)  # without the fix the comments keep it waiting for ever
    assert said in str(stopped.value)
    assert got == (["Partial"] if mode == "keepalive_after" else [])
    await client.aclose()


# -- 4. the write path: a held lock is waited on, never a lost write -----------------------------------


def test_a_write_waits_for_a_lock_held_past_the_busy_timeout_and_lands(app_home, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    store = Store(db(app_home))
    notes: list[str | None] = []
    store.waiting.append(notes.append)
    ledger = Ledger(store)
    with WriteLockHolder(db(app_home)) as holder:
        holder.lock()
        writer = threading.Thread(target=ledger.record, args=(LedgerRow("chat", prompt_tokens=7),))
        writer.start()
        for _ in range(3000):  # until the write has waited past the busy timeout at least once
            if notes:
                break
            writer.join(0.02)
        assert notes and notes[0] and "waiting for the database" in notes[0] and "\n" not in notes[0]
        assert writer.is_alive() and ledger.history() == []  # still waiting, nothing dropped
        holder.release()
        writer.join(60)
    assert not writer.is_alive() and notes[-1] is None
    assert [r["prompt_tokens"] for r in ledger.history()] == [7]
    store.close()


async def test_a_write_queued_behind_the_lock_still_runs_when_its_caller_is_cancelled(app_home, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    store = Store(db(app_home))
    ledger = Ledger(store)
    notes: list[str | None] = []
    store.waiting.append(notes.append)
    with WriteLockHolder(db(app_home)) as holder:
        holder.lock()
        first = asyncio.ensure_future(ledger.arecord(LedgerRow("chat", prompt_tokens=1)))
        await wait_for(lambda: notes, what="the first write waiting")
        queued = asyncio.ensure_future(ledger.arecord(LedgerRow("chat", prompt_tokens=2)))
        await asyncio.sleep(0)
        queued.cancel()  # a second Esc: the caller is gone, its write is still queued
        holder.release()
        await first
    store.close()  # finishes queued writes
    rows = Ledger(Store(db(app_home))).history()
    assert sorted(r["prompt_tokens"] for r in rows) == [1, 2]


# -- 5. a damaged file, a full disk ---------------------------------------------------------------


def filled_store(path) -> None:
    with Store(path) as store:
        ledger = Ledger(store)
        for i in range(300):
            ledger.record(LedgerRow("chat", model="m" * 200, prompt_tokens=i))


def test_damaged_pages_are_one_line_naming_the_file_and_the_way_out(app_home):
    path = db(app_home)
    filled_store(path)
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as f:  # every page but the header's is garbage
        f.seek(page)
        f.write(os.urandom(path.stat().st_size - page))
    with pytest.raises(StoreError) as damaged:
        Ledger(Store(path)).history()
    message = str(damaged.value)
    assert f"the database at {path} is damaged" in message and f"sqlite3 {path} .recover" in message
    assert "\n" not in message


@pytest.fixture
def full_disk(tmp_path):
    """A real tmpfs, filled to the last byte once the test has written to it."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN)")

    def fill() -> None:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"x" * 4096)
        os.close(fd)

    yield mount, fill
    subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_still_reads_and_says_the_disk_is_full_for_writes(full_disk):
    mount, fill = full_disk
    path = db_path(mount)
    with Store(path) as store:
        Ledger(store).record(LedgerRow("chat", prompt_tokens=42))
    fill()
    store = Store(path)  # the WAL's shared memory can't be made: read-only, not "not a devsynth-tui database"
    assert [r["prompt_tokens"] for r in Ledger(store).history()] == [42]
    assert store.read_only and "is full" in store.read_only
    with pytest.raises(StoreError) as refused:
        Ledger(store).record(LedgerRow("chat"))
    assert "is full" in str(refused.value) and "not a devsynth-tui database" not in str(refused.value)
    store.close()


# -- 6. only regular files are config ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_a_config_that_is_not_a_regular_file_is_refused_in_one_line(app_home, tmp_path, kind):
    path = {"fifo": tmp_path / "fifo.yaml", "device": "/dev/zero", "directory": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)  # no writer: opening it for reading would wait for ever
    outcome: list = []

    def run() -> None:
        try:
            load(path)
        except ConfigError as e:
            outcome.append(e)

    reader = threading.Thread(target=run, daemon=True)
    reader.start()
    reader.join(60)
    if reader.is_alive() and kind == "fifo":  # it hung: let it go before failing
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    assert not reader.is_alive(), f"reading {kind} as a config never ended"
    [refused] = outcome
    assert "not a regular file" in str(refused) and "\n" not in str(refused)


# -- 7. one validator for numbers ---------------------------------------------------------------


@pytest.mark.parametrize("text", [".nan", ".inf", "-.inf"])
def test_nan_and_inf_are_refused_in_files_and_values(app_home, tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(f"llm:\n  top_p: {text}\n")
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert "finite" in str(refused.value) and "line 2" in str(refused.value)
    with pytest.raises(ConfigError):
        load().with_values({"llm.temperature": float("nan")})  # the Params pane and flags
    with pytest.raises(ConfigError):
        parse_number("nan", "--interval", 0.1, 3600)
    assert check_number(float("inf"), 0, None) and check_number(0.5, 0, 1) is None


def test_a_bad_overrides_value_is_reported_and_ignored_and_the_rest_kept(app_home):
    overrides_path().write_text("llm:\n  top_p: .nan\n  top_k: 7\n  nonsense: 1\n")
    cfg = load()
    assert cfg.get("llm.top_p") == 0.9 and cfg.get("llm.top_k") == 7
    assert [w.split(": ", 1)[0] for w in cfg.warnings] == [f"{overrides_path()} line 2", f"{overrides_path()} line 4"]
    assert all(w.endswith("; ignored") for w in cfg.warnings)
    cfg.with_values({"llm.temperature": 0.3})  # later changes still apply


# -- 8. the API key --------------------------------------------------------------------------


def test_the_api_key_is_never_echoed_stripped_of_a_newline_and_ascii_only(app_home, tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text("llm:\n  api_key: 123456789012\n")
    with pytest.raises(ConfigError) as refused:
        load(path)
    assert "123456789012" not in str(refused.value) and "llm.api_key" in str(refused.value)
    path.write_text("llm:\n  api_key: 'sk-secret\n\n'\n")
    assert load(path).api_key == "sk-secret"
    monkeypatch.setenv("DEVSYNTH_TUI_API_KEY", "sk-env\n")
    assert load().api_key == "sk-env"
    monkeypatch.setenv("DEVSYNTH_TUI_API_KEY", "sk-clé")
    with pytest.raises(ConfigError) as bad:
        load()
    assert "non-ASCII" in str(bad.value) and "sk-cl" not in str(bad.value)


# -- 9. base URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/v1", "http://[::1", "http://127.0.0.1:-1/v1", "ftp://x/v1"])
def test_a_base_url_that_cannot_be_reached_is_one_line_at_validation(app_home, url):
    with pytest.raises(ConfigError) as refused:
        load(base_url=url)
    message = str(refused.value)
    assert "llm.base_url" in message and "http://localhost:1234/v1" in message and "\n" not in message


# -- 10. reconnect never closes a client under live requests -------------------------------------


async def test_a_retired_backend_closes_only_after_its_live_stream_ends(faults):
    client = LLMClient(faults.url("gated"), retries=0)
    backend = Backend(client, "openai")
    stream = client.stream_chat({"model": "m", "messages": []})
    first = asyncio.ensure_future(anext(stream))
    await wait_for(lambda: faults.inflight == 1, what="the request reaching the server")
    await backend.retire()  # ctrl+r: a new backend takes over, this one must let the answer finish
    assert not client.closed.is_set()
    faults.open_gate(1)
    pieces = [(await first).text] + [item.text async for item in stream if isinstance(item, Delta)]
    assert "".join(pieces) == "gated answer" and client.closed.is_set()


# -- 11. the benchmark's concurrency is what was asked -------------------------------------------


async def test_benchmark_concurrency_is_not_capped_by_max_workers(faults):
    pipe = pipeline(faults.url("gated"), **{"cpu.parallel_processing.max_workers": 2})
    runner = Runner(pipe, pipe.ledger.store)
    run = asyncio.ensure_future(
        _drain(runner.run(Options(requests=6, warmup=0, concurrency=[6], stages=False, max_tokens=8)))
    )
    try:
        await wait_for(lambda: faults.inflight == 6, what="6 requests at the server at once (max_workers is 2)")
    finally:
        faults.open_gate(6)
    result = await run
    assert [lvl["concurrency"] for lvl in result.serving] == [6] and len(result.requests) == 6


async def _drain(events):
    return [event async for event in events][-1]
