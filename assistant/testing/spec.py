"""The YAML format of scripted dialog tests: conversations a shop writes without Python.

One file per conversation::

    name: owner checks an order
    shop: giftshop                 # optional; default: the shop being served
    as_user: null                  # optional default for every step; null = guest
    steps:
      - user: "where is my order 536365?"
        as_user: "17850"           # optional, per step
        expect:
          intent: track_order      # or a list of acceptable intents
          text_contains: ["536365", "delivered"]
          products_include: ["85123A", "lunch bag"]   # ids or title substrings

:func:`load_dialog` reports a malformed file with its path, the line, and what is wrong.
:mod:`assistant.testing.runner` runs them.
"""

from __future__ import annotations

import reprlib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from assistant.errors import AssistantError


class DialogFileError(AssistantError, ValueError):
    """A dialog YAML file is malformed: the message names the file, the line and the problem."""


def _to_text(value: Any) -> Any:
    # YAML reads 536365 and 17850 as numbers; shops should not have to quote ids.
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _to_list(value: Any) -> Any:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        return [_to_text(v) for v in value]
    return value


class Expect(BaseModel):
    """What one reply must satisfy. Every check is optional; text comparisons ignore case."""

    model_config = ConfigDict(extra="forbid")

    intent: list[str] | None = Field(None, description="the reply's intent is one of these")
    text_contains: list[str] = Field(default_factory=list, description="all of these appear in the text")
    text_contains_any: list[str] = Field(default_factory=list, description="at least one appears in the text")
    text_not_contains: list[str] = Field(default_factory=list, description="none of these appear in the text")
    products_include: list[str] = Field(default_factory=list, description="each matches a shown product (id or title)")
    products_exclude: list[str] = Field(default_factory=list, description="none matches a shown product")
    products_first: str | None = Field(None, description="the first shown product matches this (id or title)")
    products_all_contain: list[str] = Field(
        default_factory=list, description="every shown product's title or category contains one of these"
    )
    products_min: int | None = Field(None, ge=0)
    products_max: int | None = Field(None, ge=0)
    products_price_max: Decimal | None = Field(None, description="every shown product costs at most this")
    products_cheaper_than_before: StrictBool | None = Field(
        None, description="the median shown price is below the previous reply's (for 'cheaper')"
    )
    products_price_order: Literal["ascending", "descending"] | None = Field(
        None, description="the shown products are sorted by price this way (for 'the cheapest')"
    )
    products_first_is_previous: int | None = Field(
        None, ge=1, description="the first shown product is the previous reply's n-th (for 'the second one')"
    )
    products_first_is_cheapest_of_previous: StrictBool | None = Field(
        None, description="the first shown product is the previous reply's cheapest (for 'the cheapest of these')"
    )
    products_new: StrictBool | None = Field(
        None, description="no shown product was in the previous reply (for 'something else', 'more like this')"
    )
    bundle: StrictBool | None = Field(None, description="a bundle is (true) / is not (false) shown")
    bundle_include: list[str] = Field(default_factory=list, description="each matches a bundle item (id or title)")
    bundle_min_items: int | None = Field(None, ge=0)
    bundle_includes_previous: int | None = Field(
        None, ge=1, description="a bundle item is the previous reply's n-th product (for 'a bundle with it')"
    )
    bundle_total_max: Decimal | None = None
    bundle_within_budget: StrictBool | None = None
    handoff: StrictBool | None = None
    slots: dict[str, str] = Field(default_factory=dict, description="these slots have these values")
    options_include: list[str] = Field(default_factory=list, description="each appears in a quick reply")
    confidence_min: float | None = Field(None, ge=0.0, le=1.0)

    @field_validator(
        "intent", "text_contains", "text_contains_any", "text_not_contains", "products_include",
        "products_exclude", "products_all_contain", "bundle_include", "options_include", mode="before",
    )
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _to_list(value)

    @field_validator("slots", mode="before")
    @classmethod
    def _slot_values(cls, value: Any) -> Any:
        return {k: _to_text(v) for k, v in value.items()} if isinstance(value, dict) else value


class Step(BaseModel):
    """One shopper message and what the reply must satisfy."""

    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1)
    as_user: str | None = None
    expect: Expect = Field(default_factory=lambda: Expect())

    @field_validator("user", "as_user", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return _to_text(value)


class Dialog(BaseModel):
    """One scripted conversation."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    shop: str | None = None
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    as_user: str | None = None
    steps: list[Step] = Field(min_length=1)

    @field_validator("as_user", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        return _to_text(value)

    def customer_for(self, index: int) -> str | None:
        """Who is signed in at step ``index``: the step's ``as_user`` if written, else the dialog's."""
        step = self.steps[index]
        return step.as_user if "as_user" in step.model_fields_set else self.as_user




def _short_repr(value: Any) -> str:
    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxdict, short.maxstring, short.maxother = 2, 4, 4, 60, 60
    return short.repr(value)


def _node_at(root: yaml.Node, loc: tuple[int | str, ...]) -> tuple[yaml.Node, bool]:
    """The deepest YAML node along ``loc``, and whether the whole path was found."""
    node = root
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child = key if part == loc[-1] else value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            return node, False
        node = child
    return node, True


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel]:
    names = [p for p in loc if isinstance(p, str)]
    if "expect" in names:
        return Expect
    return Step if "steps" in names else Dialog


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _explain(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(_model_at(loc[:-1]).model_fields)
        return f"unknown key {loc[-1]!r} in {_where(loc[:-1])}; allowed keys: {allowed}"
    if kind == "missing":
        return f"{_where(loc)} is required but missing"
    # reprlib caps depth and length: a YAML alias bomb expands to billions of items in a plain repr.
    shown = _short_repr(error.get("input"))
    return f"{_where(loc)}: {error['msg']} (got {shown})"


def load_dialog(path: Path) -> Dialog:
    """Read and validate one dialog file.

    Args:
        path: a ``.yaml`` file.

    Returns:
        The dialog.

    Raises:
        DialogFileError: naming the file, the line and what is wrong.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DialogFileError(f"{path}: cannot read the dialog file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise DialogFileError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); save the file as UTF-8"
        ) from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None:
            problem += f" ({context} started on line {context_mark.line + 1})"
        raise DialogFileError(f"{path}{line}: not valid YAML: {problem}") from exc
    except RecursionError:
        raise DialogFileError(f"{path}: nested too deeply to be a dialog file (lists or mappings inside each "
                              "other hundreds of levels deep)") from None
    if root is None or not isinstance(data, dict):
        raise DialogFileError(f"{path}, line 1: a dialog file must be a mapping with 'name' and 'steps'")
    try:
        return Dialog.model_validate(data)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            node, _found = _node_at(root, tuple(error["loc"]))
            found.append((node.start_mark.line + 1, _explain(dict(error))))
        raise DialogFileError("\n".join(f"{path}, line {line}: {what}" for line, what in sorted(found))) from exc


def find_dialogs(paths: list[Path]) -> list[Path]:
    """Expand directories to their ``*.yaml``/``*.yml`` files (sorted); files are kept as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise DialogFileError(f"{path}: no such file or directory")
    return found
