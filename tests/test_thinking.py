"""Inline <think> tags come apart from the answer wherever a stream splits them."""

import pytest

from devsynth_tui.services.llm.thinking import ThinkTags, split_think


def _feed(pieces):
    tags = ThinkTags()
    segments = [s for p in pieces for s in tags.feed(p)] + tags.close()
    return "".join(t for t, k in segments if not k), "".join(t for t, k in segments if k), segments


STREAM = "\n<think>\nSquare 12: 12 * 12 = 144 < 150.\n</think>\n\nIt is 144 (and 144 < 150)."


def test_every_two_split_points_give_the_same_answer_and_thinking():
    for i in range(len(STREAM) + 1):
        for j in range(i, len(STREAM) + 1):
            answer, thinking, _ = _feed([STREAM[:i], STREAM[i:j], STREAM[j:]])
            assert (answer, thinking) == ("It is 144 (and 144 < 150).", "\nSquare 12: 12 * 12 = 144 < 150.\n"), (i, j)


def test_one_character_at_a_time_keeps_order_and_kinds():
    _, _, segments = _feed(list(STREAM))
    kinds = [k for _, k in segments if _]
    assert kinds == sorted(kinds, reverse=True)  # all thinking, then all answer
    assert not any(t in "<think></think>" and len(t) > 1 for t, _ in segments)  # no tag fragment leaks out


@pytest.mark.parametrize(
    "text, answer, thinking",
    [
        ("plain answer with a < b and <div>html</div>", "plain answer with a < b and <div>html</div>", ""),
        ("Sure. <think>wait</think> Done.", "Sure. Done.", "wait"),  # text before the block
        ("<think>still thinking when the stream ended", "", "still thinking when the stream ended"),
        ("<think>a</think>b<think>c</think>\nd", "bd", "ac"),
        ("reasoning leaked</think>\n\nanswer", "reasoning leaked\n\nanswer", ""),  # a stray close is dropped
        ("  \n", "  \n", ""),  # only whitespace: kept
        ("<thin", "<thin", ""),  # a partial tag at the end is text after all
        ("<think></think>", "", ""),
    ],
)
def test_split_think_cases(text, answer, thinking):
    assert split_think(text) == (answer, thinking)
    assert _feed(list(text))[:2] == (answer, thinking)


def test_plain_text_passes_through_piece_by_piece():
    tags = ThinkTags()
    assert tags.feed("Hello") == [("Hello", False)]
    assert tags.feed(" world") == [(" world", False)]
    assert tags.close() == []
