"""The intent dataset: deterministic, stratified, complete, held-out kept apart."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
import yaml

from cartwise.settings import REPO_ROOT
from finetune.context import TurnContext, split_model_input
from finetune.data import OOS_FACTOR, IntentDataset, build_intent_dataset, dataset_from_examples
from finetune.errors import IntentDataError
from finetune.labels import CONTEXT_BOUND_INTENTS, INTENTS, OUT_OF_SCOPE

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

INTENT_DATA = REPO_ROOT / "data" / "intents"


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def test_all_43_labels_in_every_split(intent_dataset: IntentDataset) -> None:
    assert len(INTENTS) == 43
    assert intent_dataset.labels == INTENTS
    for split in ("train", "validation", "test"):
        assert set(intent_dataset.counts(split)) == set(INTENTS), split


def test_same_seed_same_data_other_seed_other_data(intent_dataset: IntentDataset) -> None:
    again = build_intent_dataset(INTENT_DATA, seed=13)
    assert again.data_hash == intent_dataset.data_hash
    assert again.train == intent_dataset.train
    other = build_intent_dataset(INTENT_DATA, seed=14)
    assert other.data_hash != intent_dataset.data_hash
    assert len(other.data_hash) == 64


def test_splits_are_capped_and_balanced(intent_dataset: IntentDataset) -> None:
    train = intent_dataset.counts("train")
    cap = max(n for label, n in train.items() if label != OUT_OF_SCOPE)
    assert cap == 150
    assert train[OUT_OF_SCOPE] == OOS_FACTOR * cap
    # stratified: every in-scope intent has (nearly) the same share of every split; follow-up intents are
    # bounded by how many distinct follow-ups their templates make
    assert min(n for label, n in train.items() if label not in {OUT_OF_SCOPE, *CONTEXT_BOUND_INTENTS}) >= 0.9 * cap
    assert min(train[label] for label in CONTEXT_BOUND_INTENTS) >= 0.6 * cap
    for split in ("validation", "test"):
        counts = intent_dataset.counts(split)
        assert min(n for label, n in counts.items() if label not in CONTEXT_BOUND_INTENTS) >= 20, split
        assert min(counts[label] for label in CONTEXT_BOUND_INTENTS) >= 10, split


def test_no_text_in_two_splits(intent_dataset: IntentDataset) -> None:
    splits = {name: {_key(t) for t, _ in getattr(intent_dataset, name)} for name in ("train", "validation", "test")}
    assert not splits["train"] & splits["validation"]
    assert not splits["train"] & splits["test"]
    assert not splits["validation"] & splits["test"]


def test_heldout_is_handwritten_and_disjoint(intent_dataset: IntentDataset) -> None:
    heldout = Counter(label for _, label in intent_dataset.heldout)
    # The single-turn held-out file predates the follow-up and personal intents; their held-out turns are in
    # tests/heldout/followups.csv (bench/bench_followups.py).
    for intent in ("search_product", "build_bundle", "compare_products", "product_info", "refine_search"):
        assert heldout[intent] >= 15, intent
    assert heldout[OUT_OF_SCOPE] >= 15
    held = {_key(t) for t, _ in intent_dataset.heldout}
    for split in ("train", "validation", "test"):
        assert not held & {_key(t) for t, _ in getattr(intent_dataset, split)}, split


def test_need_probes_are_no_training_data(intent_dataset: IntentDataset) -> None:
    # bench/bench_need_probes.py judges how the model reads need statements; a probe in the data would be learnt.
    probes = yaml.safe_load((REPO_ROOT / "bench" / "data" / "need_probes.yaml").read_text(encoding="utf-8"))["probes"]
    asked = {_key(p["message"]) for p in probes}
    assert len(asked) >= 70
    for split in ("train", "validation", "test"):
        assert not asked & {_key(split_model_input(t)[1]) for t, _ in getattr(intent_dataset, split)}, split


def test_heldout_not_in_handwritten_training_file() -> None:
    with (INTENT_DATA / "shopping" / "freeform.csv").open(encoding="utf-8") as fh:
        freeform = {_key(row["text"]) for row in csv.DictReader(fh)}
    with (INTENT_DATA / "shopping" / "heldout.csv").open(encoding="utf-8") as fh:
        heldout = {_key(row["text"]) for row in csv.DictReader(fh)}
    assert len(freeform) >= 300
    assert not freeform & heldout


def test_handwritten_examples_come_first_in_training(intent_dataset: IntentDataset) -> None:
    with (INTENT_DATA / "shopping" / "freeform.csv").open(encoding="utf-8") as fh:
        freeform = {(_key(row["text"]), row["label"]) for row in csv.DictReader(fh) if row["label"] == "build_bundle"}
    # A training example may carry a previous reply as context; the text after it is the hand-written one.
    train = {(_key(split_model_input(t)[1]), label) for t, label in intent_dataset.train if label == "build_bundle"}
    # 80 % of the hand-written examples go to train; none may be crowded out by template output
    assert len(freeform & train) >= int(0.75 * len(freeform))


def test_dataset_from_shop_examples_stratifies() -> None:
    examples = [(f"where is parcel {i}", "track_order") for i in range(30)]
    examples += [(f"hello number {i}", "greeting") for i in range(30)]
    ds = dataset_from_examples(examples, seed=1)
    assert ds.labels == ("greeting", "track_order")
    assert ds.counts("validation") == {"greeting": 3, "track_order": 3}
    assert ds.counts("test") == {"greeting": 3, "track_order": 3}
    assert len(ds.train) == 48
    assert ds.heldout == []


def test_dataset_from_one_label_is_refused() -> None:
    with pytest.raises(IntentDataError, match="at least 2 labels"):
        dataset_from_examples([("hi", "greeting"), ("hello", "greeting")])


def test_a_share_of_examples_is_seen_after_each_kind_of_reply(intent_dataset: IntentDataset) -> None:
    contexts = Counter(split_model_input(t)[0] for t, _ in intent_dataset.train)
    assert set(contexts) == set(TurnContext)
    assert 0.25 < 1 - contexts[TurnContext.none] / len(intent_dataset.train) < 0.75
    # Follow-ups never appear without something on the screen.
    bare = [t for t, label in intent_dataset.train
            if label in CONTEXT_BOUND_INTENTS and split_model_input(t)[0] is TurnContext.none]
    assert not bare
