"""Cartwise core: settings, shared data models and the shop database.

`assistant/`, `retrieval/` and `finetune/` all build on this package; it
imports none of them.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
