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
_REBUDGET = re.compile(
    r"\b(cheaper|less expensive|lower (?:the )?(?:price|total|budget)|under|below|less than|within|max(?:imum)?|"
    r"budget|up to|no more than)\b", re.I)
_BUNDLE_EDIT = re.compile(
    r"^\s*(?:please\s+)?(add|put|include|throw in|remove|drop|take out|delete|swap|replace|switch|"
    r"no more)\b", re.I
)
# "does it come in 55 inch?", "do you have this in blue?", "is there a smaller version?": the same thing, varied.
_VARIANT = re.compile(r"\b(?:come|comes|available|have|has|got|stock|sell|make|is there|are there|any)\b.*"
                      r"\b(?:in|version|model|one)\b", re.I)
_REMOVE_VERBS = {"remove", "drop", "take out", "delete", "no more"}
_SWAP_VERBS = {"swap", "replace", "switch"}
_BUNDLE_WORDS = re.compile(
    r"\b(bundles?|everything (?:i need |you need )?for|all i need for|goes? with|go together|to go with|put together|"
    r"gift sets?|hampers?|starter kit|complete (?:set|setup|look)|frequently bought|bought together|"
    r"what else (?:do i need|should i get)|set ?up for)\b", re.I)
_SHOPPING = frozenset({"search_product", "refine_search", "product_info", "compare_products", "build_bundle",
                       "out_of_scope", "place_order"})
_HUMAN = re.compile(
    r"\b(real person|a human|human being|an agent|live agent|representative|operator|someone real|"
    r"speak to (?:a|someone|somebody)|talk to (?:a|someone|somebody)|a person|your manager)\b", re.I)
# Policy questions that mention a product ("can I return a TV?") confuse the model toward search.
_POLICY_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(can i|could i|how do i|how to|do you)\b.*\b(return|send (?:it|this|them) back|exchange|"
                r"refund)\b|"
                r"\b(returns?|refunds?) (?:policy|window)\b", re.I), "check_refund_policy"),
    (re.compile(r"\b(how long|how many days|when will|when does|how soon)\b.*\b(deliver|delivery|ship|shipping|arrive)",
                re.I), "delivery_period"),
    (re.compile(r"\b(do you|can you|what|which)\b.*\b(ship|deliver|delivery|postage|shipping)\b", re.I),
     "delivery_options"),
    (re.compile(r"\b(can i|do you|which|what)\b.*\b(pay|payment|paypal|credit card|debit card|klarna|apple pay)\b",
                re.I), "check_payment_methods"),
)
# A general how-to question ("how do I get a refund?") wants the policy, not a particular order.
_HOWTO = re.compile(
    r"^\s*(?:how (?:do|can|long|does)|can i|could i|do you|is it possible|what(?:'s| is) (?:the|your))\b", re.I
)
# "what was in it?" after an order was shown: that order's lines.
_ORDER_FOLLOW_UP = re.compile(
    r"\b(what (?:was|is|were|'s) in (?:it|that|this|there)|what did i (?:order|buy|get)|which items|"
    r"what items|contents|the items)\b", re.I)
_ORDER_ACTS = frozenset({"order_list", "order_status", "order_action"})
_ANGRY = re.compile(
    r"\b(useless|ridiculous|terrible|awful|worst|disgusting|furious|angry|unacceptable|scam|rubbish|"
    r"fed up|sick of|waste of time|never again|appalling)\b", re.I)


_TAG = re.compile(r"<[^<>]{0,300}>")


def has_bundle_wording(text: str) -> bool:
    """True when the message asks for a set of things ("a bundle", "everything for", "goes with")."""
    return bool(_BUNDLE_WORDS.search(text))


def strip_markup(text: str) -> str:
    """The message without HTML tags: markup is never part of what the shopper wants."""
    return " ".join(_TAG.sub(" ", text).split())


def is_cjk_heavy(text: str) -> bool:
    """True when most letters are CJK: the English models can't read it."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    cjk = sum(1 for ch in letters if unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")))
    return cjk / len(letters) > 0.5


# Frequent function words of the languages shoppers most often try; none of them is an English word
# (words shared with English, like "a", "me", "no", "son", are left out).
_FOREIGN_WORDS = frozenset("""
    el los las una para por con necesito quiero busco regalo madre padre hola gracias dónde donde está esta
    pedido cuánto cuesta tienen también muy pero como qué
    les une pour avec je veux besoin cadeau mère père bonjour merci où est commande combien vous avez aussi
    très mais comme quel quelle
    ich der die das ein eine für mein meine und mit brauche möchte suche geschenk mutter vater hallo danke wo
    ist bestellung wie viel kostet haben auch sehr aber
    per una voglio cerco regalo madre padre ciao grazie dove ordine quanto costa avete anche molto
    um uma para com preciso quero presente mãe pai olá obrigado onde encomenda quanto custa vocês também
    een voor mijn ik wil zoek cadeau moeder vader hallo bedankt waar bestelling hoeveel kost jullie ook heel
""".split())
_ENGLISH_WORDS = frozenset("""
    the a an for my i to and of is you me with what where how want need looking show find under gift buy order
    it this that do can please any some have has are was be in on at or not
""".split())


def is_foreign_language(text: str) -> bool:
    """True when a Latin-script message reads as another language ("necesito un regalo para mi madre")."""
    # Whole words only: "EL0001" is a product id, not the Spanish "el".
    words = re.findall(r"(?<!\w)[^\W\d_]+(?!\w)", text.lower())
    if len(words) < 2:
        return False
    foreign = sum(1 for w in words if w in _FOREIGN_WORDS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    return foreign >= 2 and foreign > english and foreign / len(words) >= 0.3


@dataclass
class Understanding:
    intent: str
    confidence: float
    top: list[tuple[str, float]]
    confident: bool
    slots: Any  # assistant.slots.Slots
    bundle_edit: str | None = None  # "add" / "remove" / "swap" / "rebudget"
    angry: bool = False
    notes: list[str] = field(default_factory=list)


def adjust_for_context(u: Understanding, text: str, state: DialogState) -> Understanding:
    """Context rules on top of the model's intent.

    * A short refinement ("cheaper", "in blue") after results is ``refine_search``.
    * "add …"/"remove …" while a bundle is open edits the bundle.
    * An order number alone, for a signed-in shopper, is an order-status question.
    """
    edit = _BUNDLE_EDIT.match(text)
    policy = next((intent for pattern, intent in _POLICY_HINTS if pattern.search(text)), None)
    if _HUMAN.search(text):
        u.intent, u.confident = "contact_human_agent", True
        u.notes.append("asked for a person")
    elif policy and (u.intent in _SHOPPING or (_HOWTO.search(text) and not getattr(u.slots, "order_id", None))):
        u.intent, u.confident = policy, True
        u.notes.append("policy question")
    elif state.last_act in _ORDER_ACTS and _ORDER_FOLLOW_UP.search(text) and not getattr(u.slots, "order_id", None):
        u.intent, u.confident = "track_order", True
        u.notes.append("order follow-up")
    elif state.bundle is not None and state.last_act == "show_bundle" and _REBUDGET.search(text) \
            and not getattr(u.slots, "product_type", None) and not edit:
        u.bundle_edit, u.intent, u.confident = "rebudget", "build_bundle", True
        u.notes.append("new budget for the bundle")
    elif edit and state.bundle is not None:
        verb = edit.group(1).lower()
        u.bundle_edit = "remove" if verb in _REMOVE_VERBS else "swap" if verb in _SWAP_VERBS else "add"
        u.intent, u.confident = "build_bundle", True
        u.notes.append("bundle edit")
    elif state.shown_ids and _REFINE.match(text) and u.intent not in {"track_order", "cancel_order"}:
        u.intent, u.confident = "refine_search", True
        u.notes.append("refinement of shown results")
    elif state.shown_ids and (getattr(u.slots, "colour", None) or getattr(u.slots, "size", None)) \
            and not getattr(u.slots, "product_type", None) and _VARIANT.search(text) and u.intent in _SHOPPING:
        u.intent, u.confident = "refine_search", True
        u.notes.append("the shown products in another colour or size")
    elif state.shown_ids and getattr(u.slots, "reference_index", None) and u.intent in _SHOPPING \
            and not re.search(r"\b(like|similar|compare|versus|vs|and the)\b", text, re.I) and len(text.split()) <= 8 \
            and not _BUNDLE_WORDS.search(text):
        u.intent, u.confident = "product_info", True
        u.notes.append("reference to a shown product")
    elif _BUNDLE_WORDS.search(text) and (u.intent in _SHOPPING or (
            u.confidence < 0.6 and not getattr(u.slots, "order_id", None))):
        u.intent, u.confident = "build_bundle", True
        u.notes.append("bundle wording")
    elif u.intent == "build_bundle" and ((u.confidence < 0.6 and not getattr(u.slots, "occasion", None))
                                         or (getattr(u.slots, "product_type", None) and u.confidence < 0.9)):
        # "a gift for my mum under £20" is a search; a bundle needs bundle words, a theme or a sure model.
        u.intent = "search_product"
        u.notes.append("no bundle wording")
    if getattr(u.slots, "order_id", None) and (u.intent in _SHOPPING or re.fullmatch(
            r"\s*(?:order\s*)?#?\s*C?\d{5,15}\s*[?.!]*\s*", text, re.I)):
        # An order number is about an order, whatever else the message says.
        u.intent, u.confident = "track_order", True
    u.angry = bool(_ANGRY.search(text)) or (sum(1 for ch in text if ch == "!") >= 3 and u.intent == "complaint")
    return u
