"""Date formatting shared by the templates, the prompt and the grounding check (money: :mod:`cartwise.currency`)."""

from __future__ import annotations

from datetime import date, datetime


def format_date(when: datetime | date) -> str:
    """A date the way replies show it: "9 December 2011"."""
    return f"{when.day} {when:%B %Y}"
