"""A reply generator that has an LLM rephrase the template reply, behind a grounding check.

The LLM never decides what to say: it gets the facts and the template's draft
and may only reword them. Its text must pass :class:`GroundingChecker`; if it
doesn't (or the backend fails), the template reply is used and a warning logged.

Streaming trade-off: the check needs the whole text, so :meth:`LLMGenerator.stream`
reads the backend's token stream into a buffer, checks it, and only then yields
(line by line). The shopper sees nothing until the LLM has finished, but never
sees an ungrounded sentence that would have to be taken back. The backend is
still streamed so a runaway reply can be cut at ``max_chars`` and first-token
latency can be measured.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.output_parsers import StrOutputParser
from pydantic import BaseModel, Field

from assistant.facts import Act, ReplyFacts
from assistant.nlg.chat_model import chat_model_from_settings
from assistant.nlg.errors import NLGError
from assistant.nlg.grounding import GroundingChecker
from assistant.nlg.prompt import STOP_MARKERS, PromptStyle, clean_reply, facts_block, prompt_template
from assistant.nlg.protocols import ReplyGenerator
from assistant.nlg.templates import TemplateGenerator

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

# Privacy- and safety-critical texts are never reworded: "sign in" and "not found" must read the same
# whether or not the order exists, and a rejection must not echo the rejected input.
TEMPLATE_ONLY_ACTS = frozenset({Act.sign_in_required, Act.order_not_found, Act.input_rejected, Act.account_deleted})


class LLMOutcome(BaseModel):
    """What happened on one LLM turn (for logs, tests and the benchmark).

    Attributes:
        text: the reply returned (the LLM's, or the template's on fallback).
        used_llm: True when the LLM's text passed the check and was returned.
        draft: the template reply given to the LLM.
        llm_text: the LLM's cleaned output ("" when it was not called or failed).
        problems: why the LLM text was rejected (grounding problems or the backend error).
        seconds: wall time of the LLM call.
        first_token_s: time to the first non-empty chunk, when the backend streamed one.
        chunks: number of non-empty chunks received.
    """

    text: str
    used_llm: bool
    draft: str
    llm_text: str = ""
    problems: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    first_token_s: float | None = None
    chunks: int = 0


class LLMGenerator:
    """Rephrases template replies with a langchain chat model, falling back to the template.

    Args:
        chat_model: any langchain chat model (``ChatOpenAI``, ``ChatHuggingFace``, a fake in tests).
        fallback: writes the draft and the fallback reply; default :class:`TemplateGenerator`.
        checker: the grounding check; default :class:`GroundingChecker`.
        max_words: the length asked for in the prompt.
        max_chars: hard cap on the LLM text kept (the stream is cut beyond it).
        template_only: acts that always get the template text.
        prompt_style: "facts+draft" (default) or "draft" (the draft alone, for small local models).
        max_growth: reject LLM text longer than this many times the draft (plus 200 chars): a rephrase
            that grows that much is adding things.
    """

    def __init__(
        self,
        chat_model: BaseChatModel,
        fallback: ReplyGenerator | None = None,
        checker: GroundingChecker | None = None,
        max_words: int = 90,
        max_chars: int = 1500,
        template_only: frozenset[Act] = TEMPLATE_ONLY_ACTS,
        prompt_style: PromptStyle = "facts+draft",
        max_growth: float = 2.5,
    ) -> None:
        self.chat_model = chat_model
        self.fallback = fallback or TemplateGenerator()
        self.checker = checker or GroundingChecker()
        self.max_words = max_words
        self.max_chars = max_chars
        self.template_only = template_only
        self.prompt_style = prompt_style
        self.max_growth = max_growth
        self._chain = prompt_template(prompt_style) | chat_model | StrOutputParser()

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMGenerator:
        """The LLM generator for ``settings.generator`` ("openai" or "local-llm"), loading the local model if asked.

        Raises:
            NLGError: when the settings name no LLM or miss a value it needs.
        """
        if settings.generator not in ("openai", "local-llm"):
            raise NLGError(f"CARTWISE_GENERATOR={settings.generator!r} is not an LLM; use 'openai' or 'local-llm'")
        template = TemplateGenerator.from_settings(settings)
        # The bundled 135M model copes with a plain rewrite request only (see docs/benchmarks/llm.md).
        style: PromptStyle = "draft" if settings.generator == "local-llm" else "facts+draft"
        return cls(chat_model_from_settings(settings), fallback=template, prompt_style=style)

    def generate(self, facts: ReplyFacts) -> str:
        """The checked LLM reply, or the template reply when the check fails.

        Args:
            facts: everything the reply may mention.

        Returns:
            Text that passed the grounding check (template replies always do).
        """
        return self.rephrase(facts).text

    def stream(self, facts: ReplyFacts) -> Iterator[str]:
        """The checked reply in line chunks, after the whole LLM output was buffered and checked.

        Args:
            facts: everything the reply may mention.

        Yields:
            Lines of the reply, newlines kept.
        """
        yield from self.rephrase(facts).text.splitlines(keepends=True)

    def rephrase(self, facts: ReplyFacts) -> LLMOutcome:
        """Run the LLM on one turn and report what happened.

        Args:
            facts: everything the reply may mention.

        Returns:
            The outcome, with the text to show in ``text``.
        """
        draft = self.fallback.generate(facts)
        if facts.act in self.template_only:
            return LLMOutcome(text=draft, used_llm=False, draft=draft)
        inputs = {
            "shop_name": facts.shop_name,
            "max_words": self.max_words,
            "facts": facts_block(facts),
            "draft": draft,
        }
        start = time.perf_counter()
        try:
            raw, first, chunks = self._collect(inputs, start)
        except Exception as exc:  # a backend can fail in many ways (network, OOM, bad output); the template can't
            logger.warning("LLM backend failed (%s: %s); using the template reply", type(exc).__name__, exc)
            return LLMOutcome(
                text=draft,
                used_llm=False,
                draft=draft,
                problems=[f"backend error: {exc}"],
                seconds=time.perf_counter() - start,
            )
        seconds = time.perf_counter() - start
        text = clean_reply(raw, self.max_chars)
        result = self.checker.check(text, facts)
        extra = []
        limit = int(len(draft) * self.max_growth) + 200
        if len(text) > limit:
            extra.append(f"the reply is {len(text)} characters, the draft {len(draft)} (limit {limit})")
        if text and text[-1].isalnum() and not draft[-1:].isalnum():
            extra.append("the reply is cut off mid-sentence")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) != len(set(lines)):
            extra.append("the reply repeats a line")  # a small model looping
        if extra:
            result = result.model_copy(update={"ok": False, "problems": [*result.problems, *extra]})
        if not result.ok:
            logger.warning(
                "LLM reply for act %s failed the grounding check (%s); using the template reply",
                facts.act.value,
                "; ".join(result.problems),
            )
            return LLMOutcome(
                text=draft,
                used_llm=False,
                draft=draft,
                llm_text=text,
                problems=result.problems,
                seconds=seconds,
                first_token_s=first,
                chunks=chunks,
            )
        return LLMOutcome(
            text=text, used_llm=True, draft=draft, llm_text=text, seconds=seconds, first_token_s=first, chunks=chunks
        )

    def _collect(self, inputs: dict[str, Any], start: float) -> tuple[str, float | None, int]:
        parts: list[str] = []
        first: float | None = None
        size = 0
        stream = self._chain.stream(inputs)
        try:
            for chunk in stream:
                if not chunk:
                    continue
                if first is None:
                    first = time.perf_counter() - start
                parts.append(chunk)
                size += len(chunk)
                if size > self.max_chars * 2 or any(m in "".join(parts[-8:]) for m in STOP_MARKERS):
                    break  # runaway or off-task output: stop reading; clean_reply trims it
        finally:
            # Leaving early must stop the backend too (a local model then stops generating).
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        return "".join(parts), first, len(parts)
