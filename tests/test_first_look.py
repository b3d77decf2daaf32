"""The first look at a server on this machine (before the HTTP client loads) sees what the client's probes see, and
gives way to them on anything but plain answers; a session names the server from it, before the client loads."""

import asyncio
import threading

import pytest

from devsynth_tui.config import load
from devsynth_tui.services import session as session_module
from devsynth_tui.services.llm.backend import connect
from devsynth_tui.services.llm.first_look import PATHS, first_look
from devsynth_tui.services.session import Session, look_ahead


async def probed(cfg, home):
    """The backend the client's own probes find (no first look), and its models."""
    backend = await connect(cfg, home)
    try:
        return backend, await backend.models()
    finally:
        await backend.aclose()


async def test_the_embedded_llamacpp_server_is_seen_as_the_client_probes_it(cfg_for, app_home):
    cfg = cfg_for()
    look = await first_look(cfg.llm.base_url, None)
    backend, models = await probed(cfg, app_home)
    assert look is not None and look.kind == backend.kind == "llamacpp"
    assert look.server == backend.label and look.models == models and models


async def test_lmstudio_is_seen_with_its_native_lists_merged_as_the_client_merges_them(lmstudio, app_home):
    lmstudio.api_token = "sekrit"
    cfg = load(base_url=lmstudio.base_url).with_values({"llm.embedded.mode": "never", "llm.api_key": "sekrit"})
    look = await first_look(lmstudio.base_url, "sekrit")
    backend, models = await probed(cfg, app_home)
    assert look is not None and look.kind == backend.kind == "lmstudio"
    assert look.server == backend.label and look.models == models
    assert any(m.loaded is False for m in models) and any(m.is_embedding for m in models)  # from the native lists
    assert await first_look(lmstudio.base_url, None) is None  # 401 without the token: the client's probes decide


async def test_a_path_under_the_root_is_kept(faults):
    look = await first_look(faults.url("ok"), None)
    assert look is not None and look.kind == "openai" and [m.id for m in look.models] == ["fault-model"]
    assert look.server == f"the server at {faults.url('ok')}"


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:{port}/v1",  # TLS: httpx's
        "http://127.0.0.1:{port}/nowhere/v1",  # 404
        "http://127.0.0.1:1/v1",  # refused
        "http://127.0.0.1:port/v1",  # no port number
        "http://[::1/v1",  # not a URL
    ],
)
async def test_anything_but_a_plain_answer_on_this_machine_gives_way_to_the_client(server_url, url):
    port = server_url.split(":")[-1].split("/")[0]
    assert await first_look(url.format(port=port), None) is None


async def test_a_path_h11_cant_send_gives_way_to_httpx_which_quotes_it(faults):
    assert await first_look(faults.url("é"), None) is None


async def test_only_this_machines_names_are_looked_at():
    """A server that answers at 127.0.0.2 (loopback on Linux, but not a name the look knows) is left to the client."""

    async def models(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        body = b'{"data": [{"id": "m"}]}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        writer.close()

    server = await asyncio.start_server(models, "127.0.0.2", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        assert await first_look(f"http://127.0.0.2:{port}/v1", None) is None


@pytest.mark.parametrize("name", ["http_proxy", "HTTP_PROXY", "Http_Proxy", "all_proxy", "ALL_PROXY"])
async def test_a_proxy_in_the_environment_gives_way_to_the_client_which_follows_it(server_url, monkeypatch, name):
    monkeypatch.setenv(name, "http://127.0.0.1:1")
    assert await first_look(server_url, None) is None


async def test_a_slow_server_gives_way_to_the_client(monkeypatch):
    async def silent(reader, writer):
        await asyncio.sleep(5)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr("devsynth_tui.services.llm.first_look.TIMEOUT", 0.2)
    async with server:
        assert await asyncio.wait_for(first_look(f"http://127.0.0.1:{port}/v1", None), 5) is None


@pytest.mark.parametrize("looks", [True, False])
async def test_the_session_names_the_server_once_and_before_the_client_loads_when_it_looked(
    cfg_for, app_home, monkeypatch, looks
):
    """With a first look the server is named before httpx loads; without one (here: it saw nothing), once the
    client's probes answered. Either way once, as the backend labels it, with the model requests use."""
    told: list[tuple] = []
    real_load = session_module._load_client
    monkeypatch.setattr(session_module, "_load_client", lambda: (told.append(("client loads",)), real_load()))
    if not looks:

        async def nothing(*_):
            return None

        monkeypatch.setattr("devsynth_tui.services.llm.first_look.first_look", nothing)
    session = Session(cfg_for(), app_home)
    try:
        model = await session.connect(found=lambda *said: told.append(said))
        assert session.backend is not None
        named = (session.backend.label, "", model)
        assert told == ([named, ("client loads",)] if looks else [("client loads",), named])
    finally:
        await session.disconnect()
        session.close()


async def test_the_look_begun_at_start_up_serves_the_first_connect_and_a_later_connect_looks_again(
    recording_proxy, app_home
):
    """look_ahead's look, taken while a front end imports, names the server before any connect, and the first connect
    asks the server nothing more; a later connect (ctrl+r: the server may have moved) looks afresh."""
    cfg = load(base_url=recording_proxy.url).with_values({"llm.embedded.mode": "never"})
    recording_proxy.requests.clear()
    ahead = look_ahead(cfg)
    assert ahead is not None and ahead.result(timeout=10) is not None
    told: list[tuple] = []
    session = Session(cfg, app_home, look=ahead)
    try:
        session.tell_look_ahead(lambda *said: told.append(said))
        assert [server for server, _, _ in told] == [f"llama.cpp server at {recording_proxy.url}"]
        asked = lambda: sorted(path for _, path, _ in recording_proxy.requests)  # noqa: E731
        model = await session.connect()
        assert asked() == sorted(PATHS) and told[0][2] == model
        await session.connect()
        assert asked() == sorted(PATHS * 2)
    finally:
        await session.disconnect()
        session.close()


def test_nothing_is_looked_at_ahead_when_the_embedded_server_is_always_used():
    assert look_ahead(load(base_url="http://127.0.0.1:9/v1").with_values({"llm.embedded.mode": "always"})) is None


async def test_a_connect_waits_on_a_look_begun_at_start_up_no_longer_than_a_look_may_take(
    faults, app_home, monkeypatch
):
    """A look whose thread never ends (a name lookup the look's own timeout can't stop) holds the first connect at
    most the look's timeout; the client's probes decide then. The look, ending later, leaves no error behind."""
    release, failures = threading.Event(), []

    async def stuck(*_):
        release.wait(30)  # blocks the look's own thread (its event loop), as a name lookup does
        return None

    monkeypatch.setattr("devsynth_tui.services.llm.first_look.first_look", stuck)
    monkeypatch.setattr("devsynth_tui.services.llm.first_look.TIMEOUT", 0.2)
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    cfg = load(base_url=faults.url("ok")).with_values({"llm.embedded.mode": "never"})
    ahead = look_ahead(cfg)
    session = Session(cfg, app_home, look=ahead)
    try:
        assert await session._first_look() is None
        assert not release.is_set() and not ahead.done()  # given up on, not waited for
    finally:
        release.set()
        session.close()
    assert ahead.result(timeout=10) is None and failures == []
