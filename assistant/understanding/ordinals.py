"""References to products already shown: "the second one", "number 3", "that cake stand", "it"."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.understanding.tokens import Token, join_tokens
from assistant.understanding.vocab import COLOURS, wordset

_BETWEEN_STOP = wordset("and or of the for to in on at with under over from by is are a an per than please")

REF_NOUNS = wordset(
    """
    one ones option item product choice result suggestion pick link listing recommendation bundle idea
"""
)
_REF_FOLLOW_OK = frozenset(
    """
    please pls thanks thank is looks sounds seems and or but for in from on you that i would will with instead then
    again was too actually it you mentioned showed listed looked better best
""".split()
)
_DETERMINERS = frozenset({"the", "that", "this", "your"})
_DEMONSTRATIVES = frozenset({"that", "this", "those", "these"})
_PRONOUN_VERBS = frozenset(
    """
    add buy get take order want like love choose pick reserve exchange swap show see send grab try compare keep prefer
    put purchase book bought ordered purchased
""".split()
)
_PRONOUNS = frozenset({"it", "them", "that", "this", "those", "these", "they"})
# "a bundle with it", "what goes around that", "tell me about it", "what could i put in them": the pronoun is a
# shown product.
_PRONOUN_PREPS = frozenset({"with", "around", "about", "of", "in", "inside", "into", "match", "matches", "complement",
                            "complements"})
# "is it in stock", "does it come in red", "how much is that": questions about a product.
# ("is it possible", "what time is it", "does it take long" are not.)
_BE = frozenset({"is", "are", "was", "isnt", "arent"})
_DO = frozenset({"does", "do", "will", "can", "would", "could", "did", "doesnt", "dont", "wont", "cant"})
_BE_PREDICATES = frozenset(
    """
    available on any good suitable compatible waterproof dishwasher microwave machine real handmade big small
    large heavy light still out back cheaper expensive new refurbished wireless under over a an the made safe
    sturdy strong genuine original boxed wrapped gift durable comfortable washable
""".split()
)
_DO_PREDICATES = frozenset(
    """
    come have fit work include ship charge support connect hold last run play arrive fold open stand
""".split()
)
_MONTHS = frozenset(
    """
    january february march april may june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec
""".split()
)
_NUMBER_REF_PREV = frozenset({"number", "option", "item", "choice", "result", "pick", "#"})
_NUMBER_REF_NOT_AFTER = wordset(
    """
    order phone tracking house account invoice model case reference page
"""
)


def find_reference(
    tokens: Sequence[Token], ordinals: Sequence[tuple[int, int, int]], product_spans: Sequence[tuple[int, int]]
) -> tuple[int | None, str | None]:
    """A reference to a product already shown: "the second one", "number 3", "that cake stand", "it".

    Args:
        tokens: the message's tokens.
        ordinals: ``(first, last, index)`` of each ordinal word found ("second" -> 2, "last" -> -1).
        product_spans: ``(first, last)`` token spans of product phrases.

    Returns:
        ``(reference_index, reference_text)``; the index is 1-based (-1 = last) and None when
        the reference names no position.
    """
    words = [t.text for t in tokens]
    starts = {first: last for first, last in product_spans}

    def product_after(j: int, gap: int = 2) -> int | None:
        for k in range(j, min(j + gap + 1, len(words))):
            if k in starts:
                return starts[k]
            if not words[k].isalpha() or words[k] in _BETWEEN_STOP:
                return None
        return None

    for first, last, index in ordinals:
        has_det = first > 0 and words[first - 1] in _DETERMINERS
        nxt = words[last] if last < len(words) else ""
        end = last + 1 if nxt in REF_NOUNS else product_after(last, gap=1)
        if end is None:
            # A bare ordinal needs "the" and nothing that makes it a date or an event:
            # "the first time", "the last order", "the 2nd of may" are not references.
            if (
                not has_det
                or words[first] in ("top", "bottom")
                or (nxt.isalnum() and nxt not in _REF_FOLLOW_OK)
                or _MONTHS.intersection(words[max(0, first - 6) : first])
            ):
                continue
            end = last
        return index, join_tokens(tokens[first - 1 if has_det else first : end])
    for i in range(1, len(words)):
        if (
            words[i].isdigit()
            and len(words[i]) <= 2
            and 0 < int(words[i]) <= 50
            and words[i - 1] in _NUMBER_REF_PREV
            and (i < 2 or words[i - 2] not in _NUMBER_REF_NOT_AFTER)
        ):
            return int(words[i]), join_tokens(tokens[i - 1 : i + 1])
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in _DEMONSTRATIVES:
            if nxt in ("one", "ones"):
                return None, join_tokens(tokens[i : i + 2])
            end = product_after(i + 1)
            if end is not None:
                return None, join_tokens(tokens[i:end])
        if w == "the":
            for k in range(i + 1, min(i + 4, len(words))):
                if words[k] in ("one", "ones") and k > i + 1:
                    return None, join_tokens(tokens[i : k + 1])
                if not words[k].isalpha() or words[k] in _BETWEEN_STOP:
                    break
    for i in range(1, len(words)):
        if words[i] not in _PRONOUNS:
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        prev = words[i - 1]
        if (prev in _PRONOUN_VERBS or prev in _PRONOUN_PREPS) and words[i] != "they":
            return None, words[i]
        after = words[i + 2] if i + 2 < len(words) else ""
        in_stock = nxt == "in" and (after in ("stock", "store") or after in COLOURS)
        # "how much is it", "how much would they cost together", "how much are they all": what something shown costs.
        how_much = ["how", "much"] in (words[j : j + 2] for j in range(max(0, i - 4), i - 1))
        # "what size are they", "how big are these": a question about the things shown ("what time is it" is not).
        # So is "how long do they burn for", "what do these smell like": what the things shown do, whatever the verb.
        plural = words[i] in ("they", "these", "those") and words[0] in ("what", "how", "which")
        asked_of_them = plural and (not nxt or (prev in _DO and nxt.isalpha()))
        # "are they sweat proof", "are these dishwasher safe": a plural pointer opening a question is the things shown,
        # whatever it asks of them ("are they going to arrive today" asks of the courier).
        of_those = i == 1 and prev in _BE and words[i] in ("they", "these", "those") and nxt.isalpha() \
            and not nxt.endswith("ing")
        if (prev in _BE and (nxt in _BE_PREDICATES or in_stock or how_much or asked_of_them or of_those)) or (
                prev in _DO and (nxt in _DO_PREDICATES or how_much or asked_of_them)):
            return None, words[i]
    return None, None
