"""The shop's policy documents, split into passages and indexed in Chroma.

Each ``##`` section of a Markdown file in the shop folder's ``policies/`` is one
passage, cited as "<document title> § <section heading>". Answers quote the
best passages; below ``min_score`` nothing is said to answer the question.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.facts import PolicyPassage
from assistant.protocols import Embedder
from assistant.types import Intent

logger = logging.getLogger(__name__)

# What each customer-service intent asks of the policy documents: the topic an answer's look-up pairs with the
# shopper's words (:meth:`PolicyIndex.query`).
POLICY_QUERIES: dict[Intent, str] = {
    Intent.check_refund_policy: "how long do I have to return an item",
    Intent.get_refund: "how long do I have to return an item for a refund",
    Intent.track_refund: "how long does a refund take",
    Intent.check_cancellation_fee: "cancellation fee",
    Intent.cancel_order: "how to cancel an order",
    Intent.change_order: "change an order after placing it",
    Intent.delivery_options: "shipping options and prices",
    Intent.delivery_period: "delivery times how long shipping takes",
    Intent.check_payment_methods: "accepted payment methods",
    Intent.payment_issue: "payment failed problem with payment",
    Intent.check_invoice: "invoices",
    Intent.get_invoice: "get a copy of my invoice",
    Intent.create_account: "create an account",
    Intent.delete_account: "delete my account and data",
    Intent.edit_account: "change account details",
    Intent.recover_password: "forgot password reset",
    Intent.registration_problems: "problems registering an account",
    Intent.switch_account: "switch between accounts",
    Intent.newsletter_subscription: "newsletter subscribe unsubscribe",
    Intent.change_shipping_address: "change the shipping address of an order",
    Intent.set_up_shipping_address: "add a shipping address",
    Intent.place_order: "how to place an order",
    Intent.review: "leave a review feedback",
    Intent.complaint: "complaints",
    Intent.contact_customer_service: "contact customer service opening hours",
}


def with_topic(question: str, topic: str) -> str:
    """The text :meth:`PolicyIndex.query` embeds for ``question`` read as about ``topic``."""
    return f"{question} {topic}"


_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")


@dataclass(frozen=True)
class PolicySection:
    id: str
    source: str
    text: str


def split_policy(path: Path) -> list[PolicySection]:
    """Split one Markdown policy into its ``##`` sections (the intro before them is one too)."""
    title = path.stem.replace("_", " ").capitalize()
    sections: list[PolicySection] = []
    heading, lines = "", list[str]()

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-") or "intro"
            source = f"{title} § {heading}" if heading else title
            sections.append(PolicySection(id=f"{path.stem}#{slug}", source=source, text=body))

    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            title = match.group(2).strip()
            continue
        if match:
            flush()
            heading, lines = match.group(2).strip(), []
            continue
        lines.append(line)
    flush()
    return sections


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    unit: np.ndarray = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return unit


class PolicyIndex:
    """Policy passages of one shop in a vector collection (Chroma's ``policies_<shop>``, opened by the wiring).

    Args:
        open_collection: opens the shop's policy collection (a Chroma collection with cosine space), called on
            first use.
        embedder: the shared sentence embedder, for passages and questions.
        min_score: cosine similarity below which a passage is not an answer.
    """

    def __init__(self, open_collection: Callable[[], Any], embedder: Embedder, min_score: float = 0.35) -> None:
        self.open_collection = open_collection
        self.embedder = embedder
        self.min_score = min_score
        self._collection: Any = None
        self._passages: tuple[np.ndarray, list[PolicyPassage]] | None = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self.open_collection()
        return self._collection

    def index(self, folder: Path) -> int:
        """(Re)index every ``*.md`` in ``folder``; passages that vanished are removed. Returns the count."""
        sections = [s for path in sorted(folder.glob("*.md")) if path.name.lower() != "readme.md"
                    for s in split_policy(path)]
        if not sections:
            logger.warning("no policy documents in %s", folder)
        ids = [s.id for s in sections]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate section headings in {folder}: {sorted(i for i in ids if ids.count(i) > 1)}")
        digest = {s.id: hashlib.sha256(s.text.encode()).hexdigest() for s in sections}
        existing = self.collection.get(include=["metadatas"])
        stale = [i for i, m in zip(existing["ids"], existing["metadatas"] or [], strict=False)
                 if i not in digest or (m or {}).get("hash") != digest[i]]
        if stale:
            self.collection.delete(ids=stale)
        self._passages = None  # read again from the collection on the next question
        have = set(existing["ids"]) - set(stale)
        new = [s for s in sections if s.id not in have]
        if new:
            vectors = self.embedder.encode([f"{s.source}. {s.text}" for s in new])
            self.collection.upsert(
                ids=[s.id for s in new], embeddings=[v for v in vectors], documents=[s.text for s in new],
                metadatas=[{"source": s.source, "hash": digest[s.id]} for s in new],
            )
        return len(sections)

    def count(self) -> int:
        return int(self.collection.count())

    def warm_up(self) -> PolicyIndex:
        """Read the passages and embed their headings now (about 100 ms), not on a shopper's first question."""
        self._loaded()
        return self

    def _loaded(self) -> tuple[np.ndarray, list[PolicyPassage]]:
        # A shop's policies are tens of passages: held as one matrix, a question costs a product, not a Chroma
        # query (half of a policy turn's time). Policies change only with a rebuild, which makes a new index.
        if self._passages is None:
            got = self.collection.get(include=["documents", "metadatas", "embeddings"])
            vectors = np.asarray(got["embeddings"] if got["embeddings"] is not None else [], dtype=np.float32)
            passages = [PolicyPassage(source=str((m or {}).get("source", "")), text=str(d), score=0.0)
                        for d, m in zip(got["documents"] or [], got["metadatas"] or [], strict=True)]
            if len(passages):
                # A section's heading is a shopper's question ("Do you ship worldwide?"), which a question
                # resembles more than it resembles the answer's text: a passage scores the mean of the question's
                # cosine to its text and to its heading (one matrix, as the mean of two dot products is one).
                # The text before a document's first heading has no question; it scores by its text alone.
                vectors = _unit_rows(vectors)
                questions = [i for i, p in enumerate(passages) if p.heading != p.source]
                if questions:
                    headings = self.embedder.encode([passages[i].heading for i in questions])
                    vectors[questions] = (vectors[questions] + _unit_rows(np.asarray(headings, dtype=np.float32))) / 2
            self._passages = (vectors, passages)
        return self._passages

    def _similarities(self, *texts: str) -> tuple[np.ndarray, list[PolicyPassage]]:
        """Every passage's cosine similarity to each of ``texts`` (one row per text, embedded in one pass), and
        the passages (none for an empty text)."""
        vectors, passages = self._loaded()
        if not passages or not all(t.strip() for t in texts):
            return np.zeros((len(texts), 0), dtype=np.float32), []
        asked = _unit_rows(np.asarray(self.embedder.encode(list(texts)), dtype=np.float32))
        return asked @ vectors.T, passages

    def best_score(self, text: str) -> float:
        """The closest passage's cosine similarity to ``text`` (0.0 for none), whatever ``min_score`` says."""
        scores, _ = self._similarities(text)
        return float(scores[0].max()) if scores.shape[1] else 0.0

    def query(self, question: str, k: int = 2, topic: str = "") -> list[PolicyPassage]:
        """The best passages for ``question`` that clear ``min_score`` (maybe none).

        ``topic``: what the question is understood to be about (an intent's stock phrase, "how long do I have to
        return an item"). A passage then scores the mean of its similarity to the question and to the question
        with the topic: "whats your returns policy" needs the topic to reach the 30-day window, and "why is there a
        pending charge on my card" keeps its own words' passage ("When will I be charged?"), which the topic alone
        ("payment failed") outweighed.
        """
        texts = (question, with_topic(question, topic)) if topic else (question,)
        rows, passages = self._similarities(*texts)
        scores = rows.mean(axis=0) if len(passages) else np.zeros(0, dtype=np.float32)
        best = np.argsort(-scores, kind="stable")[:k]
        return [passages[i].model_copy(update={"score": round(float(scores[i]), 3)})
                for i in best if float(scores[i]) >= self.min_score]
