"""Issue 21, heavy input: a 10 MB answer in a conversation is counted, and the next prompt prepared, by encoding
a bounded part of it (the whole took seconds and hundreds of MB each time)."""

import pytest

from devsynth_tui.config import load
from devsynth_tui.services.context import token_accounting
from devsynth_tui.services.context.token_accounting import EXACT_CHARS, count_tokens, encoding, truncate_tokens
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.store.conversations import Message
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger

ANSWER = ("def f(x):\n    return x * 2  # doubles\n" * 300_000)[:10_000_000]


@pytest.fixture
def encoded(monkeypatch) -> list[int]:
    """The length of every text the tokenizer is asked to encode."""
    enc, asked = encoding(), []
    real = enc.encode_ordinary

    def spy(text: str) -> list[int]:
        asked.append(len(text))
        return real(text)

    monkeypatch.setattr(enc, "encode_ordinary", spy)
    token_accounting._count_long.cache_clear()
    return asked


def test_a_10_mb_text_is_counted_from_a_bounded_part_close_to_its_true_count(encoded):
    n = count_tokens(ANSWER)
    assert encoded and max(encoded) <= EXACT_CHARS // 2
    per_copy = len(encoding().encode_ordinary("def f(x):\n    return x * 2  # doubles\n"))
    assert abs(n - per_copy * len(ANSWER) / 38) / n < 0.05  # the scaled sample is the true count within 5%
    assert truncate_tokens(ANSWER, 100) == encoding().decode(encoding().encode_ordinary(ANSWER[:2000])[:100])
    assert max(encoded[-2:]) <= 2000  # truncating encoded only a head that holds the tokens


async def test_the_next_prompt_after_a_10_mb_answer_encodes_no_more_than_the_bound(faults, app_home, encoded):
    url = faults.url("ok")
    cfg = load(base_url=url).with_values({"llm.embedded.mode": "never", "disk.caching.enabled": False})
    app_home.mkdir(parents=True, exist_ok=True)
    pipeline = Pipeline(cfg, Backend(LLMClient(url, retries=0), "openai"), Ledger(Store(db_path(app_home))))
    history = [Message("user", "write a lot"), Message("assistant", ANSWER)]
    prepared = await pipeline.prepare(ChatRequest("and a short question", history=history))
    assert prepared.tokens_before > 2_000_000 > prepared.tokens_after  # counted, and the answer was left out
    assert max(encoded) <= EXACT_CHARS
    await pipeline.backend.aclose()
