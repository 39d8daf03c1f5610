"""Natural-language replies: render :class:`~assistant.facts.ReplyFacts` as text.

``TemplateGenerator`` is the default (fast, deterministic); ``LLMGenerator``
has an LLM reword the template reply and keeps it only if it passes the
``GroundingChecker``. ``generator_from_settings`` picks one from the settings.

The LLM-side names are imported on first use, so code that only renders
templates doesn't pay for importing langchain.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from assistant.nlg.errors import NLGError
from assistant.nlg.grounding import GroundingChecker, GroundingResult
from assistant.nlg.protocols import ReplyGenerator
from assistant.nlg.templates import TemplateGenerator
from cartwise.currency import format_money

if TYPE_CHECKING:
    from assistant.nlg.chat_model import chat_model_from_settings
    from assistant.nlg.factory import generator_from_settings
    from assistant.nlg.llm import TEMPLATE_ONLY_ACTS, LLMGenerator, LLMOutcome
    from assistant.nlg.local_model import LocalModelLoader, smollm2_gguf_path

_LAZY = {
    "chat_model_from_settings": "assistant.nlg.chat_model",
    "generator_from_settings": "assistant.nlg.factory",
    "TEMPLATE_ONLY_ACTS": "assistant.nlg.llm",
    "LLMGenerator": "assistant.nlg.llm",
    "LLMOutcome": "assistant.nlg.llm",
    "LocalModelLoader": "assistant.nlg.local_model",
    "smollm2_gguf_path": "assistant.nlg.local_model",
}

__all__ = [
    "TEMPLATE_ONLY_ACTS",
    "GroundingChecker",
    "GroundingResult",
    "LLMGenerator",
    "LLMOutcome",
    "LocalModelLoader",
    "NLGError",
    "ReplyGenerator",
    "TemplateGenerator",
    "chat_model_from_settings",
    "format_money",
    "generator_from_settings",
    "smollm2_gguf_path",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant.nlg' has no attribute {name!r}")
