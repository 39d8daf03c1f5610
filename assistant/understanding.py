"""What one message means: the intent model's answer plus the slots, with the
few rules that the model alone gets wrong in a multi-turn conversation
(short follow-ups like "cheaper" or "the second one" only mean something
because of what was shown before)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from assistant.state import DialogState

_REFINE = re.compile(
    r"^\s*(?:(?:something|anything|any|one|ones|show me|got|have you got)\s+)*"
    r"(?:cheaper|less expensive|more expensive|pricier|bigger|smaller|larger|in (?:a |the )?\w+|"
    r"(?:under|below|less than|max|up to)\s+\S+|(?:more|others?) like (?:the|that|this) .*|similar.*)"
    r"(?:\s+(?:one|ones|please|pls|then|instead))*\s*[?.!]*\s*$",
    re.I,
)
_BUNDLE_EDIT = re.compile(r"^\s*(?:please\s+)?(add|put|include|throw in|remove|drop|take out|delete|swap|no more)\b", re.I)
_BUNDLE_WORDS = re.compile(
    r"\b(bundles?|everything (?:i need |you need )?for|all i need for|goes? with|go together|to go with|put together|"
    r"gift sets?|hampers?|starter kit|complete (?:set|setup|look)|frequently bought|bought together|"
    r"what else (?:do i need|should i get)|set ?up for)\b", re.I)
_SHOPPING = frozenset({"search_product", "refine_search", "product_info", "compare_products", "build_bundle",
                       "out_of_scope", "place_order"})
_ANGRY = re.compile(
    r"\b(useless|ridiculous|terrible|awful|worst|disgusting|furious|angry|unacceptable|scam|rubbish|"
    r"fed up|sick of|waste of time|never again|appalling)\b", re.I)


def is_cjk_heavy(text: str) -> bool:
    """True when most letters are CJK: the English models can't read it."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    cjk = sum(1 for ch in letters if unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")))
    return cjk / len(letters) > 0.5


@dataclass
class Understanding:
    intent: str
    confidence: float
    top: list[tuple[str, float]]
    confident: bool
    slots: Any  # assistant.slots.Slots
    bundle_edit: str | None = None  # "add" / "remove"
    angry: bool = False
    notes: list[str] = field(default_factory=list)


def adjust_for_context(u: Understanding, text: str, state: DialogState) -> Understanding:
    """Context rules on top of the model's intent.

    * A short refinement ("cheaper", "in blue") after results is ``refine_search``.
    * "add …"/"remove …" while a bundle is open edits the bundle.
    * An order number alone, for a signed-in shopper, is an order-status question.
    """
    edit = _BUNDLE_EDIT.match(text)
    if edit and state.bundle is not None:
        u.bundle_edit = "remove" if edit.group(1).lower() in {"remove", "drop", "take out", "delete", "no more"} else "add"
        u.intent, u.confident = "build_bundle", True
        u.notes.append("bundle edit")
    elif state.shown_ids and _REFINE.match(text) and u.intent not in {"track_order", "cancel_order"}:
        u.intent, u.confident = "refine_search", True
        u.notes.append("refinement of shown results")
    elif state.shown_ids and getattr(u.slots, "reference_index", None) and u.intent in _SHOPPING \
            and not re.search(r"\b(like|similar|compare|versus|vs|and the)\b", text, re.I) and len(text.split()) <= 8:
        u.intent, u.confident = "product_info", True
        u.notes.append("reference to a shown product")
    elif _BUNDLE_WORDS.search(text) and u.intent in _SHOPPING:
        u.intent, u.confident = "build_bundle", True
        u.notes.append("bundle wording")
    if getattr(u.slots, "order_id", None) and re.fullmatch(r"\s*(?:order\s*)?#?\s*C?\d{5,15}\s*[?.!]*\s*", text, re.I):
        u.intent, u.confident = "track_order", True
    u.angry = bool(_ANGRY.search(text)) or (sum(1 for ch in text if ch == "!") >= 3 and u.intent == "complaint")
    return u
