"""Applied advice: what ``--fix`` does besides config keys, and a change's effect on the requests after it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devsynth_tui.config import Config
    from devsynth_tui.services.advisor.findings import Finding
    from devsynth_tui.services.store.database import Store


def apply_actions(finding: Finding, cfg: Config, home: Path) -> str | None:
    """Carry out a finding's action (besides config keys); says what it did."""
    if finding.action == "trim-cache":
        from devsynth_tui.services.resources.disk_cache import DiskCache

        level = cfg.disk.compression.level if cfg.disk.compression.enabled else None
        removed = DiskCache(home / "cache", cfg.disk.caching.max_size, level).evict()
        return f"cache trimmed: {removed} entries removed"
    return None


MEASURES = {
    "total_tokens": ("tokens", False),
    "prompt_tokens": ("prompt tokens", False),
    "duration": ("time per request", False),
    "tps": ("tokens/s", True),
}


@dataclass
class Outcome:
    """A change's effect: the mean of its measure over the requests before and after it was applied."""

    measure: str
    before: float
    after: float
    requests: int

    def text(self) -> str:
        label, higher_better = MEASURES[self.measure]
        if not self.before:
            return f"{label}: no figure from before the change"
        change = (self.after - self.before) / self.before
        better = change > 0 if higher_better else change < 0
        verb = ("gained" if higher_better else "saved") if better else ("lost" if higher_better else "cost")
        amount = f"{abs(change) * 100:.0f} %" + ("" if better or higher_better else " more")
        return f"{verb} {amount} {label} on the next {self.requests} requests"


def outcome(store: Store, measure: str, applied_at: float, requests: int = 5) -> Outcome | None:
    """The measure's mean over the ``requests`` rows before ``applied_at`` and the first ones after; None until they
    ran."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    after = store.query(
        f"SELECT AVG(v) a, COUNT(*) n FROM (SELECT {measure} v FROM requests WHERE ts >= ? AND cached = 0"
        f" AND status = 'ok' AND {measure} IS NOT NULL ORDER BY ts LIMIT ?)",
        (applied_at, requests),
    )[0]
    if after["n"] < requests:
        return None
    before = store.query(
        f"SELECT AVG(v) a FROM (SELECT {measure} v FROM requests WHERE ts < ? AND cached = 0"
        f" AND status = 'ok' AND {measure} IS NOT NULL ORDER BY ts DESC LIMIT ?)",
        (applied_at, requests),
    )[0]
    return Outcome(measure, before["a"] or 0.0, after["a"], after["n"])
