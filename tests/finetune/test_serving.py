"""Serving's intent model: the head at once, a real background fine-tune, and the swap between them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cartwise.settings import Settings
from finetune.background import BackgroundFineTune, _lock_is_free, lock_path
from finetune.classifier import IntentClassifier
from finetune.data import IntentDataset
from finetune.embedding_head import EmbeddingHeadClassifier
from finetune.labels import INTENTS
from finetune.metadata import fine_tuned_ready
from finetune.protocols import IntentModel
from finetune.serving import SwappingIntentModel, ensure_embedding_head, load_intent_model
from finetune.train import TrainConfig
from retrieval.embeddings import Embedder

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

# A fine-tune that finishes in about a minute on a busy 2-core box: 3 examples per intent, one short epoch.
QUICK = TrainConfig(epochs=1, max_per_intent=3, max_length=16, batch_size=16, freeze_layers=4, show_progress=False)


@pytest.fixture(scope="module")
def trained_head(full_head_dir: Path, encoder: Embedder) -> Path:
    """The head a fresh start trains; loading it again must not retrain it."""
    before = (full_head_dir / "head.npz").stat().st_mtime_ns
    assert len(ensure_embedding_head(Settings(var_dir=full_head_dir.parent.parent), encoder).labels) == len(INTENTS)
    assert (full_head_dir / "head.npz").stat().st_mtime_ns == before
    return full_head_dir


def _settings(tmp_path: Path, head: Path, mode: str, **extra: str) -> Settings:
    shutil.copytree(head, tmp_path / "models" / "intent-head")
    # Not niced: on a busy machine a niced child gets almost no CPU and the test would wait for minutes.
    return Settings(var_dir=tmp_path, intent_serving=mode, intent_train_nice=0, **extra)  # type: ignore[arg-type]


def test_swap_takes_effect_on_the_next_call(tiny_model: Path, tiny_dataset: IntentDataset, encoder: Embedder) -> None:
    head = EmbeddingHeadClassifier(encoder).fit(tiny_dataset.train, tiny_dataset.validation)
    served = SwappingIntentModel(head, "embedding-head")
    assert isinstance(served, IntentModel)
    assert served.serving == "embedding-head" and served.labels == head.labels
    assert not served.wait_for_swap(timeout=0.01)
    errors: list[BaseException] = []
    stop = threading.Event()

    def shopper() -> None:  # turns keep coming while the model is swapped
        while not stop.is_set():
            try:
                assert served.predict("where is my parcel?").label == "track_order"
            except BaseException as exc:  # collected for the assertion below
                errors.append(exc)
                return

    threads = [threading.Thread(target=shopper) for _ in range(2)]
    for thread in threads:
        thread.start()
    fine_tuned = IntentClassifier.from_pretrained(tiny_model, threshold=0.0)
    served.swap(fine_tuned, "fine-tuned")
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert served.wait_for_swap(timeout=0) and served.serving == "fine-tuned"
    assert served.model is fine_tuned and served.threshold == 0.0
    assert served.predict_batch(["hello", "refund please"])[1].label == "get_refund"


@pytest.mark.slow
def test_embedding_head_mode_never_fine_tunes(tmp_path: Path, trained_head: Path, encoder: Embedder) -> None:
    served = load_intent_model(_settings(tmp_path, trained_head, "embedding-head"), encoder=encoder)
    assert served.serving == "embedding-head" and served.trainer is None
    assert served.predict("I want to return these shoes and get my money back").label in {
        "get_refund", "check_refund_policy",
    }  # fmt: skip
    assert not (tmp_path / "models" / "intent").exists()


@pytest.mark.slow
def test_auto_serves_the_head_then_swaps_in_the_background_fine_tune(
    tmp_path: Path, trained_head: Path, encoder: Embedder
) -> None:
    settings = _settings(tmp_path, trained_head, "auto")
    served = load_intent_model(settings, encoder=encoder, config=QUICK)
    trainer = served.trainer
    assert trainer is not None and trainer.process is not None
    try:
        assert served.serving == "embedding-head"  # at once, while the child trains
        assert "background" in served.detail and str(settings.log_dir) in served.detail
        # A second serving process finds the lock taken: it starts no child of its own and only watches; a
        # child started anyway (two serving processes at the same moment) waits, then finds the model trained.
        lock = lock_path(settings.intent_model_path)
        deadline = time.monotonic() + 120
        while _lock_is_free(lock) and time.monotonic() < deadline:
            time.sleep(0.2)
        second = SwappingIntentModel(served.model, "embedding-head")
        assert BackgroundFineTune(settings, second, QUICK, poll_s=0.5).start().process is None
        command = [
            sys.executable, "-m", "finetune.background", "--model-dir", str(settings.intent_model_path),
            "--data-dir", str(settings.data_dir), "--base-model", settings.intent_base_model_path,
            "--config", QUICK.model_dump_json(),
        ]  # fmt: skip
        racing = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert served.wait_for_swap(timeout=1200), (settings.log_dir / "intent-train.log").read_text()[-3000:]
        racing_log = racing.communicate(timeout=300)[1]
        assert racing.returncode == 0, racing_log[-2000:]
        assert "another process is training" in racing_log and "is trained; nothing to do" in racing_log
        assert served.serving == "fine-tuned" and isinstance(served.model, IntentClassifier)
        assert fine_tuned_ready(settings.intent_model_path)
        assert served.predict("where is my order?").top3
        assert second.wait_for_swap(timeout=60) and second.serving == "fine-tuned"  # the other watcher swaps too
        assert trainer.process.wait(timeout=60) == 0
        assert "background fine-tune done" in (settings.log_dir / "intent-train.log").read_text()
        # A restart finds the fine-tuned model and serves it at once, with no child.
        again = load_intent_model(settings, encoder=encoder)
        assert again.serving == "fine-tuned" and again.trainer is None
    finally:
        trainer.stop()


@pytest.mark.slow
def test_a_failed_background_fine_tune_keeps_the_head_and_names_the_log(
    tmp_path: Path, trained_head: Path, encoder: Embedder
) -> None:
    settings = _settings(tmp_path, trained_head, "auto", intent_base_model=str(tmp_path / "no-such-model"))
    served = load_intent_model(settings, encoder=encoder, config=QUICK)
    assert served.trainer is not None
    served.trainer.join(timeout=300)
    assert served.trainer.failed and served.serving == "embedding-head"
    assert "failed" in served.detail and "intent-train.log" in served.detail
    assert "no config.json" in (settings.log_dir / "intent-train.log").read_text()
