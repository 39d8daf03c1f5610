"""``cartwise eval recommend --picks``: personal picks without a query on held-out months, against baselines.

The validation month (the same split as the rest of ``cartwise eval recommend``) chooses the recommender's two
knobs: first ``similar_width`` on its similar picks alone (``None``, the mean history vector, unless a width
recalls more), then ``similar_share`` with that width; the test month is only reported.
"""

from __future__ import annotations

import os
import platform
import time
from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel
from tqdm import tqdm

from cartwise.db import ShopDatabase
from retrieval.copurchase import CopurchaseMiner
from retrieval.evaluation import picks as picks_eval
from retrieval.evaluation.personalisation import TimeSplit
from retrieval.evaluation.recommend import TEST, VALIDATION
from retrieval.history import HistoryBuilder, HistoryProfile
from retrieval.picks import DEFAULT_SIMILAR_SHARE, PersonalRecommender
from retrieval.product_vectors import ProductVectors

if TYPE_CHECKING:
    from cartwise.settings import Settings

SHARES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
WIDTHS: tuple[float | None, ...] = (None, 0.05, 0.1, 0.2, 0.4)  # None: the mean history vector


class PicksReport(BaseModel):
    """The figures of one run of the personal-picks evaluation."""

    run_date: str
    machine: str
    load_average: tuple[float, float]
    seed: int
    min_orders: int
    splits: dict[str, str]
    customers: dict[str, int]
    new_products: dict[str, float]
    validation_width_recall: dict[str, float]
    similar_width: float | None
    validation_recall: dict[str, float]
    validation_recall_mean_vector: dict[str, float]
    similar_share: float
    results: dict[str, dict[str, float]]
    seconds: dict[str, float]

    def summary(self) -> dict[str, object]:
        """The one JSON line of the run."""
        return {
            "bench": "eval recommend --picks",
            "date": self.run_date,
            "load_average": self.load_average,
            "customers": self.customers["test"],
            "similar_width": self.similar_width,
            "similar_share": self.similar_share,
            **{name: {m: round(v, 4) for m, v in r.items()} for name, r in self.results.items()},
        }

    def to_markdown(self) -> str:
        """The report as a Markdown table with its protocol lines."""
        k = picks_eval.K
        lines = [
            f"Run {self.run_date} on {self.machine}, seed {self.seed}, load average {self.load_average[0]:.1f} at "
            f"the start and {self.load_average[1]:.1f} at the end; "
            + ", ".join(f"{name} {s:.0f} s" for name, s in self.seconds.items())
            + ".",
            "",
        ]
        lines += [f"- {name}: {text}" for name, text in self.splits.items()]
        lines += [
            f"- customers: {self.customers['validation']} (validation) and {self.customers['test']} (test) with "
            f"≥ {self.min_orders} earlier orders and ≥ 1 new product in the month; new products per test customer: "
            f"mean {self.new_products['mean']:.1f}, median {self.new_products['median']:.0f}",
            "- validation Recall@10 of the similar picks alone (`similar_share` 1, no co-purchase) by "
            "`similar_width` (None: the mean history vector): "
            + ", ".join(f"{w} {r:.4f}" for w, r in self.validation_width_recall.items())
            + f" -> {self.similar_width}",
            f"- validation Recall@10 by `similar_share` with `similar_width` {self.similar_width}: "
            + ", ".join(f"{s} {r:.4f}" for s, r in self.validation_recall.items())
            + f" -> {self.similar_share:g}",
        ]
        if self.similar_width is not None:
            lines.append(
                "- the same with the mean history vector (for comparison): "
                + ", ".join(f"{s} {r:.4f}" for s, r in self.validation_recall_mean_vector.items())
            )
        lines += [
            "",
            f"| method (test month) | Recall@{k} | Precision@{k} | HitRate@{k} | coverage | already bought | items |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, r in self.results.items():
            lines.append(
                f"| {name} | {r[f'recall@{k}']:.3f} | {r[f'precision@{k}']:.3f} | {r[f'hit@{k}']:.3f} | "
                f"{r['coverage']:.1%} | {r['already_bought']:.1%} | {r['mean_items']:.1f} |"
            )
        return "\n".join(lines)


class PicksEvaluation:
    """Runs the personal-picks evaluation on the giftshop orders.

    Args:
        settings: project settings (the giftshop is evaluated).
        customers: customers sampled per month (validation and test).
        min_orders: orders a customer must have placed before the month.
        seed: sampling seed (the test month uses ``seed + 1``).
        shares: the ``similar_share`` values tried on the validation month.
        widths: the ``similar_width`` values tried on the validation month (None: the mean history vector).
    """

    def __init__(
        self,
        settings: Settings,
        customers: int = 300,
        min_orders: int = 3,
        seed: int = 0,
        shares: tuple[float, ...] = SHARES,
        widths: tuple[float | None, ...] = WIDTHS,
    ) -> None:
        self.settings = settings
        self.customers = customers
        self.min_orders = min_orders
        self.seed = seed
        self.shares = shares
        self.widths = widths if None in widths else (None, *widths)

    def run(self, progress: bool = True) -> PicksReport:
        from retrieval.store import ProductStore

        load_start = os.getloadavg()[0]
        seconds: dict[str, float] = {}
        t = time.perf_counter()
        gift = self.settings.model_copy(update={"shop": "giftshop"})
        pv = picks_eval.stock_ignored(ProductVectors.from_store(ProductStore.from_settings(gift)))
        db = ShopDatabase.from_settings(gift)
        history = HistoryBuilder.from_settings(gift)
        miner = CopurchaseMiner.from_settings(gift)
        seconds["loading"] = time.perf_counter() - t

        t = time.perf_counter()
        known = picks_eval.KnownBefore.mine(db, VALIDATION, miner)
        val_cases = picks_eval.sample_customers(db, VALIDATION, pv, self.customers, self.seed, self.min_orders)
        val_profiles = self._profiles(db, pv, history, val_cases, VALIDATION, progress)

        def recall(model: PersonalRecommender) -> float:
            scores = picks_eval.evaluate(val_cases, val_profiles, {"m": picks_eval.picks_of(model)}, len(pv))
            return scores["m"][f"recall@{picks_eval.K}"]

        widths: dict[str, float] = {}
        for width in tqdm(self.widths, desc="similar_width", disable=not progress):
            model = PersonalRecommender(pv, None, known.popularity, similar_share=1.0, similar_width=width)
            widths[_width_key(width)] = recall(model)
        # A width must recall more than the mean history vector to replace it; ties go to the wider one.
        best_width = max(self.widths, key=lambda w: (round(widths[_width_key(w)], 6), w is None, w or 0.0))
        grid: dict[str, float] = {}
        grid_mean: dict[str, float] = {}
        for share in tqdm(self.shares, desc="similar_share", disable=not progress):
            grid[f"{share:g}"] = recall(
                PersonalRecommender(pv, known.copurchase, known.popularity, similar_share=share,
                                    similar_width=best_width)
            )
            if best_width is not None:  # the blend with the mean history vector, for comparison
                grid_mean[f"{share:g}"] = recall(
                    PersonalRecommender(pv, known.copurchase, known.popularity, similar_share=share,
                                        similar_width=None)
                )
        # Ties go to the share nearest the default.
        best = max(self.shares, key=lambda s: (round(grid[f"{s:g}"], 6), -abs(s - DEFAULT_SIMILAR_SHARE)))
        seconds["validation"] = time.perf_counter() - t

        t = time.perf_counter()
        known = picks_eval.KnownBefore.mine(db, TEST, miner)
        cases = picks_eval.sample_customers(db, TEST, pv, self.customers, self.seed + 1, self.min_orders)
        profiles = self._profiles(db, pv, history, cases, TEST, progress)
        methods = picks_eval.methods(known, pv, similar_share=best, similar_width=best_width)
        if best != DEFAULT_SIMILAR_SHARE:  # the default share too, with the chosen width
            model = PersonalRecommender(pv, known.copurchase, known.popularity, similar_share=DEFAULT_SIMILAR_SHARE,
                                        similar_width=best_width)
            name = "mean history vector" if best_width is None else f"per bought product, width {best_width:g}"
            methods[f"PersonalRecommender (similar_share {DEFAULT_SIMILAR_SHARE:g}, the default), {name}"] = (
                picks_eval.picks_of(model)
            )
        results = picks_eval.evaluate(cases, profiles, methods, len(pv))
        seconds["test"] = time.perf_counter() - t

        new = sorted(len(c.new) for c in cases)
        return PicksReport(
            run_date=date.today().isoformat(),
            machine=f"{platform.machine()} CPU, {os.cpu_count() or 1} cores",
            load_average=(round(load_start, 2), round(os.getloadavg()[0], 2)),
            seed=self.seed,
            min_orders=self.min_orders,
            splits={
                "validation (chooses `similar_width`, then `similar_share`)": (
                    f"orders {VALIDATION.start:%Y-%m-%d} .. {VALIDATION.end:%Y-%m-%d} (excl.)"
                ),
                "test (reported)": f"orders {TEST.start:%Y-%m-%d} .. {TEST.end:%Y-%m-%d} (excl.)",
            },
            customers={"validation": len(val_cases), "test": len(cases)},
            new_products={"mean": sum(new) / max(len(new), 1), "median": float(new[len(new) // 2]) if new else 0.0},
            validation_width_recall=widths,
            similar_width=best_width,
            validation_recall=grid,
            validation_recall_mean_vector=grid_mean,
            similar_share=best,
            results=results,
            seconds=seconds,
        )

    @staticmethod
    def _profiles(
        db: ShopDatabase,
        pv: ProductVectors,
        history: HistoryBuilder,
        cases: list[picks_eval.PicksCase],
        split: TimeSplit,
        progress: bool,
    ) -> list[HistoryProfile]:
        return [
            history.for_customer(db, pv, c.customer_id, before=split.start)
            for c in tqdm(cases, desc=f"profiles {split.name}", unit="customer", disable=not progress)
        ]


def _width_key(width: float | None) -> str:
    return "None" if width is None else f"{width:g}"
