"""The parameters pane: inference parameters and the guide's optimization switches, live."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static, Switch

from devsynth_tui.config import Config, ConfigError

NUMBERS = [
    ("llm.temperature", "temperature (0-2)", float),
    ("llm.top_p", "top_p (0-1)", float),
    ("llm.top_k", "top_k (0-1000)", int),
    ("llm.max_tokens", "max_tokens", int),
    ("llm.seed", "seed (empty: random)", int),
]
SWITCHES = [
    ("tokens.response_optimization.streaming", "streaming"),
    ("tokens.response_optimization.incremental_parsing", "incremental parsing"),
    ("tokens.response_optimization.early_termination", "early termination"),
    ("tokens.prompt_optimization.template_trimming", "template trimming"),
    ("tokens.prompt_optimization.instruction_compression", "instruction compression"),
    ("tokens.prompt_optimization.chunked_generation", "chunked generation"),
    ("disk.caching.enabled", "response cache"),
    ("memory.aggressive_gc", "aggressive gc"),
    ("llm.dynamic_model_selection.enabled", "dynamic model selection"),
]
STRATEGIES = [("relevance + priority", ("relevance", "priority")), ("relevance", ("relevance",)),
              ("recency", ("recency",)), ("priority", ("priority",)), ("summarization", ("summarization",)),
              ("recency + relevance + priority", ("recency", "relevance", "priority"))]


def _id(key: str) -> str:
    return "p-" + key.replace(".", "-")


class ParamsPane(VerticalScroll):
    """Each change is validated in place and applies to the very next request."""

    class Changed(Message):
        """A valid change: the key and its new value."""

        def __init__(self, key: str, value) -> None:
            super().__init__()
            self.key, self.value = key, value

    def __init__(self, cfg: Config, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg

    def compose(self) -> ComposeResult:
        yield Static("Changes apply to the next request. ctrl+s saves them to overrides.yaml in the app home "
                     "(your config file is never rewritten).", classes="hint", markup=False)
        for key, label, _ in NUMBERS:
            value = self.cfg.get(key)
            with Horizontal(classes="param-row"):
                yield Label(label)
                yield Input("" if value is None else str(value), id=_id(key))
                yield Static("", classes="error", id=_id(key) + "-error", markup=False)
        with Horizontal(classes="param-row"):
            yield Label("context pruning")
            current = self.cfg.get("tokens.context_pruning.strategy")
            current = tuple([current] if isinstance(current, str) else current)
            options = [(name, value) for name, value in STRATEGIES]
            if current not in [v for _, v in options]:
                options.append((" + ".join(current), current))
            yield Select(options, value=current, allow_blank=False, id="p-strategy")
        for key, label in SWITCHES:
            with Horizontal(classes="switch-row"):
                yield Label(label)
                yield Switch(bool(self.cfg.get(key)), id=_id(key))
        yield Button("Save (ctrl+s)", id="save-params")

    def on_input_changed(self, event: Input.Changed) -> None:
        for key, label, kind in NUMBERS:
            if event.input.id == _id(key):
                self._apply_number(key, label, kind, event.value.strip())

    def _apply_number(self, key: str, label: str, kind, text: str) -> None:
        error = self.query_one(f"#{_id(key)}-error", Static)
        box = self.query_one(f"#{_id(key)}", Input)
        try:
            value = None if (text == "" and key == "llm.seed") else kind(text)
            self.cfg.with_values({key: value})  # raises with the allowed range
        except (ValueError, ConfigError) as e:
            box.add_class("-invalid")
            reason = e.expected if isinstance(e, ConfigError) else f"expected {'a whole number' if kind is int else 'a number'}"
            error.update(f"refused: {reason}")
            return
        box.remove_class("-invalid")
        error.update("")
        self.post_message(self.Changed(key, value))

    def on_switch_changed(self, event: Switch.Changed) -> None:
        for key, _ in SWITCHES:
            if event.switch.id == _id(key):
                self.post_message(self.Changed(key, event.value))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "p-strategy" and event.value is not Select.BLANK:
            self.post_message(self.Changed("tokens.context_pruning.strategy", list(event.value)))
