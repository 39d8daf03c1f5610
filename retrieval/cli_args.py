"""Command-line pieces both retrieval command modules use: the ``--shop`` option and the search-filter flags.

Kept apart from :mod:`retrieval.cli` so that :mod:`retrieval.recommend_cli`, which that module registers, can
use them without importing it back.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from retrieval.types import SearchFilters

if TYPE_CHECKING:
    from cartwise.settings import Settings


def shop_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--shop`` to a subcommand."""
    # SUPPRESS keeps a top-level `cartwise --shop X ingest` from being reset to None.
    parser.add_argument("--shop", default=argparse.SUPPRESS, help="shop to use (default: CARTWISE_SHOP or giftshop)")


def settings_for(args: argparse.Namespace, settings: Settings) -> Settings:
    """``settings`` for the shop ``--shop`` names, or unchanged when it names none (or the same one)."""
    shop = getattr(args, "shop", None)
    return settings.model_copy(update={"shop": shop}) if shop and shop != settings.shop else settings


def filters_from_args(args: argparse.Namespace) -> SearchFilters:
    """The ``--min-price/--max-price/--category/--brand/--in-stock`` flags as filters (ValueError if inconsistent)."""
    return SearchFilters(
        price_min=args.min_price,
        price_max=args.max_price,
        category=args.category,
        brand=args.brand,
        in_stock=True if args.in_stock else None,
    )
