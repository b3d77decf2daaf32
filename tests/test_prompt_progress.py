"""Prompt-processing progress from the real llama.cpp server (the embedded SmolLM2): a long prompt's
``prompt_progress`` chunks become notices before the first token; servers that are not llama.cpp are not asked."""

import httpx

from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.results import ChatResult, Delta, PromptProgress
from devsynth_tui.services.pipeline.request import ChatRequest, Done, Notice
from devsynth_tui.services.session import Session


async def test_a_long_prompt_reports_its_processing_before_the_first_token(cfg_for, app_home):
    session = Session(cfg_for(llm__max_tokens=4, tokens__prompt_optimization__chunked_generation=False))
    await session.connect()
    try:
        assert session.backend is not None and session.backend.reports_progress
        events = [e async for e in session.pipeline.run(ChatRequest("word " * 700))]
    finally:
        await session.disconnect()
    progress = [e.text for e in events if isinstance(e, Notice) and e.text.startswith("processing the prompt:")]
    # the first token, or the end when the model's four tokens were all whitespace or an immediate stop
    first_token = next(i for i, e in enumerate(events) if isinstance(e, Delta | Done))
    assert progress, [type(e).__name__ for e in events]
    assert all(events.index(n) < first_token for n in events if isinstance(n, Notice) and n.text in progress)
    assert " of " in progress[-1] and "tokens (" in progress[-1]
    assert not any("(100%" in line for line in progress)  # said in a read of its own just before the first token


def test_progress_reads_llama_cpp_s_object_and_words_it():
    p = PromptProgress.read({"total": 1531, "cache": 512, "processed": 1280, "time_ms": 181})
    assert p == PromptProgress(1280, 1531, 512, 181.0)
    assert p.line == "processing the prompt: 1,280 of 1,531 tokens (84%, 512 from the cache)…"
    assert PromptProgress.read({"total": "x"}) is None and PromptProgress.read(None) is None


class _Reads(httpx.AsyncByteStream):
    """A body arriving in separate reads, as llama.cpp sends it."""

    def __init__(self, *reads: bytes):
        self.reads = reads

    async def __aiter__(self):
        for data in self.reads:
            yield data


async def test_the_prompt_processed_whole_is_not_a_notice_of_its_own():
    """llama.cpp says 100 % in a read of its own just before the first token: a frame for it would put off the
    frame that shows the first token (the screen draws at most one per 1/60 s)."""

    def progress(processed: int) -> bytes:
        return b'data: {"choices": [], "prompt_progress": {"total": 40, "processed": %d}}\n\n' % processed

    body = _Reads(
        progress(0),
        progress(40),
        b'data: {"choices": [{"delta": {"content": "Hi"}}]}\n\ndata: [DONE]\n\n',
    )
    transport = httpx.MockTransport(lambda r: httpx.Response(200, stream=body))
    client = LLMClient("http://127.0.0.1:9/v1", transport=transport)
    try:
        events = [e async for e in client.stream_chat({"model": "m", "messages": []}) if not isinstance(e, ChatResult)]
    finally:
        await client.aclose()
    assert [type(e).__name__ for e in events] == ["PromptProgress", "Delta"]
    assert events[0].processed == 0 and events[1].text == "Hi"
