"""What the intent model sees of the conversation: the assistant's previous act, as words before the message.

A short follow-up means different things after different replies: "cheaper" after a list of products
refines the search, after a bundle it edits the bundle; "what's in it?" after an order asks for its
lines. Training examples and served predictions both go through :func:`model_input`, so the model
learns each message together with what was on the shopper's screen.

Example:
    >>> model_input("cheaper", TurnContext.bundle)
    '[after a bundle] cheaper'
    >>> model_input("where is my order?", TurnContext.none)
    'where is my order?'
"""

from __future__ import annotations

from enum import Enum
from typing import Final


class TurnContext(str, Enum):
    """What the assistant's previous reply put on the screen."""

    none = "none"  # nothing yet, or small talk
    products = "products"  # a list of products
    product = "product"  # one product's details
    bundle = "bundle"  # a bundle of products
    order = "order"  # one of the shopper's orders (or the list of them)
    clarify = "clarify"  # a question back to the shopper ("who is it for?")
    policy = "policy"  # a policy answer


_PHRASES: Final[dict[TurnContext, str]] = {
    TurnContext.products: "after a list of products",
    TurnContext.product: "after one product",
    TurnContext.bundle: "after a bundle",
    TurnContext.order: "after an order",
    TurnContext.clarify: "after a question",
    TurnContext.policy: "after a policy answer",
}


def model_input(message: str, context: TurnContext | str = TurnContext.none) -> str:
    """The text the intent model classifies: the context in brackets, then the message.

    A first message (``none``) is the message alone, so single-turn data needs no rewriting.

    Raises:
        ValueError: for a context name that is not a :class:`TurnContext`.
    """
    ctx = TurnContext(context)
    phrase = _PHRASES.get(ctx)
    return f"[{phrase}] {message}" if phrase else message


def split_model_input(text: str) -> tuple[TurnContext, str]:
    """The inverse of :func:`model_input` (for reports): ``(context, message)``."""
    for ctx, phrase in _PHRASES.items():
        prefix = f"[{phrase}] "
        if text.startswith(prefix):
            return ctx, text[len(prefix):]
    return TurnContext.none, text
