"""Build whatever a shop still lacks before the assistant can serve it.

``python app.py`` and ``Assistant.from_settings`` call :func:`ensure_built`: on a fresh install it
loads the demo shop's orders, ingests the catalog into the SQL database and Chroma, indexes the
policies, mines co-purchase statistics and trains an intent model, showing each stage with its
count and time left (:class:`cartwise.console.BuildDisplay`); later starts find it all there.

The intent model it trains depends on ``CARTWISE_INTENT_SERVING`` (:mod:`finetune.serving`):
``auto`` (default) trains only the embedding head (seconds) when no fine-tuned model exists yet;
serving then fine-tunes in the background. ``fine-tuned`` trains the fine-tuned model here
(minutes), ``embedding-head`` only the head. Measured stage times: ``docs/benchmarks/install.md``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cartwise.console import BuildDisplay
from cartwise.db import ShopDatabase
from cartwise.settings import Settings

if TYPE_CHECKING:
    from retrieval.embeddings import Embedder

logger = logging.getLogger(__name__)


def ensure_built(settings: Settings, display: BuildDisplay | None = None) -> None:
    """Build the missing parts for ``settings.shop`` (idempotent; quick when all is there).

    Args:
        settings: The shop and where its artefacts live.
        display: Where to show the stages (default: a live display on standard error).
    """
    with display or BuildDisplay() as shown:
        _build(settings, shown)


def _build(settings: Settings, display: BuildDisplay) -> None:
    from assistant.service.policies import PolicyIndex
    from finetune.train import free_cores
    from retrieval.catalog import CatalogReader
    from retrieval.embeddings import Embedder
    from retrieval.store import ProductStore
    from retrieval.validation import ColumnMapping

    started = time.perf_counter()
    db = ShopDatabase.from_settings(settings)
    if settings.shop in ("giftshop",) and db.order_count() == 0:
        from cartwise.shop_cli import build_demo_shop

        with display.stage("orders database") as stage:
            orders = build_demo_shop(settings, write_catalog=False)
            stage.describe(f"orders database: {orders:,} orders")

    embedder = Embedder.from_settings(settings)
    store = ProductStore.from_settings(settings, embedder=embedder, create=True)
    catalog = CatalogReader.default_path(settings)
    if store.count() == 0 or db.product_count() == 0:
        result = CatalogReader(ColumnMapping()).read(catalog)
        for error in result.errors[:20]:
            logger.warning("%s line %d: %s", catalog, error.line, error.reason)
        with display.stage("product index", total=len(result.products), unit="products") as stage, _threads(
            free_cores()
        ):
            store.upsert(result.products, on_progress=stage.advance)
            db.upsert_products(result.products)

    folder = settings.data_dir / "policies" / settings.shop
    if folder.is_dir():
        policies = PolicyIndex(store.client, embedder, settings.shop)
        with display.stage("policies") as stage:
            stage.describe(f"policies: {policies.index(folder)} passages")

    if db.order_count() > 0:
        from retrieval.copurchase import CopurchaseStats, build_copurchase

        if not CopurchaseStats.path_for(settings).is_file():
            with display.stage("co-purchase statistics") as stage:
                stats = build_copurchase(settings, db=db, show_progress=False)
                stage.describe(f"co-purchase statistics: {stats.n_pairs:,} pairs")

    _ensure_intent_model(settings, embedder, display)
    logger.info("%s is ready (%.1f s)", settings.shop, time.perf_counter() - started)


def _ensure_intent_model(settings: Settings, embedder: Embedder, display: BuildDisplay) -> None:
    from finetune.embedding_head import HEAD_METADATA_FILE
    from finetune.metadata import fine_tuned_ready
    from finetune.serving import ensure_embedding_head
    from finetune.train import TrainConfig, ensure_intent_model, free_cores

    mode = settings.intent_serving
    if mode == "fine-tuned":
        if not fine_tuned_ready(settings.intent_model_path):
            with display.stage("intent model: fine-tuning (minutes on a CPU)"):
                ensure_intent_model(settings, TrainConfig(show_progress=False))
        return
    if mode == "auto" and fine_tuned_ready(settings.intent_model_path):
        return
    if not (settings.intent_head_path / HEAD_METADATA_FILE).is_file():
        with display.stage("intent model: embedding head") as stage, _threads(free_cores()):
            head = ensure_embedding_head(settings, embedder)
            stage.describe(f"intent model: embedding head, {len(head.labels)} intents")
    if mode == "auto":
        display.note(
            "The fine-tuned intent model trains in the background once serving starts and replaces the "
            f"embedding head when ready (log: {settings.log_dir / 'intent-train.log'})."
        )


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """Run a build step on ``n`` torch threads (free cores: on a busy 2-core box one thread beat two
    by 2-4x), then restore the previous count."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
