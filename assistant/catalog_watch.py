"""Notice a re-ingest (or new co-purchase statistics) while serving, and reload the in-memory product data.

A running assistant holds the catalog in memory: product vectors for ranking and bundles, the exact vector
index, the BM25 snapshot, the co-purchase tables. :class:`CatalogWatcher` compares a cheap stamp (the
database's ``catalog`` data version, raised by every product write, and the co-purchase file's modification
time) at most every ``every_s`` seconds; when it moved, it rebuilds the dialog manager in a background thread
and hands it over, so no turn waits for the reload and every process (each has its own watcher) catches up
within seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cartwise.db import CATALOG, ShopDatabase

if TYPE_CHECKING:
    from assistant.dialog.manager import DialogManager

logger = logging.getLogger(__name__)

Stamp = tuple[int, int | None]


class CatalogWatcher:
    """Rebuilds the dialog manager when the catalog or the co-purchase statistics change.

    Args:
        db: the shop database (its ``catalog`` data version).
        copurchase_path: the co-purchase statistics file (its modification time).
        rebuild: builds a new dialog manager from the current data (slow: seconds).
        every_s: least time between two checks (0: every turn).

    Example:
        >>> watcher = CatalogWatcher(db, path, rebuild, every_s=5).start()  # doctest: +SKIP
        >>> watcher.check(lambda dialog: setattr(bot, "dialog", dialog))   # doctest: +SKIP
        False
    """

    def __init__(self, db: ShopDatabase, copurchase_path: Path, rebuild: Callable[[], DialogManager],
                 every_s: float = 5.0) -> None:
        self.db = db
        self.copurchase_path = copurchase_path
        self.rebuild = rebuild
        self.every_s = every_s
        self.stamp_: Stamp | None = None
        self.reloads_ = 0
        self._last = float("-inf")
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def stamp(self) -> Stamp:
        """What the in-memory data is compared by: one primary-key read and one ``stat``."""
        try:
            mtime: int | None = self.copurchase_path.stat().st_mtime_ns
        except OSError:
            mtime = None
        return self.db.data_version(CATALOG), mtime

    def start(self) -> CatalogWatcher:
        """Record the current stamp (call before building the dialog manager, so a change during it is seen)."""
        self.stamp_ = self.stamp()
        return self

    def check(self, on_ready: Callable[[DialogManager], None]) -> bool:
        """Start a background rebuild when the stamp moved; ``on_ready`` receives the new dialog manager.

        Returns:
            True when a rebuild was started by this call.
        """
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.every_s or (self._thread is not None and self._thread.is_alive()):
                return False
            self._last = now
            stamp, seen = self.stamp(), self.stamp_
            if stamp == seen:
                return False
            self.stamp_ = stamp
            self._thread = threading.Thread(target=self._reload, args=(on_ready, seen), name="catalog-reload",
                                            daemon=True)
            self._thread.start()
            return True

    def _reload(self, on_ready: Callable[[DialogManager], None], previous: Stamp | None) -> None:
        started = time.perf_counter()
        logger.info("the catalog or co-purchase statistics changed: reloading the product data in the background")
        try:
            dialog = self.rebuild()
        except Exception:
            logger.exception("reloading the product data failed; serving the previous copy and retrying later")
            with self._lock:
                self.stamp_ = previous
            return
        on_ready(dialog)
        self.reloads_ += 1
        logger.info("product data reloaded in %.1f s", time.perf_counter() - started)

    def wait(self, timeout: float | None = None) -> None:
        """Block until a running rebuild has finished (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
