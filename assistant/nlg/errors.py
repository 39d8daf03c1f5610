"""Errors raised by the reply generators."""

from __future__ import annotations


class NLGError(Exception):
    """Base class for reply-generation errors (a model that cannot be found or loaded, a bad setting)."""
