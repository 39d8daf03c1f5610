"""The langchain chat model the settings name: an OpenAI-compatible endpoint or the bundled local model.

Its own module so that :class:`~assistant.nlg.llm.LLMGenerator` and the generator factory both build on it
without importing each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from assistant.nlg.errors import NLGError
from assistant.nlg.local_model import LocalModelLoader

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from cartwise.settings import Settings


def chat_model_from_settings(settings: Settings) -> BaseChatModel:
    """The langchain chat model for ``settings.generator`` ("openai" or "local-llm").

    "openai" means any OpenAI-compatible endpoint: OpenAI itself, or Ollama / vLLM /
    llama.cpp server via ``CARTWISE_LLM_BASE_URL`` (e.g. ``http://127.0.0.1:11434/v1``).

    Args:
        settings: the project settings.

    Returns:
        A chat model; nothing is contacted until it is first called.

    Raises:
        NLGError: when a needed setting is missing, or the generator has no chat model.
    """
    if settings.generator == "local-llm":
        return LocalModelLoader.from_settings(settings).chat_model()
    if settings.generator != "openai":
        raise NLGError(
            f"generator {settings.generator!r} has no chat model; set CARTWISE_GENERATOR to 'openai' or 'local-llm'"
        )
    if not settings.llm_model:
        raise NLGError(
            "CARTWISE_GENERATOR=openai needs CARTWISE_LLM_MODEL (got none), e.g. 'gpt-4o-mini', "
            "or 'llama3.2' with CARTWISE_LLM_BASE_URL=http://127.0.0.1:11434/v1 for Ollama"
        )
    if settings.llm_api_key is not None:
        api_key = settings.llm_api_key.get_secret_value()
    elif settings.llm_base_url:
        api_key = "not-needed"  # local servers ignore the key, but the client insists on one
    else:
        raise NLGError(
            "CARTWISE_GENERATOR=openai without CARTWISE_LLM_BASE_URL talks to api.openai.com and needs "
            "CARTWISE_LLM_API_KEY; set one of them"
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=SecretStr(api_key),
        temperature=settings.llm_temperature,
        max_completion_tokens=settings.llm_max_new_tokens,
        timeout=settings.llm_timeout_s,
        max_retries=1,
    )
