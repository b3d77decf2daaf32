"""The command line's parser: every command and flag; imports nothing heavy, so ``--help`` starts fast."""

from __future__ import annotations

import argparse

from devsynth_tui import __version__

BENCHMARK_HELP = """\
The guide's stages, then serving metrics per concurrency level, defined as vLLM's
benchmark_serving defines them (docs/benchmark-metrics.md):
  TTFT  request sent to the first token of any kind (reasoning included)
  ITL   every gap between consecutive tokens, pooled over all requests; a streamed
        piece carrying k tokens counts k gaps, its gap split evenly
  TPOT  per request, (e2e - TTFT) / (output tokens - 1)
  e2e   request sent to the last byte of the answer
Percentiles interpolate linearly (as numpy does). Output tokens/s and requests/s are over
the level's wall time. The server's own figures (llama.cpp timings, LM Studio stats) are
shown beside these, never mixed in; the pipeline's preparation and ledger costs are on
their own line, outside the request timings."""


def build_parser() -> argparse.ArgumentParser:
    """Every command and flag of devsynth-tui."""
    # SUPPRESS: a global flag given before the command is not reset by the command's parser
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--config", metavar="PATH", help="config file (else $DEVSYNTH_TUI_CONFIG, else the user config dir)"
    )
    common.add_argument("--base-url", metavar="URL", help="OpenAI-compatible server, e.g. http://localhost:1234/v1")
    common.add_argument("--model", metavar="NAME", help="model id to use")

    p = argparse.ArgumentParser(
        prog="devsynth-tui",
        parents=[common],
        description="Terminal dashboard for coding with a local LLM. With no command, opens the dashboard.",
    )
    p.add_argument("--version", action="version", version=f"devsynth-tui {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", parents=[common], help="send one prompt through the pipeline and stream the answer")
    ask.add_argument("prompt")
    _context_args(ask)
    thread = ask.add_mutually_exclusive_group()
    thread.add_argument(
        "-c",
        "--continue",
        dest="cont",
        action="store_true",
        help="continue the most recent conversation (one from the dashboard too)",
    )
    thread.add_argument("--conversation", "--cid", metavar="ID", type=int, help="continue conversation ID")
    ask.add_argument("--show-thinking", action="store_true", help="write a thinking model's reasoning to stderr")
    ask.add_argument("--json", action="store_true", help="print one JSON object instead of streaming text")
    ask.add_argument("--raw", action="store_true", help="pass the model's escape sequences through unfiltered")
    for name, kind in (("temperature", float), ("top-p", float), ("top-k", int), ("max-tokens", int), ("seed", int)):
        ask.add_argument(f"--{name}", type=kind, help=f"override llm.{name.replace('-', '_')} for this request")

    opt = sub.add_parser(
        "optimize", parents=[common], help="dry run: show what the pipeline would send, stage by stage"
    )
    opt.add_argument("prompt")
    _context_args(opt)
    opt.add_argument("--json", action="store_true", help="per-item status, kept line ranges and tokens as JSON")

    tokens = sub.add_parser("tokens", parents=[common], help="token usage: report, history, reset")
    tsub = tokens.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    rep = tsub.add_parser("report", parents=[common], help="totals since the last reset")
    rep.add_argument("--all", action="store_true", help="all time instead of since the last reset")
    rep.add_argument(
        "--by",
        choices=("operation", "model", "stage", "day"),
        help="break the usage down: per operation, model, optimization stage (tokens saved) or day",
    )
    rep.add_argument("--json", action="store_true")
    hist = tsub.add_parser("history", parents=[common], help="recent requests, newest first")
    hist.add_argument("--limit", type=int, default=20)
    hist.add_argument("--since", metavar="DATE", help="only rows since DATE (YYYY-MM-DD or ISO time)")
    hist.add_argument("--json", action="store_true")
    reset = tsub.add_parser("reset", parents=[common], help="start a new period; history is kept unless --purge")
    reset.add_argument("--purge", action="store_true", help="delete every row (asks to confirm)")
    reset.add_argument("--yes", action="store_true", help="confirm --purge without asking")

    mon = sub.add_parser("monitor", parents=[common], help="live memory, CPU or disk readings")
    mon.add_argument("what", choices=("memory", "cpu", "disk"))
    mon.add_argument("--interval", help="seconds between samples (default: monitor.interval)")
    mon.add_argument("--duration", help="stop after this many seconds")
    mon.add_argument("--once", action="store_true", help="print one sample and exit")
    mon.add_argument("--json", action="store_true", help="one JSON object per sample")

    bench = sub.add_parser(
        "benchmark",
        parents=[common],
        help="the guide's benchmark stages and serving metrics; list, show, compare runs",
        description=BENCHMARK_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bench.add_argument("action", nargs="?", choices=("list", "show"), help="list stored runs, or show one")
    bench.add_argument("run", nargs="?", type=int, help="the run to show")
    bench.add_argument("--requests", type=int, default=5, help="requests per concurrency level (default 5)")
    bench.add_argument("--warmup", type=int, default=1, help="warm-up requests before each level (default 1)")
    bench.add_argument("--concurrency", default="1", help="comma-separated levels, e.g. 1,2,4")
    bench.add_argument("--max-tokens", type=int, default=64, help="output tokens per request (default 64)")
    bench.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="a parameter to sweep: temperature, top_p, top_k, max_tokens, seed, or any config key; "
        "llm.embedded.* (threads, batch_size, context_size, gpu_layers, parallel, model) restarts "
        "the embedded server per value",
    )
    bench.add_argument(
        "--slo",
        metavar="OBJECTIVES",
        help="e.g. ttft_p90<=500ms,tpot_p50<=50ms: the highest concurrency "
        "level meeting every objective, and goodput (requests/s meeting them all) per level",
    )
    bench.add_argument("--no-stages", action="store_true", help="skip the guide's stages; serving metrics only")
    bench.add_argument("--compare", nargs=2, type=int, metavar=("RUN_A", "RUN_B"), help="compare two stored runs")
    bench.add_argument("--json", action="store_true")
    bench.add_argument(
        "--output", metavar="FILE", help="also write the result to FILE as JSON (CSV when FILE ends in .csv)"
    )

    conv = sub.add_parser("conversations", parents=[common], help="stored conversations: list, show, delete")
    vsub = conv.add_subparsers(dest="conversations_command", metavar="ACTION", required=True)
    vlist = vsub.add_parser("list", parents=[common], help="conversations, most recent first")
    vlist.add_argument("--json", action="store_true")
    vshow = vsub.add_parser("show", parents=[common], help="one conversation's messages")
    vshow.add_argument("id", type=int)
    vshow.add_argument("--show-thinking", action="store_true", help="include a thinking model's reasoning")
    vshow.add_argument("--json", action="store_true")
    vdel = vsub.add_parser("delete", parents=[common], help="delete a conversation and its messages")
    vdel.add_argument("id", type=int)

    cfg = sub.add_parser("config", parents=[common], help="check or show configuration")
    csub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", parents=[common], help="validate a config file")
    check.add_argument("path", nargs="?")
    show = csub.add_parser("show", parents=[common], help="print the effective config (secrets redacted)")
    show.add_argument("--json", action="store_true")
    csub.add_parser(
        "default", parents=[common], help="print the shipped default.yaml: every key, its default and a comment"
    )

    doc = sub.add_parser(
        "doctor",
        parents=[common],
        help="the guide's troubleshooting checklist (section 6) run on your own figures, worst first",
    )
    doc.add_argument(
        "--since",
        metavar="DATE",
        help="ledger rows since DATE (default: the last 7 days, or since your config last changed)",
    )
    doc.add_argument("--json", action="store_true")
    doc.add_argument(
        "--fix", action="store_true", help="write the suggested keys to overrides.yaml (shows the diff, asks)"
    )
    doc.add_argument("--yes", action="store_true", help="with --fix: write without asking")

    models = sub.add_parser("models", parents=[common], help="list the server's models")
    models.add_argument(
        "--local",
        action="store_true",
        help="list GGUF files on this machine (LM Studio's model folders, the embedded default) instead",
    )
    models.add_argument("--json", action="store_true")

    serve = sub.add_parser(
        "serve-embedded",
        parents=[common],
        help="run the embedded llama.cpp server in the foreground (settings: llm.embedded)",
    )
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--ctx", type=int, help="context tokens (default: llm.embedded.context_size)")
    return p


def _context_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--context", metavar="FILE", action="append", default=[], help="a context file (repeatable)")
    p.add_argument(
        "--type",
        metavar="FILE=TYPE",
        action="append",
        default=[],
        help="context type of a file: requirements, tests, code or documentation",
    )
    p.add_argument("--example", metavar="TEXT", action="append", default=[], help="a few-shot example (repeatable)")
