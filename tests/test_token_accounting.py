from devsynth_tui.services.token_accounting import count_messages, count_tokens, encoding, estimate_cost


def test_offline_cl100k_matches_tiktoken():
    assert encoding().encode("hello world") == [15339, 1917]
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0


def test_long_text_counted_uncached():
    text = "def f(x):\n    return x + 1\n" * 500
    assert count_tokens(text) == len(encoding().encode_ordinary(text))


def test_messages_and_cost():
    msgs = [{"role": "user", "content": "hello world"}]
    assert count_messages(msgs) == 2 + 4 + 3
    assert round(estimate_cost(8765, 3580, {"prompt_per_1k": 0.01, "completion_per_1k": 0.03}), 4) == 0.1951
