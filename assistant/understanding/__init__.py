"""Understanding: one message and the screen it was sent from, in; a typed :class:`Understanding`, out."""

from __future__ import annotations

from assistant.understanding.catalog import CatalogVocabulary
from assistant.understanding.slots import SlotExtractor, Slots
from assistant.understanding.types import Role, Screen, Understanding
from assistant.understanding.understander import CatalogCheck, ProblemReader, Understander

__all__ = ["CatalogCheck", "CatalogVocabulary", "ProblemReader", "Role", "Screen", "SlotExtractor", "Slots",
           "Understander", "Understanding"]
