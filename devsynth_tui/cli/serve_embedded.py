"""``serve-embedded``: the embedded llama.cpp server in the foreground."""

from __future__ import annotations

from devsynth_tui.cli.common import load_config


def cmd_serve_embedded(args) -> int:
    from dataclasses import replace

    from devsynth_tui.services.llm.embedded import EmbeddedSettings
    from devsynth_tui.services.llm.embedded import main as serve_main

    settings = EmbeddedSettings.from_config(load_config(args))
    if args.ctx:
        settings = replace(settings, context_size=args.ctx)
    return serve_main(["--port", str(args.port), *settings.args()])
