"""The property a question asks about: "does it have noise cancelling?", "which has the better battery life?".

The reply quotes what the product's own text says about it, or says the text is silent; the grammar of the
question is read here, the property's words are whatever the shopper wrote.
"""

from __future__ import annotations

import re

from assistant.understanding.catalog import words_of
from assistant.understanding.content import FUNCTION_WORDS
from assistant.understanding.references import SIZE_CHOICE
from assistant.understanding.vocab import COLOURS, ITEM_NOUNS, ORDINALS, SIZES

# "which one has better battery life?", "which is lighter for travel?", "which has the longest battery?" (any
# superlative: English makes them with -est)
_COMPARED = re.compile(
    r"\b(?P<degree>better|longer|more|bigger|larger|faster|lighter|smaller|higher|lower|best|most|greater|less|"
    r"fewer|least|fewest|[a-z]{2,}est)\s+"
    r"(?P<what>[a-z][a-z -]{1,30}?)\s*(?:$|\bthan\b|\bfor\b|\bon\b|\bin\b)")
# A comparative or superlative names a property only in a question that chooses ("which ..."/"... than ...").
_CHOOSING = re.compile(r"\b(?:which|than)\b")
# "does it have noise cancelling?", "is it waterproof", "are they waterproof", "what's the warranty?"
_ASKED = re.compile(
    r"\b(?:does|do|is|are|has|have|can)\s+(?:it|this|that|they|these|those|this one|that one|the \w+ ones?|"
    r"(?:all|any|each|either|both) of (?:them|these|those))\s+(?:have|has|come with|"
    r"include|support|got|do|need|take|use|require)?\s*(?:an?\s+|any\s+)?(?P<what>[a-z0-9][a-z0-9 -]{1,40}?)\s*$|"
    r"\bwhats\s+(?:the|its)\s+(?P<what2>[a-z][a-z -]{2,30}?)\s*(?:like)?\s*(?:on it|of it)?\s*$")
# "how much battery life does the first one have", "what resolution does it have", "how many devices can it handle":
# the property comes before the verb (whichever), and the pointer after it.
_HOW_MUCH = re.compile(
    r"\b(?:how (?:much|many)|what|which)\s+(?P<what3>[a-z0-9][a-z0-9 -]{1,30}?)\s+(?:does|do|did|will|would|can)\s+"
    r"(?:it|this|that|they|these|those|this one|that one|the \w+ one|the \w+ ones)\s+"
    r"(?:[a-z]{3,}(?:\s+(?:with|in|on|to|for))?)\s*$|"
    # "what material is the first one", "what size are they": the property, then "is" and the pointer.
    r"\bwhat\s+(?P<what5>[a-z][a-z -]{2,30}?)\s+(?:is|are)\s+(?:it|this|that|they|these|those|this one|that one|"
    r"the \w+ one|the \w+ ones)\s*$|"
    # "the cheapest one, how much ram": the quantity asked, with no verb (the price is "how much" alone, or with a
    # verb: "how much is it"; a grammar word in it makes it no property, see asked_attribute).
    r"\bhow (?:much|many)\s+(?P<what6>[a-z][a-z0-9 -]{1,30}?)\s*$")
# "how long does it burn for", "how well do they hold heat", "how loud does it get",
# "how long does the battery last": how a product (or a part of it) does what it does, asked by its verb, whatever
# the degree word ("how much" asks a price or a quantity, read elsewhere).
_HOW_IT_DOES = re.compile(
    r"^how\s+(?P<degree>(?!much\b|many\b)[a-z]{2,})\s+(?:does|do|will|would|can)\s+"
    r"(?P<who>it|they|these|those|this|that|this one|that one|the \w+ ones?|(?:the|its|their) (?P<part>[a-z]{3,}))"
    r"\s+(?P<verb>[a-z]{3,})"
    r"(?P<rest>(?:\s+[a-z]+){0,2}?)(?:\s+(?:for|on|with|in|at|to))?\s*$")
# "what is it made of", "what's the second one made from": its material.
MATERIAL_ASKED = "material"
_MADE_OF = frozenset({"made of", "made from", "made out of"})
# "which one burns longest?", "which of them charges fastest": the property is what the products do, said by a verb
# and the degree after it.
# ("which laptop is lightest": of every laptop, where nothing is on the screen.)
_DOES = re.compile(
    r"\bwhich\b(?:\s+(?:one|ones|of (?:them|these|those)|[a-z]+))?\s+(?P<verb>is|are|[a-z]{3,}s)\s+(?:the\s+)?"
    r"(?P<degree>[a-z]{2,}(?:est|er))\s*$")
# "whats the lightest laptop you have", "your heaviest drone", "the most lightweight tablet": a superlative before
# the thing asks for the things ranked by the quantity the degree word itself names (weight; the word after it is the
# thing, no property).
_SUPERLATIVE_BEFORE = re.compile(r"\b(?:(?P<much>most|least)\s+(?P<adjective>[a-z]{3,})|(?P<est>[a-z]{3,}est))\s+"
                                 r"(?!for\b|than\b|one\b|ones\b|of\b)[a-z]{2,}")
WEIGHT_ASKED = "weight"
# "what games come with it", "which cables come with this one": what is in the box, a property of the product asked
# about, not a set to build around it ("what goes with it").
_INCLUDED = re.compile(
    r"\b(?:what|which|any)\s+(?P<what4>[a-z][a-z -]{1,30}?)\s+comes?\s+with\s+"
    r"(?:it|this|that|them|these|those|this one|that one|the \w+ one)\s*\??$")
# "how big is it", "how heavy are they": the size or weight of the product pointed at.
_HOW_SIZED = re.compile(r"\bhow\s+(?P<adjective>big|large|small|tall|wide|heavy)\s+(?:is|are)\s+"
                        r"(?:it|this|that|they|these|those|the \w+(?: one)?)\b")
SIZE_ASKED = "size"
# A pointer after the property says which product, not what about it: "the refresh rate on the second one", "the
# screen size on the second" (an ordinal points alone).
_TRAILING_POINTER = re.compile(
    r"\s+(?:on|of|for|in|with)\s+(?:the\s+|that\s+|this\s+)?(?:(?:[a-z]+\s+)?(?:one|ones|it|them|these|those)|"
    r"(?:very\s+)?(?:" + "|".join(sorted((w for w in ORDINALS if " " not in w), key=len, reverse=True)) + r"))$")
# Words a question may end on that hold nothing of what it asks: "is that one suitable for kids though".
_TRAILING_ASIDES = frozenset("though then please pls plz anyway too also exactly actually really precisely".split())
# A pointer before it says which product, too: "what's the second one made of", "whats the third one like".
_POINTING = frozenset({"the", "that", "this"})
_ONE = frozenset({"one", "ones"})
# Degrees the reply states from the data anyway: price ("which is cheaper?"), and the size titles print ("which is
# the biggest?" picks the 85" TV).
_PRICE_DEGREES = frozenset({"cheaper", "cheapest", "pricier", "priciest", "dearer", "dearest"})
_STATED_DEGREES = frozenset({*_PRICE_DEGREES, *SIZE_CHOICE})
# What the reply already states from the data (price, stock, rating) or what names no property.
_EVALUATIVE = frozenset("good great decent nice bad ok okay any well".split())
STATED_ANYWAY = frozenset("""expensive cheap affordable rated rating popular value one deal price cost stock in stock
    brand option choice buy pick difference review reviews reviewed stars seller sellers
    worth it quality""".split())  # "is it any good", "is it worth it": the rating says


# Degrees that judge rather than measure: "which is best for gaming" asks no quantity of "gaming".
_EVALUATIVE_DEGREES = frozenset({"best", "better", "worst", "worse"})
# Degrees that ask for the least of a quantity: "which is lightest" is the one weighing least.
_LESSER = frozenset("""less least fewer fewest smaller smallest littlest tinier tiniest lighter lightest lower lowest
    shorter shortest slower slowest thinner thinnest""".split())


def asked_degree(text: str) -> tuple[str, str]:
    """ "most" or "least" when a question asks which product has the most or the least of a property ("which one
    has the most ram", "which is lightest"), else ""; and the quantity the degree word itself names, if any:
    "weight" ("lightest", "heavier"), "size" ("which has the biggest screen": the size its title prints). The
    property's quantity is then read from each product's text; price is ranked where it is asked for, not here."""
    if (weighed := _weight_superlative(text)) is not None:
        return weighed, WEIGHT_ASKED
    if not _CHOOSING.search(text):
        return "", ""
    found = _COMPARED.search(text) or _DOES.search(text)
    if found is None or found.group("degree") in _PRICE_DEGREES or found.group("degree") in _EVALUATIVE_DEGREES:
        return "", ""
    degree = found.group("degree")
    of = WEIGHT_ASKED if _names_weight(degree) else "size" if degree in SIZE_CHOICE else ""
    return ("least" if degree in _LESSER else "most"), of


def _names_weight(degree: str) -> bool:
    """Whether a degree word names the weight itself: "lighter", "heaviest", "lightweight"."""
    return degree.startswith(("light", "heav"))


def _weight_superlative(text: str) -> str | None:
    """ "least" or "most" where a superlative of weight stands before the thing ("the lightest laptop", "the most
    lightweight tablet", "the least heavy drone"), else None."""
    for found in _SUPERLATIVE_BEFORE.finditer(text):
        word = found.group("est") or found.group("adjective")
        if not _names_weight(word):
            continue
        lighter = word.startswith("light")  # "lightest", "lightweight"; "heaviest", "heavy"
        if found.group("much") == "least":
            lighter = not lighter
        return "least" if lighter else "most"
    return None


# "what colours do they come in?": answered from the colours the titles print.
COLOURS_ASKED = "colours"
# "has it got good reviews", "is it well rated": answered from the catalog's rating, or its lack.
RATING_ASKED = "rating"
RATING_WORDS = frozenset("rated rating ratings review reviews reviewed stars good quality worth".split())
# "what do people say about it", "what are other buyers saying": others and what they make of it, its reviews.
_OTHERS = frozenset("people customers others buyers users reviewers owners everyone".split())
_OPINION = frozenset("say says saying said think thinks thought reckon feel".split())
# "what colours", "does it come in other colours", "any more shades": which colours, asked or beyond the one shown.
_COLOUR_WORDS = frozenset("colour colours color colors shade shades".split())
_WHICH_OR_OTHER = frozenset("what which wat other another different more".split())
# What a product may be had in, besides its colours and sizes: "does it come in other sizes", "in a bigger one".
_VARIANT_WORDS = frozenset("size sizes other another different bigger smaller larger shades styles finish finishes "
                           "designs patterns one ones".split())


def _without_leading_pointer(what: str) -> str:
    """The property less the words before it that say which product: "the second one made of", "the red one
    like", "the second stand made of" -> "made of", "like", "made of". A place in the list (an ordinal) points
    with the word after it, whatever that names ("stand", "mug", "one")."""
    words = what.split()
    at = 1 if words[:1] and words[0] in _POINTING else 0
    if len(words) > at + 2 and words[at] in ORDINALS:
        return " ".join(words[at + 2:])
    if len(words) > at + 1 and words[at + 1] in _ONE:  # "the red one", "that one s" (one's)
        rest = words[at + 2:]
        return " ".join(rest[1:] if rest[:1] == ["s"] else rest)
    if words[at:at + 1] and words[at] in _ONE:
        return " ".join(words[at + 1:])
    return what


def asks_rating(text: str) -> bool:
    """Whether a normalised question about a product asks how good it is ("has it got good reviews", "is it any
    good", "is it well rated"), which its rating answers, and no property of it ("is it good for gaming")."""
    words = set(words_of(text))
    return bool(RATING_WORDS & set(text.split()) or (_OTHERS & words and _OPINION & words)) \
        and not asked_attribute(text)


def asked_attribute(text: str) -> str:
    """The property asked about in a normalised message, or "" for none (or one the reply states anyway)."""
    asked = _asked_attribute(text)
    pointer = _without_leading_pointer(text).lstrip(" ,;:-")
    # "the apple one, how long does the battery last": the question after the words saying which product.
    return asked or (_asked_attribute(pointer) if pointer and pointer != text else "")


def _asked_attribute(text: str) -> str:
    words = words_of(text)
    if any(w in _COLOUR_WORDS and i and words[i - 1] in _WHICH_OR_OTHER for i, w in enumerate(words)):
        return COLOURS_ASKED
    # A comparative names a property only in a comparing question ("which one has more memory?"), not in
    # "tell me more about the second one".
    does = _DOES.search(text)
    if does and does.group("degree") not in _STATED_DEGREES:
        return f"which one {does.group('verb')} {does.group('degree')}"
    if _weight_superlative(text) is not None:
        return WEIGHT_ASKED
    sized = _HOW_SIZED.search(text)
    if sized:
        return WEIGHT_ASKED if sized.group("adjective") == "heavy" else SIZE_ASKED
    included = _INCLUDED.search(text)
    if included:
        return included.group("what4")
    how = _HOW_IT_DOES.search(text)
    if how:
        # Said back as asked: "how long it burns", "how long they burn" (a degree no title or detail is named by).
        several = how.group("who") in ("they", "these", "those") or how.group("who").endswith("ones")
        verb = how.group("verb") if several else _third_person(how.group("verb"))
        # "how long does the battery last": a part of it does it ("how long the battery lasts").
        doer = f"the {how.group('part')}" if how.group("part") else "they" if several else "it"
        return f"how {how.group('degree')} {doer} {verb}{how.group('rest')}"
    compared = _COMPARED.search(text) if _CHOOSING.search(text) else None
    match = compared or _HOW_MUCH.search(text) or _ASKED.search(text)
    if not match:
        return ""
    groups = match.groupdict()
    what = _TRAILING_POINTER.sub("", groups.get("what") or groups.get("what2") or groups.get("what3")
                                 or groups.get("what5") or groups.get("what6") or "")
    what = _without_leading_pointer(what)
    if groups.get("what6") and any(w in FUNCTION_WORDS for w in what.split()):
        return ""  # "how much have i spent", "how much for two", "how much is it": no quantity named after it
    if what in _MADE_OF:
        return MATERIAL_ASKED
    # "is it good for gaming", "does it have good battery life": the property is gaming, battery life; how good
    # it is the details may say, never the word "good".
    # ("does it work with my samsung tv": "samsung tv", not "The product details don't mention my samsung tv".)
    words = [w for w in what.split() if w not in {"the", "a", "an", "my", "our", "your"} and w not in _EVALUATIVE]
    while words[-1:] and words[-1] in _TRAILING_ASIDES:
        words = words[:-1]
    while words[:1] and words[0] in ("for", "at", "with"):  # "better for drawing": drawing
        words = words[1:]
    if words[:2] in (["work", "with"], ["compatible", "with"], ["connect", "to"]) and len(words) > 2:
        return " ".join(words[2:])  # "does it work with iphone?": whether the details say so of the iPhone
    phrase = " ".join(words)
    if words[:2] in (["come", "in"], ["comes", "in"]) and len(words) > 2 and not _names_a_variant(words[2:]):
        return " ".join(words[2:])  # "do they come in a gift box": what they come in, no colour or size of theirs
    # ("the most expensive thing in it": the thing is the one asked about, no property of it.)
    if not words or words[0] in ("come", "comes", "fit", "work", "available", "about", "like", "of", "one", "ones",
                                 "same", "different", "similar") or words[-1] in ITEM_NOUNS \
            or set(words) <= STATED_ANYWAY:
        return ""  # "does it come in 65 inch?" asks for a variant, not a property
    if words[0] in ("difference", "differences", "compare", "compares", "stack"):
        return ""  # "what's the difference between them", "how does it compare": the comparison, no property
    return "" if phrase in STATED_ANYWAY else phrase


def _names_a_variant(words: list[str]) -> bool:
    """Whether ``words`` (after "does it come in") name a colour, a size or a measure the product may be had in
    ("blue", "a bigger size", "65 inch", "other colours"), not something it comes packed in ("a gift box")."""
    phrase = " ".join(words)
    return any(w[:1].isdigit() or w in COLOURS or w in SIZES or w in _COLOUR_WORDS or w in _VARIANT_WORDS
               or w in SIZE_CHOICE for w in words) or phrase in COLOURS or phrase in SIZES


def as_typed(attribute: str, text: str) -> str:
    """The property as the shopper wrote it, where normalising split what punctuation joined ("hdmi 2 1" in "does
    it have hdmi 2.1": "hdmi 2.1"; "wi fi 6": "wi-fi 6"); the property itself when the message does not hold it."""
    words = attribute.split()
    if not words or attribute.startswith("which "):
        return attribute
    typed = re.search(r"\b" + r"[^\w\s]?\s*".join(re.escape(w) for w in words) + r"\b", text, re.I)
    return typed.group(0) if typed else attribute


def _third_person(verb: str) -> str:
    return verb + ("es" if verb.endswith(("s", "sh", "ch", "x", "z")) else "s")


def silent_on(attribute: str, of_each: bool = False, of_any: bool = False) -> str:
    """What the product details do not say, as the reply puts it: "don't mention memory" ("... for every one of
    them" when ``of_each``, "... for any of them" when ``of_any``: none of several says it), "don't say which one
    burns longest", "don't say how long it burns"."""
    if attribute.startswith(("which ", "how ")):
        return f"don't say {attribute}"
    who = "each" if of_each else "any of them" if of_any else "it"
    if attribute == MATERIAL_ASKED:
        return f"don't say what {who} is made of"
    sense = attribute.split()
    if len(sense) == 2 and sense[1] == "like":
        # "what does it smell like": "don't say what it smells like" ("don't mention smell like" was no English).
        return f"don't say what {who} {_third_person(sense[0])} like"
    return f"don't mention {attribute}" + (" for every one of them" if of_each else " for any of them" if of_any
                                            else "")


def asks_included(text: str) -> bool:
    """Whether a normalised message asks what comes with the product pointed at ("what games come with it")."""
    return bool(_INCLUDED.search(text))
