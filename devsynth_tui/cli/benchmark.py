"""``benchmark``: run the guide's stages and serving metrics; list, show and compare stored runs."""

from __future__ import annotations

import json
import sys

from devsynth_tui.cli.common import (
    EXIT_CANCELLED,
    EXIT_ERROR,
    CliError,
    Interrupted,
    load_config,
    open_ledger,
    run_async,
    with_backend,
)


def cmd_benchmark(args) -> int:
    from devsynth_tui.services.benchmark.metrics import BenchmarkError
    from devsynth_tui.services.benchmark.reports import format_run, to_csv
    from devsynth_tui.services.benchmark.runner import Options, parse_sweep
    from devsynth_tui.services.benchmark.runs import compare, list_runs, load_run

    ledger = open_ledger()
    store = ledger.store
    try:
        if args.compare:
            a, b = (load_run(store, n) for n in args.compare)
            rows = compare(a, b)
            return _emit(args, {"a": a.id, "b": b.id, "rows": rows}, _compare_text(a, b, rows))
        if args.action == "list":
            runs = list_runs(store)
            return _emit(
                args,
                runs,
                "\n".join([RUN_HEADER, *map(_run_line, runs)])
                if runs
                else "no stored runs yet: `devsynth-tui benchmark` or the Benchmark pane (F6) makes one",
            )
        if args.action == "show":
            if args.run is None:
                raise CliError("benchmark show RUN: which run? see `devsynth-tui benchmark list`")
            run = load_run(store, args.run)
            return _emit(args, run.as_dict(), format_run(run), to_csv(run))
        opts = Options(
            args.requests,
            args.warmup,
            _levels(args.concurrency),
            args.max_tokens,
            dict(parse_sweep(s) for s in args.sweep),
            not args.no_stages,
            args.slo,
        )
        opts.check()
        return _run_benchmark(args, opts, ledger)
    except BenchmarkError as e:
        raise CliError(str(e)) from None


def _levels(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise CliError(f"--concurrency {text!r}: expected comma-separated whole numbers, e.g. 1,2,4") from None


def _run_benchmark(args, opts, ledger) -> int:
    from devsynth_tui.services.benchmark.reports import format_run, to_csv
    from devsynth_tui.services.benchmark.runner import BenchmarkFailed, Progress, Runner, check_sweeps
    from devsynth_tui.services.benchmark.runs import RunResult
    from devsynth_tui.services.pipeline.pipeline import Pipeline

    cfg = load_config(args)
    check_sweeps(cfg, opts.sweeps)
    runner = None
    show_progress = sys.stderr.isatty()

    async def run(backend):
        nonlocal runner
        runner = Runner(Pipeline(cfg, backend, ledger), ledger.store)
        async for event in runner.run(opts):
            if isinstance(event, Progress) and show_progress:
                print(f"\r[{event.done}/{event.total}] {event.label[:60]:60}", end="", file=sys.stderr, flush=True)
            elif isinstance(event, RunResult):
                return event

    try:
        result = run_async(with_backend(cfg, run))
    except (Interrupted, KeyboardInterrupt) as e:
        stored = runner.last_id if runner else None
        print(
            f"\ndevsynth-tui: benchmark interrupted; what finished is stored as run {stored} (incomplete)",
            file=sys.stderr,
        )
        return e.code if isinstance(e, Interrupted) else EXIT_CANCELLED
    except BenchmarkFailed as e:
        print(
            f"\ndevsynth-tui: benchmark stopped, a request failed: {e}; "
            f"stored as run {runner.last_id if runner else None} (incomplete)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if show_progress:
        print(file=sys.stderr)
    return _emit(args, result.as_dict(), format_run(result), to_csv(result))


def _emit(args, data, text: str, csv_text: str | None = None) -> int:
    """Print text (or JSON with --json); --output FILE also gets JSON, or CSV when FILE ends in .csv."""
    print(json.dumps(data, indent=2) if args.json else text)
    if getattr(args, "output", None):
        from pathlib import Path

        path = Path(args.output)
        if path.suffix.lower() == ".csv":
            path.write_text(
                csv_text if csv_text is not None else _rows_csv(data if isinstance(data, list) else data["rows"])
            )
        else:
            path.write_text(json.dumps(data, indent=2) + "\n")
    return 0


def _rows_csv(rows: list[dict]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(rows[0]) if rows else [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


RUN_HEADER = f"{'run':>4}  {'started':19}  {'status':10}  {'model':28}  server"


def _run_line(r: dict) -> str:
    from devsynth_tui.services.store.ledger import format_ts

    return f"{r['id']:>4}  {format_ts(r['started'])}  {r['status']:10}  {r['model'] or '?':28}  {r['server']}"


def _compare_text(a, b, rows: list[dict]) -> str:
    lines = [
        f"Run {a.id} ({a.model}, {a.status}) vs run {b.id} ({b.model}, {b.status})",
        f"{'level':>5} {'metric':22} {'A':>10} {'B':>10} {'delta':>10} {'%':>7}  beyond spread",
    ]
    for r in rows:
        scale = 1000 if r["metric"] in ("ttft", "itl", "tpot", "e2e") else 1
        pct = f"{r['percent']:+.1f}" if r["percent"] is not None else "-"
        flag = {True: "yes", False: "no", None: "-"}[r["significant"]]
        lines.append(
            f"{r['concurrency']:>5} {r['metric'] + (' (ms)' if scale == 1000 else ''):22} {r['a'] * scale:10.2f} "
            f"{r['b'] * scale:10.2f} {r['delta'] * scale:+10.2f} {pct:>7}  {flag}"
        )
    if len(lines) == 2:
        lines.append("no concurrency level in common")
    return "\n".join(lines)
