"""Build the configured reply generator from :class:`~cartwise.settings.Settings`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.nlg.llm import LLMGenerator
from assistant.nlg.protocols import ReplyGenerator
from assistant.nlg.templates import TemplateGenerator

if TYPE_CHECKING:
    from cartwise.settings import Settings


def generator_from_settings(settings: Settings) -> ReplyGenerator:
    """The reply generator ``settings.generator`` asks for.

    Args:
        settings: the project settings ("template", "local-llm" or "openai").

    Returns:
        A :class:`TemplateGenerator`, or an :class:`LLMGenerator` that falls back to one.
    """
    if settings.generator == "template":
        return TemplateGenerator.from_settings(settings)
    return LLMGenerator.from_settings(settings)
