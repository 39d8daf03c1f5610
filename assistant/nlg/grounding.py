"""Check that a reply states nothing the facts don't hold.

What is checked, strictly: amounts of money (symbol, code or word; also a bare
"3.50"), order-number-like ids (6+ digits), dates, claimed order statuses
("is shipped", "status: delivered") and every other number. Names are checked
pragmatically: a run of two or more capitalised words, or anything quoted or in
bold, must appear in the fact text or have all its (uncommon) words in one fact
name (title, category, option, slot value). Raw HTML is refused. A few acts also
keep their key facts: the listed products or bundle items (first five), the
options of a question, the bundle total, the order number(s), a policy source.
Promise words (refund, free, delivery, discount...) may only appear when the
facts use them, and prompt scaffolding ("DRAFT:", "Task:") must not leak.

Known gaps: numbers written as words ("five") and lower-case product names are
not checked; a status claim in a generic sentence ("if an order has shipped")
is allowed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import BaseModel, Field

from assistant.facts import Act, ReplyFacts
from assistant.nlg import extract
from assistant.nlg.facts_index import FactIndex, tokens

# Capitalised words that start sentences or name parts of the shop, not products.
COMMON_WORDS = frozenset(
    """i i'm i've i'll i'd you you're you'll your we we're we'll our here here's there there's this these that those
    it it's hi hello hey thanks thank sorry please sure great perfect yes no of total order orders status price prices
    budget bundle item items product products option options let let's would could can want shall if and or but so
    the a an both each also just what which who how why when where do does is are was for with from to in on at by
    best happy enjoy welcome good nice all any some my me note tip free new cheaper cheapest policy returns return
    refund delivery shipping monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december ok okay absolutely certainly of course alternatively
    first second third next finally then however unfortunately great choice option one two three sign see
    try check take look consider get buy pick choose find dear meet introducing discover""".split()
)
# A rephrased list must still name its first few products/items/options.
MAX_REQUIRED = 5
_CONNECTORS = frozenset({"of", "and", "or", "&", "the", "with", "for", "in", "on", "vs", "-", "–", "—"})  # noqa: RUF001
_STRIP = "\"'“”‘’*()[]{}:;,.!?_`>#"  # noqa: RUF001
# Words that promise something (money back, free things, delivery times). A reply may only use one
# when the facts (or the intent being served) already do: a small model likes to invent policies.
COMMITMENT_STEMS = (
    "refund",
    "return",
    "exchange",
    "free",
    "discount",
    "voucher",
    "coupon",
    "promo",
    "guarantee",
    "warrant",
    "deliver",
    "shipping",
    "ship",
    "dispatch",
    "cancel",
    "compensat",
    "cash",
    "sale",
    "offer",
    "percent",
    "price match",
    "tomorrow",
    "next day",
    "express",
    "courier",
    "wrap",
)
_COMMITMENT = re.compile(r"\b(" + "|".join(COMMITMENT_STEMS) + r")\w*|\d\s?%", re.I)
# Stock claims must match the products' in_stock flags.
_STOCK = re.compile(r"\b(sold out|out of stock|in stock|back in stock|last one|only \d+ left)\b", re.I)
_HTML_TAG = re.compile(r"<[^>\n]{0,200}>")
# A chat reply, not a letter: small models open with "Dear <whoever is in the prompt>,".
_LETTER = re.compile(r"^\W*dear\b", re.I)
# Prompt scaffolding, talk about the rewrite itself, template placeholders ("[Customer Name]").
_LEAK = re.compile(
    r"\b(revised|rewritten|rephrased|improved) (version|message|wording|text)\b|\bthis version\b"
    r"|\boriginal (message|text|draft)\b|\[[A-Za-z][\w ]{1,30}\]"
    r"|^\W*(task|drafts?|facts|rules|rewritten|rephrased|rewrite|original|reply|assistant|user)\b"
    r"[^\n]{0,20}:|\bas an?\b[\w -]{0,30}\bAI\b|\blanguage model\b|<\|im_(start|end)\|>",
    re.I | re.M,
)
_SPLIT = re.compile(r"\s(?:and|or|&|with|for|in|on|vs\.?|versus|[-–—])\s", re.I)  # noqa: RUF001
_GENERIC = re.compile(r"\b(if|once|until|unless|after|before|when|whether|an order|orders)\b", re.I)


class GroundingResult(BaseModel):
    """The outcome of one check.

    Attributes:
        ok: True when no problem was found.
        problems: one line per unsupported claim, naming the value found.
    """

    ok: bool
    problems: list[str] = Field(default_factory=list)


class GroundingChecker:
    """Verifies a generated reply against its :class:`ReplyFacts`.

    Args:
        name_overlap: share of a name's words that must all occur in one fact name. 1.0 (default): every word,
            so "Lunch Bag Red Skull" is refused when the facts have "Lunch Bag Black Skull" and
            "Lunch Bag Red Retrospot"; word order and plurals are free.
        require_key_facts: also fail replies that drop an act's key fact (bundle total, order id, policy source).
    """

    def __init__(self, name_overlap: float = 1.0, require_key_facts: bool = True) -> None:
        self.name_overlap = name_overlap
        self.require_key_facts = require_key_facts

    def check(self, text: str, facts: ReplyFacts) -> GroundingResult:
        """Check ``text`` against ``facts``.

        Args:
            text: the reply to check.
            facts: the facts it was generated from.

        Returns:
            ``ok`` and the list of problems found (empty when ok).
        """
        index = FactIndex.build(facts)
        problems: list[str] = []
        if not text.strip():
            problems.append("the reply is empty")
        # Markup that is in the data itself (a hostile title) is the UI's to escape; new markup is not.
        problems += [f"raw HTML {tag!r}" for tag in extract.find_html(text) if tag.lower() not in index.corpus]

        money = extract.find_money(text)
        for m in money:
            if " ".join(m.raw.lower().split()) in index.corpus:
                continue  # quoted as the facts give it (a shopper's "£10" budget in a dollar shop)
            if index.currency_kind and m.kind != index.currency_kind:
                problems.append(f"amount {m.raw!r} is in {m.kind}, the shop uses {facts.currency}")
            elif m.value not in index.money:
                problems.append(f"amount {m.raw!r} is not in the facts")
        rest = extract.mask(text, list(money))

        dates = extract.find_dates(rest)
        for d in dates:
            if not any(
                (d.month, d.day) == (month, day) and (d.year is None or d.year == year)
                for year, month, day in index.dates
            ):
                problems.append(f"date {d.raw!r} is not in the facts")
        rest = extract.mask(rest, list(dates))

        ids = extract.find_order_ids(rest)
        problems += [f"order number {f.raw!r} is not in the facts" for f in ids if f.raw.lower() not in index.order_ids]
        rest = extract.mask(rest, ids)

        problems += self._status_problems(text, index)

        for found, value in extract.find_numbers(rest):
            # Two decimals reads as a price even without a currency sign.
            decimals = found.raw.split(".")[1] if "." in found.raw else ""
            if len(decimals) == 2 and value not in index.money:
                problems.append(f"amount {found.raw!r} is not in the facts")
            elif value not in index.numbers:
                problems.append(f"number {found.raw!r} is not in the facts")

        problems += [f"name {n!r} is not in the facts" for n in self._names(text) if not self._known(n, index)]
        problems += [f"{w!r} is a promise the facts don't make" for w in self._commitments(text, index, facts)]
        if _LETTER.search(text):
            problems.append("the reply is written as a letter ('Dear ...')")
        leaks = [m.group(0).strip() for m in _LEAK.finditer(text) if m.group(0).strip().lower() not in index.corpus]
        if leaks:
            problems.append(f"prompt or role text leaked: {leaks[0]!r}")
        if self.require_key_facts:
            problems += self._missing(text, facts, money)
        problems = list(dict.fromkeys(problems))  # a looping reply repeats the same problem
        return GroundingResult(ok=not problems, problems=problems)

    def _known(self, name: str, index: FactIndex) -> bool:
        ignore = COMMON_WORDS | _CONNECTORS
        words = name.split()
        # "Meet the Lunch Bag Red Retrospot": a sentence's first words may run into a name; drop up to two.
        for skip in range(max(0, min(2, len(words) - 2)) + 1):
            if index.known_name(" ".join(words[skip:]), self.name_overlap, ignore=ignore):
                return True
        # "Lunch Bag Red and Lunch Bag Black" is two names joined; each part must then be known.
        parts = [p for p in _SPLIT.split(name) if p.strip()]
        if len(parts) < 2:
            return False
        for part in parts:
            capitalised = [w for w in part.split() if w[0].isupper() and w.lower() not in COMMON_WORDS]
            if len(capitalised) >= 2 and not index.known_name(part, self.name_overlap, ignore=ignore):
                return False
        return True

    def _status_problems(self, text: str, index: FactIndex) -> list[str]:
        quoted = text
        for sentence in index.verbatim:
            quoted = quoted.replace(sentence, " " * len(sentence))
        problems = []
        for found, status in extract.find_status_claims(quoted):
            if status in index.statuses:
                continue
            sentence = extract.sentence_around(quoted, found.start)
            if _GENERIC.search(sentence) and not re.search(r"\byour order\b|\d{6}", sentence, re.I):
                continue  # policy talk about orders in general, not a claim about this one
            if not index.statuses and not re.search(r"\byour order\b|\border\s+\w?\d{6}|\d{6}", sentence, re.I):
                continue
            problems.append(f"order status {found.raw.strip()!r} is not in the facts")
        return problems

    @staticmethod
    def _commitments(text: str, index: FactIndex, facts: ReplyFacts) -> list[str]:
        allowed = f"{index.corpus}\n{facts.intent}\n{' '.join(index.statuses)}".lower().replace("_", " ")
        found = [m.group(0) for m in _STOCK.finditer(text) if m.group(0).lower() not in index.stock_claims]
        for m in _COMMITMENT.finditer(text):
            stem = (m.group(1) or m.group(0)).lower()
            if stem in allowed or (stem[0].isdigit() and "%" in allowed):
                continue
            if m.group(0) not in found:
                found.append(m.group(0))
        return found

    @staticmethod
    def _names(text: str) -> list[str]:
        """Capitalised runs of 2+ uncommon words, and quoted/bold phrases."""
        # A quoted phrase only counts as a name when it has a capitalised, uncommon word ("Heart Mug", not "under £10").
        names = [
            q
            for q in extract.find_quoted(text)
            if any(w[:1].isupper() and w.lower().strip(_STRIP) not in COMMON_WORDS for w in q.split())
        ]
        run: list[str] = []

        def flush() -> None:
            while run and (run[-1].lower() in _CONNECTORS or run[-1][0].isdigit()):
                run.pop()
            while run and run[0].lower() in COMMON_WORDS:
                run.pop(0)
            capitalised = [w for w in run if w[0].isupper() and w.lower() not in COMMON_WORDS]
            if len(capitalised) >= 2:
                names.append(" ".join(run))
            run.clear()

        for line in _HTML_TAG.sub(" ", text).splitlines():  # markup is flagged on its own
            for raw in line.split():
                word = raw.strip(_STRIP)
                ends = raw.rstrip("\"'”’*)")[-1:] in {".", ",", ";", ":", "!", "?"}  # noqa: RUF001
                if word and (word[0].isupper() or (run and (word[0].isdigit() or word.lower() in _CONNECTORS))):
                    run.append(word)
                else:
                    flush()
                if ends:
                    flush()
            flush()
        return names

    @staticmethod
    def _missing(text: str, facts: ReplyFacts, money: list[extract.MoneyMention]) -> list[str]:
        problems = []
        lowered = text.lower()
        stated = {m.value for m in money}
        said = tokens(text)

        def mentioned(name: str) -> bool:
            words = {w for w in tokens(name) - COMMON_WORDS - _CONNECTORS if not w.isdigit()}
            return name.lower() in lowered or not words or len(words & said) / len(words) >= 0.6

        listed: list[str] = []
        if facts.act in (Act.show_products, Act.compare):
            listed = [p.title for p in facts.products[:MAX_REQUIRED]]
        elif facts.act is Act.product_info:
            listed = [p.title for p in facts.products[:1]]
        elif facts.act is Act.show_bundle and facts.bundle is not None:
            listed = [i.title for i in facts.bundle.items[:MAX_REQUIRED]]
        problems += [f"{title!r} is missing" for title in listed if not mentioned(title)]
        if facts.act in (Act.clarify, Act.did_you_mean):
            problems += [f"option {o!r} is missing" for o in facts.options if not mentioned(o)]
            if "?" not in text:
                problems.append("the question is missing")
        if facts.act is Act.order_list:
            problems += [f"order {o.id} is missing" for o in facts.orders if o.id.lower() not in lowered]
        if facts.act is Act.show_bundle and facts.bundle and facts.bundle.items and facts.bundle.total not in stated:
            problems.append(f"the bundle total {facts.bundle.total} is missing")
        if facts.act in (Act.order_status, Act.order_action) and facts.order and facts.order.id.lower() not in lowered:
            problems.append(f"the order number {facts.order.id} is missing")
        if facts.act is Act.policy_answer and facts.passages:
            sources = [p.source.lower() for p in facts.passages]
            parts = [s.split("§")[-1].strip() for s in sources]
            if not any(s in lowered for s in sources + parts if s):
                problems.append("no policy source is cited")
        return problems


def allowed_money(facts: ReplyFacts) -> set[Decimal]:
    """The amounts a reply about ``facts`` may state (for prompts and debugging)."""
    return set(FactIndex.build(facts).money)
