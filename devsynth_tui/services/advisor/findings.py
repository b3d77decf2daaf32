"""What the advisor says: a finding (what was seen, why it matters, the exact change), the advice of one check-up,
and the wording the checks share (shares of a whole, where a config value came from)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from devsynth_tui.config import Config

SEVERITIES = ("info", "warning", "critical")  # worst last
AREAS = ("tokens", "speed", "memory")  # §6's three headings: high token usage, slow responses, high memory


@dataclass
class Finding:
    """One piece of advice: what was seen (figure and source), why it matters, and the exact change."""

    check: str
    area: Literal["tokens", "speed", "memory"]
    severity: Literal["info", "warning", "critical"]
    title: str
    saw: str
    why: str
    change: dict[str, Any] = field(default_factory=dict)  # config keys -> values
    step: str = ""  # what to do where the setting is not ours (LM Studio), or what --fix does
    action: str | None = None  # something --fix does besides config keys: "trim-cache"
    measure: str | None = None  # the ledger column the change should improve, per request ("total_tokens", "tps")

    @property
    def rank(self) -> int:
        return SEVERITIES.index(self.severity)

    @property
    def fixable(self) -> bool:
        return bool(self.change) or self.action is not None

    def as_dict(self) -> dict:
        return asdict(self)

    def change_text(self) -> str:
        """The change as config lines (``key: value``), or the step."""
        lines = [f"{key}: {json.dumps(value)}" for key, value in self.change.items()]
        return "; ".join(lines + ([self.step] if self.step else []))


@dataclass
class Advice:
    """The findings, worst first, the checks that lacked data, and where the tokens went."""

    findings: list[Finding]
    skipped: list[str]
    usage: dict[str, list[dict]]
    window: str
    requests: int = 0  # in the window

    @property
    def healthy(self) -> bool:
        """No finding at warning level or worse."""
        return all(f.rank < SEVERITIES.index("warning") for f in self.findings)

    def as_dict(self) -> dict:
        return {
            "healthy": self.healthy,
            "window": self.window,
            "requests": self.requests,
            "findings": [f.as_dict() for f in self.findings],
            "skipped": self.skipped,
            "usage": self.usage,
        }


class Skip(Exception):
    """A check that lacks the data it needs; the message says which."""


def pct(part: float, whole: float) -> str:
    """A share in whole percent, never rounded up to 100 % or down to 0 % when it is not all or none."""
    if not whole:
        return "-"
    share = 100 * part / whole
    if 0 < part < whole:
        share = min(max(share, 1), 99)
    return f"{share:.0f} %"


def origin_text(cfg: Config, key: str) -> str:
    """A config value and the layer it came from: ``llm.temperature is 0.7 (from ~/.config/...)``."""
    return f"{key} is {json.dumps(cfg.get(key))} (from {cfg.origin(key)})"
