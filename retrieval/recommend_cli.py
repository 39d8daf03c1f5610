"""Recommendation subcommands, registered by :func:`retrieval.cli.register`.

* ``cartwise search QUERY --user ID``: the personalised order, and why each item moved
* ``cartwise build-copurchase [--before DATE]``: mine and store co-purchase statistics
* ``cartwise bundle [THEME] [--anchor ID] [--budget X] [--people N] [--size N] [--user ID]``
* ``cartwise eval recommend``: the offline evaluation on held-out purchases
* ``cartwise eval recommend --picks``: personal picks without a query on held-out months, against baselines
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.cli_args import filters_from_args, settings_for, shop_option
from retrieval.errors import RetrievalError

if TYPE_CHECKING:
    from cartwise.settings import Settings

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
RERANK_POOL = 50  # search candidates the personal ranking chooses from


def register_recommend(sub: SubParsers) -> None:
    """Add ``--user`` to ``search`` and the ``build-copurchase``, ``bundle`` and ``eval recommend`` commands."""
    search = sub.choices.get("search")
    if search is not None:
        search.add_argument(
            "--user", metavar="CUSTOMER_ID", help="rerank for this customer's purchase history and show why items moved"
        )
        plain = search.get_default("func")
        search.set_defaults(
            func=lambda args, settings: (
                run_personal_search(args, settings) if getattr(args, "user", None) else plain(args, settings)
            )
        )

    build = sub.add_parser("build-copurchase", help="mine co-purchase statistics from the orders (var/<shop>/)")
    shop_option(build)
    build.add_argument("--before", type=_date, help="only orders placed before this date (YYYY-MM-DD)")
    build.add_argument("--out", type=Path, help="where to write (default var/<shop>/copurchase.npz)")
    build.set_defaults(func=run_build_copurchase)

    bundle = sub.add_parser("bundle", help="build a bundle for a theme or around a product, within a budget")
    shop_option(bundle)
    bundle.add_argument("theme", nargs="?", help="occasion or free text, e.g. 'tea party'")
    bundle.add_argument("--anchor", help="product id to build around")
    bundle.add_argument("--budget", type=_money, help="most the bundle may cost")
    bundle.add_argument("--size", type=int, help="number of items")
    bundle.add_argument("--people", type=int, help="how many people it is for (per-person items get that quantity)")
    bundle.add_argument("--user", metavar="CUSTOMER_ID", help="prefer what this customer likes")
    bundle.add_argument("--include-anchor", action="store_true", help="the anchor counts toward the budget")
    bundle.add_argument("--allow-similar", action="store_true", help="allow several items of the same kind")
    bundle.set_defaults(func=run_bundle)

    target = _eval_targets(sub).add_parser(
        "recommend", help="offline evaluation: personalised rerank, bought-together and budgets on held-out orders"
    )
    target.add_argument("--pairs", type=int, default=800, help="held-out purchases per month (default 800)")
    target.add_argument("--invoices", type=int, default=1000, help="held-out orders for bought-together (1000)")
    target.add_argument("--requests", type=int, default=100, help="generated budget requests per shop (100)")
    target.add_argument("--seed", type=int, default=0)
    target.add_argument(
        "--picks", action="store_true", help="only personal picks without a query (PersonalRecommender vs baselines)"
    )
    target.add_argument("--customers", type=int, default=300, help="--picks: customers sampled per month (300)")
    target.add_argument("--min-orders", type=int, default=3, help="--picks: earlier orders a customer needs (3)")
    target.add_argument("--out", type=Path, help="report directory (default var/reports/recommend)")
    target.set_defaults(func=run_eval_recommend)


def _eval_targets(sub: SubParsers) -> SubParsers:
    # Same registry as finetune.cli.eval_targets (whichever package registers first creates `eval`).
    existing = sub.choices.get("eval")
    if existing is not None:
        targets: SubParsers = getattr(existing, "_cartwise_targets")  # noqa: B009
        return targets
    eval_parser = sub.add_parser("eval", help="evaluate a component and write a report")
    targets = eval_parser.add_subparsers(dest="eval_target", required=True, metavar="TARGET")
    eval_parser._cartwise_targets = targets  # type: ignore[attr-defined]
    return targets


def _date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def _money(text: str) -> Decimal:
    from cartwise.currency import to_money

    try:
        value = to_money(text)
    except (ValueError, InvalidOperation):
        raise argparse.ArgumentTypeError(f"not an amount: {text!r} (expected e.g. 25 or 19.99)") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"budget must not be negative; got {text!r}")
    return value


def run_personal_search(args: argparse.Namespace, settings: Settings) -> int:
    """``cartwise search QUERY --user ID``: the reranked list with each item's movement and reason."""
    from cartwise.db import ShopDatabase
    from retrieval.copurchase import CopurchaseError, CopurchaseStats
    from retrieval.history import HistoryBuilder
    from retrieval.rerank import HistoryReranker, RerankCandidate
    from retrieval.store import ProductStore

    settings = settings_for(args, settings)
    try:
        filters = filters_from_args(args)
        store = ProductStore.from_settings(settings)
        hits = store.search(args.query, k=max(RERANK_POOL, args.k), filters=filters, mode=args.mode)
        vectors = store.embeddings([h.product.id for h in hits])
        db = ShopDatabase.from_settings(settings)
        profile = HistoryBuilder.from_settings(settings).for_customer(db, store, str(args.user))
        try:
            stats: CopurchaseStats | None = CopurchaseStats.from_settings(settings)
        except CopurchaseError:
            stats = None
    except (RetrievalError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if profile.is_empty:
        print(f"customer {args.user} has no purchase history in {settings.shop}: showing the plain ranking")
    else:
        top = "; ".join(f.sentence() for f in profile.facts[:3])
        print(f"customer {args.user}: {len(profile.items)} products in the history ({top})")
    ranked = HistoryReranker.from_settings(settings, copurchase=stats).rerank(
        None, [RerankCandidate(h.product, h.score, v) for h, v in zip(hits, vectors, strict=True)], profile
    )
    for r in ranked[: args.k]:
        p = r.product
        move = "  =" if r.moved == 0 else (f"↑{r.moved:>2}" if r.moved > 0 else f"↓{-r.moved:>2}")
        print(
            f"{r.rank:>2}. {move} {p.id:<10} {p.title[:52]:<52} {p.price:>9.2f}  {r.score:.3f}"
            + (f"  — {r.reason}" if r.reason else "")
        )
    return 0


def run_build_copurchase(args: argparse.Namespace, settings: Settings) -> int:
    """``cartwise build-copurchase``: mine the orders and save the statistics."""
    from retrieval.copurchase import CopurchaseStats, build_copurchase

    settings = settings_for(args, settings)
    path = args.out or CopurchaseStats.path_for(settings)
    stats = build_copurchase(settings, before=args.before, path=path)
    print(
        f"{settings.shop}: {stats.n_pairs} product pairs for {len(stats.ids)} products from {stats.n_baskets} "
        f"orders -> {path}"
    )
    return 0


def run_bundle(args: argparse.Namespace, settings: Settings) -> int:
    """``cartwise bundle``: print the bundle, its total and note."""
    from cartwise.db import ShopDatabase
    from cartwise.shops.profile import shop_profile
    from retrieval.bundle_types import BundleRequest
    from retrieval.history import HistoryBuilder

    settings = settings_for(args, settings)
    cur = shop_profile(settings).currency
    try:
        builder = args.build_bundle_builder(settings)
        profile = None
        if args.user:
            profile = HistoryBuilder.from_settings(settings).for_customer(
                ShopDatabase.from_settings(settings), builder.vectors, str(args.user)
            )
        result = builder.build(
            BundleRequest(
                anchor_id=args.anchor,
                theme=args.theme,
                budget=args.budget,
                size=args.size,
                people=args.people,
                include_anchor=args.include_anchor,
                allow_similar=args.allow_similar,
                profile=profile,
            )
        )
    except (RetrievalError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.anchor is not None:
        print(f"goes with: {result.anchor.title} ({cur}{result.anchor.price})")
    if result.theme:
        print(f"theme: {result.theme}")
    for item in result.items:
        p = item.product
        print(
            f"  {item.quantity:>2} x {p.title[:55]:<55} {cur}{p.price:>8}  = {cur}{item.line_total:>8}  "
            f"[{item.role}] {item.reason}"
        )
    print(f"total {cur}{result.total}" + ("" if result.within_budget else "  (OVER BUDGET)"))
    print(result.note)
    return 0 if result.within_budget else 1


def run_eval_recommend(args: argparse.Namespace, settings: Settings) -> int:
    """``cartwise eval recommend``: run the evaluation, print Markdown, write JSON and Markdown reports."""
    from retrieval.evaluation.recommend import RecommendEvaluation

    if args.picks:
        return run_eval_picks(args, settings)
    try:
        report = RecommendEvaluation(
            settings, pairs=args.pairs, invoices=args.invoices, requests=args.requests, seed=args.seed
        ).run()
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = _write_report(args.out or settings.var_dir / "reports" / "recommend", "report", report)
    print(report.to_markdown())
    print(f"\nreport written to {out}")
    return 0


def _write_report(out: Path, stem: str, report: Any) -> Path:
    """``<stem>.json`` and ``<stem>.md`` of a pydantic report with ``to_markdown()``, in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(report.model_dump(), indent=2), encoding="utf-8")
    (out / f"{stem}.md").write_text(report.to_markdown() + "\n", encoding="utf-8")
    return out


def run_eval_picks(args: argparse.Namespace, settings: Settings) -> int:
    """``cartwise eval recommend --picks``: print one JSON line and the Markdown table, write both reports."""
    from retrieval.evaluation.picks_run import PicksEvaluation

    if args.customers < 1 or args.min_orders < 1:
        print(f"error: --customers and --min-orders must be >= 1; got {args.customers} and {args.min_orders}",
              file=sys.stderr)
        return 2
    try:
        report = PicksEvaluation(settings, customers=args.customers, min_orders=args.min_orders,
                                 seed=args.seed).run()
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = _write_report(args.out or settings.var_dir / "reports" / "recommend", "picks", report)
    print(json.dumps(report.summary()))
    print(report.to_markdown())
    print(f"\nreport written to {out}")
    return 0
