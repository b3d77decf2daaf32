"""Context items (files the user attached: each typed and counted) and stage reports."""

from __future__ import annotations

import codecs
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from devsynth_tui.config_schema import CONTEXT_TYPES
from devsynth_tui.services.context.token_accounting import count_tokens
from devsynth_tui.services.errors import ServiceError

HEADER_TOKENS = 12  # an item's header line in the context block, beside its name, and the blank lines around it

MAX_FILE_BYTES = 5_000_000

_TYPE_BY_SUFFIX = {".md": "documentation", ".rst": "documentation", ".txt": "documentation"}


@dataclass(frozen=True, eq=False)
class Parsed:
    """A file as read once: its text, token count and chunk spans (``chunking.chunk_spans``).

    Shared between requests (the folder cache holds it), so never copied."""

    text: str
    tokens: int
    spans: tuple

    def __deepcopy__(self, memo: dict) -> Parsed:
        return self


NAMED, FOLDER = "named", "folder"  # a file the user named (sent whole while it fits), or one found in a folder


@dataclass
class ContextItem:
    """One piece of context; ``text`` may be cut or summarized by the pipeline.

    ``note`` says why the item is sent as it is (whole, which lines, dropped); ``origin``
    is NAMED for a file the user named, FOLDER for one found under a folder they named
    (``folder`` names it)."""

    name: str
    text: str
    type: str = "code"
    timestamp: float = 0.0  # when it entered the context (recency counts from here, not the file's mtime)
    tokens: int = 0
    status: str = "kept"  # kept | partial | summarized | dropped
    lines_kept: list[tuple[int, int]] = field(default_factory=list)
    note: str = ""
    origin: str = NAMED
    folder: str = ""
    parsed: Parsed | None = None  # chunks and counts already known (the folder cache)

    def __post_init__(self) -> None:
        known = self.parsed.tokens if self.parsed and self.parsed.text is self.text else 0
        self.tokens = self.tokens or known or count_tokens(self.text)
        if not self.lines_kept and self.text:
            self.lines_kept = [(1, len(self.text.splitlines()))]  # as an editor numbers them: no line after the last


@dataclass
class StageReport:
    """What one pipeline stage did: tokens before and after, and why."""

    stage: str
    tokens_before: int
    tokens_after: int
    notes: list[str] = field(default_factory=list)


def live(items: list[ContextItem]) -> list[ContextItem]:
    """The items still in the request."""
    return [i for i in items if i.status != "dropped"]


def sent_tokens(items: list[ContextItem]) -> int:
    """What the items still in the context cost as sent: their text, headers and separators (the stages, the budget,
    the attachment bar and the context view all count this)."""
    return sum(item_cost(i) for i in live(items))


def item_cost(item: ContextItem) -> int:
    """One item as sent, whole: its text, header and separators."""
    return item.tokens + header_tokens(item)


def header_tokens(item: ContextItem) -> int:
    """What an item costs in the context block besides its text: its header and separators."""
    return count_tokens(item.name) + HEADER_TOKENS


def guess_type(path: str) -> str:
    """The guide's context type for a file: tests, documentation, requirements or code."""
    name = os.path.basename(path).lower()
    if name.startswith("test_") or name.endswith("_test.py") or "/tests/" in path.replace("\\", "/"):
        return "tests"
    if "requirement" in name or "spec" in name or name.startswith("req"):
        return "requirements"
    return _TYPE_BY_SUFFIX.get(Path(name).suffix, "code")


class ContextError(ServiceError):
    """Context files that can't be sent; one line naming each file, why, and what to do."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)  # UTF-32 LE starts like UTF-16 LE: first


def _shown(path: str) -> str:
    return path if path.isprintable() else repr(path)


def decode(data: bytes) -> str:
    """Text in a known encoding (UTF-8, or UTF-16/32 with a byte order mark); ValueError says why not."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ValueError(
                    f"not valid {encoding.upper().removesuffix('-SIG')} text despite its byte order mark"
                ) from None
    if b"\0" in data[:8192]:
        raise ValueError("a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 text (byte {e.start}); convert it, e.g. iconv -f latin1 -t utf-8") from None


def read_context_file(path: str, ctype: str | None = None) -> ContextItem:
    """One context file as an item; ValueError says why it can't be used."""
    try:
        with open(Path(path).expanduser(), "rb") as f:  # not only regular files: --context <(git diff) is a pipe
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ValueError("file not found; check the path") from None
    except IsADirectoryError:
        raise ValueError("a folder; name the files in it") from None
    except OSError as e:
        raise ValueError(f"unreadable ({e.strerror or e})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // 1_000_000} MB; attach the part that matters")
    text = decode(data)
    if not text.strip():
        raise ValueError("empty; there is nothing in it to send")
    return ContextItem(path, text, ctype or guess_type(path), time.time())


def load_files(paths: list[str], types: dict[str, str] | None = None) -> list[ContextItem]:
    """Read context files, all or nothing: any file that can't be used raises ContextError naming it.

    Called before any model call, so bad input never reaches the model.
    """
    types = types or {}
    for t in types.values():
        if t not in CONTEXT_TYPES:
            raise ContextError(f"unknown context type {t!r}; expected one of {', '.join(CONTEXT_TYPES)}")
    items, problems = [], []
    for path in paths:
        try:
            items.append(read_context_file(path, types.get(path)))
        except ValueError as e:
            problems.append(f"{_shown(path)}: {e}")
    if len(problems) == 1:
        raise ContextError(f"context file {problems[0]}")
    if problems:
        raise ContextError(f"{len(problems)} context files can't be used: {'; '.join(problems)}")
    return items
