"""Type aliases shared by the ``finetune`` modules."""

from __future__ import annotations

from typing import TypeAlias

from finetune.labels import Intent

LabeledText: TypeAlias = tuple[str, str]
"""One example: ``(text, label)``."""

LabelProb: TypeAlias = tuple[Intent, float]
"""A label with its probability, as in :attr:`IntentPrediction.top3`."""
