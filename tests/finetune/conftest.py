"""Shared fixtures for the finetune tests: the real shipped data and one tiny real model."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from cartwise.build_lock import one_build_at_a_time
from cartwise.settings import REPO_ROOT, Settings
from finetune.data import IntentDataset, build_intent_dataset, hash_examples
from finetune.serving import ensure_embedding_head
from finetune.train import TrainConfig, train_intent_model
from finetune.types import LabeledText
from retrieval.embeddings import Embedder

INTENT_DATA = REPO_ROOT / "data" / "intents"
TINY_INTENTS = ("track_order", "greeting", "search_product", "get_refund")


@pytest.fixture(scope="session")
def intent_dataset() -> IntentDataset:
    return build_intent_dataset(INTENT_DATA, seed=13)


@pytest.fixture(scope="session")
def tiny_dataset(intent_dataset: IntentDataset) -> IntentDataset:
    """4 intents from the real data: 20 training, 5 validation and 10 test examples each."""
    splits = {
        "train": _per_label(intent_dataset.train, 20),
        "validation": _per_label(intent_dataset.validation, 5),
        "test": _per_label(intent_dataset.test, 10),
    }
    return IntentDataset(**splits, heldout=[], labels=TINY_INTENTS, data_hash=hash_examples(splits), seed=13)


def _per_label(examples: list[LabeledText], n: int) -> list[LabeledText]:
    seen: Counter[str] = Counter()
    out = []
    for text, label in examples:
        if label in TINY_INTENTS and seen[label] < n:
            out.append((text, label))
            seen[label] += 1
    return out


TINY_CONFIG = TrainConfig(
    epochs=4, max_length=24, batch_size=16, learning_rate=5e-4, freeze_layers=3, num_threads=1, patience=2,
    show_progress=False,
)  # fmt: skip


@pytest.fixture(scope="session")
def encoder() -> Embedder:
    """The product search's sentence encoder (the real packaged MiniLM)."""
    return Embedder.from_settings(Settings())


@pytest.fixture(scope="session")
def full_head_dir(tmp_path_factory: pytest.TempPathFactory, encoder: Embedder) -> Path:
    """The embedding head a fresh start trains (ensure_embedding_head on the shipped data), trained once per run:
    the suite's workers (pytest-xdist) share one folder of the run's temporary root, and the build lock keeps
    the second waiting until the first has trained it (the tests only read it)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # each worker's base is a folder of the run's own
    settings = Settings(var_dir=root / "shared-full-head-var")
    with one_build_at_a_time(settings):
        ensure_embedding_head(settings, encoder)
    return settings.intent_head_path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, tiny_dataset: IntentDataset) -> Path:
    """A real MiniLM fine-tuned for a few seconds on :func:`tiny_dataset`."""
    out = tmp_path_factory.mktemp("models") / "intent"
    train_intent_model(tiny_dataset, out, Settings().intent_base_model_path, TINY_CONFIG)
    return out
