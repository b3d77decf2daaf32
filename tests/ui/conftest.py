"""Fixtures of the dashboard's tests."""

import pytest

from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp


@pytest.fixture
def make_app(server_url, app_home):
    """A dashboard against the embedded server (never started by the app itself); extra dotted values apply."""

    def make(**values):
        cfg = load(base_url=server_url).with_values({"llm.embedded.mode": "never", "llm.max_tokens": 24, **values})
        return DevsynthApp(cfg)

    return make
