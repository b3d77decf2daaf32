"""Save docs/screenshot.svg: the dashboard's main screen, saved by the app itself in fixed mode.

.venv/bin/python docs/make_screenshot.py
"""

import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DEVSYNTH_TUI_HOME"] = tempfile.mkdtemp()

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp


async def main() -> None:
    app = DevsynthApp(load(use_overrides=False), fixed=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.5)
        print(app.save_screenshot("screenshot.svg", str(Path(__file__).parent)))


asyncio.run(main())
