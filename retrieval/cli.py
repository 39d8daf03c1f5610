"""``cartwise`` subcommands contributed by the ``retrieval`` package: ``ingest`` and ``search``."""

from __future__ import annotations

import argparse
import logging
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.cli_args import filters_from_args, settings_for, shop_option
from retrieval.errors import RetrievalError
from retrieval.recommend_cli import register_recommend
from retrieval.types import CatalogReadResult

if TYPE_CHECKING:
    from cartwise.models import Product
    from cartwise.settings import Settings

logger = logging.getLogger(__name__)
MAX_ERRORS_SHOWN = 50


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this package's subcommands to the ``cartwise`` parser."""
    ingest = sub.add_parser("ingest", help="validate a catalog and load it into the product store (and database)")
    shop_option(ingest)
    ingest.add_argument("--catalog", type=Path, help="CSV/TSV/JSONL file (default: data/shops/<shop>/catalog.csv)")
    ingest.add_argument("--map", dest="mapping", metavar="FIELD=COLUMN,...",
                        help="source column per product field, e.g. id=StockCode,title=Description,price=UnitPrice")
    ingest.add_argument("--batch-size", type=int, default=256,
                        help="products embedded and written per batch; a killed run resumes after the last one "
                        "written (default 256)")
    ingest.add_argument("--prune", action="store_true", help="also delete stored products missing from the catalog")
    ingest.add_argument("--no-db", action="store_true", help="only fill the product store, not the shop database")
    ingest.set_defaults(func=run_ingest)

    search = sub.add_parser("search", help="search the product store from the command line")
    shop_option(search)
    search.add_argument("query", help="what to look for, e.g. 'regency cake stand' or '85123A'")
    search.add_argument("--k", type=int, default=10, help="number of hits (default 10)")
    search.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    search.add_argument("--min-price", type=_price, help="lowest price, inclusive")
    search.add_argument("--max-price", type=_price, help="highest price, inclusive")
    search.add_argument("--category", help="exact category, e.g. 'candles & lighting'")
    search.add_argument("--brand", help="exact brand")
    search.add_argument("--in-stock", action="store_true", help="only products in stock")
    search.set_defaults(func=run_search)

    # Recommendation commands (personalised search, co-purchase, bundles, eval recommend) live in their own module.
    register_recommend(sub)


def _price(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().lstrip("£$€"))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a price: {text!r} (expected e.g. 10 or 9.99)") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"price must be a non-negative number, got {text!r}")
    return value


def print_report(result: CatalogReadResult, source: Path) -> None:
    """Print how many rows were kept and each rejected row with its line and reason."""
    print(f"{source}: {result.rows_read} row(s) read, {len(result.products)} valid, {len(result.errors)} rejected")
    for error in result.errors[:MAX_ERRORS_SHOWN]:
        ident = f" id={error.id}" if error.id else ""
        print(f"  line {error.line}{ident}: {error.reason}")
    if len(result.errors) > MAX_ERRORS_SHOWN:
        print(f"  ... and {len(result.errors) - MAX_ERRORS_SHOWN} more")


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """``cartwise ingest``: returns 0 when at least one product was ingested, else 1."""
    from retrieval.catalog import CatalogReader
    from retrieval.store import ProductStore
    from retrieval.validation import ColumnMapping

    settings = settings_for(args, settings)
    source = args.catalog or CatalogReader.default_path(settings)
    try:
        result = CatalogReader(ColumnMapping.parse(args.mapping)).read(source)
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print_report(result, source)
    if not result.products:
        print("error: no valid products to ingest; fix the rows above and re-run", file=sys.stderr)
        return 1
    try:
        store = ProductStore.from_settings(settings, create=True)
        report = store.upsert(result.products, batch_size=max(1, args.batch_size), show_progress=True)
        deleted = store.prune([p.id for p in result.products]) if args.prune else 0
        total = store.count()
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"product store {store.location} [{store.collection_name}]: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {deleted} deleted; {total} products stored ({report.seconds:.1f}s)"
    )
    if not args.no_db:
        _upsert_database(settings, result.products)
    return 0


def _upsert_database(settings: Settings, products: list[Product]) -> None:
    try:
        from cartwise.db import ShopDatabase
    except ImportError:
        logger.info("cartwise.db not available: products only written to the product store")
        return
    written = ShopDatabase.from_settings(settings).upsert_products(products)
    print(f"shop database {settings.database_url_resolved}: {written} products upserted")


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    """``cartwise search``: prints id, title, price, category and score of each hit."""
    from retrieval.store import ProductStore

    settings = settings_for(args, settings)
    try:
        filters = filters_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        store = ProductStore.from_settings(settings)
        hits = store.search(args.query, k=args.k, filters=filters, mode=args.mode)
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not hits:
        print("no matching products")
        return 0
    for rank, hit in enumerate(hits, start=1):
        p = hit.product
        print(f"{rank:>2}. {p.id:<10} {p.title[:60]:<60} {p.price:>9.2f}  {p.category[:28]:<28} {hit.score:.3f}")
    return 0
