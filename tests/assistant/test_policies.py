"""The policy index answers from passages held in memory: the same passages and scores as a Chroma query, and a
re-index is seen at once (real Chroma, the real MiniLM embedder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
import pytest

from assistant.service.policies import PolicyIndex

QUESTIONS = ["how long do refunds take", "do you ship to france", "can i pay with paypal", "gift wrapping",
             "what time do you close on saturday", "i forgot my password", "a red teapot"]


@pytest.fixture(scope="module")
def embedder(giftshop_bot: Any) -> Any:
    return giftshop_bot.dialog.service.policies.embedder


def _index(tmp_path: Path, embedder: Any, name: str) -> PolicyIndex:
    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    return PolicyIndex(lambda: client.get_or_create_collection(name, configuration={"hnsw": {"space": "cosine"}}),
                       embedder, min_score=0.0)


def test_answers_are_the_chroma_query_answers(tmp_path: Path, embedder: Any) -> None:
    index = _index(tmp_path, embedder, "policies_giftshop")
    assert index.index(Path("data/shops/giftshop/policies")) > 20
    for question in QUESTIONS:
        got = index.query(question, k=3)
        vector = embedder.encode([question])[0]
        expected = index.collection.query(query_embeddings=[vector], n_results=3,
                                          include=["documents", "distances"])
        assert [p.text for p in got] == expected["documents"][0], question
        assert [p.score for p in got] == pytest.approx([1 - d for d in expected["distances"][0]], abs=2e-3)


def test_a_reindex_is_answered_from_at_once(tmp_path: Path, embedder: Any) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "delivery.md").write_text("# Delivery\n\n## Do you ship abroad?\n\nWe ship to 12 countries.\n")
    index = _index(tmp_path, embedder, "policies_test")
    index.index(folder)
    assert "12 countries" in index.query("do you ship abroad", k=1)[0].text
    (folder / "delivery.md").write_text("# Delivery\n\n## Do you ship abroad?\n\nWe ship to 40 countries.\n")
    index.index(folder)
    assert "40 countries" in index.query("do you ship abroad", k=1)[0].text
    assert index.query("   ") == []
