"""The composition root: the one module that chooses Cartwise's concrete parts and wires them together.

Packages receive ready collaborators and never build their own; everything that starts Cartwise builds through
here: ``python app.py`` and the ``cartwise`` command (:mod:`app`), ``uvicorn --factory composition:worker_app``
(one of several app processes, docs/deploy.md), tests and bench scripts.

- :func:`ensure_built`: build whatever a shop still lacks (orders database, product index, policies,
  co-purchase statistics, an intent model), showing each stage with its count and time left
  (:class:`cartwise.console.BuildDisplay`); later starts find it all there. Which intent model it trains depends
  on ``CARTWISE_INTENT_SERVING`` (:mod:`finetune.serving`): ``auto`` (default) trains only the embedding head
  (seconds) when no fine-tuned model exists yet and serving fine-tunes in the background; ``fine-tuned`` trains
  the fine-tuned model here (minutes); ``embedding-head`` only the head. Stage times: docs/benchmarks/install.md.
- :func:`build_dialog_manager` / :func:`build_assistant`: the assistant of one shop from its settings.
- :func:`build_app`, :func:`worker_app`, :func:`serve_command`: the web app, one process or several.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from assistant import Assistant
from assistant.catalog_watch import CatalogWatcher
from assistant.dialog.handlers.bundles import BundlePlanner
from assistant.dialog.handlers.picks import ShopperPicks
from assistant.dialog.handlers.shopping import ShoppingAdvisor
from assistant.dialog.manager import DialogManager
from assistant.dialog.state import SessionStore
from assistant.errors import SharedStateError
from assistant.locks import lock_store_from_settings
from assistant.logging_redaction import install_log_redaction
from assistant.nlg.factory import generator_from_settings
from assistant.personal import Personaliser
from assistant.rate_limit import limiter_from_settings
from assistant.redis_client import redis_from_settings
from assistant.service.customer_service import CustomerService
from assistant.service.policies import PolicyIndex
from assistant.understanding import (
    CatalogCheck,
    CatalogVocabulary,
    PolicyCheck,
    ProblemReader,
    SlotExtractor,
    Understander,
)
from assistant.understanding.catalog import CatalogMatcher
from cartwise.build_lock import one_build_at_a_time
from cartwise.console import BuildDisplay
from cartwise.db import ShopDatabase
from cartwise.settings import Settings
from cartwise.shops.profile import shop_profile
from finetune.serving import load_intent_model
from retrieval.audience import ChildrenAxis
from retrieval.bundles import BundleBuilder, CandidateFinder
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
    from fastapi import FastAPI

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- building a shop
def ensure_built(settings: Settings, display: BuildDisplay | None = None) -> None:
    """Build the missing parts for ``settings.shop`` (idempotent; quick when all is there).

    Args:
        settings: The shop and where its artefacts live.
        display: Where to show the stages (default: a live display on standard error).
    """
    with one_build_at_a_time(settings), display or BuildDisplay() as shown:
        _build(settings, shown)


def _build(settings: Settings, display: BuildDisplay) -> None:
    started = time.perf_counter()
    db = ShopDatabase.from_settings(settings)
    try:
        _build_with(settings, db, display)
    finally:
        db.engine.dispose()  # the build's own connections; the assistant opens its own
    logger.info("%s is ready (%.1f s)", settings.shop, time.perf_counter() - started)


def _build_with(settings: Settings, db: ShopDatabase, display: BuildDisplay) -> None:
    from cartwise.cpu import free_cores
    from retrieval.catalog import CatalogReader
    from retrieval.validation import ColumnMapping

    if shop_profile(settings).demo_orders and db.order_count() == 0:
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
        threads = free_cores()
        with display.stage("product index", total=len(result.products), unit="products") as stage, _threads(threads):
            embedder.model  # noqa: B018  (loaded here, so the rate below is the ingest's own)
            report = store.upsert(result.products, on_progress=stage.advance)
            db.upsert_products(result.products)
            rate = report.embedded / max(report.seconds, 1e-9)
            stage.describe(f"product index ({rate:,.0f}/s, {threads} threads)")
            logger.info("product index: %d products embedded and stored, %.0f/s on %d torch threads",
                        report.embedded, rate, threads)

    folder = settings.shop_data_dir / "policies"
    if folder.is_dir():
        policies = policy_index(store, embedder, settings.shop)
        with display.stage("policies") as stage:
            stage.describe(f"policies: {policies.index(folder)} passages")

    if db.order_count() > 0:
        from retrieval.copurchase import build_copurchase

        if not CopurchaseStats.path_for(settings).is_file():
            with display.stage("co-purchase statistics") as stage:
                stats = build_copurchase(settings, db=db, show_progress=False)
                stage.describe(f"co-purchase statistics: {stats.n_pairs:,} pairs")

    _ensure_intent_model(settings, embedder, display)


def _ensure_intent_model(settings: Settings, embedder: Embedder, display: BuildDisplay) -> None:
    from cartwise.cpu import free_cores
    from finetune.background import training_lock
    from finetune.embedding_head import HEAD_METADATA_FILE
    from finetune.metadata import fine_tuned_ready
    from finetune.serving import ensure_embedding_head
    from finetune.train import TrainConfig, ensure_intent_model

    mode = settings.intent_serving
    if mode == "fine-tuned":
        if not fine_tuned_ready(settings.intent_model_path):
            # A background child may be training this model already (a serving process in "auto" mode, or one
            # started ahead of the build): wait for its model rather than train a second copy beside it.
            with display.stage("intent model: fine-tuning (minutes on a CPU)"), \
                    training_lock(settings.intent_model_path):
                if not fine_tuned_ready(settings.intent_model_path):
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


# --------------------------------------------------------------------------------------------- the assistant
def load_copurchase(settings: Settings) -> CopurchaseStats | None:
    """The shop's co-purchase statistics, or None for a shop without orders (bundles then use rules and search)."""
    try:
        return CopurchaseStats.from_settings(settings)
    except CopurchaseError:
        logger.info("no co-purchase statistics for %s: bundles use rules and search only", settings.shop)
        return None


def build_bundle_builder(settings: Settings, vectors: ProductVectors, embedder: Embedder,
                        copurchase: CopurchaseStats | None, currency: str) -> BundleBuilder:
    """The shop's bundle builder over ``vectors``, its rules and co-purchase statistics, warmed up."""
    finder = CandidateFinder(vectors, ShopRules.from_settings(settings), embedder, copurchase)
    return BundleBuilder(finder, size=settings.bundle_size, currency=currency).warm_up()


def policy_index(store: ProductStore, embedder: Embedder, shop: str) -> PolicyIndex:
    """The shop's policy passages in the product store's Chroma, embedded by our embedder (never Chroma's)."""
    return PolicyIndex(lambda: store.sibling_collection(f"policies_{shop}"), embedder)


def bundle_builder_for(settings: Settings, embedder: Embedder | None = None,
                       store: ProductStore | None = None) -> BundleBuilder:
    """The shop's bundle builder on its own (``cartwise bundle``, bench scripts): products and vectors from the
    store, the shop's rules and, when built, its co-purchase statistics."""
    embedder = embedder or Embedder.from_settings(settings)
    store = store or ProductStore.from_settings(settings, embedder=embedder)
    return build_bundle_builder(settings, ProductVectors.from_store(store), embedder, load_copurchase(settings),
                                shop_profile(settings).currency)


def checks_for(settings: Settings) -> tuple[CatalogCheck, PolicyCheck]:
    """The shop's calibrated catalog and policy checks (``cartwise calibrate`` writes their thresholds), else the
    default thresholds (a file from before the policy check or the suggestions lacks theirs)."""
    path = settings.calibration_path
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    catalog = CatalogCheck(threshold=float(data.get("threshold", CatalogCheck.threshold)),
                           suggest_threshold=float(data.get("suggest_threshold", CatalogCheck.suggest_threshold)))
    policy = PolicyCheck(threshold=float(data.get("policy_threshold", PolicyCheck.threshold)),
                         suggest_threshold=float(data.get("policy_suggest_threshold", PolicyCheck.suggest_threshold)))
    return catalog, policy


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
    copurchase = load_copurchase(settings)
    personaliser = Personaliser(db, vectors, HistoryBuilder.from_settings(settings),
                                HistoryReranker.from_settings(settings, copurchase=copurchase),
                                ttl_s=settings.history_cache_ttl_s)
    check, policy_check = checks_for(settings)
    vocabulary = embedder.model.tokenizer.get_vocab()
    catalog = CatalogVocabulary.from_products(vectors.products, is_dictionary_word=lambda w: w in vocabulary)
    shopping = ShoppingAdvisor(store, profile.currency, personaliser=personaliser,
                               children=ChildrenAxis.from_embedder(embedder, settings.children_axis_min),
                               names_kind_last=catalog.names_kind_last)
    builder = build_bundle_builder(settings, vectors, embedder, copurchase, profile.currency)
    bundles = BundlePlanner(builder, shopping, personaliser, profile.currency, names_by_pair=catalog.names_by_pair)
    picks = ShopperPicks(shopping, personaliser, vectors,
                         recommender_for=lambda popularity: PersonalRecommender(vectors, copurchase, popularity),
                         popularity=db.product_popularity)
    service = CustomerService(db, policy_index(store, embedder, settings.shop), sessions, profile)
    matcher = CatalogMatcher(store.search_by_vector, embedder.encode,
                             [p.category for p in vectors.products if p.category])
    understander = Understander(
        load_intent_model(settings, encoder=embedder),
        SlotExtractor(brands=catalog.named_brands, currency_symbol=profile.currency,
                      max_chars=settings.max_message_chars,
                      product_words=frozenset(catalog.title_counts)),
        catalog, matcher, ProblemReader(embedder), check, policies=service.policies,
        policy_check=policy_check,
        theme_phrase=builder.rules.theme_phrase,
    )
    dialog = DialogManager(
        understander=understander, shopping=shopping, bundles=bundles, picks=picks, service=service,
        sessions=sessions, generator=generator_from_settings(settings), currency=profile.currency,
        shop_name=profile.display_name, max_chars=settings.max_message_chars, rate_limit=settings.rate_limit_per_minute,
    )
    # Per-conversation limit shared by every process when Redis is configured.
    dialog.limiter = limiter_from_settings(settings, settings.rate_limit_per_minute, "session", client=redis)
    store.search("warm up", k=1)  # builds the BM25 snapshot now, not on the first shopper's turn
    service.policies.warm_up()
    return dialog, db


def build_assistant(settings: Settings | None = None, *, build: bool = True) -> Assistant:
    """The assistant of ``settings.shop`` (default: from the environment), first building what is missing.

    Args:
        settings: project settings (default: from the ``CARTWISE_*`` environment variables).
        build: build whatever is missing first (:func:`ensure_built`); False serves what exists.

    Example:
        >>> bot = build_assistant()                                                  # doctest: +SKIP
        >>> bot.respond("need a gift for my mum under £20", session_id="s1").intent  # doctest: +SKIP
        'search_product'
    """
    settings = settings or Settings()
    redis = redis_from_settings(settings)  # first: a wrong CARTWISE_REDIS_URL fails before the models load
    if build:
        ensure_built(settings)
    # Stamped before the managers are built, so a re-ingest that lands meanwhile is noticed on the first turns.
    watcher = CatalogWatcher(ShopDatabase.from_settings(settings), CopurchaseStats.path_for(settings),
                             lambda: build_dialog_manager(settings, redis=redis)[0],
                             settings.catalog_check_s).start()
    dialog, db = build_dialog_manager(settings, redis=redis)
    return Assistant(dialog, db, settings, lock_store_from_settings(settings, client=redis), watcher)


# ----------------------------------------------------------------------------------------------- the web app
def build_app(settings: Settings, *, build: bool = True, with_ui: bool = True) -> FastAPI:
    """The web app (Gradio UI at ``/`` unless ``with_ui`` is False, widget, JSON API) over the shop's assistant."""
    from web.api import create_app

    return create_app(settings, build_assistant(settings, build=build), with_ui=with_ui)


def app_from_env() -> FastAPI:
    """``uvicorn --factory composition:app_from_env``: settings from ``CARTWISE_*`` environment variables."""
    install_log_redaction()
    return build_app(Settings())


def worker_app() -> FastAPI:
    """One of several app processes (``uvicorn --factory composition:worker_app``): settings from ``CARTWISE_*``,
    no build, no Gradio UI (its event stream must stay on one process)."""
    install_log_redaction()
    return build_app(Settings(), build=False, with_ui=False)


def _build_in_child(settings: Settings) -> None:
    # A spawned process starts with no logging set up: show the build's progress as the parent would.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    ensure_built(settings)


def serve(settings: Settings, build: bool = True) -> None:
    """Serve until interrupted: one process with the UI, or ``settings.workers`` processes with the API and widget.

    Raises:
        ServeError: an unsafe layout (several workers on SQLite, embedded Chroma or without Redis).
        SharedStateError: Redis is configured but does not answer.
    """
    from web import serve as serving

    serving.check_layout(settings, settings.workers)  # before the heavy work: a wrong setting fails in seconds
    if settings.workers == 1:
        bot = build_assistant(settings, build=build)
        from web.api import create_app

        serving.run_one(create_app(settings, bot), settings, bot.intent_model)
        return
    if build:
        serving.build_once(settings, _build_in_child)
    serving.run_workers(settings, "composition:worker_app")


def serve_command(settings: Settings, build: bool) -> int:
    """What ``cartwise serve`` and ``python app.py`` run: serve, or print why not and return 2."""
    from web.serve import ServeError

    try:
        serve(settings, build=build)
    except (ServeError, SharedStateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
