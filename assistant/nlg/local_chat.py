"""A langchain chat model over a local transformers causal LM, streamed and cancellable.

``langchain_huggingface.ChatHuggingFace`` over a ``HuggingFacePipeline`` works
offline too (given the tokenizer), but its streaming thread keeps generating up
to ``max_new_tokens`` after the reader stops, and it has no per-call length
budget; on a 2-core CPU both cost whole seconds per reply. This model stops the
generation as soon as the reader does, and caps new tokens by the length of
the text it is asked to rewrite.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field


def _role(message: BaseMessage) -> str:
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, HumanMessage):
        return "user"
    raise ValueError(f"unsupported message type {type(message).__name__}; use system, human or AI messages")


class LocalChatModel(BaseChatModel):
    """Greedy chat generation with a local model and its chat template.

    Attributes:
        model: a transformers causal LM (eval mode).
        tokenizer: its tokenizer, with a chat template.
        max_new_tokens: hard cap on generated tokens.
        growth: new tokens are also capped at ``growth`` x the last user message's tokens + 32
            (a rewrite should be about as long as what it rewrites).
        repetition_penalty: >1 keeps a small model from looping.
        stop_strings: generation stops when one of these is produced.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: Any = Field(exclude=True)
    tokenizer: Any = Field(exclude=True)
    max_new_tokens: int = 160
    growth: float = 1.6
    repetition_penalty: float = 1.1
    stop_strings: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "cartwise-local-transformers"

    def token_budget(self, messages: list[BaseMessage]) -> int:
        """How many new tokens this call may generate."""
        users = [m for m in messages if isinstance(m, HumanMessage)]
        if not users:
            return self.max_new_tokens
        n = len(self.tokenizer.encode(str(users[-1].content), add_special_tokens=False))
        return max(16, min(self.max_new_tokens, int(n * self.growth) + 32))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        chat = [{"role": _role(m), "content": str(m.content)} for m in messages]
        inputs = self.tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=300.0)
        cancelled = threading.Event()
        errors: list[BaseException] = []

        class _Cancelled(StoppingCriteria):  # type: ignore[misc]  # transformers is not type-checked (pyproject)
            def __call__(self, input_ids: Any, scores: Any, **kw: Any) -> bool:
                return cancelled.is_set()

        stops = [*self.stop_strings, *(stop or [])]
        generate_kwargs: dict[str, Any] = {
            **inputs,
            "max_new_tokens": self.token_budget(messages),
            "do_sample": False,
            "repetition_penalty": self.repetition_penalty,
            "streamer": streamer,
            "stopping_criteria": StoppingCriteriaList([_Cancelled()]),
        }
        if stops:
            generate_kwargs.update(stop_strings=stops, tokenizer=self.tokenizer)

        def run() -> None:
            try:
                self.model.generate(**generate_kwargs)
            except BaseException as exc:  # re-raised in the reading thread below
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, name="local-llm-generate", daemon=True)
        worker.start()
        try:
            for text in streamer:
                if not text:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
        finally:
            # The reader may stop early (runaway or off-task text): stop generating too, not just reading.
            cancelled.set()
            worker.join()
        if errors:
            raise errors[0]
