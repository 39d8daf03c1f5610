"""``cartwise eval intent`` on the tiny model: every report file, every model, both splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cartwise.settings import Settings
from finetune.classifier import IntentClassifier
from finetune.data import IntentDataset
from finetune.evaluate import CENTROID, FINETUNED, FINETUNED_ARGMAX, TFIDF, IntentEvaluator

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def test_report_files_and_figures(
    tiny_model: Path, tiny_dataset: IntentDataset, intent_dataset: IntentDataset, tmp_path: Path
) -> None:
    heldout = [(t, label) for t, label in intent_dataset.heldout if label in tiny_dataset.labels]
    dataset = tiny_dataset.model_copy(update={"heldout": heldout})
    evaluator = IntentEvaluator(
        IntentClassifier.from_pretrained(tiny_model), dataset, Settings().intent_base_model_path, str(tiny_model)
    )
    report = evaluator.run(tmp_path / "report")

    names = {p.name for p in (tmp_path / "report").iterdir()}
    assert {"report.json", "report.md", "errors_test.json", "errors_heldout.json"} <= names
    assert {"confusion_test.png", "confusion_heldout.png"} <= names
    assert (tmp_path / "report" / "confusion_test.png").read_bytes()[:4] == b"\x89PNG"
    assert {(r.model, r.split) for r in report.runs} == {
        (m, s) for m in (FINETUNED, FINETUNED_ARGMAX, TFIDF, CENTROID) for s in ("test", "heldout")
    }
    finetuned = report.run(FINETUNED, "heldout")
    assert finetuned.n == len(heldout)
    assert 0.0 <= finetuned.accuracy <= 1.0
    assert set(finetuned.per_label) == {label for _, label in heldout}
    errors = json.loads((tmp_path / "report" / "errors_heldout.json").read_text())
    assert len(errors) == len(finetuned.errors)
    markdown = (tmp_path / "report" / "report.md").read_text()
    assert "| TF-IDF + LogReg | heldout |" in markdown
    assert "per intent on test" in markdown
    assert json.loads((tmp_path / "report" / "report.json").read_text())["threshold"] == report.threshold
