"""The benchmark's metric definitions (guide 5.3), as vLLM's ``benchmark_serving`` defines them
(docs/benchmark-metrics.md): TTFT from the request sent to the first token of any kind; ITL as every gap
between consecutive tokens, pooled over all requests; TPOT = (e2e - TTFT) / (output tokens - 1); e2e from the
request sent to the last byte; percentiles by linear interpolation. The server's own figures sit beside the
client's, never mixed into them, and the pipeline's own costs (preparation, ledger) are reported apart from the
request timings. A concurrency level's summary, a sweep's row, and SLOs with goodput are defined here too.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devsynth_tui.services.context.token_accounting import count_tokens

if TYPE_CHECKING:
    from devsynth_tui.services.pipeline.request import Done

METRICS = ("ttft", "itl", "tpot", "e2e")
METRIC_NAMES = {
    "ttft": "time to first token (ms)",
    "itl": "inter-token latency (ms)",
    "tpot": "time per output token (ms)",
    "e2e": "end-to-end latency (ms)",
}
# the server's own per-request figures: llama.cpp `timings`, LM Studio `stats` (kept apart from ours)
SERVER_FIGURES = {
    "llama.cpp timings": ("predicted_per_second", "prompt_per_second", "prompt_ms", "predicted_ms"),
    "LM Studio stats": ("tokens_per_second", "time_to_first_token", "generation_time"),
}


class BenchmarkError(ValueError):
    """Bad benchmark input; the message names the parameter and what is allowed."""


# --- service-level objectives ---------------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """One service-level objective: a metric's statistic below a bound (seconds)."""

    metric: str
    stat: str
    bound: float
    strict: bool
    text: str

    def met(self, value: float | None) -> bool:
        return value is not None and (value < self.bound if self.strict else value <= self.bound)


_SLO_PART = re.compile(r"^(ttft|itl|tpot|e2e)_(p50|p90|p99|mean)\s*(<=|<)\s*([0-9]*\.?[0-9]+)\s*(ms|s)$")


def parse_slo(text: str) -> list[Objective]:
    """``ttft_p90<=500ms,tpot_p50<=50ms``: every part METRIC_STAT<=NUMBER(ms|s)."""
    objectives = []
    for part in (p.strip() for p in text.split(",")):
        m = _SLO_PART.match(part.lower())
        if not m:
            raise BenchmarkError(
                f"--slo {part!r}: expected METRIC_STAT<=VALUE with METRIC ttft|itl|tpot|e2e, "
                f"STAT p50|p90|p99|mean and a unit ms|s, e.g. ttft_p90<=500ms,tpot_p50<=50ms"
            )
        metric, stat, op, number, unit = m.groups()
        bound = float(number) / (1000 if unit == "ms" else 1)
        objectives.append(Objective(metric, stat, bound, op == "<", f"{metric}_{stat}{op}{number}{unit}"))
    return objectives


def slo_answer(slo: list[Objective], levels: list[dict]) -> dict:
    """Per level whether every objective holds, what misses, goodput; and the highest level meeting all."""
    rows = []
    for lvl in sorted(levels, key=lambda level: level["concurrency"]):
        misses = [
            {"objective": o.text, "value": (lvl.get(o.metric) or {}).get(o.stat)}
            for o in slo
            if not o.met((lvl.get(o.metric) or {}).get(o.stat))
        ]
        rows.append(
            {"concurrency": lvl["concurrency"], "met": not misses, "misses": misses, "goodput": lvl.get("goodput", 0.0)}
        )
    met = [row for row in rows if row["met"]]
    return {"objectives": [o.text for o in slo], "levels": rows, "best": met[-1]["concurrency"] if met else None}


# --- statistics -------------------------------------------------------------------------------


def summarize(values: list[float]) -> dict:
    """mean, p50, p90, p99, min, max (percentiles linearly interpolated)."""
    if not values:
        return {}
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 99
    return {
        "mean": statistics.fmean(ordered),
        "p50": cuts[49],
        "p90": cuts[89],
        "p99": cuts[98],
        "min": ordered[0],
        "max": ordered[-1],
    }


def split_tokens(estimates: list[int], total: int | None) -> list[int]:
    """Tokens per streamed piece: the server's ``total`` split over the pieces in proportion to
    their estimated (tiktoken) counts, every piece at least one token; the estimates when the
    server gave no count, one a piece when it counted fewer tokens than pieces."""
    n = len(estimates)
    if not total:
        return [max(1, e) for e in estimates]
    if total < n:
        return [1] * n
    weights = [max(1, e) for e in estimates]
    shares = [total * w / sum(weights) for w in weights]
    counts = [max(1, int(share)) for share in shares]
    missing = total - sum(counts)
    by_fraction = sorted(range(n), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in range(missing):  # what rounding down left over, to the largest fractions
        counts[by_fraction[i % n]] += 1
    for _ in range(-missing):  # what "at least one" added, from the largest counts
        counts[counts.index(max(counts))] -= 1
    return counts


def token_gaps(pieces: list[tuple[float, str]], total: int | None) -> list[float]:
    """Every gap between consecutive tokens of one answer: a piece carrying k tokens counts k gaps,
    its time since the previous piece split evenly; tokens that came with the first have a gap of 0."""
    counts = split_tokens([count_tokens(text) for _, text in pieces], total)
    gaps: list[float] = []
    previous = None
    for (t, _), k in zip(pieces, counts):
        gaps += [0.0] * (k - 1) if previous is None else [(t - previous) / k] * k
        previous = t
    return gaps


# --- a request, a level, a sweep combination ----------------------------------------------------


def request_figures(start: float, finished: float, done: Done, pieces: list[tuple[float, str]]) -> dict:
    """One request's figures: TTFT, e2e, TPOT, its token gaps, the pipeline's costs around it, the server's own."""
    r = done.result
    assert r is not None  # only answered requests are measured (a failed one stops the run)
    n = done.row.completion_tokens
    streamed = r.t_first is not None  # an answer not streamed arrives whole: its first token is its last
    e2e = r.t_end - r.t_start
    ttft = r.t_first - r.t_start if r.t_first is not None else e2e
    tpot = (e2e - ttft) / (n - 1) if streamed and n > 1 else None
    return {
        "ttft": ttft,
        "e2e": e2e,
        "tpot": tpot,
        "gaps": token_gaps(pieces, n) if streamed else [],
        "output_tokens": n,
        "decode_tps": 1 / tpot if tpot else None,
        "prompt_tokens": done.row.prompt_tokens,
        "tokens_saved": done.row.tokens_saved,
        "model": done.row.model,
        "sent": r.t_start,
        "preparation": r.t_start - start,
        "after": finished - r.t_end,  # outside the request timings
        "server": server_figures(r),
    }


def server_figures(result) -> dict:
    """The server's own figures for one answer, named by where they came from."""
    for source, data in (("llama.cpp timings", result.server_timings), ("LM Studio stats", result.server_stats)):
        if data:
            return {"source": source} | {
                k: data[k] for k in SERVER_FIGURES[source] if isinstance(data.get(k), (int, float))
            }
    return {}


def level_summary(level: int, figures: list[dict], wall: float, planned: int, slo: list[Objective]) -> dict:
    """A concurrency level: client metrics (ITL pooled over every request), throughput over the level's
    wall time, the pipeline's overhead, the server's own figures apart, and goodput under the SLO."""
    out = {
        "concurrency": level,
        "requests": len(figures),
        "planned": planned,
        "wall": wall,
        "output_tokens_per_s": sum(f["output_tokens"] for f in figures) / wall if wall else 0.0,
        "requests_per_s": len(figures) / wall if wall else 0.0,
        "ttft": summarize([f["ttft"] for f in figures]),
        "itl": summarize([g for f in figures for g in f["gaps"]]),
        "tpot": summarize([f["tpot"] for f in figures if f["tpot"] is not None]),
        "e2e": summarize([f["e2e"] for f in figures]),
        "output_tokens": summarize([f["output_tokens"] for f in figures]),
        "decode_tps": summarize([f["decode_tps"] for f in figures if f["decode_tps"]]),
        "overhead": {
            "preparation": summarize([f["preparation"] for f in figures]),
            "after": summarize([f["after"] for f in figures]),
        },
        "server": server_summary([f["server"] for f in figures]),
    }
    if slo:
        good = sum(all(o.met(_request_value(f, o)) for o in slo) for f in figures)
        out["goodput"] = good / wall if wall else 0.0
        out["good_requests"] = good
    return out


def _request_value(figures: dict, objective: Objective) -> float | None:
    """A request's own value for an objective (its gaps' statistic for ITL)."""
    if objective.metric == "itl":
        return summarize(figures["gaps"]).get(objective.stat)
    return figures[objective.metric]


def server_summary(per_request: list[dict]) -> dict:
    rows = [r for r in per_request if r]
    if not rows:
        return {}
    source = rows[0]["source"]
    return {"source": source} | {
        k: summarize([r[k] for r in rows if k in r]) for k in SERVER_FIGURES[source] if any(k in r for r in rows)
    }


def sweep_row(combo: dict, figures: list[dict]) -> dict:
    server = server_summary([f["server"] for f in figures])
    return {
        "params": combo,
        "requests": len(figures),
        "prompt_tokens": statistics.fmean(f["prompt_tokens"] for f in figures),
        "output_tokens": statistics.fmean(f["output_tokens"] for f in figures),
        "tokens_saved": statistics.fmean(f["tokens_saved"] for f in figures),
        "e2e_p50": summarize([f["e2e"] for f in figures])["p50"],
        "ttft_p50": summarize([f["ttft"] for f in figures])["p50"],
        "tpot_p50": summarize([f["tpot"] for f in figures if f["tpot"]]).get("p50"),
        "tps_p50": summarize([f["decode_tps"] for f in figures if f["decode_tps"]]).get("p50"),
        "server_tps_p50": (server.get("predicted_per_second") or server.get("tokens_per_second") or {}).get("p50"),
    }


def best_combination(rows: list[dict]) -> dict:
    """The sweep's best combination by generation tok/s (p50), and by TTFT (p50) when another wins there."""
    rated = [row for row in rows if row.get("tps_p50")]
    if len(rows) < 2 or not rated:
        return {}
    fastest = max(rated, key=lambda row: row["tps_p50"])
    quickest = min(rows, key=lambda row: row["ttft_p50"])
    return {"tps": fastest["params"], "ttft": quickest["params"]}
