"""Dynamic model selection (guide 4.1): classify a request simple, medium or complex, pick its model.

Rules, in order (thresholds are ``llm.dynamic_model_selection`` keys):
- complex: prompt tokens >= ``complex_min_tokens``, or a code-writing task
  (generate, refactor, write tests, review) that carries code context;
- simple: prompt tokens <= ``simple_max_tokens`` and no code or tests in context;
- medium: everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

CODE_TASKS = ("generate", "refactor", "test", "review", "implement", "fix")


@dataclass
class Route:
    """The class of a request, the model chosen, and why."""

    complexity: str
    model: str
    reason: str


def classify(prompt_tokens: int, context_types: list[str], operation: str, settings: dict) -> tuple[str, str]:
    """(class, reason) for a request."""
    has_code = any(t in ("code", "tests") for t in context_types)
    if prompt_tokens >= settings["complex_min_tokens"]:
        return "complex", f"{prompt_tokens} prompt tokens >= complex_min_tokens {settings['complex_min_tokens']}"
    if has_code and any(word in operation.lower() for word in CODE_TASKS):
        return "complex", f"code-writing task '{operation}' with code context"
    if prompt_tokens <= settings["simple_max_tokens"] and not has_code:
        return (
            "simple",
            f"{prompt_tokens} prompt tokens <= simple_max_tokens {settings['simple_max_tokens']}, no code context",
        )
    return "medium", f"{prompt_tokens} prompt tokens, {len(context_types)} context items"


def route(complexity: str, reason: str, settings: dict, available: list[str], active: str) -> Route:
    """The configured model for the class, or the active model when the server lacks it (and say so)."""
    wanted = settings["models"].get(complexity)
    if wanted and wanted in available:
        return Route(complexity, wanted, reason)
    missing = f"{wanted!r} is not on the server" if wanted else f"no model configured for {complexity}"
    return Route(complexity, active, f"{reason}; {missing}, using the active model {active!r}")
