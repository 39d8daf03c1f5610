"""Catalog ingest, embeddings and the Chroma product store (plus ranking and bundles).

Names are re-exported lazily so that ``import retrieval`` (done by every
``cartwise`` command) does not import chromadb or torch until one is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retrieval.catalog import CatalogReader
    from retrieval.embeddings import ChromaEmbeddingFunction, Embedder
    from retrieval.errors import CatalogError, EmbeddingError, RetrievalError, StoreError
    from retrieval.lexical import Bm25Index, tokenize
    from retrieval.search_quality import QuerySet, evaluate
    from retrieval.store import ProductStore
    from retrieval.types import CatalogReadResult, IngestReport, RowError, SearchFilters, SearchHit, SearchMode
    from retrieval.validation import ColumnMapping

_EXPORTS = {
    "CatalogReader": "retrieval.catalog",
    "ChromaEmbeddingFunction": "retrieval.embeddings",
    "Embedder": "retrieval.embeddings",
    "CatalogError": "retrieval.errors",
    "EmbeddingError": "retrieval.errors",
    "RetrievalError": "retrieval.errors",
    "StoreError": "retrieval.errors",
    "Bm25Index": "retrieval.lexical",
    "tokenize": "retrieval.lexical",
    "QuerySet": "retrieval.search_quality",
    "evaluate": "retrieval.search_quality",
    "ProductStore": "retrieval.store",
    "CatalogReadResult": "retrieval.types",
    "IngestReport": "retrieval.types",
    "RowError": "retrieval.types",
    "SearchFilters": "retrieval.types",
    "SearchHit": "retrieval.types",
    "SearchMode": "retrieval.types",
    "ColumnMapping": "retrieval.validation",
}

__all__ = [
    "Bm25Index",
    "CatalogError",
    "CatalogReadResult",
    "CatalogReader",
    "ChromaEmbeddingFunction",
    "ColumnMapping",
    "Embedder",
    "EmbeddingError",
    "IngestReport",
    "ProductStore",
    "QuerySet",
    "RetrievalError",
    "RowError",
    "SearchFilters",
    "SearchHit",
    "SearchMode",
    "StoreError",
    "evaluate",
    "tokenize",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
