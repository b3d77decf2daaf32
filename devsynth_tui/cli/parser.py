"""The command line's parser: every command and flag; imports nothing heavy, so ``--help`` starts fast."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

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


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Every command and flag of devsynth-tui; with ``argv``, only the commands it names get their flags (the others
    their line of help, for ``--help``): building all ~60 parsers took 16 ms of every start, the dashboard's too."""
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
    for name, (help_line, flags) in COMMAND_FLAGS.items():
        command = sub.add_parser(name, parents=[common], help=help_line)
        if argv is None or name in argv:
            flags(command, common)
    return p


def _ask(ask: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
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


def _optimize(opt: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    opt.add_argument("prompt")
    _context_args(opt)
    opt.add_argument("--json", action="store_true", help="per-item status, kept line ranges and tokens as JSON")


def _tokens(tokens: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
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


def _monitor(mon: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    mon.add_argument("what", choices=("memory", "cpu", "disk"))
    mon.add_argument("--interval", help="seconds between samples (default: monitor.interval)")
    mon.add_argument("--duration", help="stop after this many seconds")
    mon.add_argument("--once", action="store_true", help="print one sample and exit")
    mon.add_argument("--json", action="store_true", help="one JSON object per sample")


def _benchmark(bench: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    bench.description = BENCHMARK_HELP
    bench.formatter_class = argparse.RawDescriptionHelpFormatter
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


def _conversations(conv: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    vsub = conv.add_subparsers(dest="conversations_command", metavar="ACTION", required=True)
    vlist = vsub.add_parser("list", parents=[common], help="conversations, most recent first")
    vlist.add_argument("--json", action="store_true")
    vshow = vsub.add_parser("show", parents=[common], help="one conversation's messages")
    vshow.add_argument("id", type=int)
    vshow.add_argument("--show-thinking", action="store_true", help="include a thinking model's reasoning")
    vshow.add_argument("--json", action="store_true")
    vdel = vsub.add_parser("delete", parents=[common], help="delete a conversation and its messages")
    vdel.add_argument("id", type=int)


def _config(cfg: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    csub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", parents=[common], help="validate a config file")
    check.add_argument("path", nargs="?")
    show = csub.add_parser("show", parents=[common], help="print the effective config (secrets redacted)")
    show.add_argument("--json", action="store_true")
    csub.add_parser(
        "default", parents=[common], help="print the shipped default.yaml: every key, its default and a comment"
    )


def _doctor(doc: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
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


def _models(models: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    models.add_argument(
        "--local",
        action="store_true",
        help="list GGUF files on this machine (LM Studio's model folders, the embedded default) instead",
    )
    models.add_argument("--json", action="store_true")


def _serve_embedded(serve: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--ctx", type=int, help="context tokens (default: llm.embedded.context_size)")


# command -> (its line in --help, what adds its flags)
COMMAND_FLAGS: dict[str, tuple[str, Callable[[argparse.ArgumentParser, argparse.ArgumentParser], None]]] = {
    "ask": ("send one prompt through the pipeline and stream the answer", _ask),
    "optimize": ("dry run: show what the pipeline would send, stage by stage", _optimize),
    "tokens": ("token usage: report, history, reset", _tokens),
    "monitor": ("live memory, CPU or disk readings", _monitor),
    "benchmark": ("the guide's benchmark stages and serving metrics; list, show, compare runs", _benchmark),
    "conversations": ("stored conversations: list, show, delete", _conversations),
    "config": ("check or show configuration", _config),
    "doctor": ("the guide's troubleshooting checklist (section 6) run on your own figures, worst first", _doctor),
    "models": ("list the server's models", _models),
    "serve-embedded": ("run the embedded llama.cpp server in the foreground (settings: llm.embedded)", _serve_embedded),
}


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
