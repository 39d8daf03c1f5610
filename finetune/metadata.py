"""What is saved next to a trained intent model (``metadata.json`` and ``label_map.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, ValidationError

from finetune.errors import NotFittedError

METADATA_FILE: Final = "metadata.json"


def fine_tuned_ready(path: Path) -> bool:
    """Whether ``path`` holds a complete fine-tuned model (it is renamed into place only when complete)."""
    return (path / METADATA_FILE).is_file() and (path / "config.json").is_file()
LABEL_MAP_FILE: Final = "label_map.json"


class IntentModelMetadata(BaseModel):
    """Provenance and tuned values of one trained intent model.

    Attributes:
        labels: Class-index order of the model's outputs.
        base_model: The directory the model was fine-tuned from.
        data_source: ``"builtin"`` (shipped data) or the path of the shop's file.
        data_hash: sha256 over the examples (see :func:`finetune.data.hash_examples`).
        split_sizes: Examples per split.
        max_length: Token limit used in training; inference truncates to it as well.
        threshold: Confidence below which a prediction counts as unsure (tuned on validation).
        threshold_objective: How ``threshold`` was chosen.
        hyperparameters: The :class:`finetune.train.TrainConfig` values.
        metrics: Validation/test figures measured right after training.
        train_seconds: Wall time of ``Trainer.train``.
        created_at: ISO-8601 UTC timestamp.
        versions: Library versions (torch, transformers).
    """

    model_config = ConfigDict(frozen=True)

    labels: list[str]
    base_model: str
    data_source: str
    data_hash: str
    split_sizes: dict[str, int]
    max_length: int
    threshold: float
    threshold_objective: str
    hyperparameters: dict[str, float | int | str | bool | None]
    metrics: dict[str, float]
    train_seconds: float
    created_at: str
    versions: dict[str, str]

    def save(self, model_dir: Path) -> None:
        """Write ``metadata.json`` and ``label_map.json`` into ``model_dir``."""
        (model_dir / METADATA_FILE).write_text(self.model_dump_json(indent=2), encoding="utf-8")
        label_map = {str(i): label for i, label in enumerate(self.labels)}
        (model_dir / LABEL_MAP_FILE).write_text(json.dumps(label_map, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, model_dir: Path) -> IntentModelMetadata:
        """Read ``metadata.json`` from ``model_dir``.

        Raises:
            NotFittedError: If the file is missing or unreadable (the model needs retraining).
        """
        path = model_dir / METADATA_FILE
        if not path.is_file():
            raise NotFittedError(
                f"no intent model at {model_dir} ({METADATA_FILE} missing); run `cartwise train-intent`"
            )
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise NotFittedError(
                f"intent model metadata {path} is invalid ({exc.error_count()} errors); "
                "retrain with `cartwise train-intent`"
            ) from exc
