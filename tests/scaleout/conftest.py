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


@pytest.fixture(scope="session")
def scaleout(services: tuple[Any, Any], service_scripts: Any, tmp_path_factory: pytest.TempPathFactory) -> ScaleOut:
    from cartwise.db import ShopDatabase

    chroma, postgres = services
    local = Settings(shop="giftshop")
    var = tmp_path_factory.mktemp("scaleout-var")
    env = {"CARTWISE_SHOP": "giftshop", "CARTWISE_CHROMA_URL": chroma.url, "CARTWISE_DATABASE_URL": postgres.url,
           "CARTWISE_VAR_DIR": str(var), "CARTWISE_INTENT_MODEL_DIR": str(local.intent_model_path)}
    settings = Settings(shop="giftshop", chroma_url=chroma.url, database_url=postgres.url, var_dir=var,
                        intent_model_dir=local.intent_model_path)
    engine = ShopDatabase.from_settings(settings).engine
    assert engine.dialect.name == "postgresql"
    engine.dispose()
    assert service_scripts.copy_shop(local, settings, DIALOG_CUSTOMERS, SAMPLE_CUSTOMERS) > 0
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


LOCK_LIFETIME_S = 8.0  # short, so the killed-holder test waits seconds, yet far above any turn's time
TURNS_PER_MINUTE = 12  # per conversation, counted in Redis across both workers


@dataclass(frozen=True)
class Workers:
    """Two app worker processes sharing PostgreSQL, the Chroma server and Redis, and what they were given."""

    a: Any
    b: Any
    settings: Settings
    env: dict[str, str]


@pytest.fixture(scope="session")
def workers(scaleout: ScaleOut, redis_server: Any, service_scripts: Any,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    """Two ``uvicorn --factory composition:worker_app`` processes on their own loopback ports, so a test can send
    each turn to the worker it chooses."""
    extra = {"CARTWISE_REDIS_URL": redis_server.url, "CARTWISE_LOCK_LIFETIME_S": str(LOCK_LIFETIME_S),
             "CARTWISE_RATE_LIMIT_PER_MINUTE": str(TURNS_PER_MINUTE)}
    env = {**scaleout.env, **extra}
    settings = scaleout.settings.model_copy(update={"redis_url": redis_server.url, "lock_lifetime_s": LOCK_LIFETIME_S,
                                                    "rate_limit_per_minute": TURNS_PER_MINUTE})
    logs = tmp_path_factory.mktemp("workers")
    started: list[Any] = []
    try:
        for name in "ab":
            started.append(service_scripts.AppServer(env=env, log=logs / f"{name}.log").start())
        yield Workers(started[0], started[1], settings, env)
    finally:
        for app in started:
            app.stop()
