"""A new shop is a folder, not code: a third shop (tests/fixtures/shops/bookshop: profile.yaml in euros, a
40-row catalog.csv, two policy files, no orders) is built by the same build code the demo shops use and
answers through ``Assistant.respond``."""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cartwise.settings import REPO_ROOT, Settings

FIXTURE_SHOPS = Path(__file__).parent / "fixtures" / "shops"
SHOP = "bookshop"


def catalog_ids() -> set[str]:
    with (FIXTURE_SHOPS / SHOP / "catalog.csv").open(encoding="utf-8") as f:
        return {row["id"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def bookshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from composition import build_assistant

    # The intent model is the suite's (trained once, served fine-tuned): nothing shop-specific in it.
    settings = Settings(shop=SHOP, shops_dir=FIXTURE_SHOPS, var_dir=tmp_path_factory.mktemp("bookshop-var"),
                        intent_model_dir=Settings().intent_model_path, intent_serving="fine-tuned")
    bot = build_assistant(settings)  # builds: database, product index, policies
    yield bot
    bot.db.engine.dispose()


def test_a_product_search_shows_the_new_catalog_in_its_currency(bookshop: Any) -> None:
    reply = bookshop.respond("do you have any cookbooks?", "s-search")
    assert reply.products, reply.text
    assert {p.id for p in reply.products} <= catalog_ids()
    assert "€" in reply.text and "£" not in reply.text and "$" not in reply.text, reply.text


def test_a_budget_is_read_in_the_shops_currency(bookshop: Any) -> None:
    reply = bookshop.respond("a detective novel under €12", "s-budget")
    assert reply.products and all(p.price <= 12 for p in reply.products), reply.text
    assert "€" in reply.text, reply.text


def test_a_returns_question_is_answered_from_its_policy(bookshop: Any) -> None:
    reply = bookshop.respond("what is your returns policy?", "s-returns")
    assert "21 days" in reply.text, reply.text
    assert reply.sources and all(s.startswith("Returns and refunds") for s in reply.sources), reply.sources


def test_an_order_question_from_a_guest_asks_to_sign_in(bookshop: Any) -> None:
    reply = bookshop.respond("where is my order 123456?", "s-order")
    assert reply.slots.get("order_id") == "123456", reply
    assert "sign in" in reply.text.lower() and not reply.products, reply.text


def test_no_code_names_the_fixture_shop() -> None:
    # The point of the fixture: had any code needed to know about it, adding a shop would not be data only.
    found = subprocess.run(
        ["git", "grep", "--untracked", "-il", "-e", SHOP, "-e", "Liffey", "--", "*.py", ":!tests/"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )
    assert found.stdout == "", found.stdout
