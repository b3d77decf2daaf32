"""Units of the optimization pipeline: pruning strategies, prompt rewriting, response processing, routing."""

import asyncio
import textwrap
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from devsynth_tui.config_schema import defaults
from devsynth_tui.services.context import pruning as context_pruning
from devsynth_tui.services.context.chunking import chunk_text
from devsynth_tui.services.context.items import FOLDER, ContextItem, item_cost, sent_tokens
from devsynth_tui.services.context.prompt_optimization import (
    compress_instructions,
    select_examples,
    split_for_generation,
    trim_template,
)
from devsynth_tui.services.context.pruning import PruneContext, prune
from devsynth_tui.services.context.relevance import lexical_scores
from devsynth_tui.services.context.response_processing import CodeBlock, EarlyTerminator, IncrementalParser, Section
from devsynth_tui.services.context.token_accounting import count_tokens
from devsynth_tui.services.llm.model_routing import classify, route

CODE = textwrap.dedent('''\
    import os


    def parse_config(path):
        """Read the settings file."""
        with open(path) as f:
            return f.read()


    def retry_with_backoff(fn, attempts=3):
        for n in range(attempts):
            try:
                return fn()
            except OSError:
                pass


    class Cache:
        def get(self, key):
            return None
    ''')


def settings_for(**kw):
    s = defaults()["tokens"]["context_pruning"]
    s.update(kw)
    return s


def run(items, budget=10_000, **kw):
    ctx = PruneContext(query=kw.pop("query", ""), budget=budget, settings=settings_for(**kw), now=kw.pop("now", 0))
    return asyncio.run(prune(items, ctx))


def test_python_chunks_are_whole_units():
    chunks = chunk_text(CODE, "m.py")
    by_symbol = {next(iter(c.symbols)): c for c in chunks if c.symbols and len(c.symbols) == 1}
    fn = by_symbol["retry_with_backoff"]
    lines = CODE.splitlines()
    assert lines[fn.end - 1].strip() == "pass" and "def retry_with_backoff" in fn.text
    assert "Cache" in {s for c in chunks for s in c.symbols}


def test_markdown_chunks_by_section():
    doc = "# Title\nintro\n## Install\npip install x\n## Usage\nrun it\n"
    assert [c.text.splitlines()[0] for c in chunk_text(doc, "README.md")][-1] == "## Usage"


def test_named_symbol_scores_top():
    chunks = chunk_text(CODE, "m.py")
    scores = lexical_scores("Why does retry_with_backoff swallow errors?", chunks)
    best = chunks[scores.index(max(scores))]
    assert "retry_with_backoff" in best.symbols


def test_relevance_keeps_whole_function_and_drops_unrelated_item():
    items = [  # found in a folder: relevance picks (a file the user names is sent whole while it fits)
        ContextItem("m.py", CODE, origin=FOLDER),
        ContextItem("notes.md", "# Holidays\nThe office is closed in August.\n", "documentation", origin=FOLDER),
    ]
    reports = run(items, query="How does retry_with_backoff handle OSError?", strategy="relevance")
    code, notes = items
    assert notes.status == "dropped" and code.status == "partial"
    assert any(s <= 10 <= e for s, e in code.lines_kept)
    assert "def retry_with_backoff" in code.text and "except OSError" in code.text
    assert reports[0].tokens_after < reports[0].tokens_before
    assert "BM25" in reports[0].notes[0]


def test_relevance_scoring_runs_off_the_event_loop(monkeypatch):
    """Chunking, scoring and selection are CPU work: a worker thread does them, never the loop's thread."""
    seen = []
    for name in ("_lexical", "_keep_relevant"):
        real = getattr(context_pruning, name)

        def spy(*args, real=real, name=name):
            seen.append((name, threading.current_thread() is threading.main_thread()))
            return real(*args)

        monkeypatch.setattr(context_pruning, name, spy)
    items = [
        ContextItem("m.py", CODE, origin=FOLDER),
        ContextItem("notes.md", "# Holidays\nClosed in August.\n", "documentation", origin=FOLDER),
    ]
    run(items, query="How does retry_with_backoff handle OSError?", strategy="relevance")
    assert seen == [("_lexical", False), ("_keep_relevant", False)] and items[1].status == "dropped"


def test_relevance_respects_budget():
    items = [ContextItem(f"f{i}.py", CODE.replace("parse_config", f"parse_config_{i}")) for i in range(5)]
    run(items, budget=150, query="parse config settings file", strategy="relevance", threshold=0.0)
    assert 0 < sent_tokens(items) <= 150


def test_recency_drops_items_that_entered_the_context_long_ago():
    old = ContextItem("old.py", "x = 1\n", timestamp=1000.0)
    new = ContextItem("new.py", "y = 2\n", timestamp=4500.0)
    run([old, new], now=5000.0, strategy="recency", max_age=3600)
    assert old.status == "dropped" and new.status == "kept"


def test_a_file_attached_now_is_never_too_old_whatever_its_mtime(tmp_path):
    import os

    from devsynth_tui.services.context.items import load_files

    path = tmp_path / "edited_long_ago.py"
    path.write_text("def f():\n    return 1\n")
    os.utime(path, (1000.0, 1000.0))
    items = load_files([str(path)])
    run(items, strategy="recency", max_age=60)
    assert items[0].status == "kept"


def test_priority_drops_low_then_largest_medium():
    req = ContextItem("req.md", "must " * 100, "requirements")
    doc = ContextItem("doc.md", "doc " * 100, "documentation")
    big = ContextItem("big.py", "x = 1\n" * 100, "code")
    small = ContextItem("small.py", "y = 2\n" * 20, "code")
    budget = item_cost(req) + item_cost(small) + 5  # as sent: headers too
    run([req, doc, big, small], budget=budget, strategy="priority")
    assert (req.status, doc.status, big.status, small.status) == ("kept", "dropped", "dropped", "kept")


def test_strategy_list_in_order_then_budget():
    items = [ContextItem("a.py", CODE), ContextItem("b.md", "# B\n" + "text " * 400, "documentation")]
    reports = run(items, budget=100, query="parse_config", strategy=["recency", "priority"])
    assert [r.stage for r in reports][:2] == ["context:recency", "context:priority"]
    assert sent_tokens(items) <= 100


def test_summarization_replaces_large_items_in_parallel():
    calls = []

    async def fake(item, limit):
        calls.append(item.name)
        return "summary of " + item.name

    items = [ContextItem("big.py", "x = 1\n" * 500), ContextItem("small.py", "y = 2\n")]
    ctx = PruneContext(  # a budget the items do not fit: what fits is never summarized
        "q", 1000, settings_for(strategy="summarization", max_tokens=100), summarizer=fake, gate=asyncio.Semaphore(2)
    )
    asyncio.run(prune(items, ctx))
    assert calls == ["big.py"] and items[0].status == "summarized" and items[0].text == "summary of big.py"
    assert items[1].status == "kept"


# --- prompt optimization -------------------------------------------------------------


def test_template_trimming_outside_code_only():
    t = "Do this.   \n\n\n\n{# internal note #}\n<!-- hidden -->\n```python\nx = 1   \n\n\n\n# a comment\n```\n"
    out = trim_template(t)
    assert "internal note" not in out and "hidden" not in out
    assert "x = 1   \n\n\n\n# a comment" in out
    assert "Do this.\n\n" in out and "\n\n\n" not in out.split("```")[0]


def test_compression_removes_filler():
    out = compress_instructions(
        "Could you please basically explain, in order to help me, how parse_config works? Thank you so much!"
    )
    assert out == "Explain, to help me, how parse_config works?"


PROTECTED = st.one_of(
    st.from_regex(r"\A`[a-z_ ]{1,12}`\Z"),
    st.from_regex(r'\A"[a-z ,]{1,12}"\Z'),
    st.from_regex(r"\A[a-z]{1,6}_[a-z0-9]{1,6}\Z"),
    st.from_regex(r"\A[0-9]{1,6}(\.[0-9]{1,3})?\Z"),
    st.from_regex(r"\A```python\ndef f\(\):\n    return 42\n```\Z"),
)
FILLER_WORDS = st.sampled_from(
    ["please", "could you", "basically", "in order to", "make sure to", "kindly", "explain", "the", "and", "thanks"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(FILLER_WORDS, max_size=4), PROTECTED), min_size=1, max_size=6))
def test_compression_never_changes_code_numbers_identifiers_quotes(parts):
    text = " ".join(" ".join(words) + " " + prot for words, prot in parts)
    out = compress_instructions(text)
    pos = 0
    for _, prot in parts:
        found = out.find(prot, pos)
        assert found >= 0, (prot, text, out)
        pos = found + len(prot)


def test_select_examples_keeps_most_relevant_in_order():
    ex = [
        "Example: sort a list with sorted()",
        "Example: read a CSV file with csv.reader",
        "Example: sort dict by value",
        "Example: HTTP GET",
    ]
    assert select_examples(ex, "How do I sort a dict by its values?", 2) == [ex[0], ex[2]]
    assert select_examples(ex, "anything", 0) == []


def test_split_for_generation_bounds_and_covers():
    text = CODE * 20
    pieces = split_for_generation(text, "big.py", 120)
    assert len(pieces) > 1 and all(count_tokens(p) <= 120 for p in pieces)
    assert [ln for ln in "\n".join(pieces).splitlines() if ln.strip()] == [ln for ln in text.splitlines() if ln.strip()]


# --- response processing ---------------------------------------------------------------


def test_incremental_parser_emits_blocks_as_they_close():
    p = IncrementalParser()
    stream = ["# Plan\nfirst ", "step\n```py", "thon\nx = 1\n", "```\nmore text\n## Next\n", "tail"]
    events = [(n, e) for n, piece in enumerate(stream) for e in p.feed(piece)] + [(99, e) for e in p.close()]
    blocks = [(n, e) for n, e in events if isinstance(e, CodeBlock)]
    assert blocks == [(3, CodeBlock("python", "x = 1", 0))]
    sections = [e for _, e in events if isinstance(e, Section)]
    assert [s.title for s in sections] == ["Plan", "Next"] and "x = 1" in sections[0].text


def test_early_termination_fence_and_regex():
    t = EarlyTerminator(["```", "END OF RESPONSE"])
    assert t.stop_strings == ["END OF RESPONSE"]
    text = "Here:\n```python\nx = 1\n```\nand then a lot more"
    cuts = [t.feed(text[i : i + 3]) for i in range(0, len(text), 3)]
    cut = next(c for c in cuts if c is not None)
    assert text[:cut] == "Here:\n```python\nx = 1\n```"
    t2 = EarlyTerminator([r"END OF RESP\w+"])
    assert t2.stop_strings == []
    answer = "word " * 200 + "END OF RESPONSE trailing"
    cut = next(c for c in (t2.feed(answer[i : i + 7]) for i in range(0, len(answer), 7)) if c is not None)
    assert answer[:cut] == "word " * 200


# --- model routing ------------------------------------------------------------------------


def test_classify_and_route_with_fallback():
    dms = defaults()["llm"]["dynamic_model_selection"]
    assert classify(100, [], "chat", dms)[0] == "simple"
    assert classify(100, ["code"], "write tests", dms)[0] == "complex"
    assert classify(5000, [], "chat", dms)[0] == "complex"
    assert classify(1000, ["documentation"], "chat", dms)[0] == "medium"
    r = route("simple", "why", dms, ["Phi-2 2.7B", "x"], "x")
    assert r.model == "Phi-2 2.7B"
    r = route("complex", "why", dms, ["x"], "x")
    assert r.model == "x" and "not on the server" in r.reason
