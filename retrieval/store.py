"""The product store: products, their embeddings and hybrid search, in Chroma.

One Chroma collection per shop (``products_<shop>``, cosine space). Vectors are
always computed by our :class:`~retrieval.embeddings.Embedder` (Chroma's default
embedding function downloads a model, which fails offline).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from tqdm import tqdm

from cartwise.models import Product
from retrieval.embeddings import ChromaEmbeddingFunction, Embedder
from retrieval.errors import RetrievalError, StoreError
from retrieval.fusion import fuse_convex, fuse_rrf, pin
from retrieval.lexical import LexicalSnapshot
from retrieval.records import product_from_metadata, product_metadata
from retrieval.types import FusionMethod, IngestReport, SearchFilters, SearchHit, SearchMode

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

_COLLECTION_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")
_PAGE = 5000  # rows per Chroma get() when reading the whole collection


class ExactIndex(Protocol):
    """Exact (brute-force) vector search over the same products, e.g. ``ProductVectors``."""

    def __len__(self) -> int:
        ...

    def search_by_vector(
        self, vector: np.ndarray, k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        ...

    def get(self, ids: Sequence[str]) -> list[Product]:
        ...

    def embeddings(self, ids: Sequence[str]) -> np.ndarray:
        ...


class ProductStore:
    """Products of one shop in a Chroma collection, with dense, lexical and hybrid search.

    Args:
        client: a Chroma client (persistent or HTTP).
        embedder: computes product and query vectors.
        shop: shop name; the collection is ``products_<shop>``.
        location: where the data lives, for error messages (a directory or URL).
        create: create the collection when missing (ingest) instead of failing (search).
        alpha: weight of the dense score in hybrid fusion (lexical gets ``1 - alpha``).
        fusion: ``"convex"`` (normalised score blend) or ``"rrf"`` (reciprocal-rank fusion).
        pool: candidates taken from each of dense and lexical before fusion (at least ``k``).
    """

    def __init__(
        self,
        client: ClientAPI,
        embedder: Embedder,
        shop: str,
        *,
        location: str = "",
        create: bool = False,
        alpha: float = 0.7,
        fusion: FusionMethod = "convex",
        pool: int = 50,
        count_ttl_s: float = 0.0,
    ) -> None:
        self.client = client
        self.embedder = embedder
        self.shop = shop
        self.collection_name = f"products_{shop}"
        self.location = location
        self.create = create
        self.alpha = alpha
        self.fusion = fusion
        self.pool = pool
        self._collection: Collection | None = None
        self._lexical: LexicalSnapshot | None = None
        self.exact_index: ExactIndex | None = None
        self._stale_warned = False
        self.count_ttl_s = count_ttl_s
        self._counted: tuple[float, int] | None = None  # (monotonic time, count) last read by a query

    # ------------------------------------------------------------------ opening
    @classmethod
    def from_settings(
        cls, settings: Settings, *, embedder: Embedder | None = None, create: bool = False
    ) -> ProductStore:
        """Open the store of ``settings.shop``: a Chroma server when ``chroma_url`` is set, else a local directory.

        Args:
            settings: project settings.
            embedder: reuse an already loaded embedder (default: a new one from settings).
            create: create the directory/collection if missing (for ingest).

        Raises:
            StoreError: when the store is missing (and ``create`` is False), corrupted or unreachable.
        """
        embedder = embedder or Embedder.from_settings(settings)
        options: dict[str, Any] = {"alpha": settings.hybrid_alpha, "create": create,
                                   "count_ttl_s": settings.store_count_ttl_s}
        if settings.chroma_url:
            return cls.connect(settings.chroma_url, embedder, settings.shop, **options)
        return cls.open(settings.chroma_path_resolved, embedder, settings.shop, **options)

    @classmethod
    def open(cls, path: str | Path, embedder: Embedder, shop: str, **options: Any) -> ProductStore:
        """Open an embedded (on-disk) store at ``path``; see :class:`ProductStore` for ``options``."""
        path = Path(path)
        create = bool(options.get("create", False))
        if not create and not path.is_dir():
            raise StoreError(
                f"no product store at {path} for shop {shop!r}: run `cartwise ingest --shop {shop}` to build it"
            )
        if path.exists() and not path.is_dir():
            raise StoreError(f"Chroma path {path} is a file, not a directory: delete it and run `cartwise ingest`")
        try:
            client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        except Exception as exc:
            raise StoreError(
                f"the product store at {path} is corrupted or unreadable ({exc}): "
                f"delete {path} and re-run `cartwise ingest --shop {shop}`"
            ) from exc
        return cls(client, embedder, shop, location=str(path), **options)

    @classmethod
    def connect(cls, url: str, embedder: Embedder, shop: str, **options: Any) -> ProductStore:
        """Use a Chroma server at ``url`` (``http://host:port``); see :class:`ProductStore` for ``options``."""
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise StoreError(f"CARTWISE_CHROMA_URL {url!r} has no host; expected e.g. http://127.0.0.1:8000")
        ssl = parsed.scheme == "https"
        port = parsed.port or (443 if ssl else 8000)
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname, port=port, ssl=ssl, settings=ChromaSettings(anonymized_telemetry=False)
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {url} ({exc}): start it with "
                "`chroma run --path DIR --port PORT` or unset CARTWISE_CHROMA_URL to use a local directory"
            ) from exc
        return cls(client, embedder, shop, location=url, **options)

    @contextmanager
    def _chroma(self, action: str) -> Iterator[None]:
        # Chroma raises many exception types (sqlite, HNSW, HTTP); callers get one StoreError with a fix.
        try:
            yield
        except RetrievalError:
            raise
        except Exception as exc:
            raise StoreError(
                f"{action} failed on the product store {self.collection_name!r} at {self.location}: {exc}. "
                f"If the store is corrupted, delete {self.location} and re-run `cartwise ingest --shop {self.shop}`"
            ) from exc

    @property
    def collection(self) -> Collection:
        if self._collection is None:
            if not _COLLECTION_NAME.match(self.collection_name):
                raise StoreError(f"shop name {self.shop!r} is not usable: use letters, digits, '.', '_' or '-'")
            # Typed Any: Chroma annotates the parameter for text-or-image functions, ours embeds text only.
            ef: Any = ChromaEmbeddingFunction(self.embedder)
            with self._chroma("opening the collection"):
                if self.create:
                    self._collection = self.client.get_or_create_collection(
                        self.collection_name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=ef
                    )
                else:
                    names = {c.name for c in self.client.list_collections()}
                    if self.collection_name not in names:
                        raise StoreError(
                            f"no products for shop {self.shop!r} in {self.location}: "
                            f"run `cartwise ingest --shop {self.shop}` to build the store"
                        )
                    self._collection = self.client.get_collection(self.collection_name, embedding_function=ef)
        return self._collection

    def sibling_collection(self, name: str) -> Collection:
        """Another collection of texts in this store's Chroma (cosine space, embedded by our embedder, created if
        missing): the shop's policy passages live beside its products."""
        ef: Any = ChromaEmbeddingFunction(self.embedder)  # Any: see ``collection``
        with self._chroma(f"opening the collection {name!r}"):
            return self.client.get_or_create_collection(name, configuration={"hnsw": {"space": "cosine"}},
                                                        embedding_function=ef)

    # ------------------------------------------------------------------ writing
    def upsert(
        self,
        products: Sequence[Product],
        batch_size: int = 256,
        show_progress: bool = False,
        vectors: np.ndarray | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Add or update ``products`` by id, embedding only the new or changed ones.

        Re-running with the same products changes nothing; after an interrupted
        run, the batches already written are skipped (their content hash matches).

        The products to embed go through the model in one pass ordered by document length, so each
        forward batch pads to similar lengths (catalog order mixes 5-word titles with long
        descriptions); each batch is written to Chroma as soon as it is embedded.

        Args:
            products: products with unique ids.
            batch_size: products embedded and written per batch.
            show_progress: show a tqdm progress bar.
            vectors: precomputed unit-length vectors, one row per product (skips embedding;
                e.g. to copy a store), else each new or changed product is embedded.
            on_progress: called with the number of products handled after each batch (and once
                with the unchanged ones), for a caller's own progress display.

        Returns:
            Counts of added, updated and unchanged products.

        Raises:
            ValueError: if two products share an id.
        """
        ids = [p.id for p in products]
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})[:10]
            raise ValueError(f"duplicate product ids in one upsert: {dupes}; deduplicate first")
        if vectors is not None and len(vectors) != len(products):
            raise ValueError(f"got {len(vectors)} vectors for {len(products)} products; pass one row per product")
        start = time.perf_counter()
        model_id = self.embedder.model_id
        collection = self.collection
        old_hash: dict[str, Any] = {}
        for chunk in _chunks(ids):
            with self._chroma("reading stored hashes"):
                stored = collection.get(ids=chunk, include=["metadatas"])
            stored_metas = stored["metadatas"] or [{}] * len(stored["ids"])
            old_hash.update(
                (i, (m or {}).get("content_hash")) for i, m in zip(stored["ids"], stored_metas, strict=True)
            )
        metas = [product_metadata(p, model_id) for p in products]
        todo = [n for n, p in enumerate(products) if old_hash.get(p.id) != metas[n]["content_hash"]]
        documents = {n: products[n].document() for n in todo}
        todo.sort(key=lambda n: (len(documents[n]), n))
        updated = sum(1 for n in todo if products[n].id in old_hash)
        added = len(todo) - updated
        unchanged = len(products) - len(todo)
        def write(batch: list[int], texts: list[str], batch_vectors: np.ndarray) -> None:
            with self._chroma("writing products"):
                collection.upsert(
                    ids=[products[n].id for n in batch],
                    embeddings=batch_vectors,
                    documents=texts,
                    metadatas=[metas[n] for n in batch],
                )
            bar.update(len(batch))
            if on_progress is not None:
                on_progress(len(batch))

        # Chroma writes a batch (its HNSW insert runs outside the GIL) while the model embeds the next one;
        # one write in flight at a time keeps the batches in order, so an interrupted run resumes as before.
        with (
            tqdm(total=len(products), desc="embedding products", unit="product", disable=not show_progress) as bar,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-write") as writer,
        ):
            bar.update(unchanged)
            if on_progress is not None and unchanged:
                on_progress(unchanged)
            pending: Future[None] | None = None
            for offset in range(0, len(todo), batch_size):
                batch = todo[offset : offset + batch_size]
                texts = [documents[n] for n in batch]
                if vectors is None:
                    batch_vectors = self.embedder.encode(texts, batch_size=min(batch_size, 64))
                else:
                    batch_vectors = np.asarray(vectors[batch], dtype=np.float32)
                if pending is not None:
                    pending.result()
                pending = writer.submit(write, batch, texts, batch_vectors)
                self._lexical, self._counted = None, None
            if pending is not None:
                pending.result()
        seconds = time.perf_counter() - start
        return IngestReport(
            received=len(products), added=added, updated=updated, unchanged=unchanged, seconds=seconds
        )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove the given product ids (unknown ids are ignored)."""
        if ids:
            with self._chroma("deleting products"):
                self.collection.delete(ids=list(ids))
            self._lexical, self._counted = None, None

    def prune(self, keep_ids: Sequence[str]) -> int:
        """Delete every stored product whose id is not in ``keep_ids``; returns how many were deleted."""
        stale = sorted(set(self.all_ids()) - set(keep_ids))
        self.delete(stale)
        return len(stale)

    # ------------------------------------------------------------------ reading
    def count(self) -> int:
        """Number of stored products."""
        with self._chroma("counting products"):
            return int(self.collection.count())

    def _serving_count(self) -> int:
        # The count tells a query whether the in-memory index and the BM25 snapshot still match the store (a
        # re-ingest while serving). Asking Chroma costs ~3 ms, and a turn searches several times: a count read
        # within ``count_ttl_s`` is trusted (this store's own writes forget it at once).
        now = time.monotonic()
        if self._counted is not None and now - self._counted[0] < self.count_ttl_s:
            return self._counted[1]
        count = self.count()
        self._counted = (now, count)
        return count

    def all_ids(self) -> list[str]:
        """Every stored product id."""
        ids: list[str] = []
        for page_ids, _docs, _metas in self._pages(include=[]):
            ids.extend(page_ids)
        return ids

    def get(self, ids: Sequence[str]) -> list[Product]:
        """The stored products for ``ids``, in the order asked; unknown ids are left out."""
        if not ids:
            return []
        if self.exact_index is not None and (index := self._current_index(self._serving_count())) is not None:
            # The read snapshot the search ranks from (reloaded after a re-ingest): a dict look-up, where a Chroma
            # read costs about 1.3 ms of a turn.
            return index.get(ids)
        found: dict[str, Product] = {}
        # Chroma refuses a request naming an id twice (an order with two lines of one product did).
        for chunk in _chunks(list(dict.fromkeys(ids))):
            with self._chroma("reading products"):
                got = self.collection.get(ids=chunk, include=["metadatas"])
            found.update(
                (i, product_from_metadata(i, dict(m))) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
            )
        return [found[i] for i in ids if i in found]

    def all_products(self) -> list[Product]:
        """Every stored product (in storage order)."""
        products: list[Product] = []
        for page_ids, _docs, metas in self._pages(include=["metadatas"]):
            products.extend(product_from_metadata(i, dict(m)) for i, m in zip(page_ids, metas, strict=True))
        return products

    def embeddings(self, ids: Sequence[str]) -> np.ndarray:
        """Stored unit-length vectors of ``ids``, one row per id in the order asked.

        Raises:
            StoreError: if an id is not in the store.
        """
        if not ids:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        if self.exact_index is not None and (index := self._current_index(self._serving_count())) is not None:
            try:
                return index.embeddings(ids)
            except RetrievalError as exc:
                raise StoreError(f"product ids not in the store for shop {self.shop!r}: {exc}") from exc
        rows: dict[str, Any] = {}
        for chunk in _chunks(ids):
            with self._chroma("reading embeddings"):
                got = self.collection.get(ids=chunk, include=["embeddings"])
            vectors = got["embeddings"] if got["embeddings"] is not None else np.zeros((0, self.embedder.dimension))
            rows.update(zip(got["ids"], vectors, strict=True))
        missing = [i for i in ids if i not in rows]
        if missing:
            raise StoreError(f"product ids not in the store for shop {self.shop!r}: {missing[:10]}")
        return np.asarray([rows[i] for i in ids], dtype=np.float32)

    def _pages(self, include: list[Any]) -> Iterator[tuple[list[str], list[str], list[dict[str, Any]]]]:
        offset = 0
        while True:
            with self._chroma("reading the collection"):
                got = self.collection.get(include=include, limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            docs = list(got["documents"] or [""] * len(got["ids"]))
            metas = [dict(m) for m in (got["metadatas"] or [{}] * len(got["ids"]))]
            yield list(got["ids"]), docs, metas
            offset += len(got["ids"])

    # ------------------------------------------------------------------ search
    def search(
        self, query: str, k: int = 10, filters: SearchFilters | None = None, mode: SearchMode = "hybrid"
    ) -> list[SearchHit]:
        """Find the ``k`` products that best match ``query`` and satisfy ``filters``.

        In lexical and hybrid modes a product id written verbatim in the query
        (a stock code such as "85123A") ranks first.

        Args:
            query: free text, a product name or a stock code.
            k: number of hits wanted.
            filters: constraints every hit must satisfy.
            mode: ``"dense"`` (embeddings), ``"lexical"`` (BM25) or ``"hybrid"`` (both, fused).

        Returns:
            Hits best first (fewer than ``k`` when fewer products match).
        """
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"unknown search mode {mode!r}; use hybrid, dense or lexical")
        if k < 1 or not query.strip():
            return []
        if mode == "dense":
            return self.search_by_vector(self.embedder.encode([query])[0], k, filters)
        count = self._serving_count()
        snapshot = self._snapshot(count)
        reader = self._current_index(count) or self
        mask = snapshot.mask(filters)
        pinned = [i for i in snapshot.exact_ids(query) if mask is None or mask[snapshot.row_of[i]]]
        scores = snapshot.index.scores(query)
        lexical = dict(snapshot.index.top_from(scores, max(k, self.pool) if mode == "hybrid" else k, mask))
        lexical_by_id = {str(snapshot.ids[row]): s for row, s in lexical.items()}
        for i in pinned:
            lexical_by_id.setdefault(i, float(scores[snapshot.row_of[i]]))
        if mode == "lexical":
            fused = pin(lexical_by_id, pinned)
            ranked = sorted(fused, key=lambda i: (-fused[i], i))[:k]
            products = {p.id: p for p in reader.get(ranked)}
            return [SearchHit(product=products[i], score=fused[i], lexical=lexical_by_id[i]) for i in ranked]
        qvec = self.embedder.encode([query])[0]
        dense = self._dense(qvec, max(k, self.pool), filters, count)
        return self._fuse(qvec, dense, lexical_by_id, scores, snapshot, pinned, k, reader)

    def search_by_vector(
        self, vector: np.ndarray, k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Nearest products to ``vector`` by cosine similarity (dense only).

        Args:
            vector: a query or product vector of the model's dimension (need not be unit-length).
            k: number of hits.
            filters: constraints every hit must satisfy.
        """
        hits = self._dense(np.asarray(vector, dtype=np.float32), k, filters)
        return [SearchHit(product=p, score=s, dense=s) for p, s in hits]

    def use_exact_index(self, index: ExactIndex | None) -> ProductStore:
        """Answer dense queries and product reads from ``index``, an in-memory copy of this store's vectors.

        Chroma stays the store of record (ingest, the scale-out server, every other reader); the index is
        a read snapshot of it. Chroma's filtered HNSW queries are 13-31x slower than masking a numpy scan
        (docs/benchmarks.md) and nearly every shopping turn carries a filter (in stock, budget); an
        unfiltered query over a few thousand rows is a sub-millisecond matrix product. When the store's
        product count no longer matches the index (a re-ingest while serving) queries go back to Chroma
        until the index is reloaded.
        """
        self.exact_index = index
        self._stale_warned = False
        return self

    def _current_index(self, count: int) -> ExactIndex | None:
        index = self.exact_index
        if index is None:
            return None
        if len(index) != count:
            if not self._stale_warned:
                logger.warning(
                    "in-memory vector index holds %d products, the store %d: querying Chroma until it is reloaded",
                    len(index), count,
                )
                self._stale_warned = True
            return None
        return index

    def _dense(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None, count: int | None = None
    ) -> list[tuple[Product, float]]:
        if self.exact_index is not None:
            exact = self._current_index(self._serving_count() if count is None else count)
            if exact is not None:
                return [(h.product, h.dense) for h in exact.search_by_vector(vector, k, filters)]
        where = filters.to_where() if filters else None
        with self._chroma("searching"):
            result = self.collection.query(
                query_embeddings=vector.reshape(1, -1), n_results=k, where=where, include=["metadatas", "distances"]
            )
        ids = result["ids"][0]
        metas = (result["metadatas"] or [[]])[0]
        dists = (result["distances"] or [[]])[0]
        # Chroma's cosine distance is 1 - cosine similarity.
        return [
            (product_from_metadata(i, dict(m)), 1.0 - float(d)) for i, m, d in zip(ids, metas, dists, strict=True)
        ]

    def _fuse(
        self,
        qvec: np.ndarray,
        dense: list[tuple[Product, float]],
        lexical: dict[str, float],
        all_lexical: np.ndarray,
        snapshot: LexicalSnapshot,
        pinned: list[str],
        k: int,
        reader: ExactIndex | ProductStore,
    ) -> list[SearchHit]:
        dense_score = {p.id: s for p, s in dense}
        products = {p.id: p for p, _ in dense}
        lex_only = [i for i in lexical if i not in dense_score]
        if lex_only:
            # Exact dense scores for keyword-only candidates, so the blend compares like with like.
            sims = reader.embeddings(lex_only) @ qvec.astype(np.float32)
            dense_score.update(zip(lex_only, (float(s) for s in sims), strict=True))
            products.update({p.id: p for p in reader.get(lex_only)})
        # And exact BM25 scores for the dense-only candidates.
        lex_score = {i: lexical.get(i, _row_score(all_lexical, snapshot.row_of.get(i))) for i in products}
        ids = list(products)
        if self.fusion == "rrf":
            fused = fuse_rrf(ids, dense_score, lex_score)
        else:
            fused = fuse_convex(ids, dense_score, lex_score, self.alpha)
        fused = pin(fused, [i for i in pinned if i in fused])
        ranked = sorted(ids, key=lambda i: (-fused[i], -dense_score[i], i))[:k]
        return [
            SearchHit(product=products[i], score=fused[i], dense=dense_score[i], lexical=lex_score[i]) for i in ranked
        ]

    def _snapshot(self, count: int) -> LexicalSnapshot:
        if self._lexical is None or self._lexical.count != count:
            ids: list[str] = []
            texts: list[str] = []
            metas: list[dict[str, Any]] = []
            for page_ids, docs, page_metas in self._pages(include=["documents", "metadatas"]):
                ids.extend(page_ids)
                texts.extend(docs)
                metas.extend(page_metas)
            self._lexical = LexicalSnapshot.build(ids, texts, metas)
            logger.debug("built BM25 index over %d products", len(ids))
        return self._lexical


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    # One get() per _PAGE ids: Chroma binds every id as an SQL variable, and SQLite refuses more than 32766
    # (a 100k-product catalog failed to load before this).
    for start in range(0, len(ids), _PAGE):
        yield list(ids[start : start + _PAGE])


def _row_score(scores: np.ndarray, row: int | None) -> float:
    return 0.0 if row is None else float(scores[row])
