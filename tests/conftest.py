"""Shared fixtures: a temporary app home for every test, one real embedded server per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def app_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own app home and user config dir; no env from the developer leaks in."""
    home = tmp_path / "home"
    monkeypatch.setenv("DEVSYNTH_TUI_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for name in (
        "DEVSYNTH_TUI_CONFIG",
        "DEVSYNTH_TUI_BASE_URL",
        "LM_STUDIO_ENDPOINT",
        "DEVSYNTH_TUI_MODEL",
        "DEVSYNTH_TUI_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory):
    """The real llama.cpp server (SmolLM2) on a free loopback port, started once per test session."""
    from devsynth_tui.services.llm.embedded import EmbeddedServer

    server = EmbeddedServer(tmp_path_factory.mktemp("embedded-home"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server_url(embedded_server) -> str:
    if not embedded_server.alive():  # a fault test may have killed it
        embedded_server.start()
    return embedded_server.base_url


@pytest.fixture
def cfg_for(server_url):
    """A config pointing at the embedded server, with ``llm.embedded.mode: never``; extra dotted values apply."""
    from devsynth_tui.config import load

    def make(**values):
        cfg = load(base_url=server_url).with_values(
            {"llm.embedded.mode": "never", "llm.temperature": 0.0, "llm.seed": 7}
        )
        return cfg.with_values({k.replace("__", "."): v for k, v in values.items()}) if values else cfg

    return make


def run_cli(*args: str, env: dict | None = None, input: str | None = None):
    """Run the real `devsynth-tui` entry point in a subprocess."""
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "devsynth_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=input,
        timeout=300,
    )


@pytest.fixture
def recording_proxy(server_url):
    """A proxy in front of the real embedded server that records what it receives."""
    from recording_proxy import RecordingProxy

    proxy = RecordingProxy(server_url.removesuffix("/v1")).start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def faults():
    """A loopback server that misbehaves on request (tests/fault_server.py), one per test module."""
    from fault_server import FaultServer

    server = FaultServer().start()
    yield server
    server.stop()


@pytest.fixture
def lmstudio():
    """A loopback LM Studio emulator (tests/lmstudio_emulator.py): JIT on, nothing loaded; set its attributes per
    test."""
    from lmstudio_emulator import LMStudioEmulator

    emulator = LMStudioEmulator().start()
    yield emulator
    emulator.stop()
