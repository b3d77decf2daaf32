"""Disk I/O (guide 3.3): the response cache, with zlib compression and LRU eviction.

Only deterministic requests are cached (temperature 0, or a fixed seed): the key
hashes the model, the sampling parameters and the final prompt. Each entry is one
file: a header with a checksum, then the (optionally compressed) JSON answer. A
corrupt or truncated entry is a miss and is removed. If the disk is full or the
app home read-only, the cache turns itself off with one warning; requests go on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from devsynth_tui.atomic import atomic_write

MAGIC = b"DSC1"
HEADER = struct.Struct("<4sBI")  # magic, compressed flag, crc32 of the payload
SUFFIX = ".entry"


def is_deterministic(payload: dict) -> bool:
    """True when the server should give the same answer again (temperature 0 or a fixed seed)."""
    return payload.get("temperature") == 0 or payload.get("seed") is not None


def cache_key(payload: dict) -> str:
    """Hash of everything that decides the answer: model, parameters and messages."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class CacheStats:
    entries: int
    bytes_on_disk: int
    bytes_raw: int

    @property
    def ratio(self) -> float:
        """Raw size over size on disk (2.0 = half the space)."""
        return self.bytes_raw / self.bytes_on_disk if self.bytes_on_disk else 1.0


class DiskCache:
    """Answers on disk, least recently used evicted first to stay under ``max_size_mb``."""

    def __init__(self, folder: Path, max_size_mb: float, level: int | None = 6):
        self.folder, self.limit_mb, self.level = folder, max_size_mb, level
        self.limit = int(max_size_mb * 1024 * 1024)
        self.enabled = True
        self.warning: str | None = None
        self.lock = threading.Lock()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.sizes = {e.name: e.stat().st_size for e in os.scandir(folder) if e.name.endswith(SUFFIX)}
        except OSError as e:
            self._disable(e)
            self.sizes = {}

    def _disable(self, e: OSError) -> None:
        self.enabled = False
        self.warning = (
            f"response cache turned off: cannot write {self.folder} ({e.strerror or e}); requests go on uncached"
        )

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def get(self, key: str) -> dict | None:
        """The cached answer, or None (a damaged entry is removed)."""
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        value = _decode(data)
        if value is None:
            self._remove(path.name)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # mtime is the recency order for eviction
        return value

    def put(self, key: str, value: dict) -> None:
        """Store ``value``, then evict the least recently used entries above the limit."""
        if not self.enabled:
            return
        raw = json.dumps(value, ensure_ascii=False).encode()
        payload = zlib.compress(raw, self.level) if self.level else raw
        data = HEADER.pack(MAGIC, 1 if self.level else 0, zlib.crc32(payload)) + payload
        if len(data) > self.limit:
            return
        path = self._path(key)
        try:
            atomic_write(path, data, durable=False)  # a lost entry is only a miss: no fsync
        except OSError as e:
            self._disable(e)
            return
        with self.lock:
            self.sizes[path.name] = len(data)
        self.evict()

    def evict(self) -> int:
        """Delete least recently used entries until the cache fits; returns how many went."""
        removed = 0
        with self.lock:
            if sum(self.sizes.values()) <= self.limit:
                return 0
            by_age = sorted(self.sizes, key=self._mtime)
        for name in by_age:
            with self.lock:
                if sum(self.sizes.values()) <= self.limit:
                    break
            self._remove(name)
            removed += 1
        return removed

    def _mtime(self, name: str) -> float:
        try:
            return (self.folder / name).stat().st_mtime_ns
        except OSError:
            return 0

    def _remove(self, name: str) -> None:
        with self.lock:
            self.sizes.pop(name, None)
        with contextlib.suppress(OSError):
            (self.folder / name).unlink()

    def size(self) -> int:
        with self.lock:
            return sum(self.sizes.values())

    def stats(self) -> CacheStats:
        """Entries, bytes on disk and uncompressed bytes (read back from every entry)."""
        raw = 0
        for name in list(self.sizes):
            value = self.get(name.removesuffix(SUFFIX))
            raw += len(json.dumps(value, ensure_ascii=False).encode()) if value is not None else 0
        return CacheStats(len(self.sizes), self.size(), raw)


def _decode(data: bytes) -> dict | None:
    if len(data) < HEADER.size:
        return None
    magic, compressed, crc = HEADER.unpack_from(data)
    payload = data[HEADER.size :]
    if magic != MAGIC or zlib.crc32(payload) != crc:
        return None
    try:
        raw = zlib.decompress(payload) if compressed else payload
        value = json.loads(raw)
    except (zlib.error, ValueError):
        return None
    return value if isinstance(value, dict) else None
