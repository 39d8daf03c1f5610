"""The words of a message that say what is wanted, for retrieval.

The closed-class words below are grammar and the shopper's way of asking ("I'm looking for", "a present"),
not product words: whatever is left is searched for in the catalog, so a kind of thing nobody listed still
reaches the search.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from assistant.understanding.vocab import AGE_UNITS, NUMBER_WORDS, PEOPLE_NOUNS, RECIPIENTS

# Determiners, pronouns, prepositions, auxiliaries, conjunctions and the verbs of asking.
FUNCTION_WORDS = frozenset("""
    a an the some any this that these those each every all both either neither no not nor
    i im ive id ill me my mine myself we our ours us you your yours u ur he him his she her hers it its they them
    shes hes theyre youre weve youve theyve thats heres
    their theirs one ones who whom whose which what whats where when why how whatever there theres
    is am are was were be been being do does did doing done have has had having will would shall should can
    could may might must need needs ought dont doesnt didnt cant couldnt wont wouldnt isnt arent wasnt
    to of in on at by for from with without about into onto over under above below between through during
    before after up down out off near around than then so as if or and but because while though also too very instead
    apart aside except excluding besides
    roughly approximately approx circa
    rather actually basically honestly probably possibly definitely ideally preferably mainly mostly usually
    especially anyway
    really quite just only even still again maybe perhaps please pls plz thanks thank ta cheers hi hello hey hiya
    yes yeah ok okay well oh um hmm like lot lots loads tons plenty bit bits little much many few several more most less
    least other
    others another
    else kind sort type sorts kinds got get getting find finding show showing see seeing looking look want wants
    come comes came coming
    wanted wanting buy buying bought tell give let help recommend recommendation recommendations suggest suggestion
    suggestions something anything
    everything nothing someone somebody anyone somewhere anywhere everywhere nowhere
    thing things stuff item items product products option options
    idea ideas choice choices nice good great lovely cute cool best better new compare comparison difference
    versus vs time times day days week weeks month months year years today yesterday ago recently ever since
    until till now later soon earlier last latest previous next asap urgently
    sell sells selling sold seller sellers bestseller bestsellers popular trending
    total altogether overall
    add adding put remove removing swap replace include
    colour colours color colors
    order orders ordered ordering purchase purchases purchased
    first second third fourth fifth sixth seventh eighth ninth tenth
    """.split())
# Words that ask for a gift without saying what it is.
GIFT_WORDS = frozenset("gift gifts present presents pressie pressies treat surprise".split())
# Words that ask for something to buy, or a set of things, without saying what; or, as "one" does, another of the
# kind on the screen ("a cheaper version", "any alternatives").
GENERIC_WANTS = GIFT_WORDS | frozenset(
    "shop shopping bundle bundles make build together combo package version versions alternative alternatives".split())


def content_words(words: Sequence[str]) -> list[str]:
    """The words that say what is wanted ("a stand to show off cupcakes" -> ["stand", "cupcakes"]).

    Model names and codes with letters count ("wh1000xm5", "el0001"); numbers, in digits or words ("the cheaper
    of the two"), do not.
    """
    return [w for w in words if w.isalnum() and not w.isdigit() and len(w) > 1 and w not in FUNCTION_WORDS
            and w not in GENERIC_WANTS and w not in NUMBER_WORDS and not _AGE_WORD.fullmatch(w)]


def describing_thanks(words: Sequence[str]) -> set[int]:
    """The places of the words of thanks that describe the thing after them ("a thank you card" -> {1, 2})."""
    places: set[int] = set()
    for i, w in enumerate(words):
        if w in ("thank", "thanks"):
            end = i + 1 + (list(words[i + 1:i + 2]) == ["you"])
            if content_words(words[end:end + 1]):
                places.update(range(i, end))
    return places


_SUBJECTS = frozenset({"i", "you", "he", "she", "we", "they", "who"})
MODALS = frozenset({"can", "could", "will", "would", "shall", "should", "might", "must", "may"})


def follows_modal(words: Sequence[str], at: int) -> bool:
    """Whether ``words[at]`` comes right after a subject and a modal ("something they can keep", "one my kid can
    use"): a verb, saying what is done with the thing, never what it is ("a can opener", "a watering can for my mum"
    have no one before their "can")."""
    before = words[at - 1] if at >= 1 else ""
    return before in _CONTRACTED_MODALS or (
        at >= 2 and before in MODALS and (words[at - 2] in _SUBJECTS or words[at - 2] in _PEOPLE))


# Who may do something with a thing: a person named as a present's recipient is ("one my kid can use").
_PEOPLE = frozenset(RECIPIENTS) | frozenset(RECIPIENTS.values()) | PEOPLE_NOUNS

# Modals as a message's cleaned text writes them with their subject or "not" ("that'll fit", "won't fall out").
_CONTRACTED_MODALS = frozenset({"wont", "cant", "couldnt", "wouldnt", "shouldnt", "dont", "doesnt", "thatll", "itll",
                                "youll", "theyll"})


def follows_question_subject(words: Sequence[str], at: int) -> bool:
    """Whether ``words[at]`` comes right after a modal or "do" and its subject, as a question puts them ("what can i
    use to ...", "what do i get"): a verb, never the thing asked for."""
    return at >= 2 and words[at - 1] in _SUBJECTS and words[at - 2] in MODALS | DO_FORMS


DO_FORMS = frozenset({"do", "does", "did"})


def doing_words(words: Sequence[str]) -> tuple[str, ...]:
    """The content words that say what a thing must do, by where a clause puts its verb: after a modal ("one i can
    take to the beach", "one my kid can use", "that'll fit", "won't fall out"), after "that" or "which" following a
    word standing for the thing ("ones that work with alexa", "one that lasts all day"), and a verb's "-ing" form
    after "for", "when" or "while" ("good for running", "for filming"): what is done with it, not what it is."""
    found: list[str] = []
    for i, w in enumerate(words):
        before = words[i - 1] if i else ""
        modal = follows_modal(words, i) or before == "ll" or (
            before == "t" and i > 1 and words[i - 2] in _NEGATED_MODALS)
        # (A relative only after a word standing for the thing: "which tv is the biggest" asks which, "is that
        # laptop any good" points.)
        relative = before in _RELATIVES and i > 1 and words[i - 2] in _PRO_FORMS
        verb = modal or relative or (w.endswith("ing") and before in _PURPOSE_OPENERS)
        if verb and content_words([w]) and w not in _NEGATED_MODALS and w != "ll":
            found.append(w)
    return tuple(found)


_NEGATED_MODALS = frozenset({"won", "can", "wouldn", "couldn", "shouldn", "don", "doesn"})
_RELATIVES = frozenset({"that", "which"})
_PRO_FORMS = frozenset({"one", "ones", "any", "some", "something", "anything", "those"})
_PURPOSE_OPENERS = frozenset({"for", "when", "while"})


def search_query(words: Sequence[str], people: Collection[str] = ()) -> str:
    """The message's words as a search query: politeness and greetings dropped, everything else kept.

    Function words are kept on purpose: the dense model reads "something to keep a teapot warm" better
    than "teapot warm", and BM25 ignores them anyway. Politeness opens or closes a request; between the words
    that say what is wanted it is part of it ("something small to say thank you to a teacher").
    """
    polite_words = {"please", "pls", "plz", "thanks", "thank", "cheers", "hi", "hello", "hey", "hiya", "ta"}
    wanted = [i for i, w in enumerate(words) if content_words([w])]
    inside = range(wanted[0] + 1, wanted[-1]) if wanted else range(0)
    describing = describing_thanks(words)
    polite = {i for i, w in enumerate(words)
              if w in (",", ":", ";") or (w in polite_words and i not in inside and i not in describing)}
    # The word after "who", when its object follows ("a brother who loves cooking"), is the verb saying how the
    # person relates to the object, which names the interest; as a search word it finds things that print it
    # ("Love Heart" cups). A verb without an object is the interest itself ("someone who travels a lot").
    # The same after a pronoun that is the person ("my sister, she loves baking": "Love Heart" cups again), or after
    # the words that name the person (``people``), as a verb's -s says ("my wife loves gardening").
    after_who = {i + 1 for i, w in enumerate(words[:-2])
                 if (w in ("who", "whos", "she", "he", "they") or (w in people and words[i + 1].endswith("s")))
                 and content_words([words[i + 2]])}
    # A modal after its subject ("something she can use when it's raining") is grammar: searched for, "can" finds
    # watering cans.
    after_who |= {i - 1 for i in range(len(words) + 1) if follows_modal(words, i)}
    who = age_positions(words) | head_count_positions(words) | ranking_positions(words) | in_stock_positions(words)
    return " ".join(w for i, w in enumerate(words) if i not in polite | after_who | who).strip()


# Who likes a thing, as a message names them before the verb or "into" that says so ("he's into golf", "she loves
# unicorns", "someone who likes fishing").
_LIKERS = frozenset({"who", "whos", "he", "she", "they", "hes", "shes", "theyre"})


def liked_words(words: Sequence[str]) -> list[str]:
    """The content words of what a person is said to like: after "into" following the person ("he's into golf"), or
    after the verb following them ("she loves unicorns", "my wife is obsessed with cats": a preposition after the
    verb is skipped), up to the first word that is neither content nor "and". Grammar, no list of interests: the
    object of a person's liking is the interest, whatever it is."""
    liked: list[str] = []
    for i, w in enumerate(words[:-1]):
        if w not in _LIKERS:
            continue
        j = i + 1
        while j < len(words) and words[j] in ("is", "are", "really", "so", "very", "just"):
            j += 1
        if j < len(words) and words[j] == "into":
            j += 1
        elif j < len(words) and not content_words([words[j]]):
            continue  # "who is", "she can": no verb of liking
        else:
            j += 1  # the verb ("loves", "obsessed")
            if j < len(words) and words[j] in ("with", "about", "on", "of"):
                j += 1
        while j < len(words) and (content_words([words[j]]) or words[j] == "and"):
            if words[j] != "and":
                liked.append(words[j])
            j += 1
    return liked


def in_stock_positions(words: Sequence[str]) -> set[int]:
    """Where "in stock" asks for what is in stock ("only the ones in stock"): every search is of products in stock
    already, and "stock" names no thing to search for."""
    return {j for i in range(len(words) - 1) if words[i] == "in" and words[i + 1] == "stock" for j in (i, i + 1)}


def small_count(word: str) -> int:
    """The count a word says, if it is a small one ("3", "12", "five"); 0 otherwise (a longer number is a price or a
    model number, not a count of things)."""
    return int(word) if word.isdigit() and len(word) <= 2 else NUMBER_WORDS.get(word, 0)


def ranking_positions(words: Sequence[str]) -> set[int]:
    """Where "top" or "best" and the count after it rank a list ("your top 3 best sellers", "the best five"):
    how many to show, no thing to search for (searched for, "top" finds Spinning Tops)."""
    ranked: set[int] = set()
    for i, w in enumerate(words[:-1]):
        after = words[i + 1]
        if w in ("top", "best") and small_count(after):
            ranked |= {i, i + 1}
    return ranked


def head_count_positions(words: Sequence[str]) -> set[int]:
    """Where a number counts the people something is for or how many are wanted, not a thing's own count ("for 20
    kids", "a picnic for 6", "20 of something cheap"): searched for, it matches the counts titles print ("Set/20
    Paper Napkins"). A number before a thing's name, or after "of" ("a pack of 20"), may be that count; it stays."""
    counts: set[int] = set()
    for i, w in enumerate(words):
        if not w.isdigit():
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if after in PEOPLE_NOUNS or after == "of" or (
                i and words[i - 1] == "for" and (not after or not content_words([after]))):
            counts.add(i)
    return counts


# Words a person's age follows ("aged 6", "turning 7") and the persons who "is" an age ("his sister who is 3").
_AGE_CUES = frozenset({"aged", "age", "ages", "turning", "turns", "turned"})
_PERSON_IS = frozenset({"whos", "hes", "shes"})  # "who's", "he's", "she's" with the apostrophe normalised away
_PERSONS = frozenset({"who", "he", "she", "they"}) | _PERSON_IS
_AGE_WORD = re.compile(r"\d{1,2}(?:yo|yrs?|years?old)")


def age_positions(words: Sequence[str]) -> set[int]:
    """Where ``words`` give a person's age: it says who, not what, and searched for, its number matches the counts
    titles print ("a 10 year old": "Set 10 Cards"; "his sister who is 3": "Set Of 3 Wooden Sleigh Decorations")."""
    ages: set[int] = set()
    for i, w in enumerate(words):
        if _AGE_WORD.fullmatch(w):
            ages.add(i)
        if not w.isdigit():
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if after in AGE_UNITS and words[i + 2:i + 3] == ["old"]:
            ages.add(i)
        elif i and (words[i - 1] in _AGE_CUES or words[i - 1] in _PERSON_IS
                    or (words[i - 1] in ("is", "s") and i > 1 and words[i - 2] in _PERSONS)) \
                and (not after or after in AGE_UNITS or not content_words([after])):
            ages.add(i)  # ("who is 6 foot tall" gives a height: a word that names something follows)
    return ages
