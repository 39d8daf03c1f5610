"""Assemble a :class:`~assistant.dialog.manager.DialogManager` for one shop from settings.

This is the only place that knows which concrete parts the assistant is made of; everything else receives
them ready-made.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.dialog.handlers.bundles import BundlePlanner
from assistant.dialog.handlers.picks import ShopperPicks
from assistant.dialog.handlers.shopping import ShoppingAdvisor
from assistant.dialog.manager import DialogManager
from assistant.dialog.state import SessionStore
from assistant.nlg.factory import generator_from_settings
from assistant.personal import Personaliser
from assistant.rate_limit import limiter_from_settings
from assistant.service.customer_service import CustomerService
from assistant.service.policies import PolicyIndex
from assistant.understanding import CatalogCheck, CatalogVocabulary, ProblemReader, SlotExtractor, Understander
from assistant.understanding.catalog import CatalogMatcher
from cartwise.db import ShopDatabase
from cartwise.settings import Settings
from cartwise.shops.profile import shop_profile
from finetune.serving import load_intent_model
from retrieval.bundles import BundleBuilder
from retrieval.copurchase import CopurchaseError, CopurchaseStats
from retrieval.embeddings import Embedder
from retrieval.history import HistoryBuilder
from retrieval.picks import PersonalRecommender
from retrieval.product_vectors import ProductVectors
from retrieval.rerank import HistoryReranker
from retrieval.rules import ShopRules
from retrieval.store import ProductStore

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)


def catalog_check_for(settings: Settings) -> CatalogCheck:
    """The shop's calibrated catalog check (``cartwise calibrate`` writes it), else the default threshold."""
    path = calibration_path(settings)
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        return CatalogCheck(threshold=float(data["threshold"]))
    return CatalogCheck()


def calibration_path(settings: Settings) -> Path:
    return settings.shop_data_dir / "calibration.json"


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
    check = catalog_check_for(settings)
    shopping = ShoppingAdvisor(store, profile.currency, personaliser=personaliser)
    builder = BundleBuilder(vectors, ShopRules.from_settings(settings), embedder=embedder, copurchase=copurchase,
                            size=settings.bundle_size, currency=profile.currency).warm_up()
    bundles = BundlePlanner(builder, shopping, personaliser, profile.currency)
    picks = ShopperPicks(shopping, personaliser, vectors,
                         recommender_for=lambda popularity: PersonalRecommender(vectors, copurchase, popularity),
                         popularity=db.product_popularity)
    service = CustomerService(db, PolicyIndex(store.client, embedder, settings.shop), sessions, profile)
    vocabulary = embedder.model.tokenizer.get_vocab()
    catalog = CatalogVocabulary.from_products(vectors.products, is_dictionary_word=lambda w: w in vocabulary)
    matcher = CatalogMatcher(store.search_by_vector, embedder.encode,
                             [p.category for p in vectors.products if p.category])
    understander = Understander(
        load_intent_model(settings, encoder=embedder),
        SlotExtractor(brands=catalog.brands, currency_symbol=profile.currency, max_chars=settings.max_message_chars,
                      product_words=frozenset(catalog.title_counts)),
        catalog, matcher, ProblemReader(embedder), check,
    )
    dialog = DialogManager(
        understander=understander, shopping=shopping, bundles=bundles, picks=picks, service=service,
        sessions=sessions, generator=generator_from_settings(settings), currency=profile.currency,
        shop_name=profile.display_name, max_chars=settings.max_message_chars, rate_limit=settings.rate_limit_per_minute,
    )
    # Per-conversation limit shared by every process when Redis is configured.
    dialog.limiter = limiter_from_settings(settings, settings.rate_limit_per_minute, "session", client=redis)
    store.search("warm up", k=1)  # builds the BM25 snapshot now, not on the first shopper's turn
    return dialog, db
