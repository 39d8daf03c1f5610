"""Build the intent dataset: stratified, capped, deterministic splits with a content hash.

:func:`build_intent_dataset` assembles the shipped data (Bitext, CLINC150, hand-written
shopping utterances) into train/validation/test plus the hand-written held-out set.
:func:`load_labeled_file` and :func:`dataset_from_examples` do the same for a shop's own
``text,label`` file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from finetune.context import TurnContext, model_input, split_model_input
from finetune.errors import IntentDataError
from finetune.labels import CONTEXT_BOUND_INTENTS, INTENTS, OUT_OF_SCOPE
from finetune.sources import (
    SOURCE_PRIORITY,
    SourcedText,
    read_bitext,
    read_clinc_pool,
    read_csv_examples,
    read_jsonl_examples,
    read_shopping,
)
from finetune.types import LabeledText

logger = logging.getLogger(__name__)

DEFAULT_MAX_PER_INTENT = 150
DEFAULT_EVAL_PER_INTENT = 40
OOS_FACTOR = 2
"""``out_of_scope`` gets this many times the caps: it covers hundreds of unrelated topics."""
EVAL_FRACTION = 0.1
CONTEXT_SHARE = 0.5
"""Share of single-turn examples shown with a random previous reply: most messages mean the same after any
reply ("where is my order?"), and the model must learn that as well as the follow-ups that do not."""


class IntentDataset(BaseModel):
    """Train/validation/test/held-out examples for one intent model.

    Attributes:
        train: Training examples.
        validation: For early stopping and threshold tuning.
        test: Same distribution as ``train`` (stratified split).
        heldout: Hand-written examples never seen in training (may be empty for shop data).
        labels: The label set, in class-index order.
        data_hash: sha256 over every split's examples (identifies the exact data a model saw).
        seed: The seed the splits were drawn with.
    """

    model_config = ConfigDict(frozen=True)

    train: list[LabeledText]
    validation: list[LabeledText]
    test: list[LabeledText]
    heldout: list[LabeledText]
    labels: tuple[str, ...]
    data_hash: str
    seed: int

    def counts(self, split: str = "train") -> dict[str, int]:
        """Examples per label in one split (``train``, ``validation``, ``test`` or ``heldout``)."""
        examples: list[LabeledText] = getattr(self, split)
        return dict(Counter(label for _, label in examples))


def build_intent_dataset(
    data_dir: Path,
    seed: int = 13,
    max_per_intent: int = DEFAULT_MAX_PER_INTENT,
    eval_per_intent: int = DEFAULT_EVAL_PER_INTENT,
) -> IntentDataset:
    """Assemble the shipped intent data into stratified splits (a pure function of its inputs).

    Args:
        data_dir: The ``data/intents`` directory (holding ``bitext/``, ``clinc150/``, ``shopping/``).
        seed: Seed for template expansion and shuffling.
        max_per_intent: Cap on training examples per label (``out_of_scope`` gets twice as many);
            it bounds training time.
        eval_per_intent: Cap on validation and on test examples per label.

    Returns:
        The dataset with all 43 labels of :data:`finetune.labels.INTENTS`.

    Raises:
        IntentDataError: If a data file is missing or malformed.

    Example:
        >>> ds = build_intent_dataset(Path("data/intents"))  # doctest: +SKIP
        >>> len(ds.labels), ds.data_hash[:8]  # doctest: +SKIP
        (43, '...')
    """
    heldout = read_csv_examples(data_dir / "shopping" / "heldout.csv")
    items = [
        *read_bitext(data_dir / "bitext"),
        *read_clinc_pool(data_dir / "clinc150"),
        *read_shopping(data_dir / "shopping", seed=seed),
    ]
    unknown = sorted({item.label for item in items} - set(INTENTS))
    if unknown:
        raise IntentDataError(f"labels {unknown} in data/intents are not in finetune.labels.INTENTS; fix the data file")
    return _split(items, heldout, INTENTS, seed, max_per_intent, eval_per_intent)


def dataset_from_examples(
    examples: Iterable[LabeledText],
    seed: int = 13,
    max_per_intent: int = 10_000,
    eval_per_intent: int = DEFAULT_EVAL_PER_INTENT,
) -> IntentDataset:
    """Split a shop's own examples into train/validation/test (no held-out set).

    Args:
        examples: ``(text, label)`` pairs, e.g. from :func:`load_labeled_file`.
        seed: Shuffling seed.
        max_per_intent: Cap on training examples per label.
        eval_per_intent: Cap on validation and test examples per label.

    Returns:
        The dataset; labels sorted alphabetically.

    Raises:
        IntentDataError: If fewer than two labels are present.
    """
    items = [SourcedText(text, label, "handwritten") for text, label in examples]
    labels = tuple(sorted({item.label for item in items}))
    if len(labels) < 2:
        raise IntentDataError(f"need examples of at least 2 labels to train a classifier; got {list(labels)}")
    return _split(items, [], labels, seed, max_per_intent, eval_per_intent)


def load_labeled_file(path: Path) -> list[LabeledText]:
    """Load a shop's ``(text, label)`` examples from ``.csv`` (header ``text,label``) or ``.jsonl``.

    Args:
        path: The file; the suffix decides the format.

    Returns:
        ``(text, label)`` pairs.

    Raises:
        IntentDataError: For an unsupported suffix, or naming the line of the first bad row.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_examples(path)
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl_examples(path)
    raise IntentDataError(f"unsupported intent data file {path}: use .csv (columns text,label) or .jsonl")


def _split(
    items: list[SourcedText],
    heldout: list[LabeledText],
    labels: tuple[str, ...],
    seed: int,
    max_per_intent: int,
    eval_per_intent: int,
) -> IntentDataset:
    heldout_keys = {_key(text) for text, _ in heldout}
    groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    seen: set[str] = set()
    # Sorted first so the result does not depend on reader order, then de-duplicated
    # case-insensitively; a text already claimed by one label is not reused for another.
    for item in sorted(items, key=lambda i: (SOURCE_PRIORITY.get(i.source, 3), i.label, i.text)):
        key = _key(item.text)
        if not key or key in seen or key in heldout_keys:
            continue
        seen.add(key)
        groups[item.label][item.source].append(item.text)

    train: list[LabeledText] = []
    validation: list[LabeledText] = []
    test: list[LabeledText] = []
    for label in labels:
        factor = OOS_FACTOR if label == OUT_OF_SCOPE else 1
        label_train: list[tuple[int, str]] = []
        label_val: list[str] = []
        label_test: list[str] = []
        for source in sorted(groups.get(label, {})):
            texts = groups[label][source]
            random.Random(f"{seed}:{label}:{source}").shuffle(texts)
            n_eval = round(len(texts) * EVAL_FRACTION) if len(texts) >= 5 else 0
            label_val += texts[:n_eval]
            label_test += texts[n_eval : 2 * n_eval]
            label_train += [(SOURCE_PRIORITY.get(source, 3), t) for t in texts[2 * n_eval :]]
        rng = random.Random(f"{seed}:{label}")
        rng.shuffle(label_train)
        label_train.sort(key=lambda pt: pt[0])  # stable: hand-written first, shuffled within a source
        rng.shuffle(label_val)
        rng.shuffle(label_test)
        train += [(t, label) for _, t in label_train[: max_per_intent * factor]]
        validation += [(t, label) for t in label_val[: eval_per_intent * factor]]
        test += [(t, label) for t in label_test[: eval_per_intent * factor]]
        if not label_train:
            raise IntentDataError(f"label {label!r} has no training examples after splitting; add data for it")

    random.Random(seed).shuffle(train)
    train, validation, test = (_with_contexts(split, seed, name) for split, name in
                               ((train, "train"), (validation, "validation"), (test, "test")))
    return IntentDataset(
        train=train,
        validation=validation,
        test=test,
        heldout=heldout,
        labels=labels,
        data_hash=hash_examples({"train": train, "validation": validation, "test": test, "heldout": heldout}),
        seed=seed,
    )


def _with_contexts(examples: list[LabeledText], seed: int, split: str) -> list[LabeledText]:
    """Give :data:`CONTEXT_SHARE` of the context-free examples a random previous reply, keeping their label.

    Follow-up intents (:data:`~finetune.labels.CONTEXT_BOUND_INTENTS`) and examples that already carry a
    context are left as they are.
    """
    rng = random.Random(f"{seed}:contexts:{split}")
    contexts = [c for c in TurnContext if c is not TurnContext.none]
    out: list[LabeledText] = []
    for text, label in examples:
        bare = split_model_input(text)[0] is TurnContext.none
        if bare and label not in CONTEXT_BOUND_INTENTS and rng.random() < CONTEXT_SHARE:
            text = model_input(text, rng.choice(contexts))
        out.append((text, label))
    return out


def hash_examples(splits: dict[str, list[LabeledText]]) -> str:
    """sha256 hex digest over named lists of examples (order-sensitive).

    Args:
        splits: Split name -> examples.

    Returns:
        64 hex characters.
    """
    digest = hashlib.sha256()
    for name in sorted(splits):
        for text, label in splits[name]:
            digest.update(json.dumps([name, text, label], ensure_ascii=False).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def _key(text: str) -> str:
    return " ".join(text.casefold().split())
