"""Builders for the bundled demo shops (giftshop, electronics)."""

from __future__ import annotations
