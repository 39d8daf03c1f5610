"""The one interface every reply generator implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from assistant.facts import ReplyFacts


@runtime_checkable
class ReplyGenerator(Protocol):
    """Turns the facts of one turn into the text the shopper reads.

    A generator may only state what is in ``facts``; it never looks anything up.
    """

    def generate(self, facts: ReplyFacts) -> str:
        """The whole reply.

        Args:
            facts: everything the reply may mention.

        Returns:
            Plain text with light Markdown.
        """
        ...

    def stream(self, facts: ReplyFacts) -> Iterator[str]:
        """The reply in chunks; ``"".join(stream(facts))`` equals what ``generate`` would return.

        Args:
            facts: everything the reply may mention.

        Yields:
            Consecutive pieces of the reply.
        """
        ...
