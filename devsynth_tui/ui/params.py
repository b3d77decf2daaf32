"""The parameters pane: inference parameters and the guide's optimization switches, live."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from devsynth_tui.config import Config
from devsynth_tui.config_schema import ConfigError
from devsynth_tui.ui.keys import Field

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
STRATEGIES = [
    ("relevance + priority", ("relevance", "priority")),
    ("relevance", ("relevance",)),
    ("recency", ("recency",)),
    ("priority", ("priority",)),
    ("summarization", ("summarization",)),
    ("recency + relevance + priority", ("recency", "relevance", "priority")),
]


def _strategy(value: str | list | tuple) -> tuple:
    """``tokens.context_pruning.strategy`` as the Select holds it: a tuple of names."""
    return tuple([value] if isinstance(value, str) else value)


def _id(key: str) -> str:
    return "p-" + key.replace(".", "-")


class SchemaValue(Validator):
    """Accepts what the config schema accepts for ``key``; a refusal names the allowed range.

    ``llm.seed`` may be left empty (a random seed).
    """

    def __init__(self, pane: ParamsPane, key: str, kind: type) -> None:
        super().__init__()
        self.pane, self.key, self.kind = pane, key, kind

    def value(self, text: str):
        """The typed number, or None for an empty seed; raises ValueError when it is no number."""
        text = text.strip()
        return None if text == "" and self.key == "llm.seed" else self.kind(text)

    def validate(self, value: str) -> ValidationResult:
        try:
            self.pane.cfg.with_values({self.key: self.value(value)})
        except ConfigError as e:
            return self.failure(e.expected)
        except ValueError:
            return self.failure(f"expected {'a whole number' if self.kind is int else 'a number'}")
        return self.success()


class NumberField(Field):
    """A number's field: an edit starts from the value in effect as the user focuses it, and a value refused goes back
    to it (not as the terminal window gets the focus back, mid-edit)."""

    def on_focus(self, event: events.Focus) -> None:
        check = self.validators[0]
        if not event.from_app_focus and isinstance(check, SchemaValue):
            check.pane.before_edit[check.key] = check.pane.cfg.get(check.key)


class ParamsPane(VerticalScroll):
    """Each change is validated in place and applies to the very next request; one line a setting, so most
    of them show at 80x24 and the rest scroll."""

    class Changed(Message):
        """A valid change: the key and its new value."""

        def __init__(self, key: str, value) -> None:
            super().__init__()
            self.key, self.value = key, value

    def __init__(self, cfg: Config, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg
        self.before_edit: dict[str, object] = {}  # each number's value in effect as its field was focused

    def compose(self) -> ComposeResult:
        yield Static(
            "Changes apply to the next request. ctrl+s saves them to overrides.yaml in the app home "
            "(your config file is never rewritten).",
            classes="hint",
            markup=False,
        )
        for key, label, kind in NUMBERS:
            value = self.cfg.get(key)  # the pane edits each key by its dotted name
            with Horizontal(classes="param-row"):
                yield Label(label)
                yield NumberField(
                    "" if value is None else str(value),
                    id=_id(key),
                    validators=[SchemaValue(self, key, kind)],
                    compact=True,
                )
                yield Static("", classes="error", id=_id(key) + "-error", markup=False)
        with Horizontal(classes="param-row"):
            yield Label("context pruning")
            current = _strategy(self.cfg.tokens.context_pruning.strategy)
            yield Select(self._strategies(current), value=current, allow_blank=False, id="p-strategy", compact=True)
        for key, label in SWITCHES:
            yield Checkbox(label, bool(self.cfg.get(key)), id=_id(key), compact=True, classes="switch-row")
        yield Button("Save (ctrl+s)", id="save-params", compact=True)

    def show_value(self, key: str, value) -> None:
        """A setting changed elsewhere (the advisor applied it): its control shows it, no change posted back."""
        found = self.query(f"#{_id(key)}")
        if key == "tokens.context_pruning.strategy":
            found, value = self.query("#p-strategy"), _strategy(value)
        for control in found:
            if isinstance(control, Input):
                with control.prevent(Input.Changed):
                    control.value = "" if value is None else str(value)
                self.before_edit[key] = value
                self.query_one(f"#{_id(key)}-error", Static).update("")
            elif isinstance(control, Checkbox):
                with control.prevent(Checkbox.Changed):
                    control.value = bool(value)
            elif isinstance(control, Select):
                with control.prevent(Select.Changed):
                    control.set_options(self._strategies(value))
                    control.value = value

    @staticmethod
    def _strategies(current: tuple) -> list[tuple[str, tuple]]:
        """The pruning strategies offered, with ``current`` among them."""
        options = list(STRATEGIES)
        return options if current in [v for _, v in options] else [*options, (" + ".join(current), current)]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter on a valid number: the next edit of the field starts from it."""
        check = event.input.validators[0]
        if isinstance(check, SchemaValue) and (event.validation_result is None or event.validation_result.is_valid):
            self.before_edit[check.key] = check.value(event.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        """A valid number applies; an invalid one is refused in place (the Input marks itself -invalid), and the
        value in effect before the edit is kept: not what was valid halfway through typing it ("2" of "2.5")."""
        check, result = event.input.validators[0], event.validation_result  # each input here has its SchemaValue
        if not isinstance(check, SchemaValue):
            return
        if result is None or result.is_valid:
            self.query_one(f"#{event.input.id}-error", Static).update("")
            self.post_message(self.Changed(check.key, check.value(event.value)))
            return
        kept = self.before_edit.get(check.key, self.cfg.get(check.key))
        shown = "a random seed" if kept is None else kept
        self.query_one(f"#{event.input.id}-error", Static).update(
            f"refused: {result.failure_descriptions[0]}; {shown} kept"
        )
        self.post_message(self.Changed(check.key, kept))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        for key, _ in SWITCHES:
            if event.checkbox.id == _id(key):
                self.post_message(self.Changed(key, event.value))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "p-strategy" and isinstance(event.value, tuple):  # never blank: allow_blank=False
            self.post_message(self.Changed("tokens.context_pruning.strategy", list(event.value)))
