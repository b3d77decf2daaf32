"""Benchmark reports: a run as the guide's table with serving metrics, server figures, overhead, the SLO answer
and sweeps (``format_run``), and as CSV (``to_csv``)."""

from __future__ import annotations

import json

from devsynth_tui.services.benchmark.metrics import METRIC_NAMES, METRICS
from devsynth_tui.services.benchmark.runs import GUIDE_STAGES, RunResult
from devsynth_tui.services.resources.monitor import competing_text


def combo_label(combo: dict) -> str:
    """A sweep combination as ``threads=2, temperature=0.7``."""
    return ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in combo.items())


def format_slo(answer: dict) -> str:
    """The SLO answer in one line: the highest level meeting every objective, its goodput, what misses elsewhere."""
    if not answer or not answer["levels"]:
        return ""
    head = f"SLO {', '.join(answer['objectives'])}: "
    misses = "; ".join(
        f"concurrency {row['concurrency']} misses "
        + ", ".join(f"{m['objective']} ({_ms(m['value'])})" for m in row["misses"])
        for row in answer["levels"]
        if not row["met"]
    )
    if answer["best"] is None:
        return head + f"no level meets it ({misses})"
    best = next(row for row in answer["levels"] if row["concurrency"] == answer["best"])
    return (
        head
        + f"met up to concurrency {best['concurrency']} (goodput {best['goodput']:.2f} req/s)"
        + (f"; {misses}" if misses else "")
    )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms"


def format_run(r: RunResult) -> str:
    """The guide's table, then serving metrics, server figures, overhead, the SLO answer and sweeps."""
    lines = [f"Performance Benchmark Results: run {r.id} ({r.status}) · {r.model} on {r.server}"]
    lines += [warning] if (warning := competing_text(r.machine.get("competing_load"))) else []
    for stage in GUIDE_STAGES:
        if stage in r.stages:
            value = r.stages[stage]
            lines.append(f"{stage}: {value:.0f}MB" if stage.startswith("Memory") else f"{stage}: {value:.2f}s")
    for lvl in r.serving:
        lines += _format_level(lvl)
    if slo_line := format_slo(r.slo):
        lines.append("\n" + slo_line)
    if r.sweep:
        lines += _format_sweep(r)
    lines.append(
        f"\nwall time {r.wall:.1f} s · config {r.config_hash} · {r.machine.get('cores', '?')} cores, "
        f"{r.machine.get('ram_gb', '?')} GB RAM"
    )
    return "\n".join(lines)


def _format_level(lvl: dict) -> list[str]:
    good = f", goodput {lvl['goodput']:.2f} req/s" if "goodput" in lvl else ""
    lines = [
        f"\nServing, concurrency {lvl['concurrency']}: {lvl['requests']}/{lvl['planned']} requests, "
        f"{lvl['output_tokens_per_s']:.1f} output tokens/s, {lvl['requests_per_s']:.2f} requests/s{good}",
        f"  {'client':28} {'mean':>8} {'p50':>8} {'p90':>8} {'p99':>8} {'min':>8} {'max':>8}",
    ]
    for metric, name in METRIC_NAMES.items():
        s = lvl.get(metric) or {}
        if s:
            lines.append(
                f"  {name:28} " + " ".join(f"{s[k] * 1000:8.1f}" for k in ("mean", "p50", "p90", "p99", "min", "max"))
            )
    decode = lvl.get("decode_tps") or {}
    if decode:
        lines.append(
            f"  {'generation tok/s (1/TPOT)':28} "
            + " ".join(f"{decode[k]:8.1f}" for k in ("mean", "p50", "p90", "p99", "min", "max"))
        )
    server = lvl.get("server") or {}
    if server:
        lines.append(f"  server's own figures ({server.get('source', 'timings')}):")
        for name, value in server.items():
            if isinstance(value, dict):
                lines.append(
                    f"    {name:26} "
                    + " ".join(f"{value[k]:8.1f}" for k in ("mean", "p50", "p90", "p99", "min", "max"))
                )
            elif name != "source":  # runs stored before schema 2 kept plain means
                lines.append(f"    {name:26} {value:8.1f}")
    overhead = lvl.get("overhead") or {}
    if overhead.get("preparation"):
        lines.append(
            f"  pipeline, outside the request timings (p50): preparation {overhead['preparation']['p50'] * 1000:.1f} "
            "ms, "
            f"ledger and after {overhead['after']['p50'] * 1000:.1f} ms"
        )
    return lines


def _p50(value) -> float | None:
    return value.get("p50") if isinstance(value, dict) else value  # runs stored before schema 2 kept plain means


def _format_sweep(r: RunResult) -> list[str]:
    lines = [
        f"\nSweep ({len(r.sweep)} combinations):",
        f"  {'parameters':36} {'prompt tok':>10} {'output tok':>10} {'saved':>6} {'tok/s p50':>9} "
        f"{'server tok/s':>12} {'ttft p50 ms':>11} {'e2e p50 ms':>10}",
    ]
    for row in r.sweep:
        tps, server = row.get("tps_p50"), row.get("server_tps_p50")
        lines.append(
            f"  {combo_label(row['params']):36} {row['prompt_tokens']:10.0f} {row['output_tokens']:10.0f} "
            f"{row['tokens_saved']:6.0f} {tps or 0:9.1f} {server or 0:12.1f} {row['ttft_p50'] * 1000:11.0f} "
            f"{row['e2e_p50'] * 1000:10.0f}"
        )
    if r.best:
        lines.append("  " + format_best(r))
    return lines


def format_best(r: RunResult) -> str:
    rows = {json.dumps(row["params"], sort_keys=True): row for row in r.sweep}
    fastest, quickest = (rows[json.dumps(r.best[k], sort_keys=True)] for k in ("tps", "ttft"))
    name, tps, ttft = combo_label(fastest["params"]), fastest["tps_p50"], fastest["ttft_p50"]
    text = f"best: {name} ({tps:.1f} tok/s, TTFT {ttft * 1000:.0f} ms)"
    if quickest is not fastest:
        text += f"; lowest TTFT: {combo_label(quickest['params'])} ({quickest['ttft_p50'] * 1000:.0f} ms)"
    return text


CSV_STATS = ("mean", "p50", "p90", "p99")


def to_csv(r: RunResult) -> str:
    """One row per concurrency level and per sweep combination; times in milliseconds."""
    import csv
    import io

    metric_cols = [f"{m}_{s}_ms" for m in METRICS for s in CSV_STATS]
    cols = [
        "run",
        "kind",
        "concurrency",
        "params",
        "requests",
        "requests_per_s",
        "output_tokens_per_s",
        "goodput",
        *metric_cols,
        "generation_tps_p50",
        "server_source",
        "server_tps_p50",
    ]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, cols, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for lvl in r.serving:
        server = lvl.get("server") or {}
        tps = server.get("predicted_per_second") or server.get("tokens_per_second")
        row = {
            "run": r.id,
            "kind": "serving",
            "concurrency": lvl["concurrency"],
            "requests": lvl["requests"],
            "requests_per_s": lvl["requests_per_s"],
            "output_tokens_per_s": lvl["output_tokens_per_s"],
            "goodput": lvl.get("goodput"),
            "generation_tps_p50": (lvl.get("decode_tps") or {}).get("p50"),
            "server_source": server.get("source"),
            "server_tps_p50": _p50(tps) if tps else None,
        }
        for m in METRICS:
            for s in CSV_STATS:
                value = (lvl.get(m) or {}).get(s)
                row[f"{m}_{s}_ms"] = None if value is None else value * 1000
        writer.writerow(row)
    for sweep in r.sweep:
        writer.writerow(
            {
                "run": r.id,
                "kind": "sweep",
                "concurrency": 1,
                "params": combo_label(sweep["params"]),
                "requests": sweep["requests"],
                "ttft_p50_ms": sweep["ttft_p50"] * 1000,
                "e2e_p50_ms": sweep["e2e_p50"] * 1000,
                "tpot_p50_ms": sweep["tpot_p50"] * 1000 if sweep.get("tpot_p50") else None,
                "generation_tps_p50": sweep.get("tps_p50"),
                "server_tps_p50": sweep.get("server_tps_p50"),
            }
        )
    return buf.getvalue()
