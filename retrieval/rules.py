"""A shop's own knowledge of what goes together: "goes with" rules and theme needs, from YAML.

``data/shops/<shop>/goes_with.yaml`` says, for products that match a rule (by
title words or category), which other kinds of product complete them (laptop ->
monitor, headphones, portable SSD). ``data/shops/<shop>/themes.yaml`` lists, for
an occasion ("tea party", "home office"), the kinds of product it needs. Each
need is a short search query plus an optional category filter; the bundle
builder turns it into products.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cartwise.models import Product
from cartwise.words import stem
from retrieval.errors import RetrievalError

if TYPE_CHECKING:
    from cartwise.settings import Settings


class RulesError(RetrievalError):
    """A rules or themes file is unreadable or does not follow the schema."""


class Need(BaseModel):
    """A kind of product a rule or theme asks for.

    Attributes:
        role: short name of the slot it fills ("monitor", "cups"); at most one item per role in a bundle.
        query: what to search for.
        categories: only products of these categories qualify (None: any).
        title_any: only products whose title contains one of these words qualify (None: any).
        per_person: one per person when the shopper says how many people ("for four").
        reason: the sentence shown for the chosen product; ``{anchor}`` and ``{theme}`` are filled in.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str
    query: str
    categories: tuple[str, ...] | None = None
    title_any: tuple[str, ...] | None = None
    per_person: bool = False
    reason: str = ""

    def accepts(self, product: Product) -> bool:
        if self.categories is not None and product.category not in self.categories:
            return False
        if self.title_any is not None:
            title = product.title.lower()
            return any(re.search(rf"\b{re.escape(w.lower())}", title) for w in self.title_any)
        return True


class RuleMatch(BaseModel):
    """Which anchor products a rule applies to: any listed category, or any listed word in the title."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    categories: tuple[str, ...] = ()
    title_any: tuple[str, ...] = ()

    def matches(self, product: Product) -> bool:
        if product.category in self.categories:
            return True
        title = product.title.lower()
        return any(re.search(rf"\b{re.escape(w.lower())}\b", title) for w in self.title_any)


class GoesWithRule(BaseModel):
    """For anchors that match ``match``, the needs that complete them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    match: RuleMatch
    needs: tuple[Need, ...]


class Theme(BaseModel):
    """An occasion and the kinds of product it needs, most important first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    aliases: tuple[str, ...] = ()
    needs: tuple[Need, ...]

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class ShopRules(BaseModel):
    """Everything a shop says about what goes together.

    Attributes:
        roles_from: how a product's role is named when no rule gives one: ``"type"`` (from the title,
            for shops with short descriptive titles) or ``"category"`` (for fine-grained categories).
        per_person_types: product types bought one per person ("cup", "plate").
        rules: goes-with rules.
        themes: known occasions.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    roles_from: Literal["type", "category"] = "type"
    per_person_types: tuple[str, ...] = ()
    rules: tuple[GoesWithRule, ...] = ()
    themes: tuple[Theme, ...] = Field(default=())

    @classmethod
    def from_settings(cls, settings: Settings) -> ShopRules:
        return cls.load(settings.shop_data_dir)

    @classmethod
    def load(cls, shop_dir: str | Path) -> ShopRules:
        """Read ``goes_with.yaml`` and ``themes.yaml`` from ``shop_dir``; missing files mean no rules.

        Raises:
            RulesError: for unreadable YAML or entries that break the schema, naming the file and entry.
        """
        shop_dir = Path(shop_dir)
        data: dict[str, object] = {}
        goes = _read_yaml(shop_dir / "goes_with.yaml")
        themes = _read_yaml(shop_dir / "themes.yaml")
        data.update({k: v for k, v in goes.items() if k != "themes"})
        if "themes" in themes:
            data["themes"] = themes["themes"]
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise RulesError(
                f"rules for {shop_dir.name} do not follow the schema at {where}: {first['msg']} "
                f"(got {first.get('input')!r}); fix goes_with.yaml/themes.yaml in {shop_dir}"
            ) from exc

    def rules_for(self, product: Product) -> list[GoesWithRule]:
        """The rules whose match applies to ``product``, in file order."""
        return [r for r in self.rules if r.match.matches(product)]

    def theme_named(self, text: str) -> Theme | None:
        """The theme whose name or alias appears in ``text`` (longest name wins), else None."""
        named = self._named(text)
        return named[1] if named else None

    def theme_phrase(self, text: str) -> str:
        """The theme name or alias ``text`` says, as the theme writes it ("home cinema"; longest wins), else ""."""
        named = self._named(text)
        return named[0] if named else ""

    @cached_property
    def _names_folded(self) -> list[tuple[str, str, Theme]]:
        """Each theme's name and aliases as written (lower case) and folded, read once (a message is read against
        them on every turn)."""
        return [(key, f" {_folded(key)} ", theme) for theme in self.themes for name in theme.names()
                if (key := " ".join(re.findall(r"[a-z0-9]+", name.lower())))]

    def _named(self, text: str) -> tuple[str, Theme] | None:
        # Word forms folded on both sides: "someone who works from home" says "work from home", "tea parties" says
        # "tea party".
        low = f" {_folded(text)} "
        best: tuple[str, Theme] | None = None
        for key, folded, theme in self._names_folded:
            if folded in low and (best is None or len(key) > len(best[0])):
                best = (key, theme)
        return best


def _folded(text: str) -> str:
    return " ".join(stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()))


def _read_yaml(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"cannot read {path}: {exc}; fix the YAML syntax") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulesError(f"{path} must hold a mapping (rules:/themes: keys); got {type(data).__name__}")
    return data
