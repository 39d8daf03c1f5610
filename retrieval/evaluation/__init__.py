"""Offline evaluation of recommendations on real purchases (``cartwise eval recommend``)."""

from __future__ import annotations
