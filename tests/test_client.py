"""The LM Studio client against servers as users run them: the LM Studio emulator (JIT loading,
native model lists, thinking models, an API token, strict templates), injected transport faults,
and the real embedded llama.cpp server."""

from contextlib import aclosing

import httpx
import pytest

from devsynth_tui.services.llm.client import LLMClient, serves
from devsynth_tui.services.llm.errors import (
    AuthError,
    LLMError,
    MalformedResponse,
    MalformedStream,
    ModelNotFound,
    RequestTimeout,
    ServerError,
    ServerUnreachable,
)
from devsynth_tui.services.llm.results import ChatResult, Delta

QWEN, GEMMA, EMBED = "qwen/qwen3-4b", "google/gemma-3-1b", "text-embedding-nomic-embed-text-v1.5"


def _ask(model=QWEN, **extra):
    return {"model": model, "messages": [{"role": "user", "content": "Say hello."}], **extra}


async def _stream(client, payload) -> tuple[list[Delta], ChatResult]:
    deltas, result = [], None
    async with aclosing(client.stream_chat(payload)) as stream:
        async for event in stream:
            if isinstance(event, Delta):
                deltas.append(event)
            else:
                result = event
    return deltas, result


@pytest.fixture
async def client(lmstudio):
    c = LLMClient(lmstudio.base_url, retries=0)
    yield c
    await c.aclose()


# -- thinking -------------------------------------------------------------------------------

WIRE_FORMATS = [
    ("reasoning_content", None, 1),
    ("reasoning", None, 1),
    ("reasoning_content", 4, 3),
    ("reasoning", 5, 2),
    *[("inline", chars, per_chunk) for chars in (1, 2, 3, 5, 7, 9) for per_chunk in (1, 2, 3)],
    ("inline", None, 1),
]


@pytest.mark.parametrize("wire, chars, per_chunk", WIRE_FORMATS, ids=[f"{w}-{c}ch-{n}per" for w, c, n in WIRE_FORMATS])
async def test_thinking_in_each_wire_format(lmstudio, client, wire, chars, per_chunk):
    lmstudio.model(QWEN).thinking, lmstudio.token_chars, lmstudio.tokens_per_chunk = wire, chars, per_chunk
    lmstudio.token_delay = 0.002
    deltas, result = await _stream(client, _ask())
    assert result.text == lmstudio.answer and result.reasoning == lmstudio.reasoning
    kinds = [d.thinking for d in deltas]
    assert kinds[0] is True and kinds[-1] is False and kinds == sorted(kinds, reverse=True)  # thinking, then answer
    assert "".join(d.text for d in deltas if d.thinking) == lmstudio.reasoning
    assert "".join(d.text for d in deltas if not d.thinking) == lmstudio.answer
    assert result.ttft < result.ttft_answer  # the first token was thinking
    sent = lmstudio.usage_for(lmstudio.chats()[-1].body, lmstudio.script(lmstudio.model(QWEN)), lmstudio.model(QWEN))
    assert result.reasoning_tokens == sent["completion_tokens_details"]["reasoning_tokens"] > 0


@pytest.mark.parametrize("wire", ["reasoning_content", "reasoning", "inline"])
async def test_thinking_in_a_non_streamed_answer(lmstudio, client, wire):
    lmstudio.model(QWEN).thinking = wire
    result = await client.chat(_ask())
    assert (result.text, result.reasoning) == (lmstudio.answer, lmstudio.reasoning)
    assert result.reasoning_tokens == len([t for t, thinking in lmstudio.script(lmstudio.model(QWEN)) if thinking])


async def test_a_stream_cut_inside_the_think_block_is_all_thinking(lmstudio, client):
    lmstudio.model(QWEN).thinking, lmstudio.token_chars = "inline", 3
    deltas, result = await _stream(client, _ask(max_tokens=6))  # "<think>" and 11 characters of reasoning
    assert result.finish_reason == "length" and result.text == "" and result.t_first_answer is None
    assert result.reasoning == lmstudio.reasoning[:11] and all(d.thinking for d in deltas)


async def test_a_plain_model_has_no_thinking(lmstudio, client):
    deltas, result = await _stream(client, _ask(GEMMA))
    assert result.text == lmstudio.answer and result.reasoning == "" and not any(d.thinking for d in deltas)
    assert result.reasoning_tokens is None and result.ttft == result.ttft_answer


# -- tokens per second ----------------------------------------------------------------------


async def test_tps_is_the_servers_own_figure_when_given(lmstudio, client):
    lmstudio.stats = {
        "tokens_per_second": 42.5,
        "time_to_first_token": 0.25,
        "generation_time": 0.4,
        "stop_reason": "eosFound",
    }
    lmstudio.tokens_per_chunk = 3
    _, result = await _stream(client, _ask(GEMMA))
    assert result.tps == result.server_tps == 42.5 and result.server_ttft == 0.25
    assert (await client.chat(_ask(GEMMA))).tps == 42.5


async def test_tps_without_server_figures_counts_server_tokens_over_client_time(lmstudio, client):
    # 32 tokens, 8 to a chunk, one every 0.4 s: 20 tok/s. Counting the first chunk's 8 tokens too would say 26.7.
    lmstudio.answer = " ".join(f"w{i}" for i in range(32))
    lmstudio.tokens_per_chunk, lmstudio.token_delay = 8, 0.05
    deltas, result = await _stream(client, _ask(GEMMA))
    assert result.completion_tokens == 32 and result.server_tps is None and result.chunks == 4
    assert result.tps == pytest.approx((32 - 8) / (deltas[-1].t - deltas[0].t))
    assert result.tps == pytest.approx(20, rel=0.2)


async def test_tps_is_unknown_without_the_servers_token_count(lmstudio, client):
    lmstudio.usage = {"prompt_tokens": 7}  # no completion_tokens: client piece counts are never used instead
    lmstudio.token_delay = 0.01
    _, result = await _stream(client, _ask(GEMMA))
    assert result.chunks > 1 and result.tps is None and result.client_tps is None


# -- just-in-time loading -------------------------------------------------------------------


async def test_jit_lists_every_downloaded_model_none_loaded_then_the_requested_one_loads(lmstudio, client):
    models = await client.list_models()
    assert [m.id for m in models] == [EMBED, QWEN, GEMMA] and [m.loaded for m in models] == [False] * 3
    assert models[0].is_embedding and not models[1].is_embedding
    await _stream(client, _ask())
    after = {m.id: m for m in await client.list_models()}
    assert after[QWEN].loaded is True and after[QWEN].instances == [QWEN] and after[GEMMA].loaded is False
    assert after[QWEN].context_length == lmstudio.model(QWEN).loaded_context_length
    assert lmstudio.loads == 1


@pytest.mark.parametrize("head_first", [False, True], ids=["silent", "head-then-silent"])
async def test_first_byte_timeout_fires_during_a_load_and_names_itself(lmstudio, head_first):
    lmstudio.load_delay, lmstudio.head_before_load = 1.5, head_first
    client = LLMClient(lmstudio.base_url, timeout=10, first_byte_timeout=0.3, retries=0)
    await client.list_models()  # LM Studio's native list answers: errors say "LM Studio"
    with pytest.raises(RequestTimeout) as e:
        await _stream(client, _ask())
    assert str(e.value) == (
        f"LM Studio at {lmstudio.base_url} did not start answering within 0.3 s "
        f"(the model may still be loading): raise llm.first_byte_timeout"
    )
    await client.aclose()


@pytest.mark.parametrize("head_first", [False, True], ids=["silent", "head-then-silent"])
async def test_a_larger_first_byte_timeout_waits_through_the_load(lmstudio, head_first):
    # the per-read timeout (3 s: an emulator thread in this process answers well within it, however busy the
    # machine) is shorter than the load: only the first-byte timeout may apply before the first byte
    lmstudio.load_delay, lmstudio.head_before_load = 4.0, head_first
    client = LLMClient(lmstudio.base_url, timeout=3, first_byte_timeout=30, retries=0)
    _, result = await _stream(client, _ask())
    assert result.text == lmstudio.answer and result.ttft >= 4.0
    lmstudio.model(GEMMA).instances.clear()
    assert (await client.chat(_ask(GEMMA))).text == lmstudio.answer  # non-streamed: the same first-byte wait
    await client.aclose()


async def test_a_stall_mid_answer_is_the_per_read_timeout(lmstudio):
    lmstudio.token_delay = 2.0
    client = LLMClient(lmstudio.base_url, timeout=0.3, first_byte_timeout=30, retries=0)
    deltas = []
    with pytest.raises(RequestTimeout) as e:
        async for event in client.stream_chat(_ask(GEMMA)):
            deltas.append(event)
    assert "stopped sending for 0.3 s mid-answer: raise llm.timeout" in str(e.value)
    assert deltas and deltas[0].text == "Hello!"
    await client.aclose()


async def test_no_model_with_nothing_loaded_is_lm_studios_400(lmstudio, client):
    with pytest.raises(ModelNotFound) as e:
        await client.chat({"messages": [{"role": "user", "content": "hi"}]})
    assert "No models loaded" in str(e.value) and "\n" not in str(e.value)
    lmstudio.load(GEMMA)
    assert (await client.chat({"messages": [{"role": "user", "content": "hi"}]})).model == GEMMA


async def test_jit_off_lists_loaded_models_and_the_rest_from_the_native_list(lmstudio, client):
    lmstudio.jit = False
    lmstudio.load(GEMMA)
    models = await client.list_models()
    assert [(m.id, m.loaded) for m in models] == [(GEMMA, True), (EMBED, False), (QWEN, False)]
    with pytest.raises(ModelNotFound):
        await client.chat(_ask(QWEN))


async def test_unknown_state_is_none_not_not_loaded(lmstudio, client):
    lmstudio.v0_state, lmstudio.native_v1 = False, False
    assert [m.loaded for m in await client.list_models()] == [None, None, None]
    lmstudio.native_v1 = True  # 0.4's list says it
    assert [m.loaded for m in await client.list_models()] == [False, False, False]


async def test_native_lists_enrich_the_models(lmstudio, client):
    by_id = {m.id: m for m in await client.list_models()}
    for emulated in lmstudio.models:
        m = by_id[emulated.key]
        assert (m.size_bytes, m.params, m.quantization, m.display_name) == (
            emulated.size_bytes,
            emulated.params,
            emulated.quantization,
            emulated.display_name,
        )
        assert m.arch == emulated.arch and m.context_length == emulated.max_context_length
    assert by_id[EMBED].type == "embedding" and by_id[QWEN].type == "llm"
    lmstudio.native_v1 = False  # LM Studio 0.3: /api/v0 only
    old = {m.id: m for m in await client.list_models()}
    assert old[QWEN].size_bytes is None and old[QWEN].arch == "qwen3" and old[EMBED].type == "embeddings"
    assert old[EMBED].is_embedding


async def test_load_and_unload(lmstudio, client):
    assert await client.supports_loading()
    instance = await client.load_model(GEMMA)
    assert instance == GEMMA and lmstudio.requests[-1].body == {"model": GEMMA}
    assert {m.id: m.loaded for m in await client.list_models()}[GEMMA] is True
    assert await client.unload_model(GEMMA) == [GEMMA]
    assert lmstudio.requests[-1].path == "/api/v1/models/unload" and lmstudio.requests[-1].body == {
        "instance_id": GEMMA
    }
    assert {m.id: m.loaded for m in await client.list_models()}[GEMMA] is False
    with pytest.raises(LLMError, match="is not loaded"):
        await client.unload_model(GEMMA)
    with pytest.raises(ModelNotFound):
        await client.load_model("nope/nothing-7b")
    lmstudio.native_v1 = False
    assert not await client.supports_loading()
    with pytest.raises(LLMError, match=r"needs LM Studio 0\.4"):
        await client.unload_model(GEMMA)


async def test_embeddings_from_a_jit_loaded_embedding_model(lmstudio, client):
    vectors = await client.embed(["a", "b"], model=EMBED)
    assert len(vectors) == 2 and len(vectors[0]) == 8 and vectors[0] != vectors[1]


# -- authentication, bad replies, strict templates -------------------------------------------


async def test_401_names_the_key_and_never_shows_it(lmstudio):
    lmstudio.api_token = "right-token-0123"
    anonymous = LLMClient(lmstudio.base_url, retries=0)
    assert serves(await anonymous.probe())  # a server asking for a key is a server
    with pytest.raises(AuthError) as e:
        await anonymous.list_models()
    assert "no API key was sent" in str(e.value) and "$DEVSYNTH_TUI_API_KEY" in str(e.value)
    wrong = LLMClient(lmstudio.base_url, api_key="wrong-secret-9876", retries=0)
    with pytest.raises(AuthError) as e:
        await _stream(wrong, _ask())
    assert "the API key was refused" in str(e.value) and "wrong-secret-9876" not in str(e.value)  # the server echoed it
    assert "Invalid API token" in str(e.value) and "\n" not in str(e.value)
    right = LLMClient(lmstudio.base_url, api_key="right-token-0123", retries=0)
    assert (await _stream(right, _ask()))[1].text == lmstudio.answer
    assert lmstudio.chats()[-1].headers["authorization"] == "Bearer right-token-0123"
    for c in (anonymous, wrong, right):
        await c.aclose()


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("<html>LM Studio is updating</html>", "text/html"),
        ('{"models": []}', "application/json"),
        ('{"data": [{"name": "x"}]}', "application/json"),
    ],
)
async def test_a_bad_model_list_is_one_line(lmstudio, client, body, content_type):
    lmstudio.override("GET", "/v1/models", 200, body, content_type)
    with pytest.raises(MalformedResponse) as e:
        await client.list_models()
    assert "/v1/models" in str(e.value) and "\n" not in str(e.value)


async def test_strict_template_rejects_roles_that_do_not_alternate(lmstudio, client):
    lmstudio.strict_template = True
    bad = [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]
    with pytest.raises(ServerError) as e:
        await client.chat({"model": GEMMA, "messages": bad})
    assert e.value.status == 400 and "Conversation roles must alternate user/assistant/user/assistant/..." in str(
        e.value
    )
    good = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
    ]
    assert (await client.chat({"model": GEMMA, "messages": good})).text == lmstudio.answer
    assert lmstudio.chats()[-1].body["messages"] == good


# -- transport faults -----------------------------------------------------------------------

SECRET = "sk-do-not-show-4242"


def _raising(exc_type, counter):
    def handler(request):
        counter.append(request.url.path)
        if exc_type is httpx.DecodingError:
            raise exc_type(f"bad gzip near {SECRET}")
        raise exc_type(f"boom {SECRET}", request=request)

    return httpx.MockTransport(handler)


FAULTS = [
    (httpx.ConnectTimeout, ServerUnreachable, "connect timeout"),
    (httpx.ConnectError, ServerUnreachable, "no server answers"),
    (httpx.WriteError, LLMError, "broke before an answer came (WriteError)"),
    (httpx.ReadError, LLMError, "broke before an answer came (ReadError)"),
    (httpx.RemoteProtocolError, LLMError, "broke before an answer came"),
    (httpx.PoolTimeout, RequestTimeout, "pool timeout"),
    (httpx.WriteTimeout, RequestTimeout, "write timeout"),
    (httpx.ReadTimeout, RequestTimeout, "read timeout"),
    (httpx.DecodingError, MalformedResponse, "cannot be decoded"),
    (httpx.UnsupportedProtocol, LLMError, "check llm.base_url"),
    (httpx.TooManyRedirects, LLMError, "redirected"),
    (httpx.LocalProtocolError, LLMError, "LocalProtocolError"),
]
RETRIED = (httpx.ConnectTimeout, httpx.ConnectError, httpx.WriteError, httpx.ReadError, httpx.RemoteProtocolError)


@pytest.mark.parametrize("exc_type, error_type, words", FAULTS, ids=[f[0].__name__ for f in FAULTS])
@pytest.mark.parametrize("call", ["list_models", "stream_chat", "chat", "embed", "load_model"])
async def test_every_httpx_error_on_every_endpoint_is_one_typed_line(exc_type, error_type, words, call):
    sent = []
    client = LLMClient(
        "http://127.0.0.1:9/v1", api_key=SECRET, retries=2, backoff=0, transport=_raising(exc_type, sent)
    )
    calls = {
        "list_models": lambda: client.list_models(),
        "stream_chat": lambda: _stream(client, _ask()),
        "chat": lambda: client.chat(_ask()),
        "embed": lambda: client.embed(["x"]),
        "load_model": lambda: client.load_model(QWEN),
    }
    with pytest.raises(error_type) as e:
        await calls[call]()
    message = str(e.value)
    assert words in message and "\n" not in message and SECRET not in message
    assert len(sent) == (3 if exc_type in RETRIED else 1)  # connection failures retried with backoff; the rest not
    await client.aclose()


class _BreaksAfter(httpx.AsyncByteStream):
    def __init__(self, data: bytes, exc: Exception):
        self.data, self.exc = data, exc

    async def __aiter__(self):
        yield self.data
        raise self.exc


@pytest.mark.parametrize(
    "exc, error_type, words",
    [
        (httpx.ReadError("reset"), MalformedStream, "broke mid-answer (ReadError)"),
        (httpx.RemoteProtocolError("peer closed"), MalformedStream, "broke mid-answer (RemoteProtocolError)"),
        (httpx.DecodingError("bad deflate"), MalformedResponse, "cannot be decoded"),
    ],
)
async def test_a_break_mid_answer_keeps_what_came(exc, error_type, words):
    chunk = (
        b'data: {"choices": [{"delta": {"reasoning_content": "Hmm."}}]}\n\n'
        b'data: {"choices": [{"delta": {"content": "Part"}}]}\n\n'
    )
    transport = httpx.MockTransport(lambda r: httpx.Response(200, stream=_BreaksAfter(chunk, exc)))
    client = LLMClient("http://127.0.0.1:9/v1", transport=transport)
    deltas = []
    with pytest.raises(error_type) as e:
        async for event in client.stream_chat(_ask()):
            deltas.append(event)
    assert words in str(e.value)
    assert [(d.text, d.thinking) for d in deltas] == [("Hmm.", True), ("Part", False)]
    await client.aclose()


# -- the real llama.cpp server --------------------------------------------------------------


@pytest.mark.integration
async def test_real_llamacpp_figures_agree_with_its_timings(server_url):
    client = LLMClient(server_url)
    payload = {
        "model": "m",
        "messages": [{"role": "user", "content": "Count from one to fifty."}],
        "max_tokens": 32,
        "temperature": 0,
        "ignore_eos": True,
    }
    deltas, result = await _stream(client, payload)
    timings = result.server_timings
    assert result.completion_tokens == timings["predicted_n"] == 32
    assert result.tps == timings["predicted_per_second"]  # the server's own figure is what tps reports
    assert 0.5 < result.client_tps / timings["predicted_per_second"] < 2  # and the client's agrees with it
    assert result.server_ttft == timings["prompt_ms"] / 1000 <= result.ttft == result.ttft_answer < result.duration
    assert result.reasoning == "" and result.reasoning_tokens is None and not any(d.thinking for d in deltas)
    assert not await client.supports_loading()  # llama.cpp has no LM Studio model API
    await client.aclose()


@pytest.mark.parametrize(
    ("url", "loads_store"),
    [("http://127.0.0.1:1234", False), ("https://example.com/v1", True), ("HTTPS://example.com", True)],
)
def test_the_certificate_store_is_loaded_for_tls_servers_only(monkeypatch, url, loads_store):
    """A plain http server (every local one) needs no certificates: their store (~40 ms to load) is not read; an
    https server's certificate is checked, whatever the scheme's case (the default context loads the store, from
    certifi or SSL_CERT_FILE)."""
    import ssl

    stores: list[str] = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: (stores.append("read"), real(*a, **k))[1])
    LLMClient(url)
    assert bool(stores) == loads_store
