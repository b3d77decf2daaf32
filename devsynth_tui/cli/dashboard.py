"""No command: the dashboard (the only command that imports Textual)."""

from __future__ import annotations

import gc

from devsynth_tui.cli.common import load_config


def cmd_dashboard(args) -> int:
    gc.disable()  # the start makes few cycles: no collections until the first frame is up (ui.main_screen)
    cfg = load_config(args)
    from devsynth_tui.services.session import look_ahead

    look = look_ahead(cfg)  # the server answers while Textual imports: the first frame can name it
    from devsynth_tui.ui.app import run_app

    return run_app(cfg, look)
