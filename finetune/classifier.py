"""Inference with the fine-tuned intent model.

Decision rule (as Rasa's fallback and CLINC150's threshold baseline): the model's top class
is the answer when its probability is at least the threshold; otherwise the answer is
``out_of_scope`` and ``is_confident`` is ``False``. ``top3`` always shows the model's own
ranking, so a dialog can still ask "did you mean ...?". The threshold comes from the
model's ``metadata.json`` (tuned on validation data); ``Settings.intent_threshold`` is the
fallback for a model without one, and an explicit ``threshold=`` overrides both.

Edge cases: empty or whitespace-only text gives ``out_of_scope`` with confidence ``0.0``,
empty ``top3`` and ``is_confident=False`` (nothing was asked). Very long text is cut to
:data:`MAX_INPUT_CHARS` characters and then to the model's ``max_length`` tokens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from finetune.errors import NotFittedError
from finetune.labels import OUT_OF_SCOPE, Intent
from finetune.metadata import IntentModelMetadata
from finetune.onnx_runtime import INT8_FILE, INT8_SURE, ONNX_FILE, OnnxLogits, export_onnx, quantize_onnx
from finetune.types import IntentRuntime, LabelProb

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

MAX_INPUT_CHARS: Final = 1000
"""Characters kept before tokenising; far beyond ``max_length`` tokens, it only bounds tokeniser work."""


class IntentPrediction(BaseModel):
    """The intent of one utterance.

    Attributes:
        label: The decided intent: the top class, or ``out_of_scope`` when unsure (a shop's own label is a
            pseudo-member of :class:`Intent`).
        confidence: Probability of the model's top class (0.0 for empty input).
        top3: The three most likely ``(label, probability)`` pairs, best first.
        is_confident: Whether ``confidence`` reached the threshold.
    """

    model_config = ConfigDict(frozen=True)

    label: Intent
    confidence: float = Field(ge=0.0, le=1.0)
    top3: list[LabelProb]
    is_confident: bool


class IntentClassifier:
    """Classify utterances with a fine-tuned sequence-classification model.

    Args:
        model: A loaded ``AutoModelForSequenceClassification`` (``None`` when ``onnx`` runs it).
        tokenizer: Its tokenizer.
        labels: Class names in output order.
        threshold: Minimum top probability for a confident answer.
        max_length: Token limit (the one used in training).
        batch_size: Batch size of :meth:`predict_batch`.
        onnx: The same model exported to ONNX (:mod:`finetune.onnx_runtime`); when given, it computes the logits.
        quick: Its int8 copy; when given, it answers first, and the float graph answers again only the texts whose
            top probability from it is below ``quick_sure`` (see :data:`finetune.onnx_runtime.INT8_SURE`).
        quick_sure: That bound.

    Example:
        >>> clf = IntentClassifier.from_pretrained("var/models/intent")  # doctest: +SKIP
        >>> clf.predict("where is my parcel?").label  # doctest: +SKIP
        'track_order'
    """

    def __init__(
        self,
        model: PreTrainedModel | None,
        tokenizer: PreTrainedTokenizerBase,
        labels: Sequence[str],
        threshold: float,
        max_length: int = 48,
        batch_size: int = 64,
        onnx: OnnxLogits | None = None,
        quick: OnnxLogits | None = None,
        quick_sure: float = INT8_SURE,
    ) -> None:
        if model is None and onnx is None:
            raise ValueError("IntentClassifier needs the PyTorch model or its ONNX export")
        self.model = model
        self.onnx = onnx
        self.quick = quick
        self.quick_sure = quick_sure
        self.tokenizer = tokenizer
        self.labels = list(labels)
        self.threshold = threshold
        self.max_length = max_length
        self.batch_size = batch_size

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        threshold: float | None = None,
        num_threads: int | None = None,
        runtime: IntentRuntime = "onnx",
    ) -> IntentClassifier:
        """Load a model saved by :func:`finetune.train.train_intent_model`.

        Args:
            path: The model directory.
            threshold: Overrides the tuned threshold in ``metadata.json``.
            num_threads: If given, ``torch.set_num_threads(num_threads)`` (process-wide).
            runtime: ``"onnx"`` runs the directory's ONNX export, writing it first if the directory has none
                (or keeps PyTorch, with a warning, if it cannot be written); ``"onnx-int8"`` runs its int8 copy
                first, written the same way, and the export where the copy is unsure (or the export alone, with a
                warning, if the copy cannot be written); ``"torch"`` runs PyTorch.

        Returns:
            The classifier, in eval mode on the CPU.

        Raises:
            NotFittedError: If ``path`` holds no trained model.
        """
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        model_dir = Path(path)
        if not (model_dir / "config.json").is_file():
            raise NotFittedError(f"no intent model at {model_dir}; run `cartwise train-intent` to train one")
        metadata = IntentModelMetadata.load(model_dir)
        if num_threads is not None:
            torch.set_num_threads(num_threads)
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        model: PreTrainedModel | None = None
        onnx_path = model_dir / ONNX_FILE
        if runtime == "torch" or not onnx_path.is_file():
            model = AutoModelForSequenceClassification.from_pretrained(str(model_dir))
            model.eval()
        if runtime != "torch" and model is not None:
            try:
                export_onnx(model, tokenizer, model_dir)
            except OSError as exc:
                logger.warning("could not write the intent model's ONNX export (%s); serving it with PyTorch", exc)
        onnx = OnnxLogits.load(onnx_path) if runtime != "torch" and onnx_path.is_file() else None
        quick = _int8_graph(model_dir) if runtime == "onnx-int8" and onnx is not None else None
        return cls(
            None if onnx is not None else model,
            tokenizer,
            metadata.labels,
            threshold=metadata.threshold if threshold is None else threshold,
            max_length=metadata.max_length,
            onnx=onnx,
            quick=OnnxLogits.load(quick) if quick is not None else None,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> IntentClassifier:
        """Load the model at ``settings.intent_model_path``, run by ``settings.intent_runtime``.

        The tuned threshold in the model's metadata wins; ``settings.intent_threshold`` is used
        only if the metadata has none (a negative stored value).
        """
        metadata = IntentModelMetadata.load(settings.intent_model_path)
        threshold = metadata.threshold if metadata.threshold >= 0 else settings.intent_threshold
        return cls.from_pretrained(settings.intent_model_path, threshold=threshold, runtime=settings.intent_runtime)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Class probabilities, one row per text (columns follow :attr:`labels`).

        Empty texts get a uniform row; callers that care use :meth:`predict_batch`.
        """
        rows: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        clean = [text[:MAX_INPUT_CHARS] for text in texts]
        for start in range(0, len(clean), self.batch_size):
            rows.append(self._probabilities(clean[start : start + self.batch_size]))
        if not rows:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return np.concatenate(rows)

    def _probabilities(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        if self.quick is None:
            return _softmax(self._logits(texts))
        batch = self._tokens(texts)
        probs = _softmax(self.quick(batch))
        # Rounding to int8 moves a decision only where the model is unsure; there the float graph decides.
        unsure = np.flatnonzero(probs.max(axis=1) < self.quick_sure)
        if unsure.size == len(texts) and self.onnx is not None:
            probs = _softmax(self.onnx(batch))  # the same tokens: a turn's one message is not tokenized twice
        elif unsure.size:
            probs[unsure] = _softmax(self._logits([texts[i] for i in unsure]))
        return probs

    def _tokens(self, texts: list[str]) -> Any:
        return self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")

    def _logits(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        batch = self._tokens(texts)
        if self.onnx is not None:
            return self.onnx(batch)
        import torch

        assert self.model is not None  # the constructor requires one of the two
        with torch.inference_mode():
            encoded = {name: torch.from_numpy(values) for name, values in batch.items()}
            logits: np.ndarray[Any, np.dtype[np.float32]] = self.model(**encoded).logits.float().numpy()
        return logits

    def predict(self, text: str) -> IntentPrediction:
        """Intent of one utterance (see the module docstring for the decision rule)."""
        return self.predict_batch([text])[0]

    def predict_batch(self, texts: Sequence[str]) -> list[IntentPrediction]:
        """Intents of several utterances, in order; empty ones need no model call."""
        return predict_texts(texts, self.predict_proba, self.labels, self.threshold)


def _int8_graph(model_dir: Path) -> Path | None:
    """The int8 copy of the directory's ONNX export, written first when missing or older than the export; ``None``
    when it cannot be written."""
    graph = model_dir / INT8_FILE
    if graph.is_file() and graph.stat().st_mtime >= (model_dir / ONNX_FILE).stat().st_mtime:
        return graph
    try:
        return quantize_onnx(model_dir)
    except OSError as exc:
        logger.warning("could not write the intent model's int8 copy (%s); serving the float export alone", exc)
        return None


def predict_texts(texts: Sequence[str], predict_proba: Callable[[list[str]], np.ndarray[Any, np.dtype[np.float32]]],
                  labels: Sequence[str], threshold: float) -> list[IntentPrediction]:
    """The decision rule every intent model shares: empty texts are out of scope without a model call; the
    others take their most probable label when it reaches ``threshold``, else out of scope."""
    if isinstance(texts, str):
        raise TypeError("predict_batch expects a list of strings; for one utterance call predict(text)")
    answers: list[IntentPrediction | None] = [None] * len(texts)
    todo = [i for i, text in enumerate(texts) if text and text.strip()]
    probs = predict_proba([texts[i].strip() for i in todo])
    for row, i in zip(probs, todo, strict=True):
        order = np.argsort(-row)[:3]
        top3 = [(Intent(labels[j]), float(row[j])) for j in order]
        confidence = min(max(top3[0][1], 0.0), 1.0)
        confident = confidence >= threshold
        answers[i] = IntentPrediction(label=top3[0][0] if confident else OUT_OF_SCOPE, confidence=confidence,
                                      top3=top3, is_confident=confident)
    empty = IntentPrediction(label=OUT_OF_SCOPE, confidence=0.0, top3=[], is_confident=False)
    return [answer or empty for answer in answers]


def _softmax(logits: np.ndarray[Any, np.dtype[np.float32]]) -> np.ndarray[Any, np.dtype[np.float32]]:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs: np.ndarray[Any, np.dtype[np.float32]] = (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)
    return probs
