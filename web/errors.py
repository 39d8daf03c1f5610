"""The one base exception of the ``web`` package."""

from __future__ import annotations


class WebError(Exception):
    """Base class for errors raised by the web layer (bad configuration, unusable secret...)."""
