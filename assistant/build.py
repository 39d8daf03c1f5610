"""Build whatever a shop still lacks before the assistant can serve it.

``python app.py`` and ``Assistant.from_settings`` call :func:`ensure_built`:
on a fresh install it loads the demo shop's orders, ingests the catalog into
the SQL database and Chroma, indexes the policies, mines co-purchase statistics
and trains the intent model, logging each step; later starts find it all there.
"""

from __future__ import annotations

import logging
import time

from cartwise.db import ShopDatabase
from cartwise.settings import Settings

logger = logging.getLogger(__name__)


def ensure_built(settings: Settings) -> None:
    """Build the missing parts for ``settings.shop`` (idempotent; quick when all is there)."""
    from assistant.service.policies import PolicyIndex
    from retrieval.catalog import CatalogReader
    from retrieval.embeddings import Embedder
    from retrieval.store import ProductStore
    from retrieval.validation import ColumnMapping

    started = time.perf_counter()
    db = ShopDatabase.from_settings(settings)
    if settings.shop in ("giftshop",) and db.order_count() == 0:
        from cartwise.shop_cli import build_demo_shop

        logger.info("building the %s orders database (first start, ~40 s)", settings.shop)
        build_demo_shop(settings, write_catalog=False)

    embedder = Embedder.from_settings(settings)
    store = ProductStore.from_settings(settings, embedder=embedder, create=True)
    catalog = CatalogReader.default_path(settings)
    if store.count() == 0 or db.product_count() == 0:
        result = CatalogReader(ColumnMapping()).read(catalog)
        for error in result.errors[:20]:
            logger.warning("%s line %d: %s", catalog, error.line, error.reason)
        logger.info("ingesting %d products from %s (first start)", len(result.products), catalog)
        store.upsert(result.products, show_progress=True)
        db.upsert_products(result.products)

    policies = PolicyIndex(store.client, embedder, settings.shop)
    folder = settings.data_dir / "policies" / settings.shop
    if folder.is_dir():
        policies.index(folder)

    if db.order_count() > 0:
        from retrieval.copurchase import CopurchaseStats, build_copurchase

        if not CopurchaseStats.path_for(settings).is_file():
            logger.info("mining co-purchase statistics (first start)")
            build_copurchase(settings, db=db)

    from finetune.train import ensure_intent_model

    ensure_intent_model(settings)
    logger.info("%s is ready (%.1f s)", settings.shop, time.perf_counter() - started)
