"""Fixed data for the dashboard's fixed mode: snapshots see the same screen every time."""

from __future__ import annotations

from devsynth_tui.services.resources.monitor import Sample
from devsynth_tui.services.store.ledger import Report


def fixed_report() -> Report:
    """Three requests' worth of token counts."""
    return Report(3, 1236, 288, 1524, 4590, 0.0210, 0.0)


FIXED_SERVER = "embedded llama.cpp, pid 4242"


def fixed_samples(n: int = 40) -> list[Sample]:
    """A repeatable window of resource samples."""
    return [
        Sample(
            t=float(i),
            cpu_percent=10 + (i * 7) % 35,
            process_cpu_percent=0.5 + (i % 3) * 0.2,
            memory_used_mb=4200 + (i * 13) % 200,
            memory_total_mb=24000,
            memory_percent=17.5 + (i * 13) % 200 / 240,
            rss_mb=48 + (i % 5),
            server_rss_mb=256 + (i % 4) * 2,
            disk_percent=21.8,
            disk_free_gb=79.3,
            disk_read_bps=float((i * 37) % 9 * 65536),
            disk_write_bps=float((i * 11) % 7 * 32768),
            server_cpu_percent=0.4 + (i % 3) * 0.1,
            cpu_per_core=[5 + (i * 7) % 35, 15 + (i * 11) % 35],
            swap_used_mb=512 + (i % 3) * 8,
            swap_total_mb=2048,
        )
        for i in range(n)
    ]


def fixed_requests(t0: float = 0.0) -> list[dict]:
    """Three requests as ledger rows hold them (ts is the end), within the fixed samples' 40 seconds."""
    return [
        {"ts": t0 + end, "duration": duration, "ttft": ttft, "completion_tokens": tokens, "status": "ok"}
        for end, duration, ttft, tokens in ((9.0, 4.0, 0.6, 96), (21.0, 6.0, 1.2, 180), (36.0, 3.0, 0.4, 64))
    ]


def fixed_turns() -> list[tuple[str, str, str]]:
    """A short conversation: (role, text, stats)."""
    answer = (
        "`retry_with_backoff` calls `fn` up to `attempts` times and swallows `OSError`:\n\n"
        "```python\nfor n in range(attempts):\n    try:\n        return fn()\n    except OSError:\n        "
        "time.sleep(2 ** n)\n```\n\n"
        "It returns `None` when every attempt fails, which hides the error. Re-raise the last one instead."
    )
    return [
        ("user", "Why does retry_with_backoff return None sometimes?", ""),
        ("assistant", answer, "SmolLM2-135M-Instruct · 412 + 96 tokens · saved 1,530 · ttft 0.14 s · 71.5 tok/s"),
    ]


def fixed_advice():
    """Two findings as the advisor words them."""
    from devsynth_tui.services.advisor.checks import Advice, Finding

    return Advice(
        [
            Finding(
                "chunking",
                "tokens",
                "warning",
                "Inputs larger than the context budget were cut",
                "3 requests had more input than memory.max_context_size 10,000 (largest 45,500 tokens; ledger, "
                "since 2026-11-21 09:00)",
                "pruning had to drop what did not fit; chunked generation sends it in pieces",
                {"tokens.prompt_optimization.chunked_generation": True},
            ),
            Finding(
                "temperature",
                "speed",
                "info",
                "Temperature above the guide's range",
                "llm.temperature is 0.9; 12 requests since 2026-11-21 09:00 (ledger)",
                "lower temperatures (0.1-0.4) give more deterministic, often shorter answers (guide 4.2)",
                {"llm.temperature": 0.2},
            ),
        ],
        [],
        {},
        "since 2026-11-21 09:00",
    )
