"""The property a question asks about: "does it have noise cancelling?", "which has the better battery life?".

The reply quotes what the product's own text says about it, or says the text is silent; the grammar of the
question is read here, the property's words are whatever the shopper wrote.
"""

from __future__ import annotations

import re

# "which one has better battery life?", "which is lighter for travel?", "which has the longest battery?" (any
# superlative: English makes them with -est)
_COMPARED = re.compile(
    r"\b(?:better|longer|more|bigger|larger|faster|lighter|smaller|higher|lower|best|most|greater|[a-z]{2,}est)\s+"
    r"(?P<what>[a-z][a-z -]{1,30}?)\s*(?:$|\bthan\b|\bfor\b|\bon\b|\bin\b)")
# "does it have noise cancelling?", "is it waterproof", "what's the warranty?"
_ASKED = re.compile(
    r"\b(?:does|do|is|has|have|can)\s+(?:it|this|that|they|this one|that one|the \w+ one)\s+(?:have|has|come with|"
    r"include|support|got|do)?\s*(?:an?\s+|any\s+)?(?P<what>[a-z0-9][a-z0-9 -]{2,40}?)\s*$|"
    r"\bwhats\s+(?:the|its)\s+(?P<what2>[a-z][a-z -]{2,30}?)\s*(?:like|on it|of it)?\s*$")
# What the reply already states from the data (price, stock, rating) or what names no property.
_COVERED = frozenset("""expensive cheap affordable rated rating popular value one deal price cost stock in stock
    brand option choice buy pick difference""".split())


def asked_attribute(text: str) -> str:
    """The property asked about in a normalised message, or "" for none (or one the reply states anyway)."""
    # A comparative names a property only in a comparing question ("which one has more memory?"), not in
    # "tell me more about the second one".
    compared = _COMPARED.search(text) if re.search(r"\b(?:which|than)\b", text) else None
    match = compared or _ASKED.search(text)
    if not match:
        return ""
    what = match.groupdict().get("what") or match.groupdict().get("what2") or ""
    words = [w for w in what.split() if w not in {"the", "a", "an"}]
    phrase = " ".join(words)
    if not words or words[0] in ("come", "comes", "fit", "work", "available", "about", "like", "of", "one", "ones") \
            or set(words) <= _COVERED:
        return ""  # "does it come in 65 inch?" asks for a variant, not a property
    return "" if phrase in _COVERED else phrase
