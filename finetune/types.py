"""Type aliases shared by the ``finetune`` modules."""

from __future__ import annotations

from typing import Final, Literal, TypeAlias

from finetune.labels import Intent

LabeledText: TypeAlias = tuple[str, str]
"""One example: ``(text, label)``."""

LabelProb: TypeAlias = tuple[Intent, float]
"""A label with its probability, as in :attr:`IntentPrediction.top3`."""

ServingName: TypeAlias = Literal["embedding-head", "fine-tuned"]
"""Which intent model serving answers with (:attr:`finetune.serving.SwappingIntentModel.serving`)."""
EMBEDDING_HEAD: Final = "embedding-head"
FINE_TUNED: Final = "fine-tuned"

IntentRuntime: TypeAlias = Literal["onnx-int8", "onnx", "torch"]
"""What runs the fine-tuned model's forward pass: onnxruntime over its export with int8 weights (the default),
over the float export, or PyTorch."""
