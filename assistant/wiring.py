"""Assemble a :class:`~assistant.dialog.DialogManager` for one shop from settings.

This is the only place that knows which concrete parts the assistant is made
of; everything else receives them ready-made.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from assistant.bundling import BundlePlanner
from assistant.dialog import DialogManager
from assistant.nlg.factory import generator_from_settings
from assistant.personal import Personaliser
from assistant.policies import PolicyIndex
from assistant.rate_limit import limiter_from_settings
from assistant.service import CustomerService
from assistant.shopping import ShoppingAdvisor
from assistant.slots import SlotExtractor
from assistant.state import SessionStore
from cartwise.db import ShopDatabase
from cartwise.settings import Settings
from cartwise.shops.profile import shop_profile
from finetune.classifier import IntentClassifier
from retrieval.bundles import BundleBuilder
from retrieval.copurchase import CopurchaseError, CopurchaseStats
from retrieval.embeddings import Embedder
from retrieval.history import HistoryBuilder
from retrieval.product_vectors import ProductVectors
from retrieval.rerank import HistoryReranker
from retrieval.rules import ShopRules
from retrieval.store import ProductStore

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)


def build_dialog_manager(settings: Settings, redis: redis.Redis | None = None) -> tuple[DialogManager, ShopDatabase]:
    """Open the database and stores and load the models of ``settings.shop``.

    Args:
        settings: project settings.
        redis: the shared Redis client (``CARTWISE_REDIS_URL``): the per-conversation rate limit is then counted
            there, across every app process, instead of in this one.
    """
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(settings.torch_threads)
    # numpy's OpenBLAS starts one thread per core in every process: N workers on N cores would oversubscribe them.
    threadpool_limits(limits=settings.torch_threads, user_api="blas")
    profile = shop_profile(settings)
    db = ShopDatabase.from_settings(settings)
    sessions = SessionStore(db.engine).create_schema()
    embedder = Embedder.from_settings(settings)
    store = ProductStore.from_settings(settings, embedder=embedder)
    vectors = ProductVectors.from_store(store)
    if settings.exact_index:
        store.use_exact_index(vectors)
    try:
        copurchase: CopurchaseStats | None = CopurchaseStats.from_settings(settings)
    except CopurchaseError:
        copurchase = None
    personaliser = Personaliser(db, vectors, HistoryBuilder.from_settings(settings),
                                HistoryReranker.from_settings(settings, copurchase=copurchase),
                                ttl_s=settings.history_cache_ttl_s)
    categories = sorted({p.category for p in vectors.products if p.category})
    shopping = ShoppingAdvisor(store, profile.currency, categories, personaliser=personaliser)
    builder = BundleBuilder(vectors, ShopRules.from_settings(settings), embedder=embedder, copurchase=copurchase,
                            size=settings.bundle_size, currency=profile.currency).warm_up()
    bundles = BundlePlanner(builder, shopping, personaliser, profile.currency)
    service = CustomerService(db, PolicyIndex(store.client, embedder, settings.shop), sessions)
    dialog = DialogManager(
        classifier=IntentClassifier.from_settings(settings), slots=SlotExtractor.from_settings(settings),
        shopping=shopping, bundles=bundles, service=service, sessions=sessions,
        generator=generator_from_settings(settings), currency=profile.currency, shop_name=profile.display_name,
        max_chars=settings.max_message_chars, rate_limit=settings.rate_limit_per_minute,
    )
    # Per-conversation limit shared by every process when Redis is configured (set here, not in DialogManager's
    # constructor, so the dialog module stays as it is).
    dialog.limiter = limiter_from_settings(settings, settings.rate_limit_per_minute, "session", client=redis)
    store.search("warm up", k=1)  # builds the BM25 snapshot now, not on the first shopper's turn
    return dialog, db

