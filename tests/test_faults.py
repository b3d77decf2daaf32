"""Fault tolerance on real sockets: every fault gives one clear line, keeps the partial answer,
writes a ledger row with the right status, retries only where that makes sense."""

import asyncio
import contextlib
import json
import os
import signal

import psutil
import pytest
from conftest import run_cli

from devsynth_tui.config import app_home, load
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.embedded import EmbeddedServer
from devsynth_tui.services.llm.results import Delta
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger


def rows():
    return Ledger(Store(db_path(app_home()))).history(50)


def ask(url, *extra, timeout="120", first_byte=None):
    cfg = app_home().parent / "fault.yaml"
    first_byte = first_byte or timeout
    cfg.write_text(f"llm:\n  embedded:\n    mode: never\n  timeout: {timeout}\n  first_byte_timeout: {first_byte}\n")
    return run_cli("--config", str(cfg), "--base-url", url, "ask", "hello", *extra)


# (mode, exit code, words the one line must hold, ledger status, partial text kept, chat requests the server saw)
CASES = [
    ("http500", 1, ["server error 500", "CUDA out of memory"], "error", None, 1),
    ("notfound", 1, ["is not available", "not found", "--model"], "error", None, 1),
    ("notloaded", 1, ["No models loaded", "lms load"], "error", None, 1),
    ("ratelimit", 0, [], "ok", "Hello from the fault server.", 2),
    ("disconnect", 1, ["broke mid-answer", "partial answer above is kept"], "partial", "Partial answer before", 1),
    ("badsse", 1, ["not server-sent events"], "partial", "Partial", 1),
    ("notjson", 1, ["not JSON"], "partial", "Partial", 1),
    ("nodone", 1, ["ended before [DONE]"], "partial", "Partial answer", 1),
    ("deepjson", 1, ["not JSON"], "partial", "Partial", 1),
    ("pythonjson", 0, [], "ok", "Figures as Python writes them", 1),  # NaN and Infinity are read
    ("bigchunk", 0, [], "ok", "x" * 1_000_000, 1),
]


@pytest.mark.parametrize("mode, code, words, status, partial, hits", CASES, ids=[c[0] for c in CASES])
def test_cli_through_each_fault(faults, mode, code, words, status, partial, hits):
    before = faults.hits[mode]
    r = ask(faults.url(mode))
    assert r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr
    if code:
        line = r.stderr.strip().splitlines()[-1]
        assert all(w in line for w in words), line
    if partial:
        assert partial in r.stdout
    row = rows()[0]
    assert row["status"] == status and (row["error"] is None) == (status == "ok")
    assert faults.hits[mode] - before == hits  # retried only for 429


def test_connection_refused(tmp_path):
    r = ask("http://127.0.0.1:9/v1")
    assert r.returncode == 2 and "no server answers at http://127.0.0.1:9/v1" in r.stderr
    assert r.stderr.count("\n") == 1


def test_https_to_a_plain_http_server_is_named_as_such(faults):
    r = ask(faults.url("ok").replace("http://", "https://"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "did not complete a TLS handshake" in r.stderr and "use http:// in llm.base_url" in r.stderr


def test_https_to_a_server_whose_certificate_is_not_trusted_names_the_certificate():
    import socket
    import ssl
    import threading
    from pathlib import Path

    fixtures = Path(__file__).parent / "fixtures"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(fixtures / "self-signed.pem", fixtures / "self-signed.key")
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:  # a TLS server with a self-signed certificate, until the listener closes
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with contextlib.suppress(ssl.SSLError, OSError), context.wrap_socket(conn, server_side=True):
                pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        r = ask(f"https://127.0.0.1:{listener.getsockname()[1]}/v1")
    finally:
        listener.close()
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "certificate was not accepted (self-signed certificate" in r.stderr and "SSL_CERT_FILE" in r.stderr


async def test_a_request_over_https_to_the_real_llama_cpp_server_says_it_speaks_plain_http(server_url):
    from devsynth_tui.services.llm.errors import TLSFailed

    client = LLMClient(server_url.replace("http://", "https://"), retries=0)
    with pytest.raises(TLSFailed, match=r"TLS handshake \(no TLS reply\).*use http://"):
        await client.list_models()
    await client.aclose()


def test_silent_server_times_out(faults):
    r = ask(faults.url("silent"), first_byte="1")  # only the first byte's wait is short: a slow start is no fault
    assert (
        r.returncode == 1 and "did not start answering within 1 s" in r.stderr and "llm.first_byte_timeout" in r.stderr
    ), r.stderr
    assert rows()[0]["status"] == "error"


async def test_drip_then_cancel_closes_connection(faults):
    cfg = load(base_url=faults.url("drip")).with_values({"llm.embedded.mode": "never"})
    pipe = Pipeline(cfg, Backend(LLMClient(faults.url("drip")), "openai"), Ledger(Store(db_path(app_home()))))
    got = asyncio.Event()
    text = []

    async def consume():
        async for event in pipe.run(ChatRequest("drip please")):
            if isinstance(event, Delta):
                text.append(event.text)
                got.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(got.wait(), 10)
    conns_before = len([c for c in psutil.Process().net_connections() if c.raddr and c.raddr.port == faults.port])
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.2)
    conns_after = len(
        [
            c
            for c in psutil.Process().net_connections()
            if c.raddr and c.raddr.port == faults.port and c.status == "ESTABLISHED"
        ]
    )
    assert conns_before >= 1 and conns_after == 0  # the stream was closed, so the server stops
    row = rows()[0]
    assert row["status"] == "cancelled" and text == ["drip0 "]
    await pipe.backend.client.aclose()


def test_hostile_output_is_inert_on_stdout_unless_raw(faults):
    r = ask(faults.url("hostile"))
    assert r.returncode == 0
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout and "\x07" not in r.stdout
    assert (
        "[@click=app.quit]" in r.stdout and "[bold red]" in r.stdout and "␛[2J" in r.stdout and "<U+202E>" in r.stdout
    )
    raw = ask(faults.url("hostile"), "--raw")
    assert "\x1b[2J" in raw.stdout and "\x1b]52;c;" in raw.stdout
    js = json.loads(ask(faults.url("hostile"), "--json").stdout)
    assert "\x1b" not in js["text"]


def test_api_key_never_shown(faults, monkeypatch):
    key = "sk-FAKE-devsynth-0123456789abcdef"
    monkeypatch.setenv("DEVSYNTH_TUI_API_KEY", key)
    r = ask(faults.url("echoauth"))
    assert r.returncode == 1 and "***" in r.stderr and key not in r.stdout + r.stderr
    shown = run_cli("config", "show")
    assert key not in shown.stdout
    cfg = app_home().parent / "k.yaml"
    cfg.write_text(f"llm:\n  api_key: {key}\n  embedded: never\n")
    shown = run_cli("--config", str(cfg), "config", "show", "--json")
    assert key not in shown.stdout and json.loads(shown.stdout)["llm"]["api_key"] == "***"
    bench = run_cli(
        "--config", str(cfg), "--base-url", faults.url("fast"), "benchmark", "--no-stages", "--requests", "2", "--json"
    )
    assert bench.returncode == 0 and key not in bench.stdout
    for path in app_home().rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


def test_app_home_files_are_private(faults, server_url):
    assert ask(faults.url("ok")).returncode == 0
    assert ask(server_url, "--temperature", "0").returncode == 0  # writes the cache too
    home = app_home()
    assert oct(home.stat().st_mode & 0o777) == "0o700"
    for path in home.rglob("*"):
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


async def test_embedded_server_killed_mid_answer_then_restarted(tmp_path):
    server = EmbeddedServer(tmp_path)
    await asyncio.to_thread(server.start)
    cfg = load(base_url=server.base_url).with_values({"llm.max_tokens": 2000, "llm.embedded.mode": "never"})
    backend = Backend(LLMClient(server.base_url, retries=0), "embedded", server, "SmolLM2-135M-Instruct")
    pipe = Pipeline(cfg, backend, Ledger(Store(db_path(app_home()))), tmp_path)
    text, done = [], None
    async for event in pipe.run(ChatRequest("Write a long story.", params={"extra": {"ignore_eos": True}})):
        if isinstance(event, Delta):
            text.append(event.text)
            if len(text) == 5:
                os.kill(server.pid, signal.SIGKILL)
        elif not isinstance(event, Delta) and hasattr(event, "status"):
            done = event
    assert done.status == "partial" and "embedded llama.cpp server stopped" in done.error and "restarts" in done.error
    assert len(done.text) > 0 and rows()[0]["status"] == "partial"
    pipe.cfg = cfg.with_values({"llm.max_tokens": 8})
    again = [e async for e in pipe.run(ChatRequest("Say hi."))][-1]
    assert again.status == "ok" and server.alive()
    await backend.aclose()


async def test_load_no_leaks_every_request_has_a_row(faults):
    cfg = load(base_url=faults.url("fast")).with_values(
        {"llm.embedded.mode": "never", "llm.max_tokens": 32, "disk.caching.enabled": False}
    )
    pipe = Pipeline(
        cfg,
        Backend(LLMClient(faults.url("fast")), "openai", active_model="fault-model"),
        Ledger(Store(db_path(app_home()))),
    )
    proc = psutil.Process()

    async def one():
        return [e async for e in pipe.run(ChatRequest("go"))][-1]

    for _ in range(100):  # warm-up
        await one()
    rss0, fds0 = proc.memory_info().rss, proc.num_fds()
    for _ in range(1000):
        assert (await one()).status == "ok"
    for _ in range(5):
        assert all(d.status == "ok" for d in await asyncio.gather(*(one() for _ in range(8))))
    rss1, fds1 = proc.memory_info().rss, proc.num_fds()
    print(f"load: RSS {rss0 / 2**20:.1f} -> {rss1 / 2**20:.1f} MB ({(rss1 - rss0) / rss0:+.1%}), fds {fds0} -> {fds1}")
    assert rss1 < rss0 * 1.10
    assert fds1 <= fds0 + 2  # the client's keep-alive pool may hold a connection or two
    assert Ledger(Store(db_path(app_home()))).report().requests == 100 + 1000 + 40
    await pipe.backend.client.aclose()


async def test_a_large_answer_is_collected_by_headless_ask_never_inside_the_pipeline(faults, monkeypatch):
    """memory.aggressive_gc: the pipeline marks a large answer; a dashboard collects after its last frame, the
    headless ``ask`` (no frame to wait for) at once."""
    from devsynth_tui.services import requests
    from devsynth_tui.services.resources import monitor

    collected: list[int] = []
    monkeypatch.setattr(monitor, "collect_garbage", lambda: collected.append(1) or "gc: counted")
    values = {"llm.embedded.mode": "never", "llm.max_tokens": 2_000, "memory.aggressive_gc": True}
    cfg = load(base_url=faults.url("fast")).with_values({**values, "disk.caching.enabled": False})
    pipe = Pipeline(cfg, Backend(LLMClient(faults.url("fast")), "openai"), Ledger(Store(db_path(app_home()))))
    events = [e async for e in pipe.run(ChatRequest("go"))]
    assert events[-1].collect and not collected
    done = await requests.ask(pipe, ChatRequest("go"))
    assert collected == [1] and "gc: counted" in done.notes
