"""``cartwise eval recommend``: personalisation, frequently-bought-together and budget checks in one run.

Time split on the giftshop orders (UCI Online Retail): the validation month
(2011-10-09 .. 2011-11-08) tunes the reranker's λ and co-purchase weight; the
test month (2011-11-09 .. 2011-12-09) is only used to report. Everything a
method knows (history, co-purchase, popularity) comes from orders placed before
the month it is scored on.
"""

from __future__ import annotations

import logging
import platform
import time
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from cartwise.db import ShopDatabase
from cartwise.shops.profile import shop_profile
from retrieval.bundles import BundleBuilder
from retrieval.copurchase import CopurchaseMiner
from retrieval.evaluation import baskets as fbt
from retrieval.evaluation import budgets, personalisation
from retrieval.evaluation.personalisation import TimeSplit
from retrieval.history import HistoryBuilder
from retrieval.product_vectors import ProductVectors
from retrieval.rerank import HistoryReranker
from retrieval.rules import ShopRules

if TYPE_CHECKING:
    from cartwise.settings import Settings
    from retrieval.embeddings import Embedder

logger = logging.getLogger(__name__)

VALIDATION = TimeSplit("validation", datetime(2011, 10, 9), datetime(2011, 11, 9))
TEST = TimeSplit("test", datetime(2011, 11, 9), datetime(2011, 12, 10))


class RecommendReport(BaseModel):
    """All figures of one evaluation run."""

    run_date: str
    machine: str
    seed: int
    splits: dict[str, str]
    tuned: dict[str, float]
    validation_grid_top: list[tuple[float, float, float]]
    personalisation: dict[str, dict[str, float]]
    candidate_recall: float
    baskets: dict[str, dict[str, float]]
    basket_cases: int
    budgets: dict[str, dict[str, float]]
    seconds: dict[str, float]

    def to_markdown(self) -> str:
        """The report as Markdown tables."""
        lines = [f"Run {self.run_date} on {self.machine}, seed {self.seed}.", ""]
        lines += [f"- {k}: {v}" for k, v in self.splits.items()]
        lines += [
            "",
            f"Tuned on validation: λ = {self.tuned['lambda']:g}, co-purchase weight = "
            f"{self.tuned['copurchase_weight']:g} (λ-only model: λ = {self.tuned['lambda_only']:g}). "
            "Best validation MRR@10 (λ, weight, MRR): "
            + ", ".join(f"({a:g}, {b:g}, {c:.4f})" for a, b, c in self.validation_grid_top),
            "",
        ]
        first = next(iter(self.personalisation.values()))
        n_all, n_new, n_rep = (int(first[f"n_{s}"]) for s in ("all", "new", "repeat"))
        lines += [
            "### 1. Personalised search (held-out purchases of returning customers)",
            "",
            f"Candidates: top 50 of the hybrid store search; the bought product is among them in "
            f"{self.candidate_recall:.1%} of cases.",
            "",
            f"| ranking | Recall@10 (all, n={n_all}) | MRR@10 (all) | Recall@10 (new to customer, n={n_new}) | "
            f"MRR@10 (new) | Recall@10 (repeat, n={n_rep}) | MRR@10 (repeat) |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, r in self.personalisation.items():
            lines.append(
                f"| {name} | {r['recall@10_all']:.3f} | {r['mrr@10_all']:.3f} | {r['recall@10_new']:.3f} | "
                f"{r['mrr@10_new']:.3f} | {r['recall@10_repeat']:.3f} | {r['mrr@10_repeat']:.3f} |"
            )
        lines += [
            "",
            f"### 2. Frequently bought together ({self.basket_cases} held-out orders, one item shown)",
            "",
            "| method | Recall@5 | Recall@10 | Precision@10 | coverage | diversity | items |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, r in self.baskets.items():
            lines.append(
                f"| {name} | {r['recall@5']:.3f} | {r['recall@10']:.3f} | {r['precision@10']:.3f} | "
                f"{r['coverage']:.1%} | {r['diversity']:.3f} | {r['mean_items']:.1f} |"
            )
        lines += [
            "",
            "### 3. Budget adherence (generated requests with budgets)",
            "",
            "| shop | requests | within budget (of feasible) | violations | flagged impossible | "
            "flags honest | mean budget use | items / requested |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for shop, r in self.budgets.items():
            lines.append(
                f"| {shop} | {int(r['requests'])} | {r['within_budget_share_of_feasible']:.1%} | "
                f"{int(r['violations'])} | {int(r['flagged_impossible'])} | {r['flags_honest_share']:.0%} | "
                f"{r['mean_budget_use']:.1%} | {r['mean_items_per_requested']:.2f} |"
            )
        lines += ["", "Timings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in self.seconds.items())]
        return "\n".join(lines)


class RecommendEvaluation:
    """Runs the three evaluations.

    Args:
        settings: project settings (the giftshop is evaluated; the electronics store joins the budget check).
        pairs: held-out (customer, product) purchases sampled per month.
        invoices: held-out orders sampled for frequently-bought-together.
        requests: generated budget requests per shop.
        seed: sampling seed.
        k_candidates: search candidates reranked per query.
    """

    def __init__(
        self,
        settings: Settings,
        pairs: int = 800,
        invoices: int = 1000,
        requests: int = 100,
        seed: int = 0,
        k_candidates: int = 50,
    ) -> None:
        self.settings = settings
        self.pairs = pairs
        self.invoices = invoices
        self.requests = requests
        self.seed = seed
        self.k_candidates = k_candidates

    def run(self, progress: bool = True) -> RecommendReport:
        from retrieval.embeddings import Embedder
        from retrieval.store import ProductStore

        seconds: dict[str, float] = {}
        gift = self.settings.model_copy(update={"shop": "giftshop"})
        embedder = Embedder.from_settings(gift)
        store = ProductStore.from_settings(gift, embedder=embedder)
        pv = ProductVectors.from_store(store)
        db = ShopDatabase.from_settings(gift)
        history = HistoryBuilder.from_settings(gift)
        miner = CopurchaseMiner.from_settings(gift)
        stats = {s.name: miner.mine(db.baskets(before=s.start)) for s in (VALIDATION, TEST)}

        # 1. personalisation: tune on validation, report on test
        t = time.perf_counter()
        run = personalisation.PersonalisationRun(db, pv, lambda q, k: store.search(q, k), history, self.k_candidates)
        val_cases = personalisation.sample_cases(db, VALIDATION, pv, self.pairs, self.seed)
        test_cases = personalisation.sample_cases(db, TEST, pv, self.pairs, self.seed + 1)
        val_examples = run.examples(val_cases, VALIDATION, progress)
        lambda_only = HistoryReranker().fit(val_examples)
        full = HistoryReranker(copurchase=stats[VALIDATION.name]).fit(val_examples)
        full.copurchase = stats[TEST.name]  # keep the tuned weights, use the statistics of the test month's past
        test_examples = run.examples(test_cases, TEST, progress)
        pers = personalisation.evaluate(
            test_examples, test_cases, personalisation.rankers(stats[TEST.name], lambda_only, full)
        )
        in_pool = [c.product_id in {x.product.id for x in run.candidates(c.query)} for c in test_cases]
        seconds["personalisation"] = time.perf_counter() - t

        # 2. frequently bought together on the test month
        t = time.perf_counter()
        builder = BundleBuilder(pv, ShopRules.from_settings(gift), embedder, stats[TEST.name], size=10,
                                currency=shop_profile(gift).currency).warm_up()
        cases = fbt.sample_baskets(db, TEST, pv, self.invoices, self.seed)
        methods = fbt.recommenders(
            stats[TEST.name],
            fbt.RawCooccurrence(db.baskets(before=TEST.start)),
            builder,
            fbt.profile_lookup(db, pv, history, TEST),
        )
        basket_scores = fbt.evaluate(cases, methods, pv, len(pv))
        seconds["bundles"] = time.perf_counter() - t

        # 3. budgets, both shops, with all orders known
        t = time.perf_counter()
        live = self._live_builder(gift, pv, embedder, db)
        checks = budgets.check(live, budgets.generate_requests(live, "giftshop", self.requests, self.seed), "giftshop")
        electronics = self._electronics_builder(embedder)
        if electronics is not None:
            checks += budgets.check(
                electronics,
                budgets.generate_requests(electronics, "electronics", self.requests, self.seed),
                "electronics",
            )
        budget_scores = {
            shop: budgets.summarise([c for c in checks if c.shop == shop])
            for shop in dict.fromkeys(c.shop for c in checks)
        }
        budget_scores["both"] = budgets.summarise(checks)
        seconds["budgets"] = time.perf_counter() - t

        return RecommendReport(
            run_date=date.today().isoformat(),
            machine=f"{platform.machine()} CPU, {_cores()} cores",
            seed=self.seed,
            splits={
                "validation (tuning)": f"orders {VALIDATION.start:%Y-%m-%d} .. {VALIDATION.end:%Y-%m-%d} (excl.)",
                "test (reported)": f"orders {TEST.start:%Y-%m-%d} .. {TEST.end:%Y-%m-%d} (excl.)",
            },
            tuned={
                "lambda": full.effective_lambda,
                "copurchase_weight": full.effective_copurchase_weight,
                "lambda_only": lambda_only.effective_lambda,
            },
            validation_grid_top=[
                (lam, w, round(mrr, 4))
                for (lam, w), mrr in sorted(full.grid_scores_.items(), key=lambda kv: -kv[1])[:5]
            ],
            personalisation=pers,
            candidate_recall=sum(in_pool) / max(len(in_pool), 1),
            baskets=basket_scores,
            basket_cases=len(cases),
            budgets=budget_scores,
            seconds=seconds,
        )

    def _live_builder(self, gift: Settings, pv: ProductVectors, embedder: Embedder, db: ShopDatabase) -> BundleBuilder:
        stats = CopurchaseMiner.from_settings(gift).mine(db.baskets())
        return BundleBuilder(pv, ShopRules.from_settings(gift), embedder, stats,
                             currency=shop_profile(gift).currency).warm_up()

    def _electronics_builder(self, embedder: Embedder) -> BundleBuilder | None:
        from retrieval.errors import StoreError
        from retrieval.store import ProductStore

        settings = self.settings.model_copy(update={"shop": "electronics"})
        try:
            store = ProductStore.from_settings(settings, embedder=embedder)
            pv = ProductVectors.from_store(store)
        except StoreError as exc:
            logger.warning("electronics left out of the budget check: %s", exc)
            return None
        return BundleBuilder(pv, ShopRules.from_settings(settings), embedder, None,
                             currency=shop_profile(settings).currency).warm_up()


def _cores() -> int:
    import os

    return os.cpu_count() or 1
