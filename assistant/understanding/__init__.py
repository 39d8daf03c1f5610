"""Understanding: one message and the screen it was sent from, in; a typed :class:`Understanding`, out."""

from __future__ import annotations

from assistant.types import Role, Screen, Slots, Understanding
from assistant.understanding.catalog import CatalogVocabulary
from assistant.understanding.slots import SlotExtractor
from assistant.understanding.understander import CatalogCheck, PolicyCheck, ProblemReader, Understander

__all__ = ["CatalogCheck", "CatalogVocabulary", "PolicyCheck", "ProblemReader", "Role", "Screen", "SlotExtractor",
           "Slots", "Understander", "Understanding"]
