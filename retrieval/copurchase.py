"""Item-to-item co-purchase statistics mined from order baskets.

Mined once (``cartwise build-copurchase``) and stored as a compact ``.npz`` in
``var/<shop>/copurchase.npz``; loading takes milliseconds, so nothing is
recomputed per request.

Large baskets: the giftshop has wholesale orders with hundreds of lines, whose
pairs say little about what goes together (a 300-line order makes 45,000 pairs).
Every basket therefore spreads one unit of co-purchase evidence over its
partners: a pair seen in a basket of ``n`` distinct items adds ``1 / (n - 1)``
to the pair's ``weight`` (a 2-item order adds 1, a 61-item order 1/60). The
plain order count is kept as well (``orders``): it is what explanations quote
("bought together in 212 orders"). On the October 2011 validation month this
weighting found 23% more of the other items of an order in the top 10 than
raw counts did (see ``docs/benchmarks/recommend.md``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from tqdm import tqdm

from retrieval.errors import RetrievalError

if TYPE_CHECKING:
    from cartwise.db import ShopDatabase
    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

FILE_NAME = "copurchase.npz"


class CopurchaseError(RetrievalError):
    """Co-purchase statistics are missing or unreadable."""


@dataclass(frozen=True)
class CopurchasePair:
    """How often ``partner_id`` was bought together with ``product_id``.

    Attributes:
        product_id: the product asked about.
        partner_id: a product bought in the same orders.
        orders: number of orders that contain both.
        weight: basket-size-weighted co-purchase evidence (the ranking score).
        lift: how many times more often they are bought together than chance would give.
        npmi: normalised pointwise mutual information in [-1, 1].
    """

    product_id: str
    partner_id: str
    orders: int
    weight: float
    lift: float
    npmi: float


class CopurchaseStats:
    """Stored co-purchase statistics: per product, its strongest partners.

    Args:
        ids: product ids, the row/column order of the matrices.
        item_orders: orders containing each product.
        item_weight: basket-size-weighted occurrences of each product (sum of ``1/(n-1)``).
        n_baskets: number of baskets mined.
        indptr: CSR row pointers of the partner lists.
        indices: CSR column indices (partner positions), each row sorted by weight, best first.
        orders: co-occurrence order counts, aligned with ``indices``.
        weight: weighted co-occurrence, aligned with ``indices``.
        lift: lift, aligned with ``indices``.
        npmi: NPMI, aligned with ``indices``.
        meta: how the statistics were built (min support, cut-off date, ...).
    """

    def __init__(
        self,
        ids: np.ndarray,
        item_orders: np.ndarray,
        item_weight: np.ndarray,
        n_baskets: int,
        indptr: np.ndarray,
        indices: np.ndarray,
        orders: np.ndarray,
        weight: np.ndarray,
        lift: np.ndarray,
        npmi: np.ndarray,
        meta: dict[str, str | int | float | None] | None = None,
    ) -> None:
        self.ids = ids
        self.item_orders = item_orders
        self.item_weight = item_weight
        self.n_baskets = n_baskets
        self.indptr = indptr
        self.indices = indices
        self.orders = orders
        self.weight = weight
        self.lift = lift
        self.npmi = npmi
        self.meta = meta or {}
        self.position = {str(pid): i for i, pid in enumerate(ids.tolist())}

    # ------------------------------------------------------------------ loading
    @classmethod
    def path_for(cls, settings: Settings) -> Path:
        return settings.shop_var_dir / FILE_NAME

    @classmethod
    def from_settings(cls, settings: Settings) -> CopurchaseStats:
        """Load ``var/<shop>/copurchase.npz``.

        Raises:
            CopurchaseError: if it was never built.
        """
        return cls.load(cls.path_for(settings))

    @classmethod
    def load(cls, path: str | Path) -> CopurchaseStats:
        path = Path(path)
        if not path.is_file():
            raise CopurchaseError(f"no co-purchase statistics at {path}: run `cartwise build-copurchase` to mine them")
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise CopurchaseError(f"cannot read {path} ({exc}): delete it and run `cartwise build-copurchase`") from exc
        meta = json.loads(str(arrays.pop("meta")))
        return cls(
            ids=arrays["ids"],
            item_orders=arrays["item_orders"],
            item_weight=arrays["item_weight"],
            n_baskets=int(arrays["n_baskets"]),
            indptr=arrays["indptr"],
            indices=arrays["indices"],
            orders=arrays["orders"],
            weight=arrays["weight"],
            lift=arrays["lift"],
            npmi=arrays["npmi"],
            meta=meta,
        )

    def save(self, path: str | Path) -> Path:
        """Write the statistics to ``path`` (compressed ``.npz``); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(
            tmp,
            ids=self.ids,
            item_orders=self.item_orders,
            item_weight=self.item_weight,
            n_baskets=np.int64(self.n_baskets),
            indptr=self.indptr,
            indices=self.indices,
            orders=self.orders,
            weight=self.weight,
            lift=self.lift,
            npmi=self.npmi,
            meta=np.array(json.dumps(self.meta)),
        )
        tmp.replace(path)  # readers never see a half-written file
        return path

    # ------------------------------------------------------------------ queries
    def __contains__(self, product_id: object) -> bool:
        return product_id in self.position

    @property
    def n_pairs(self) -> int:
        return len(self.indices)

    def item_count(self, product_id: str) -> int:
        """Orders that contain ``product_id`` (0 when never bought)."""
        i = self.position.get(product_id)
        return 0 if i is None else int(self.item_orders[i])

    def partners(self, product_id: str, k: int = 10, min_orders: int = 1) -> list[CopurchasePair]:
        """The ``k`` strongest partners of ``product_id`` by weighted co-purchase, best first."""
        i = self.position.get(product_id)
        if i is None:
            return []
        lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
        out: list[CopurchasePair] = []
        for j in range(lo, hi):
            if self.orders[j] < min_orders:
                continue
            out.append(self._pair(product_id, j))
            if len(out) >= k:
                break
        return out

    def pair(self, a: str, b: str) -> CopurchasePair | None:
        """Statistics of the pair (a, b), or None when it is not among either's stored partners."""
        for x, y in ((a, b), (b, a)):
            i, j = self.position.get(x), self.position.get(y)
            if i is None or j is None:
                return None
            lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
            hits = np.flatnonzero(self.indices[lo:hi] == j)
            if len(hits):
                return self._pair(a, lo + int(hits[0]), partner_id=b)
        return None

    def affinity(self, weights: dict[str, float]) -> np.ndarray:
        """History-weighted co-purchase affinity of every product (aligned with ``ids``).

        ``affinity[p] = sum_h weights[h] * w(h, p) / sqrt(w(h) w(p))``: the basket-size-weighted
        co-occurrence normalised like a cosine, so the score stays in [0, 1] per history item and
        best-sellers do not dominate every history.
        """
        out = np.zeros(len(self.ids), dtype=np.float64)
        for pid, wh in weights.items():
            i = self.position.get(pid)
            if i is None:
                continue
            lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
            cols = self.indices[lo:hi]
            norm = np.sqrt(max(float(self.item_weight[i]), 1e-12) * np.maximum(self.item_weight[cols], 1e-12))
            out[cols] += wh * self.weight[lo:hi] / norm
        return out

    def normalised(self, a: str, b: str) -> float:
        """The normalised co-purchase weight of one pair (0 when not stored)."""
        pair = self.pair(a, b)
        if pair is None:
            return 0.0
        i, j = self.position[a], self.position[b]
        return pair.weight / float(np.sqrt(max(float(self.item_weight[i]) * float(self.item_weight[j]), 1e-12)))

    def _pair(self, product_id: str, j: int, partner_id: str | None = None) -> CopurchasePair:
        return CopurchasePair(
            product_id=product_id,
            partner_id=partner_id or str(self.ids[int(self.indices[j])]),
            orders=int(self.orders[j]),
            weight=float(self.weight[j]),
            lift=float(self.lift[j]),
            npmi=float(self.npmi[j]),
        )


class CopurchaseMiner:
    """Mines :class:`CopurchaseStats` from baskets.

    Args:
        min_support: a pair must appear in at least this many orders to be kept.
        top_k: partners kept per product (the strongest by weight): keeps the file compact.
        show_progress: show a tqdm bar while reading baskets.

    Example:
        >>> stats = CopurchaseMiner(min_support=1).mine([("o1", ["a", "b"]), ("o2", ["a", "b", "c"])])
        >>> stats.pair("a", "b").orders
        2
    """

    def __init__(self, min_support: int = 3, top_k: int = 100, show_progress: bool = False) -> None:
        self.min_support = min_support
        self.top_k = top_k
        self.show_progress = show_progress

    @classmethod
    def from_settings(cls, settings: Settings, show_progress: bool = False) -> CopurchaseMiner:
        return cls(
            min_support=settings.copurchase_min_support, top_k=settings.copurchase_top_k, show_progress=show_progress
        )

    def mine(
        self, baskets: Iterable[tuple[str, list[str]]], meta: dict[str, str | int | float | None] | None = None
    ) -> CopurchaseStats:
        """Count pairs over ``baskets`` (``(order id, distinct product ids)``).

        Raises:
            ValueError: if ``min_support`` or ``top_k`` is below 1.
        """
        if self.min_support < 1 or self.top_k < 1:
            raise ValueError(f"min_support and top_k must be >= 1; got {self.min_support} and {self.top_k}")
        position: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        n = 0
        for _order, items in tqdm(
            baskets, desc="reading baskets", unit="order", disable=not self.show_progress, mininterval=1.0
        ):
            distinct = list(dict.fromkeys(items))
            if not distinct:
                continue
            for pid in distinct:
                rows.append(n)
                cols.append(position.setdefault(pid, len(position)))
            n += 1
        ids = np.array(list(position), dtype=str)
        basket = sparse.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, len(ids)))
        sizes = np.diff(basket.indptr).astype(np.float64)
        basket_w = 1.0 / np.maximum(sizes - 1.0, 1.0)
        orders = (basket.T @ basket).tocsr()
        weight = (basket.T @ sparse.diags(basket_w) @ basket).tocsr()
        orders.sort_indices()
        weight.sort_indices()
        item_orders = np.asarray(basket.sum(axis=0)).ravel()
        item_weight = np.asarray(basket.T @ basket_w).ravel()
        stats = self._top_partners(ids, orders, weight, item_orders, n)
        stats_meta: dict[str, str | int | float | None] = {
            "min_support": self.min_support,
            "top_k": self.top_k,
            "baskets": n,
            "weighting": "1/(basket size - 1)",
            "built_at": datetime.now().isoformat(timespec="seconds"),
        }
        stats_meta.update(meta or {})
        return CopurchaseStats(
            ids=ids,
            item_orders=item_orders.astype(np.int32),
            item_weight=item_weight.astype(np.float32),
            n_baskets=n,
            meta=stats_meta,
            **stats,
        )

    def _top_partners(
        self, ids: np.ndarray, orders: sparse.csr_matrix, weight: sparse.csr_matrix, item_orders: np.ndarray, n: int
    ) -> dict[str, np.ndarray]:
        indptr = [0]
        out_idx: list[np.ndarray] = []
        out_orders: list[np.ndarray] = []
        out_weight: list[np.ndarray] = []
        for i in range(len(ids)):
            lo, hi = orders.indptr[i], orders.indptr[i + 1]
            cols = orders.indices[lo:hi]
            counts = orders.data[lo:hi]
            # orders and weight share their sparsity pattern (same baskets), so the columns line up.
            w = weight.data[weight.indptr[i] : weight.indptr[i + 1]]
            keep = (cols != i) & (counts >= self.min_support)
            cols, counts, w = cols[keep], counts[keep], w[keep]
            order = np.lexsort((cols, -w))[: self.top_k]
            out_idx.append(cols[order])
            out_orders.append(counts[order])
            out_weight.append(w[order])
            indptr.append(indptr[-1] + len(order))
        indices = np.concatenate(out_idx) if out_idx else np.zeros(0, dtype=np.int64)
        co = np.concatenate(out_orders) if out_orders else np.zeros(0)
        row = np.repeat(np.arange(len(ids)), np.diff(indptr))
        pa = item_orders[row] / max(n, 1)
        pb = item_orders[indices] / max(n, 1)
        pab = co / max(n, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            lift = pab / (pa * pb)
            pmi = np.log(lift)
            # NPMI is 1 when the two always appear together; -log(p) is 0 only if every basket has both.
            npmi = np.where(pab < 1.0, pmi / -np.log(pab), 1.0)
        return {
            "indptr": np.asarray(indptr, dtype=np.int64),
            "indices": indices.astype(np.int32),
            "orders": co.astype(np.int32),
            "weight": np.concatenate(out_weight).astype(np.float32) if out_weight else np.zeros(0, dtype=np.float32),
            "lift": np.nan_to_num(lift).astype(np.float32),
            "npmi": np.nan_to_num(npmi).astype(np.float32),
        }


def build_copurchase(
    settings: Settings,
    db: ShopDatabase | None = None,
    before: datetime | None = None,
    path: str | Path | None = None,
    show_progress: bool = True,
) -> CopurchaseStats:
    """Mine the shop's orders (only those placed before ``before`` when given) and save the statistics.

    Args:
        settings: project settings (shop, database, ``copurchase_min_support``).
        db: an open shop database (default: opened from settings).
        before: time split for evaluation: only baskets placed before this moment count.
        path: where to save (default ``var/<shop>/copurchase.npz``); ``None`` with ``before`` set saves nothing.
        show_progress: show a tqdm bar.

    Returns:
        The mined statistics.
    """
    from cartwise.db import ShopDatabase

    db = db or ShopDatabase.from_settings(settings)
    meta: dict[str, str | int | float | None] = {
        "shop": settings.shop,
        "before": before.isoformat() if before else None,
    }
    stats = CopurchaseMiner.from_settings(settings, show_progress=show_progress).mine(db.baskets(before=before), meta)
    if path is not None or before is None:
        saved = stats.save(path or CopurchaseStats.path_for(settings))
        logger.info(
            "co-purchase: %d products, %d pairs from %d orders -> %s",
            len(stats.ids),
            stats.n_pairs,
            stats.n_baskets,
            saved,
        )
    return stats
