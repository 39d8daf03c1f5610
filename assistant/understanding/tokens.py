"""Text helpers for slot extraction: normalising a message, tokens, and phrase tables.

Messages and vocabulary pass through the same :func:`normalize`, so matching is
a dictionary lookup of token n-grams (fast: no big regex alternations) and
works the same for "T-Light", "t light" and "mother's day" / "mothers day".
Chinese (or any non-Latin script) is tokenised one character at a time, so
Chinese vocabulary matches without word boundaries.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

V = TypeVar("V")

# Marks text an earlier step has already used (a budget, an order id), so later
# steps neither re-read it nor join the words on either side into one phrase.
BLANK = "\x1f"

_PUNCT = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
# Control and invisible format characters (this also removes any BLANK a user typed).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_TAG = re.compile(r"</?[a-z][^<>]{0,200}>")
_JOINER = re.compile(r"(?<=[a-z\u00c0-\u024f])[-_/](?=[a-z\u00c0-\u024f])")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_TOKEN = re.compile(r"[0-9a-z\u00c0-\u024f]+|[^\s0-9a-z\u00c0-\u024f]")


def normalize(text: str, max_chars: int | None = None) -> str:
    """Lower-case, NFKC-folded text with HTML tags, apostrophes and in-word hyphens removed.

    Args:
        text: a message or a vocabulary phrase.
        max_chars: read only this many characters of ``text`` (None: all).

    Returns:
        The normalised text.

    Example:
        >>> normalize("Mother\u2019s Day <b>T-Light</b>  Holders")
        'mothers day t light holders'
    """
    t = text if max_chars is None else text[:max_chars]
    if "&" in t:
        t = html.unescape(t)
    t = unicodedata.normalize("NFKC", t).translate(_PUNCT).casefold()
    t = _CONTROL.sub(" ", t)
    if "<" in t:
        t = _TAG.sub(" ", t)
    t = t.replace("'", "")
    t = _JOINER.sub(" ", t)
    return _SPACES.sub(" ", t).strip()


def blank(text: str, start: int, end: int) -> str:
    """``text`` with ``text[start:end]`` replaced by :data:`BLANK` characters (same length)."""
    return text[:start] + BLANK * (end - start) + text[end:]


class Token(NamedTuple):
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Word tokens (runs of digits/Latin letters) and single-character tokens for everything else."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def join_tokens(tokens: Sequence[Token]) -> str:
    """The tokens as text, one space where the message had any ("lunch bag", "耳机")."""
    parts = [tokens[0].text] if tokens else []
    for prev, tok in itertools.pairwise(tokens):
        parts.append((" " if tok.start > prev.end else "") + tok.text)
    return "".join(parts)


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The token tuple a vocabulary phrase is looked up by."""
    return tuple(t.text for t in tokenize(normalize(phrase)))


def plural_forms(word: str) -> list[str]:
    """English plural(s) of a singular noun; nothing for words that look plural or aren't alphabetic."""
    if not word.isascii() or not word.isalpha() or len(word) < 2 or (word.endswith("s") and not word.endswith("ss")):
        return []
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    if word.endswith(("ss", "x", "z", "ch", "sh")):
        return [word + "es"]
    if word.endswith("fe"):
        return [word[:-2] + "ves", word + "s"]
    if word.endswith("f"):
        return [word[:-1] + "ves", word + "s"]
    return [word + "s"]


@dataclass(frozen=True)
class TermMatch(Generic[V]):
    """One vocabulary phrase found in a token list.

    Attributes:
        first: index of its first token.
        last: index after its last token.
        start: character offset where it starts.
        end: character offset where it ends.
        value: what the table maps the phrase to.
        phrase: the matched tokens joined by spaces.
    """

    first: int
    last: int
    start: int
    end: int
    value: V
    phrase: str


class TermTable(Generic[V]):
    """Phrases (any number of words) mapped to values, found longest-first, left to right.

    Args:
        terms: ``(phrase, value)`` pairs; the first value given for a phrase wins.
        plurals: also match the plural of each phrase's last word ("lunch bags").
    """

    def __init__(self, terms: Iterable[tuple[str, V]], plurals: bool = False) -> None:
        table: dict[tuple[str, ...], V] = {}
        pending: list[tuple[tuple[str, ...], V]] = []
        for phrase, value in terms:
            key = phrase_key(phrase)
            if not key:
                continue
            table.setdefault(key, value)
            if plurals:
                pending.extend(((*key[:-1], form), value) for form in plural_forms(key[-1]))
        for key, value in pending:  # written forms win over generated plurals
            table.setdefault(key, value)
        self.table = table
        self.max_len = max((len(k) for k in table), default=0)
        self.firsts = frozenset(k[0] for k in table)

    def __len__(self) -> int:
        return len(self.table)

    def find(
        self,
        tokens: Sequence[Token],
        skip: Set[int] = frozenset(),
        limit: int | None = None,
        words: Sequence[str] | None = None,
    ) -> list[TermMatch[V]]:
        """Non-overlapping matches, preferring the longest phrase at each position.

        Args:
            tokens: the message's tokens.
            skip: token indices already used by another slot; no match includes them.
            limit: stop after this many matches (None: all).
            words: ``[t.text for t in tokens]`` when the caller has it already.

        Returns:
            Matches in text order.
        """
        words = [t.text for t in tokens] if words is None else words
        found: list[TermMatch[V]] = []
        i, n = 0, len(words)
        while i < n and (limit is None or len(found) < limit):
            if words[i] not in self.firsts or i in skip:
                i += 1
                continue
            for size in range(min(self.max_len, n - i), 0, -1):
                key = tuple(words[i : i + size])
                if key in self.table and not any(j in skip for j in range(i, i + size)):
                    found.append(
                        TermMatch(
                            i,
                            i + size,
                            tokens[i].start,
                            tokens[i + size - 1].end,
                            self.table[key],
                            join_tokens(tokens[i : i + size]),
                        )
                    )
                    i += size
                    break
            else:
                i += 1
        return found
