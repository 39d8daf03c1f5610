"""A Chroma server and a PostgreSQL cluster on loopback, and the giftshop built into them purely by settings.

What goes in (chosen to keep the build under a minute on two cores):

* all 3.7k giftshop products, copied with their vectors from the local embedded store (no re-embedding),
  into the Chroma server through ``ProductStore.from_settings`` with ``CARTWISE_CHROMA_URL`` set;
* the products, and the customers and orders of customers 17850, 12347, 12583 plus 150 others drawn with a
  fixed seed (about 1k orders), into PostgreSQL through ``ShopDatabase.from_settings`` with
  ``CARTWISE_DATABASE_URL`` set;
* the policies, indexed into the Chroma server by ``ensure_built``; the co-purchase statistics file mined
  from the full order history, copied into the temporary ``CARTWISE_VAR_DIR``.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cartwise.settings import REPO_ROOT, Settings

DIALOG_CUSTOMERS = ("17850", "12347", "12583")
SAMPLE_CUSTOMERS = 150


@dataclass(frozen=True)
class ScaleOut:
    """The services and the settings (and environment) that point Cartwise at them."""

    settings: Settings
    env: dict[str, str]
    chroma: Any
    postgres: Any


@pytest.fixture(scope="session")
def services(service_scripts: Any) -> Iterator[tuple[Any, Any]]:
    svc = service_scripts
    missing = svc.missing_binaries()
    if missing:
        pytest.skip(f"scale-out tests need {', '.join(missing)}: `pip install chromadb` provides chroma, "
                    "`apt-get install postgresql` provides initdb and pg_ctl")
    chroma = svc.ChromaServer().start()
    try:
        postgres = svc.PostgresCluster().start()
    except svc.ServiceError as exc:
        chroma.stop()
        pytest.skip(f"PostgreSQL could not be started here: {exc}")
    try:
        yield chroma, postgres
    finally:
        postgres.stop()
        chroma.stop()


def _copy_orders(source: Any, target: Any) -> int:
    from cartwise.models import Customer

    rng = random.Random(17)
    everyone = sorted(c.id for c in source.active_customers(limit=100_000))
    chosen = list(DIALOG_CUSTOMERS) + rng.sample([c for c in everyone if c not in DIALOG_CUSTOMERS], SAMPLE_CUSTOMERS)
    customers: list[Customer] = [c for c in (source.get_customer(i) for i in chosen) if c is not None]
    orders = [o for c in customers for o in source.orders_for_customer(c.id, limit=100_000)]
    target.replace_orders(customers, orders)
    return len(orders)


@pytest.fixture(scope="session")
def scaleout(services: tuple[Any, Any], tmp_path_factory: pytest.TempPathFactory) -> ScaleOut:
    from assistant.build import ensure_built
    from cartwise.db import ShopDatabase
    from retrieval.embeddings import Embedder
    from retrieval.store import ProductStore

    chroma, postgres = services
    local = Settings(shop="giftshop")
    var = tmp_path_factory.mktemp("scaleout-var")
    (var / "giftshop").mkdir()
    shutil.copy(local.shop_var_dir / "copurchase.npz", var / "giftshop" / "copurchase.npz")
    env = {"CARTWISE_SHOP": "giftshop", "CARTWISE_CHROMA_URL": chroma.url, "CARTWISE_DATABASE_URL": postgres.url,
           "CARTWISE_VAR_DIR": str(var), "CARTWISE_INTENT_MODEL_DIR": str(local.intent_model_path)}
    settings = Settings(shop="giftshop", chroma_url=chroma.url, database_url=postgres.url, var_dir=var,
                        intent_model_dir=local.intent_model_path)

    embedder = Embedder.from_settings(local)
    source_store = ProductStore.from_settings(local, embedder=embedder)
    products = source_store.all_products()
    vectors = source_store.embeddings([p.id for p in products])
    server_store = ProductStore.from_settings(settings, embedder=embedder, create=True)
    server_store.upsert(products, batch_size=512, vectors=vectors)
    assert server_store.count() == len(products)

    source_db, db = ShopDatabase.from_settings(local), ShopDatabase.from_settings(settings)
    assert db.engine.dialect.name == "postgresql"
    db.upsert_products(products)
    assert _copy_orders(source_db, db) > 0
    ensure_built(settings)  # indexes the policies into the server; everything else is found there
    db.engine.dispose()
    return ScaleOut(settings=settings, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"}, chroma=chroma,
                    postgres=postgres)


@pytest.fixture
def scaleout_dialogs() -> list[Path]:
    names = ["giftshop_owner_order_status", "giftshop_stranger_order", "giftshop_guest_order",
             "giftshop_identity_switch", "giftshop_search_lunch_bags", "giftshop_refine_cheaper",
             "giftshop_refine_ordinal", "giftshop_bundle_christmas_budget", "giftshop_bundle_edit",
             "giftshop_policy_returns", "giftshop_handoff", "giftshop_sql_injection"]
    paths = [REPO_ROOT / "tests" / "dialogs" / f"{name}.yaml" for name in names]
    return [p for p in paths if p.is_file()]
