"""Expand the hand-written shopping templates into training utterances.

The templates and the per-shop vocabulary live in ``data/intents/shopping/templates.yaml``.
Expansion is deterministic for a given seed: the same file always yields the same examples.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from finetune.context import TurnContext, model_input
from finetune.errors import IntentDataError
from finetune.labels import Intent
from finetune.types import LabeledText

_SLOT = re.compile(r"\{(\w+)\}")
# Conversation turns and bare refinements are short; wrapping them in "quick question:" would
# produce utterances nobody types.
_NO_PREFIX_INTENTS = frozenset({Intent.greeting, Intent.thanks, Intent.goodbye, Intent.refine_search,
                                Intent.edit_bundle, Intent.explain_choice})
_NO_WRAP_INTENTS = frozenset({Intent.greeting, Intent.thanks, Intent.goodbye})


class FollowUpGroup(BaseModel):
    """Templates of one intent that only mean it after certain replies (see :mod:`finetune.context`)."""

    model_config = ConfigDict(frozen=True)

    label: str
    contexts: list[TurnContext]
    templates: list[str]


class TemplateSpec(BaseModel):
    """The parsed ``templates.yaml``."""

    model_config = ConfigDict(frozen=True)

    shops: dict[str, dict[str, list[str]]]
    common: dict[str, list[str]] = {}
    templates: dict[str, list[str]]
    followups: list[FollowUpGroup] = []
    conversation: dict[str, list[str]] = {}
    politeness: dict[str, list[str]] = {}

    @classmethod
    def from_yaml(cls, path: Path) -> TemplateSpec:
        """Read and validate a template file.

        Args:
            path: The YAML file.

        Returns:
            The parsed specification.

        Raises:
            IntentDataError: If the file is missing, not YAML, or lacks ``shops``/``templates``.
        """
        if not path.is_file():
            raise IntentDataError(f"template file {path} does not exist; it ships in data/intents/shopping/")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            return cls.model_validate(raw)
        except (yaml.YAMLError, ValueError) as exc:
            raise IntentDataError(f"template file {path} is malformed: {exc}") from exc


class TemplateExpander:
    """Fill templates with shop vocabulary and add realistic noise.

    Args:
        spec: The parsed template file.
        per_intent: How many distinct utterances to aim for per intent (fewer when the
            templates cannot produce that many).
        seed: Random seed; the output is a pure function of ``spec``, ``per_intent`` and ``seed``.
        typo_rate: Probability of one typo (swap, drop or double a letter) per utterance.
        per_followup: Most utterances per follow-up group and context (at most three per template).

    Example:
        >>> spec = TemplateSpec(shops={"s": {"product": ["mug"]}}, templates={"search_product": ["find {product}"]})
        >>> TemplateExpander(spec, per_intent=1, typo_rate=0.0).expand()[0][1]
        'search_product'
    """

    def __init__(
        self, spec: TemplateSpec, per_intent: int = 300, seed: int = 13, typo_rate: float = 0.1, per_followup: int = 120
    ) -> None:
        self.spec = spec
        self.per_intent = per_intent
        self.seed = seed
        self.typo_rate = typo_rate
        self.per_followup = per_followup

    def expand(self) -> list[LabeledText]:
        """Generate the utterances, intent by intent in file order.

        Returns:
            ``(text, intent)`` pairs, unique within each intent.

        Raises:
            IntentDataError: If a template names a slot no vocabulary defines.
        """
        examples: list[LabeledText] = []
        shop_names = sorted(self.spec.shops)
        for intent, templates in self.spec.templates.items():
            rng = random.Random(f"{self.seed}:{intent}")
            seen: set[str] = set()
            for attempt in range(self.per_intent * 8):
                if len(seen) >= self.per_intent:
                    break
                template = templates[attempt % len(templates)]
                shop = self.spec.shops[rng.choice(shop_names)]
                text = self._noise(self._fill(template, shop, rng, intent), intent, rng)
                key = text.casefold()
                if key not in seen:
                    seen.add(key)
                    examples.append((text, intent))
        return examples

    def expand_followups(self) -> list[LabeledText]:
        """Generate the follow-up utterances, each prefixed with its context by :func:`model_input`.

        Returns:
            ``(model input, intent)`` pairs, unique within each group and context.
        """
        examples: list[LabeledText] = []
        shop_names = sorted(self.spec.shops)
        for n, group in enumerate(self.spec.followups):
            wanted = min(self.per_followup, 3 * len(group.templates))
            for ctx in group.contexts:
                rng = random.Random(f"{self.seed}:followup:{n}:{ctx.value}")
                seen: set[str] = set()
                for attempt in range(wanted * 8):
                    if len(seen) >= wanted:
                        break
                    template = group.templates[attempt % len(group.templates)]
                    shop = self.spec.shops[rng.choice(shop_names)]
                    text = self._noise(self._fill(template, shop, rng, group.label), group.label, rng)
                    key = text.casefold()
                    if key not in seen:
                        seen.add(key)
                        examples.append((model_input(text, ctx), group.label))
        return examples

    def _fill(self, template: str, shop: dict[str, list[str]], rng: random.Random, intent: str) -> str:
        chosen: dict[str, str] = {}

        def value(match: re.Match[str]) -> str:
            slot = match.group(1)
            base = slot.rstrip("0123456789") if slot not in shop else slot
            options = shop.get(base) or self.spec.common.get(slot) or self.spec.conversation.get(base)
            if not options:
                raise IntentDataError(
                    f"template {template!r} of intent {intent!r} uses slot {{{slot}}}, which no vocabulary defines; "
                    "add it under shops.<shop>, common or conversation in templates.yaml"
                )
            # A numbered slot ("{item2}", "{item3}") differs from the others of its base ("compare X and X"
            # teaches nothing).
            taken = {v for k, v in chosen.items() if k.rstrip("0123456789") == base}
            pool = [o for o in options if o not in taken] or options
            chosen[slot] = rng.choice(pool)
            return chosen[slot]

        return _SLOT.sub(value, template)

    def _noise(self, text: str, intent: str, rng: random.Random) -> str:
        wrappers = self.spec.politeness
        if intent not in _NO_WRAP_INTENTS:
            if intent not in _NO_PREFIX_INTENTS and wrappers.get("prefixes") and rng.random() < 0.15:
                text = rng.choice(wrappers["prefixes"]) + text
            if wrappers.get("suffixes") and rng.random() < 0.15:
                text = text.rstrip("?!.") + rng.choice(wrappers["suffixes"])
        roll = rng.random()
        if roll < 0.5:
            text = text.lower()
        elif roll < 0.7:
            text = text[:1].upper() + text[1:]
        if rng.random() < 0.3:
            text = text.rstrip("?!.")
        if rng.random() < self.typo_rate:
            text = _typo(text, rng)
        return text


def _typo(text: str, rng: random.Random) -> str:
    """Swap, drop or double one letter of a word of four or more letters."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    elif kind == 1:
        word = word[:j] + word[j + 1 :]
    else:
        word = word[:j] + word[j] + word[j:]
    words[i] = word
    return " ".join(words)
