"""Query embeddings run by onnxruntime over an export of the sentence-transformers model.

Every turn embeds one to three short texts (the message for the policy check, its query for the catalog check
and the search). On the 2-core CPUs this project targets, PyTorch eager spends most of such a forward pass on
per-operator overhead: one short text costs about 7.8 ms, two 11.3; the same MiniLM graph run by onnxruntime
costs 3.0 and 4.8, with vectors equal to 1e-7 (mean pooling and normalisation are done here, as the
sentence-transformers modules do them). Batches of many texts (ingest) stay with PyTorch.

The graph is exported once per model into a writable directory (``Settings.var_dir / "models"``), atomically, so
processes starting together never read half a file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from cartwise.onnx_export import INPUTS, export_graph

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

ONNX_FILE: Final = "encoder.onnx"
# Traced on a padded pair, so no branch that looks at the mask is frozen the wrong way.
_TRACE_TEXTS: Final = ["where is my parcel", "a mug for my mum, something floral under twenty pounds"]


def export_encoder(model: SentenceTransformer, directory: Path) -> Path:
    """Write the transformer of ``model`` (its token vectors, before pooling) to ``directory / ONNX_FILE``.

    Raises:
        OSError: If ``directory`` cannot be written.
    """
    import torch

    directory.mkdir(parents=True, exist_ok=True)
    transformer: Any = model[0].auto_model
    names = [name for name in INPUTS if name in model.tokenizer(["x"])]

    class _TokenVectors(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs: torch.Tensor) -> Any:
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    path = export_graph(_TokenVectors().eval(), model.tokenizer, _TRACE_TEXTS, "tokens", directory / ONNX_FILE,
                        {0: "batch", 1: "tokens"})
    logger.info("embedding model exported to %s", path)
    return path


class OnnxEncoder:
    """Unit-length sentence vectors of a few texts: the exported transformer, then mean pooling over the real
    tokens and L2 normalisation (the packaged MiniLM's Pooling and Normalize modules).

    Args:
        session: an ``onnxruntime.InferenceSession`` over :func:`export_encoder`'s graph.
        tokenizer: the model's tokenizer.
        max_length: the model's ``max_seq_length`` (longer texts are cut there, as sentence-transformers does).
    """

    def __init__(self, session: Any, tokenizer: Any, max_length: int) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.input_names = [i.name for i in session.get_inputs()]

    @classmethod
    def load(cls, path: Path, model: SentenceTransformer) -> OnnxEncoder:
        """Open the graph at ``path`` on PyTorch's intra-op thread count, threads that sleep when idle: one short
        text costs 2.2 ms on two threads, 2.9 on one (spinning threads, 1.8 ms, would take the cores from other
        work on a busy machine)."""
        import onnxruntime as ort
        import torch

        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return cls(session, model.tokenizer, int(model.max_seq_length or 512))

    def __call__(self, texts: list[str]) -> np.ndarray:
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
        feed = {name: np.asarray(batch[name], dtype=np.int64) for name in self.input_names}
        tokens = self.session.run(["tokens"], feed)[0]
        mask = np.asarray(batch["attention_mask"], dtype=np.float32)[..., None]
        pooled = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.asarray(pooled / norms, dtype=np.float32)
