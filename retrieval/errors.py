"""Exceptions raised by the ``retrieval`` package.

Every error names what was wrong, the value received and how to fix it.
"""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class for every error raised by :mod:`retrieval`."""


class CatalogError(RetrievalError):
    """A catalog file cannot be read at all (missing, wrong format, bad column mapping)."""


class EmbeddingError(RetrievalError):
    """The embedding model cannot be loaded or used."""


class StoreError(RetrievalError):
    """The product store is missing, corrupted or unreachable."""
