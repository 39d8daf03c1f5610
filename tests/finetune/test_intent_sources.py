"""Loading a shop's own (text, label) files, and the shipped data readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartwise.settings import REPO_ROOT
from finetune.data import load_labeled_file
from finetune.errors import IntentDataError
from finetune.labels import INTENTS, normalise_label
from finetune.sources import CLINC_EXCLUDED, load_clinc, read_bitext, read_clinc_pool

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

INTENT_DATA = REPO_ROOT / "data" / "intents"


def test_csv_loader_reads_and_normalises(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text('text,label\n"where is my parcel, please",Track_Order\n  hi  ,greeting\n', encoding="utf-8")
    assert load_labeled_file(path) == [("where is my parcel, please", "track_order"), ("hi", "greeting")]


def test_csv_loader_accepts_utterance_intent_header(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("utterance,intent\nhello,greeting\n", encoding="utf-8")
    assert load_labeled_file(path) == [("hello", "greeting")]


def test_csv_bad_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("text,label\nhello,greeting\nwhere is it,\n", encoding="utf-8")
    with pytest.raises(IntentDataError, match=r"shop\.csv:3: empty or missing label"):
        load_labeled_file(path)


def test_csv_without_header_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("hello,greeting\n", encoding="utf-8")
    with pytest.raises(IntentDataError, match="no 'text' or 'utterance' column"):
        load_labeled_file(path)


def test_jsonl_loader_and_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "shop.jsonl"
    path.write_text('{"text": "hi", "label": "greeting"}\n\n{"text": "bye", "label": "goodbye"}\n', encoding="utf-8")
    assert load_labeled_file(path) == [("hi", "greeting"), ("bye", "goodbye")]
    path.write_text('{"text": "hi", "label": "greeting"}\n{"text": "oops"\n', encoding="utf-8")
    with pytest.raises(IntentDataError, match=r"shop\.jsonl:2: not valid JSON"):
        load_labeled_file(path)
    path.write_text('{"text": "", "label": "greeting"}\n', encoding="utf-8")
    with pytest.raises(IntentDataError, match=r":1: empty or missing text"):
        load_labeled_file(path)


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IntentDataError, match=r"use \.csv"):
        load_labeled_file(tmp_path / "shop.xlsx")
    with pytest.raises(IntentDataError, match="does not exist"):
        load_labeled_file(tmp_path / "missing.csv")


def test_bitext_labels_are_normalised() -> None:
    assert normalise_label("check_invoices") == "check_invoice"
    items = read_bitext(INTENT_DATA / "bitext")
    labels = {item.label for item in items}
    assert len(labels) == 27
    assert labels <= set(INTENTS)
    assert len(items) > 11_000


def test_clinc_pool_maps_small_talk_and_skips_shop_intents() -> None:
    items = read_clinc_pool(INTENT_DATA / "clinc150")
    labels = {item.label for item in items}
    assert labels == {"out_of_scope", "greeting", "thanks", "goodbye"}
    raw = load_clinc(INTENT_DATA / "clinc150")
    shop_like = {text for split in ("train", "val", "test") for text, intent in raw[split] if intent in CLINC_EXCLUDED}
    oos = {item.text for item in items if item.label == "out_of_scope"}
    assert {"order_status", "card_declined", "order"} <= CLINC_EXCLUDED
    assert not shop_like & oos
    assert len(oos) > 2000
