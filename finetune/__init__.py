"""Intent data, fine-tuning, inference and evaluation.

Heavy libraries (torch, transformers, sentence-transformers) are imported inside the
functions that need them, so importing this package loads no model.
"""

from __future__ import annotations

from finetune.classifier import IntentClassifier, IntentPrediction
from finetune.data import IntentDataset, build_intent_dataset, dataset_from_examples, load_labeled_file
from finetune.embedding_head import EmbeddingHeadClassifier
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
from finetune.protocols import IntentModel, TextEncoder
from finetune.serving import SwappingIntentModel, ensure_embedding_head, load_intent_model
from finetune.train import TrainConfig, ensure_intent_model, train_intent_model

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
