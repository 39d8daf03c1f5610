"""Fine-tuning a real (tiny) model: it learns, saves atomically, records its provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cartwise.settings import Settings
from finetune.classifier import IntentClassifier
from finetune.data import IntentDataset
from finetune.errors import TrainingError
from finetune.metadata import IntentModelMetadata
from finetune.train import TrainConfig, ensure_intent_model, train_intent_model

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

TINY_INTENTS = ("track_order", "greeting", "search_product", "get_refund")  # as in conftest.py


def test_tiny_model_learns(tiny_model: Path, tiny_dataset: IntentDataset) -> None:
    clf = IntentClassifier.from_pretrained(tiny_model, threshold=0.0)
    texts, gold = zip(*tiny_dataset.test, strict=True)
    predicted = [p.label for p in clf.predict_batch(list(texts))]
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    assert len(gold) == 40
    assert accuracy >= 0.7, f"accuracy {accuracy:.2f} on held-out slice (chance 0.25)"


def test_saved_files_and_metadata(tiny_model: Path, tiny_dataset: IntentDataset) -> None:
    names = {p.name for p in tiny_model.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "label_map.json", "metadata.json"} <= names
    metadata = IntentModelMetadata.load(tiny_model)
    assert metadata.labels == list(TINY_INTENTS)
    assert metadata.data_hash == tiny_dataset.data_hash
    assert metadata.max_length == 24
    assert metadata.hyperparameters["freeze_layers"] == 3
    assert 0.0 <= metadata.threshold < 1.0
    assert "validation_accuracy" in metadata.metrics
    assert json.loads((tiny_model / "label_map.json").read_text())["0"] == TINY_INTENTS[0]
    # no temporary directories left next to the model
    assert [p.name for p in tiny_model.parent.iterdir()] == [tiny_model.name]


def test_failed_training_keeps_previous_model(tiny_model: Path, tiny_dataset: IntentDataset, tmp_path: Path) -> None:
    before = (tiny_model / "metadata.json").read_text()
    no_validation = tiny_dataset.model_copy(update={"validation": []})
    with pytest.raises(TrainingError, match="no validation examples"):
        train_intent_model(no_validation, tiny_model, Settings().intent_base_model_path)
    with pytest.raises(TrainingError, match=r"no config\.json"):
        train_intent_model(tiny_dataset, tiny_model, str(tmp_path / "no-such-base-model"), TrainConfig(epochs=1))
    assert (tiny_model / "metadata.json").read_text() == before
    assert [p.name for p in tiny_model.parent.iterdir()] == [tiny_model.name]


def test_ensure_intent_model_returns_existing(tiny_model: Path) -> None:
    settings = Settings(intent_model_dir=tiny_model)
    before = (tiny_model / "model.safetensors").stat().st_mtime_ns
    assert ensure_intent_model(settings) == tiny_model
    assert (tiny_model / "model.safetensors").stat().st_mtime_ns == before
