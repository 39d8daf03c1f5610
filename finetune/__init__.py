"""Intent data, fine-tuning, inference and evaluation.

Heavy libraries (torch, transformers, sentence-transformers) are imported inside the
functions that need them, so importing this package loads no model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from finetune.errors import FinetuneError, IntentDataError, NotFittedError, TrainingError
from finetune.labels import (
    CONVERSATION_INTENTS,
    CUSTOMER_SERVICE_INTENTS,
    IN_SCOPE_INTENTS,
    INTENTS,
    OUT_OF_SCOPE,
    SHOPPING_INTENTS,
    Intent,
)

if TYPE_CHECKING:
    from finetune.classifier import IntentClassifier, IntentPrediction
    from finetune.data import IntentDataset, build_intent_dataset, dataset_from_examples, load_labeled_file
    from finetune.embedding_head import EmbeddingHeadClassifier
    from finetune.protocols import IntentModel, TextEncoder
    from finetune.serving import SwappingIntentModel, ensure_embedding_head, load_intent_model
    from finetune.train import TrainConfig, ensure_intent_model, train_intent_model

# The training and model-loading names are imported on first use: serving imports this package for its label
# set (finetune.labels, finetune.context), and that must not run the training modules.
_LAZY = {
    "IntentClassifier": "finetune.classifier",
    "IntentPrediction": "finetune.classifier",
    "IntentDataset": "finetune.data",
    "build_intent_dataset": "finetune.data",
    "dataset_from_examples": "finetune.data",
    "load_labeled_file": "finetune.data",
    "EmbeddingHeadClassifier": "finetune.embedding_head",
    "IntentModel": "finetune.protocols",
    "TextEncoder": "finetune.protocols",
    "SwappingIntentModel": "finetune.serving",
    "ensure_embedding_head": "finetune.serving",
    "load_intent_model": "finetune.serving",
    "TrainConfig": "finetune.train",
    "ensure_intent_model": "finetune.train",
    "train_intent_model": "finetune.train",
}

__all__ = [
    "CONVERSATION_INTENTS",
    "CUSTOMER_SERVICE_INTENTS",
    "INTENTS",
    "IN_SCOPE_INTENTS",
    "OUT_OF_SCOPE",
    "SHOPPING_INTENTS",
    "EmbeddingHeadClassifier",
    "FinetuneError",
    "Intent",
    "IntentClassifier",
    "IntentDataError",
    "IntentDataset",
    "IntentModel",
    "IntentPrediction",
    "NotFittedError",
    "SwappingIntentModel",
    "TextEncoder",
    "TrainConfig",
    "TrainingError",
    "build_intent_dataset",
    "dataset_from_examples",
    "ensure_embedding_head",
    "ensure_intent_model",
    "load_intent_model",
    "load_labeled_file",
    "train_intent_model",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'finetune' has no attribute {name!r}")
