"""Fixed data for the dashboard's fixed mode: snapshots see the same screen every time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devsynth_tui.services.resources.monitor import Sample
from devsynth_tui.services.store.ledger import LedgerRow, Report

if TYPE_CHECKING:
    from devsynth_tui.ui.main_screen import MainScreen


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


def show_fixed_data(main: MainScreen) -> None:
    """Fill the dashboard with the fixed data: figures, resources, models, a conversation."""
    from devsynth_tui.services.llm.results import ModelInfo
    from devsynth_tui.ui.chat import AssistantMessage, UserMessage

    main.model = "SmolLM2-135M-Instruct"
    row = LedgerRow("chat", main.model, "embedded", 412, 96, tokens_saved=1530, cost=0.0070, ttft=0.14, tps=71.5)
    main.state.set(
        backend="embedded SmolLM2-135M-Instruct (llama.cpp) at 127.0.0.1:8080",
        model=main.cfg.llm.model or main.model,
        session=fixed_report(),
        all_time=fixed_report(),
        last=row,
        history=(300, 520, 410, 880, 508, 450, 508),
    )
    main.resource_panel.show(fixed_samples(), [], FIXED_SERVER)
    main.models = [ModelInfo(main.model, True, 8192, "Q4_1", "llm")]
    main.chat_pane.set_title("Explain the retry helper")

    async def turns() -> None:
        for role, text, stats in fixed_turns():
            await main.chat_pane.add(UserMessage(text) if role == "user" else AssistantMessage(text, stats))

    main.run_worker(turns())
