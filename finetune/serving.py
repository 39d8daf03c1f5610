"""The one way serving gets its intent model: :func:`load_intent_model`.

On a fresh install the fine-tuned transformer takes minutes to train on a CPU, while a
logistic-regression head on frozen sentence embeddings (:mod:`finetune.embedding_head`) trains
in seconds. With ``CARTWISE_INTENT_SERVING=auto`` (the default) serving therefore starts on the
head and a background process fine-tunes the transformer (:mod:`finetune.background`); when it
is saved, :class:`SwappingIntentModel` swaps it in between two turns. Later starts find the
fine-tuned model and serve it at once. ``fine-tuned`` trains it first (the old behaviour, what
the test suite uses: its dialog expectations were written against the fine-tuned model) and
``embedding-head`` never fine-tunes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from finetune.classifier import IntentClassifier, IntentPrediction
from finetune.data import build_intent_dataset
from finetune.embedding_head import HEAD_METADATA_FILE, EmbeddingHeadClassifier
from finetune.errors import NotFittedError
from finetune.metadata import fine_tuned_ready
from finetune.protocols import IntentModel, TextEncoder
from finetune.train import TrainConfig, ensure_intent_model
from finetune.types import EMBEDDING_HEAD, FINE_TUNED, ServingName

if TYPE_CHECKING:
    from cartwise.settings import Settings
    from finetune.background import BackgroundFineTune

logger = logging.getLogger(__name__)



class SwappingIntentModel:
    """An :class:`~finetune.protocols.IntentModel` whose underlying model can be replaced while serving.

    Each call reads the current model once, so a turn that started on one model finishes on it;
    :meth:`swap` takes effect from the next call. Safe to call from several threads.

    Args:
        model: The model to serve first.
        serving: Its name, ``"embedding-head"`` or ``"fine-tuned"``.

    Example:
        >>> model = SwappingIntentModel(head, "embedding-head")  # doctest: +SKIP
        >>> model.serving, model.predict("where is my parcel?").label  # doctest: +SKIP
        ('embedding-head', 'track_order')
    """

    def __init__(self, model: IntentModel, serving: ServingName) -> None:
        self._current: tuple[IntentModel, ServingName] = (model, serving)
        self._lock = threading.Lock()
        self._swapped = threading.Event()
        self.detail = ""
        """A sentence on what happens next (e.g. "fine-tuned model training in the background")."""
        self.trainer: BackgroundFineTune | None = None
        """The background fine-tune feeding this model, if any (``stop()`` ends it)."""

    @property
    def serving(self) -> ServingName:
        """Which model answers now: ``"embedding-head"`` or ``"fine-tuned"``."""
        return self._current[1]

    @property
    def model(self) -> IntentModel:
        """The model answering now."""
        return self._current[0]

    @property
    def labels(self) -> list[str]:
        return self._current[0].labels

    @property
    def threshold(self) -> float:
        return self._current[0].threshold

    def predict(self, text: str) -> IntentPrediction:
        return self._current[0].predict(text)

    def predict_batch(self, texts: Sequence[str]) -> list[IntentPrediction]:
        return self._current[0].predict_batch(texts)

    def swap(self, model: IntentModel, serving: ServingName, detail: str = "") -> None:
        """Serve ``model`` from the next call on."""
        with self._lock:
            self._current = (model, serving)
            self.detail = detail
        self._swapped.set()
        logger.info("intent model: now serving the %s model", serving)

    def wait_for_swap(self, timeout: float | None = None) -> bool:
        """Block until :meth:`swap` has been called (or ``timeout`` seconds passed); True if it was."""
        return self._swapped.wait(timeout)


def ensure_embedding_head(settings: Settings, encoder: TextEncoder) -> EmbeddingHeadClassifier:
    """Load the embedding head at ``settings.intent_head_path``, training and saving it first if missing.

    A head trained on another encoder (``CARTWISE_EMBEDDING_MODEL`` changed) is retrained. The
    data is the fine-tune's (:func:`finetune.data.build_intent_dataset` with the default
    :class:`~finetune.train.TrainConfig` seed and cap), so both models learn the same examples.

    Args:
        settings: Supplies ``intent_head_path`` and ``data_dir``.
        encoder: The sentence encoder (serving passes the product search's).

    Returns:
        The fitted head.
    """
    path = settings.intent_head_path
    if (path / HEAD_METADATA_FILE).is_file():
        try:
            return EmbeddingHeadClassifier.load(path, encoder)
        except NotFittedError as exc:
            logger.info("%s; retraining it", exc)
    config = TrainConfig()
    dataset = build_intent_dataset(
        settings.data_dir / "intents", seed=config.seed, max_per_intent=config.max_per_intent
    )
    head = EmbeddingHeadClassifier(encoder, seed=config.seed).fit(dataset.train, dataset.validation)
    head.save(path, dataset.data_hash)
    logger.info("embedding-head intent model trained in %.1f s (%s), saved to %s", head.train_seconds_,
                head.validation_metrics_, path)
    return head


def load_intent_model(
    settings: Settings, encoder: TextEncoder | None = None, config: TrainConfig | None = None
) -> SwappingIntentModel:
    """The intent model serving should use, per ``settings.intent_serving`` (see the module docstring).

    Args:
        settings: Model paths, data directory and ``intent_serving``.
        encoder: The sentence encoder for the embedding head; default a new
            ``retrieval.embeddings.Embedder`` from settings (pass serving's to share the loaded model).
        config: Hyperparameters of a fine-tune this call starts (default :class:`TrainConfig`; a
            background run always uses one torch thread).

    Returns:
        A :class:`SwappingIntentModel`; in ``auto`` mode on a fresh install it serves the head and its
        ``trainer`` is the running background fine-tune.

    Example:
        >>> model = load_intent_model(Settings(), encoder=embedder)  # doctest: +SKIP
        >>> model.serving  # doctest: +SKIP
        'embedding-head'
    """
    mode = settings.intent_serving
    if mode == FINE_TUNED:
        ensure_intent_model(settings, config)
    if mode != EMBEDDING_HEAD and fine_tuned_ready(settings.intent_model_path):
        return SwappingIntentModel(IntentClassifier.from_settings(settings), FINE_TUNED)
    if encoder is None:
        from retrieval.embeddings import Embedder

        encoder = Embedder.from_settings(settings)
    served = SwappingIntentModel(ensure_embedding_head(settings, encoder), EMBEDDING_HEAD)
    if mode == "auto":
        from finetune.background import BackgroundFineTune

        served.trainer = BackgroundFineTune(settings, served, config).start()
        served.detail = f"fine-tuned model training in the background (log: {served.trainer.log_path})"
    return served
