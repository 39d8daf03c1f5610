"""Exceptions raised by the ``assistant`` package.

Every error names what was wrong, the value received and how to fix it.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class for every error raised by :mod:`assistant`."""


class VocabularyError(AssistantError, ValueError):
    """A shop vocabulary (category synonyms, brands, lexicon file) is malformed or missing."""


class SlotInputError(AssistantError, TypeError):
    """The slot extractor was given something that is not a message string."""


class SharedStateError(AssistantError, RuntimeError):
    """The shared-state service (Redis) is misconfigured or unreachable; the message names the setting."""


class LockError(AssistantError, TimeoutError):
    """A turn waited too long for the turn before it in the same conversation (see ``CARTWISE_LOCK_WAIT_S``)."""
