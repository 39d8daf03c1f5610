"""Text-level checks made before understanding: markup, scripts and languages the models cannot read, anger."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_TAG = re.compile(r"<[^<>]{0,300}>")
# Tone, not products: an angry message is offered a person whatever it is about.
ANGRY = re.compile(
    r"\b(useless|ridiculous|terrible|awful|worst|disgusting|furious|angry|unacceptable|scam|rubbish|"
    r"fed up|sick of|waste of time|never again|appalling)\b", re.I)


def clean_message(text: str) -> str:
    """Drop control characters and invalid code points; keep every script and emoji."""
    kept = [ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs", "Co", "Cn"}]
    return " ".join("".join(kept).split())


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


_LETTER_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")


def letter_words(text: str) -> list[str]:
    """The lower-case words of ``text`` made of letters only, in any script: "EL0001" is a product id, no word."""
    return _LETTER_WORD.findall(text.lower())


def is_foreign_language(text: str) -> bool:
    """True when a Latin-script message reads as another language ("necesito un regalo para mi madre")."""
    if "\u00bf" in text or "\u00a1" in text:
        return True  # "¿tienen tazas?": the inverted marks open a Spanish question or exclamation
    words = letter_words(text)  # whole words only: "EL0001" is a product id, not the Spanish "el"
    if len(words) < 2:
        return False
    foreign = sum(1 for w in words if w in _FOREIGN_WORDS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    return foreign >= 2 and foreign > english and foreign / len(words) >= 0.3


def is_unreadable(text: str, reads: Callable[[str], bool]) -> bool:
    """Whether no word of ``text`` can be read: it has two words or more, no number (an order id, a price) and none
    that ``reads`` knows. One word is left to the rest of understanding: chat the intent model may know ("thx"), or
    a thing the vocabulary lacks ("hoodie") that the shop may say it does not carry."""
    if any(ch.isdigit() for ch in text):
        return False
    words = [w for w in letter_words(text) if len(w) > 1]
    return len(words) >= 2 and not any(_reads_as_ordinary(w, reads) for w in words)


# Endings an ordinary word takes ("cheapest", "chargers"), stripped to find the word a vocabulary knows.
_ENDINGS = ("est", "er", "es", "s", "ing", "ed", "ly")
_SHORTEST_PART = 3


def _reads_as_ordinary(word: str, reads: Callable[[str], bool]) -> bool:
    """Whether ``reads`` knows ``word``, the word without an ending ("cheapest": cheap), or both halves of it as a
    compound ("teapot": tea + pot): a vocabulary of whole words lacks most forms of them, and a shop that sells no
    teapots must still read "cheapest teapot" as words, to say it lacks them."""
    if reads(word):
        return True
    if any(word.endswith(e) and len(word) - len(e) >= _SHORTEST_PART and reads(word[:-len(e)]) for e in _ENDINGS):
        return True
    return any(reads(word[:i]) and reads(word[i:]) for i in range(_SHORTEST_PART, len(word) - _SHORTEST_PART + 1))
