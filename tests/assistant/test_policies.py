"""The policy index answers from passages held in memory: the same passages and scores as a Chroma query, and a
re-index is seen at once (real Chroma, the real MiniLM embedder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
import numpy as np
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


def test_a_section_scores_the_mean_of_its_text_and_its_heading(tmp_path: Path, embedder: Any) -> None:
    index = _index(tmp_path, embedder, "policies_giftshop")
    assert index.index(Path("data/shops/giftshop/policies")) > 20
    stored = index.collection.get(include=["documents", "metadatas"])
    sources = {d: str(m["source"]) for d, m in zip(stored["documents"], stored["metadatas"], strict=True)}
    headings = {d: source.rpartition(" § ")[2] for d, source in sources.items()}
    for question in QUESTIONS:
        got = index.query(question, k=3)
        vector = embedder.encode([question])[0]
        # Every passage's cosine to the question, as Chroma computes it, and its heading's.
        by_text = index.collection.query(query_embeddings=[vector], n_results=index.count(),
                                         include=["documents", "distances"])
        text_score = {d: 1 - dist for d, dist in zip(by_text["documents"][0], by_text["distances"][0], strict=True)}
        heading_vectors = embedder.encode([headings[d] for d in text_score])
        heading_score = {d: float(np.dot(vector, h) / np.linalg.norm(vector) / np.linalg.norm(h))
                         for d, h in zip(text_score, heading_vectors, strict=True)}
        # The text before a document's first heading has no question of its own: its text alone.
        mean = {d: (text_score[d] + heading_score[d]) / 2 if " § " in sources[d] else text_score[d]
                for d in text_score}
        expected = sorted(mean, key=lambda d: -mean[d])[:3]
        assert [p.text for p in got] == expected, question
        assert [p.score for p in got] == pytest.approx([mean[d] for d in expected], abs=2e-3)


def test_a_question_finds_the_section_its_heading_asks(tmp_path: Path, embedder: Any) -> None:
    # The passage text alone puts "Which items cannot be returned?" first (it says "returned" and "gift
    # vouchers"); the heading "Can I return a gift I received?" is the question asked.
    index = _index(tmp_path, embedder, "policies_giftshop")
    index.index(Path("data/shops/giftshop/policies"))
    best = index.query("i got this as a present, can i take it back", k=1)[0]
    assert best.source.endswith("§ Can I return a gift I received?"), best.source


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


def test_a_topic_weighs_as_much_as_the_question(tmp_path: Path, embedder: Any) -> None:
    index = _index(tmp_path, embedder, "policies_giftshop")
    index.index(Path("data/shops/giftshop/policies"))
    question, topic = "whats your returns policy", "how long do I have to return an item"
    alone = {p.text: p.score for p in index.query(question, k=100)}
    with_topic = {p.text: p.score for p in index.query(f"{question} {topic}", k=100)}
    got = index.query(question, k=3, topic=topic)
    assert [p.score for p in got] == pytest.approx([(alone[p.text] + with_topic[p.text]) / 2 for p in got],
                                                   abs=2e-3)
    # The question alone names the returns documents as a whole; its topic says which section answers it.
    assert got[0].source.endswith("§ How long do I have to return an item?")
    assert not index.query(question, k=1)[0].source.endswith("§ How long do I have to return an item?")


def test_a_policy_turn_that_names_a_product_embeds_in_one_pass(giftshop_bot: Any, monkeypatch: Any) -> None:
    # "can i return a candle ...": the policy check and the answer's look-up (the question, and the question with
    # its intent's topic) embed three texts; one forward pass for them all, not one per look-up.
    embedder = giftshop_bot.dialog.service.policies.embedder
    passes: list[list[str]] = []
    real = type(embedder)._encode

    def counted(self: Any, texts: list[str], *args: Any) -> Any:
        passes.append(list(texts))
        return real(self, texts, *args)

    monkeypatch.setattr(type(embedder), "_encode", counted)
    embedder.clear_cache()
    reply = giftshop_bot.respond("can i return a candle i don't want?", session_id="one-pass-policy")
    assert reply.intent in ("get_refund", "check_refund_policy"), reply.intent
    assert "30 days" in reply.text, reply.text
    assert len(passes) == 1, passes
