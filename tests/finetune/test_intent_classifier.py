"""The IntentClassifier interface on a real tiny model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from cartwise.settings import Settings
from finetune.classifier import MAX_INPUT_CHARS, IntentClassifier, IntentPrediction
from finetune.errors import NotFittedError
from finetune.labels import OUT_OF_SCOPE
from finetune.onnx_runtime import INT8_FILE, ONNX_FILE

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

TINY_INTENTS = ("track_order", "greeting", "search_product", "get_refund")  # as in conftest.py


@pytest.fixture(scope="module")
def clf(tiny_model: Path) -> IntentClassifier:
    return IntentClassifier.from_pretrained(tiny_model)


def test_prediction_shape(clf: IntentClassifier) -> None:
    p = clf.predict("where is my parcel? it was due yesterday")
    assert isinstance(p, IntentPrediction)
    assert len(p.top3) == 3
    assert 0.0 <= p.confidence <= 1.0
    assert p.confidence == p.top3[0][1]
    assert [prob for _, prob in p.top3] == sorted((prob for _, prob in p.top3), reverse=True)
    assert {label for label, _ in p.top3} <= set(TINY_INTENTS)
    assert p.is_confident == (p.confidence >= clf.threshold)
    assert p.label == (p.top3[0][0] if p.is_confident else OUT_OF_SCOPE)


def test_threshold_makes_it_unsure(tiny_model: Path) -> None:
    strict = IntentClassifier.from_pretrained(tiny_model, threshold=1.0)
    p = strict.predict("where is my parcel")
    assert not p.is_confident
    assert p.label == OUT_OF_SCOPE
    assert p.top3[0][0] in TINY_INTENTS  # the ranking is still there for "did you mean ...?"
    lenient = IntentClassifier.from_pretrained(tiny_model, threshold=0.0)
    assert lenient.predict("where is my parcel").is_confident


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_input_is_out_of_scope(clf: IntentClassifier, text: str) -> None:
    p = clf.predict(text)
    assert p == IntentPrediction(label=OUT_OF_SCOPE, confidence=0.0, top3=[], is_confident=False)


def test_absurdly_long_input_is_truncated(clf: IntentClassifier) -> None:
    p = clf.predict("where is my order " * 50_000)
    assert len(p.top3) == 3
    assert len("where is my order " * 50_000) > MAX_INPUT_CHARS


def test_batch_matches_single(clf: IntentClassifier) -> None:
    texts = ["hello there", "", "I want my money back", "do you sell red mugs"]
    batch = clf.predict_batch(texts)
    assert [p.label for p in batch] == [clf.predict(t).label for t in texts]
    assert batch[1].confidence == 0.0
    with pytest.raises(TypeError, match="predict\\(text\\)"):
        clf.predict_batch("hello")


def test_missing_model_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError, match="cartwise train-intent"):
        IntentClassifier.from_pretrained(tmp_path / "nothing-here")
    with pytest.raises(NotFittedError, match="cartwise train-intent"):
        IntentClassifier.from_settings(Settings(intent_model_dir=tmp_path / "nothing-here"))


def test_from_settings_uses_tuned_threshold(tiny_model: Path) -> None:
    clf = IntentClassifier.from_settings(Settings(intent_model_dir=tiny_model, intent_threshold=0.99))
    from finetune.metadata import IntentModelMetadata

    assert clf.threshold == IntentModelMetadata.load(tiny_model).threshold


def test_onnx_export_gives_the_torch_probabilities(tiny_model: Path) -> None:
    # Training writes the export; run by onnxruntime it must decide exactly as PyTorch does, single and padded.
    assert (tiny_model / ONNX_FILE).is_file()
    served = IntentClassifier.from_pretrained(tiny_model)
    torch_run = IntentClassifier.from_pretrained(tiny_model, runtime="torch")
    assert served.onnx is not None and served.model is None
    assert torch_run.onnx is None and torch_run.model is not None
    texts = ["hi", "[after a list of products] the second one, in red please", "where is my parcel? " * 20,
             "I want my money back for the broken kettle"]
    batched = served.predict_proba(texts)
    assert np.allclose(batched, torch_run.predict_proba(texts), atol=1e-4)
    assert np.allclose(np.concatenate([served.predict_proba([t]) for t in texts]), batched, atol=1e-4)
    assert [p.label for p in served.predict_batch(texts)] == [p.label for p in torch_run.predict_batch(texts)]


def test_a_model_without_an_export_gets_one_on_first_load(tiny_model: Path, tmp_path: Path) -> None:
    older = tmp_path / "intent"
    shutil.copytree(tiny_model, older)
    (older / ONNX_FILE).unlink()
    first = IntentClassifier.from_pretrained(older)
    assert (older / ONNX_FILE).is_file() and first.onnx is not None
    assert not list(older.glob(".model-*"))  # written atomically: no temporary file left behind
    text = "do you sell red mugs"
    assert np.allclose(first.predict_proba([text]), IntentClassifier.from_pretrained(tiny_model).predict_proba([text]),
                       atol=1e-5)


def test_the_int8_copy_is_written_on_first_load_and_again_after_a_new_export(tiny_model: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "intent"
    shutil.copytree(tiny_model, model_dir)
    (model_dir / INT8_FILE).unlink(missing_ok=True)
    served = IntentClassifier.from_pretrained(model_dir, runtime="onnx-int8")
    assert (model_dir / INT8_FILE).is_file() and served.quick is not None and served.onnx is not None
    assert not list(model_dir.glob(".model.int8-*"))  # written atomically
    assert (model_dir / INT8_FILE).stat().st_size < (model_dir / ONNX_FILE).stat().st_size
    # A copy older than the export it was made from belongs to another model: it is made again.
    os.utime(model_dir / INT8_FILE, (1, 1))
    IntentClassifier.from_pretrained(model_dir, runtime="onnx-int8")
    assert (model_dir / INT8_FILE).stat().st_mtime >= (model_dir / ONNX_FILE).stat().st_mtime
    assert IntentClassifier.from_pretrained(model_dir).quick is None  # the float export alone unless asked


def test_the_float_graph_decides_where_the_int8_copy_is_unsure(tiny_model: Path) -> None:
    texts = ["hi", "[after a list of products] the second one, in red please", "where is my parcel? " * 20,
             "I want my money back for the broken kettle", "do you sell red mugs"]
    exact = IntentClassifier.from_pretrained(tiny_model).predict_proba(texts)
    served = IntentClassifier.from_pretrained(tiny_model, runtime="onnx-int8")
    served.quick_sure = 0.0  # the copy alone
    quick = served.predict_proba(texts)
    assert not np.allclose(quick, exact, atol=1e-6)  # rounding to int8 moves the probabilities a little
    assert np.allclose(quick, exact, atol=0.1)
    sure = quick.max(axis=1)
    served.quick_sure = float(np.median(sure))
    mixed = served.predict_proba(texts)
    unsure = sure < served.quick_sure
    assert unsure.any() and not unsure.all()
    assert np.allclose(mixed[unsure], exact[unsure], atol=1e-5)
    assert np.allclose(mixed[~unsure], quick[~unsure], atol=1e-6)
