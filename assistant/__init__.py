"""The assistant: understands a message, decides what to do, answers from the shop's data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.reply import BundleItem, Reply, ShownBundle, ShownProduct

if TYPE_CHECKING:
    from assistant.assistant import Assistant

__all__ = ["Assistant", "BundleItem", "Reply", "ShownBundle", "ShownProduct"]


def __getattr__(name: str) -> Any:
    # Lazy so that `import assistant` (the CLI does) doesn't load torch and the models' code.
    if name == "Assistant":
        from assistant.assistant import Assistant

        return Assistant
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
