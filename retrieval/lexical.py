"""BM25 keyword scoring over product documents.

Dense embeddings blur exact names and stock codes ("85123A", "regency
cakestand"); BM25 finds them. The index is a sparse document x term matrix of
precomputed BM25 weights, so scoring a query touches only the documents that
contain its terms (fast enough for 100k products, unlike a per-document loop).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse

from retrieval.types import SearchFilters

_TOKEN = re.compile(r"[a-z0-9]+")
# Candidate product codes in a query: runs of letters, digits, '-', '_' and '.'.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")
# Ids shorter than this are not looked up verbatim (a "10" in a query is a quantity, not a product).
MIN_CODE_LENGTH = 4

# Function words and shopper filler that would otherwise match half the catalog, and the personal pronouns of a
# request in a sentence: "something she can use at her desk" must not rank "Metal Sign Her Dinner Is Served" for
# its "her" (a title keeps its other words, so it is still found by them). Words that are also things ("can",
# "may") stay.
STOPWORDS = frozenset(
    """a an and are as at be by for from has have i in is it its me my of on or our please show some
    something that the their this to was we with you your want need looking look find buy get any
    under below over above less more than cheap cheaper
    he him his she her hers they them theirs""".split()
)


# The most letters a model code's prefix has before its number ("XB-33", "TX-SR393", "PS 5").
_CODE_LETTERS = 3


def _stem(token: str) -> str:
    # Plural folding only: "candles" -> "candle", "ornaments" -> "ornament", "berries" -> "berry".
    # Tokens with digits are codes or sizes and stay as they are.
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


# Words that say why a thing is bought, not what it is: "a gift for someone who loves music". Matched as keywords
# they rank gift cards and gift tape first; before the thing they describe ("gift card", "Gift Tape") they name it.
_PURPOSE_NOUNS = frozenset("gift gifts present presents pressie pressies".split())


def _names_a_purpose(tokens: Sequence[str], i: int) -> bool:
    """Whether ``tokens[i]`` is a purpose noun with no word after it that it describes (a stopword or the end)."""
    return tokens[i] in _PURPOSE_NOUNS and (i + 1 == len(tokens) or tokens[i + 1] in STOPWORDS)


def tokenize(text: str) -> list[str]:
    """Lowercase alphanumeric tokens with plurals folded and stopwords dropped.

    Adjacent words are also joined ("cake stand" -> "cakestand", "XB-33" -> "xb33") so compound
    spellings and model codes match either way and phrase matches score higher.

    Example:
        >>> tokenize("Regency Cake Stands, 85123A")
        ['regency', 'cake', 'stand', '85123a', 'regencycake', 'cakestand']
    """
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    raw = _TOKEN.findall(folded)
    words = [_stem(w) for i, w in enumerate(raw) if w not in STOPWORDS and not _names_a_purpose(raw, i)]
    # A model code's short letters and its number are one word typed either way ("XB-33" and "xb33", "PS 5").
    joined = [a + b for a, b in pairwise(words)
              if a.isalpha() and (b.isalpha() or (len(a) <= _CODE_LETTERS and b[:1].isdigit()))]
    return words + joined


class Bm25Index:
    """Okapi BM25 (Lucene-style idf, always positive) over a fixed list of documents.

    Args:
        weights: ``(n_docs, n_terms)`` sparse matrix of per-term BM25 weights.
        vocabulary: ``{term: column}``.
    """

    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int]) -> None:
        self.weights = weights
        self.vocabulary = vocabulary

    @classmethod
    def build(cls, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> Bm25Index:
        """Index ``texts`` (row ``i`` of every score vector is ``texts[i]``).

        Args:
            texts: the documents.
            k1: term-frequency saturation.
            b: length normalisation.
        """
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float64)
        for row, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[row] = sum(counts.values())
            for term, tf in counts.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                tfs.append(tf)
        n_docs = len(texts)
        shape = (n_docs, len(vocabulary))
        if not tfs:
            return cls(sparse.csc_matrix(shape, dtype=np.float32), vocabulary)
        row_idx = np.asarray(rows)
        col_idx = np.asarray(cols)
        tf_arr = np.asarray(tfs, dtype=np.float64)
        doc_freq = np.bincount(col_idx, minlength=len(vocabulary))
        idf = np.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
        avg_len = max(float(lengths.mean()), 1e-9)
        norm = k1 * (1.0 - b + b * lengths[row_idx] / avg_len)
        values = idf[col_idx] * tf_arr * (k1 + 1.0) / (tf_arr + norm)
        weights = sparse.csc_matrix((values.astype(np.float32), (row_idx, col_idx)), shape=shape)
        return cls(weights, vocabulary)

    @property
    def size(self) -> int:
        return int(self.weights.shape[0])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (each distinct query term counted once).

        Returns:
            ``(n_docs,)`` float32 array; 0 where no query term occurs.
        """
        columns = sorted({self.vocabulary[t] for t in tokenize(query) if t in self.vocabulary})
        if not columns:
            return np.zeros(self.size, dtype=np.float32)
        summed = self.weights[:, columns].sum(axis=1)
        return np.asarray(summed, dtype=np.float32).ravel()

    def top(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``k`` best-scoring document rows with a positive score.

        Args:
            query: the query text.
            k: how many rows at most.
            mask: optional boolean ``(n_docs,)`` array; rows where it is False are skipped.

        Returns:
            ``[(row, score)]`` best first.
        """
        return self.top_from(self.scores(query), k, mask)

    @staticmethod
    def top_from(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Like :meth:`top`, from a score vector already computed by :meth:`scores`."""
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(int(row), float(scores[row])) for row in order]


@dataclass(frozen=True)
class LexicalSnapshot:
    """A BM25 index of a store's products plus the fields lexical filtering needs.

    Row ``i`` of every array (and of :attr:`index`) is product ``ids[i]``.
    """

    count: int
    ids: np.ndarray
    index: Bm25Index
    price: np.ndarray
    category: np.ndarray
    brand: np.ndarray
    stock: np.ndarray
    on_offer: np.ndarray
    row_of: dict[str, int] = field(repr=False)
    id_key: dict[str, str] = field(repr=False)

    @classmethod
    def build(
        cls, ids: Sequence[str], documents: Sequence[str], metadatas: Sequence[Mapping[str, Any]]
    ) -> LexicalSnapshot:
        """Index ``documents`` (prefixed with their ids so stock codes are keywords too)."""
        texts = [f"{i} {doc}" for i, doc in zip(ids, documents, strict=True)]
        return cls(
            count=len(ids),
            ids=np.array(ids, dtype=object),
            index=Bm25Index.build(texts),
            price=np.array([float(m.get("price", 0.0)) for m in metadatas], dtype=np.float64),
            category=np.array([str(m.get("category", "")) for m in metadatas], dtype=object),
            brand=np.array([str(m.get("brand", "")) for m in metadatas], dtype=object),
            stock=np.array([int(m.get("stock", 0)) for m in metadatas], dtype=np.int64),
            on_offer=np.array([bool(m.get("discount", "")) for m in metadatas], dtype=bool),
            row_of={i: row for row, i in enumerate(ids)},
            id_key={i.lower(): i for i in ids if len(i) >= MIN_CODE_LENGTH},
        )

    def exact_ids(self, query: str) -> list[str]:
        """Product ids written verbatim in ``query`` (case-insensitive), e.g. a stock code "85123a"."""
        found = (self.id_key.get(token.lower()) for token in _CODE.findall(query))
        return list(dict.fromkeys(i for i in found if i is not None))

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Boolean row mask of the products that satisfy ``filters`` (``None`` = all)."""
        # Vectorised twin of SearchFilters.to_where(), so lexical hits obey the same filters as dense ones.
        if filters is None or filters.is_empty():
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.price_min is not None:
            keep &= self.price >= float(filters.price_min)
        if filters.price_max is not None:
            keep &= self.price <= float(filters.price_max)
        if filters.category is not None:
            keep &= self.category == filters.category
        if filters.categories is not None:
            keep &= np.isin(self.category, list(filters.categories))
        if filters.in_stock is not None:
            keep &= (self.stock > 0) == filters.in_stock
        if filters.on_offer is not None:
            keep &= self.on_offer == filters.on_offer
        if filters.brand is not None:
            keep &= self.brand == filters.brand
        if filters.brands is not None:
            keep &= np.isin(self.brand, list(filters.brands))
        if filters.exclude_ids:
            keep &= ~np.isin(self.ids, list(filters.exclude_ids))
        return keep
