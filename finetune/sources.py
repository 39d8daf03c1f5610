"""Readers for the shipped intent data: Bitext, CLINC150 and the hand-written shopping files.

Each reader returns :class:`SourcedText` items; ``source`` decides the order in which
training examples are kept when a label has more than the per-intent cap (hand-written
first, then public corpora, then template output).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Final, NamedTuple

from finetune.context import TurnContext, model_input
from finetune.errors import IntentDataError
from finetune.labels import CONTEXT_BOUND_INTENTS, INTENTS, OUT_OF_SCOPE, Intent, normalise_label
from finetune.templates import TemplateExpander, TemplateSpec
from finetune.types import LabeledText

BITEXT_FILES: Final = ("bitext_cs_intent_utterances_8175.csv", "bitext_cs_21534_subsample.csv")
CLINC_FILE: Final = "data_full.json"

# CLINC150 intents that overlap what a shop assistant does; calling them out_of_scope would
# teach the model wrong answers (see data/intents/clinc150/SOURCE.md).
CLINC_EXCLUDED: Final = frozenset(
    {
        "order", "order_status", "shopping_list", "shopping_list_update", "card_declined",
        "account_blocked", "report_fraud", "transactions", "spending_history", "redeem_rewards",
        "rewards_balance", "plug_type", "user_name", "change_user_name", "reset_settings",
        "yes", "no", "maybe", "cancel", "repeat",
    }
)  # fmt: skip
CLINC_TO_OURS: Final = {"greeting": Intent.greeting, "thank_you": Intent.thanks, "goodbye": Intent.goodbye}
CLINC_OOS_PER_INTENT: Final = 20
"""Utterances taken from each unrelated CLINC intent (diversity over volume)."""

# Follow-ups rank with hand-written text: they are few per label and the only examples of their contexts.
SOURCE_PRIORITY: Final = {"handwritten": 0, "followup": 0, "bitext": 1, "clinc": 1, "template": 2}


class SourcedText(NamedTuple):
    """An example together with the data source it came from."""

    text: str
    label: str
    source: str


def read_bitext(bitext_dir: Path) -> list[SourcedText]:
    """Read the Bitext customer-service utterances (labels normalised, e.g. ``check_invoices``).

    Args:
        bitext_dir: ``data/intents/bitext``.

    Returns:
        One item per row of the shipped Bitext files.

    Raises:
        IntentDataError: If a file is missing or a label is not one of our 27 intents.
    """
    items: list[SourcedText] = []
    for name in BITEXT_FILES:
        path = bitext_dir / name
        if not path.is_file():
            raise IntentDataError(f"Bitext file {path} is missing; it ships in data/intents/bitext/")
        with path.open(encoding="utf-8", newline="") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                label = normalise_label(row["intent"])
                if label not in INTENTS:
                    raise IntentDataError(f"{path}:{line_no}: unknown Bitext intent {row['intent']!r}")
                items.append(SourcedText(row["utterance"].strip(), label, "bitext"))
    return items


def read_clinc_pool(clinc_dir: Path) -> list[SourcedText]:
    """Read CLINC150 examples that map to our labels.

    ``oos`` utterances and up to :data:`CLINC_OOS_PER_INTENT` training utterances of every
    unrelated intent become ``out_of_scope``; the small-talk greeting/thank_you/goodbye
    intents become ``greeting``/``thanks``/``goodbye`` (all their splits).

    Args:
        clinc_dir: ``data/intents/clinc150``.

    Returns:
        The mapped examples, in file order.
    """
    data = load_clinc(clinc_dir)
    items: list[SourcedText] = []
    for split in ("oos_train", "oos_val", "oos_test"):
        items.extend(SourcedText(text, OUT_OF_SCOPE, "clinc") for text, _ in data[split])
    taken: dict[str, int] = {}
    for split in ("train", "val", "test"):
        for text, intent in data[split]:
            if intent in CLINC_TO_OURS:
                items.append(SourcedText(text, CLINC_TO_OURS[intent], "clinc"))
            elif intent not in CLINC_EXCLUDED and split == "train" and taken.get(intent, 0) < CLINC_OOS_PER_INTENT:
                taken[intent] = taken.get(intent, 0) + 1
                items.append(SourcedText(text, OUT_OF_SCOPE, "clinc"))
    return items


def load_clinc(clinc_dir: Path) -> dict[str, list[LabeledText]]:
    """Load the raw CLINC150 splits (``train``, ``val``, ``test``, ``oos_train``, ``oos_val``, ``oos_test``).

    Args:
        clinc_dir: ``data/intents/clinc150``.

    Returns:
        Split name -> list of ``(text, clinc_intent)``.
    """
    path = clinc_dir / CLINC_FILE
    if not path.is_file():
        raise IntentDataError(f"CLINC150 file {path} is missing; it ships in data/intents/clinc150/")
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {split: [(str(t), str(i)) for t, i in rows] for split, rows in raw.items()}


def read_shopping(shopping_dir: Path, seed: int, per_intent: int = 400) -> list[SourcedText]:
    """Read the hand-written free-form utterances and expand the templates.

    Args:
        shopping_dir: ``data/intents/shopping``.
        seed: Seed for the template expansion.
        per_intent: Template utterances to generate per intent.

    Returns:
        Hand-written items (source ``handwritten``) followed by generated ones (``template``).
    """
    # A hand-written follow-up ("cheaper", "in blue") was written as said after a list of products.
    items = [SourcedText(model_input(t, TurnContext.products) if label in CONTEXT_BOUND_INTENTS else t, label,
                         "handwritten") for t, label in read_csv_examples(shopping_dir / "freeform.csv")]
    spec = TemplateSpec.from_yaml(shopping_dir / "templates.yaml")
    expander = TemplateExpander(spec, per_intent=per_intent, seed=seed)
    items.extend(SourcedText(t, label, "template") for t, label in expander.expand())
    items.extend(SourcedText(t, label, "followup") for t, label in expander.expand_followups())
    return items


def read_csv_examples(path: Path) -> list[LabeledText]:
    """Read a ``text,label`` CSV, checking every row.

    Args:
        path: The CSV file (header must contain ``text`` and ``label``).

    Returns:
        ``(text, label)`` pairs with whitespace trimmed and labels normalised.

    Raises:
        IntentDataError: Naming the file and line of the first bad row.
    """
    if not path.is_file():
        raise IntentDataError(f"intent data file {path} does not exist")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        text_col = _pick_column(fields, ("text", "utterance"), path)
        label_col = _pick_column(fields, ("label", "intent"), path)
        reader.fieldnames = fields
        examples = []
        for line_no, row in enumerate(reader, start=2):
            examples.append(_check_row(row.get(text_col), row.get(label_col), path, line_no))
    return examples


def _pick_column(fields: list[str], names: tuple[str, ...], path: Path) -> str:
    for name in names:
        if name in fields:
            return name
    raise IntentDataError(
        f"{path}: header {fields} has no {' or '.join(repr(n) for n in names)} column; "
        "the first line must name the columns, e.g. 'text,label'"
    )


def _check_row(text: object, label: object, path: Path, line_no: int) -> LabeledText:
    if not isinstance(text, str) or not text.strip():
        raise IntentDataError(f"{path}:{line_no}: empty or missing text (got {text!r}); every row needs text and label")
    if not isinstance(label, str) or not label.strip():
        raise IntentDataError(
            f"{path}:{line_no}: empty or missing label for text {text!r} (got {label!r}); "
            "every row needs text and label"
        )
    return text.strip(), normalise_label(label)


def read_jsonl_examples(path: Path) -> list[LabeledText]:
    """Read a JSON-lines file of ``{"text": ..., "label": ...}`` objects (``utterance``/``intent`` also accepted).

    Args:
        path: The ``.jsonl`` file; blank lines are skipped.

    Returns:
        ``(text, label)`` pairs.

    Raises:
        IntentDataError: Naming the file and line of the first bad line.
    """
    if not path.is_file():
        raise IntentDataError(f"intent data file {path} does not exist")
    examples = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IntentDataError(f"{path}:{line_no}: not valid JSON ({exc.msg}): {line[:80]!r}") from exc
        if not isinstance(obj, dict):
            raise IntentDataError(f'{path}:{line_no}: expected an object like {{"text": ..., "label": ...}}')
        examples.append(
            _check_row(obj.get("text", obj.get("utterance")), obj.get("label", obj.get("intent")), path, line_no)
        )
    return examples


class OutOfScopeMessages(NamedTuple):
    """Messages out of scope for a shop: ``calibration`` to tune a threshold on, ``test`` to report on."""

    calibration: list[str]
    test: list[str]


def clinc_out_of_scope(clinc_dir: Path) -> OutOfScopeMessages:
    """CLINC150's out-of-scope messages for a shop, as the catalog-check calibration uses them.

    ``calibration`` is ``oos_val`` plus the validation utterances of the unrelated domains (the intents that
    overlap a shop's, :data:`CLINC_EXCLUDED` and :data:`CLINC_TO_OURS`, left out as in training); ``test`` is
    ``oos_test``.

    Args:
        clinc_dir: ``data/intents/clinc150``.
    """
    splits = load_clinc(clinc_dir)
    pool = [t for t, _ in splits["oos_val"]]
    pool += [t for t, intent in splits["val"] if intent not in CLINC_EXCLUDED and intent not in CLINC_TO_OURS]
    return OutOfScopeMessages(calibration=pool, test=[t for t, _ in splits["oos_test"]])
