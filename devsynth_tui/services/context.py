"""Context items (files the user attached: each typed and counted) and stage reports."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from devsynth_tui.config import CONTEXT_TYPES
from devsynth_tui.services.token_accounting import count_tokens

MAX_FILE_BYTES = 5_000_000

_TYPE_BY_SUFFIX = {".md": "documentation", ".rst": "documentation", ".txt": "documentation"}


@dataclass
class ContextItem:
    """One piece of context; ``text`` may be cut or summarized by the pipeline."""

    name: str
    text: str
    type: str = "code"
    timestamp: float = 0.0  # when it entered the context (recency counts from here, not the file's mtime)
    tokens: int = 0
    status: str = "kept"  # kept | partial | summarized | dropped
    lines_kept: list[tuple[int, int]] = field(default_factory=list)
    note: str = ""

    def __post_init__(self) -> None:
        self.tokens = self.tokens or count_tokens(self.text)
        if not self.lines_kept and self.text:
            self.lines_kept = [(1, self.text.count("\n") + 1)]


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


def total_tokens(items: list[ContextItem]) -> int:
    return sum(i.tokens for i in live(items))


def guess_type(path: str) -> str:
    """The guide's context type for a file: tests, documentation, requirements or code."""
    name = os.path.basename(path).lower()
    if name.startswith("test_") or name.endswith("_test.py") or "/tests/" in path.replace("\\", "/"):
        return "tests"
    if "requirement" in name or "spec" in name or name.startswith("req"):
        return "requirements"
    return _TYPE_BY_SUFFIX.get(Path(name).suffix, "code")


def _read(path: str, ctype: str | None) -> ContextItem | str:
    p = Path(path).expanduser()
    try:
        st = p.stat()
        if st.st_size > MAX_FILE_BYTES:
            return f"{path}: skipped, larger than {MAX_FILE_BYTES // 1_000_000} MB"
        data = p.read_bytes()
    except FileNotFoundError:
        return f"{path}: skipped, file not found"
    except IsADirectoryError:
        return f"{path}: skipped, is a folder"
    except OSError as e:
        return f"{path}: skipped, unreadable ({e.strerror})"
    if b"\0" in data[:8192]:
        return f"{path}: skipped, binary file"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"{path}: skipped, not UTF-8 text"
    return ContextItem(path, text, ctype or guess_type(path), time.time())


def load_files(paths: list[str], types: dict[str, str] | None = None) -> tuple[list[ContextItem], list[str]]:
    """Read context files; unreadable ones are skipped with a note, never fatal."""
    types = types or {}
    for t in types.values():
        if t not in CONTEXT_TYPES:
            raise ValueError(f"unknown context type {t!r}; expected one of {', '.join(CONTEXT_TYPES)}")
    items, notes = [], []
    for path in paths:
        got = _read(path, types.get(path))
        (items if isinstance(got, ContextItem) else notes).append(got)
    return items, notes


async def load_files_async(paths: list[str], types: dict[str, str] | None = None, async_io: bool = True):
    """``load_files`` off the event loop when ``disk.async_io`` is on."""
    if async_io:
        return await asyncio.to_thread(load_files, paths, types)
    return load_files(paths, types)
