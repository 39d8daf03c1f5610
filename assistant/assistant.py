"""``Assistant``: the public entry point the UI, widget, API, dialog tests and scripts drive.

Example:
    >>> from composition import build_assistant
    >>> bot = build_assistant()                              # doctest: +SKIP
    >>> reply = bot.respond("need a gift for my mum under £20", session_id="s1", user_id=None)  # doctest: +SKIP
    >>> reply.intent, [p.title for p in reply.products][:2]  # doctest: +SKIP
    ('search_product', ['Mum Gift Tag', 'Love Heart Mug For Mum'])
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from assistant.catalog_watch import CatalogWatcher
from assistant.dialog.manager import DialogManager
from assistant.dialog.state import session_key
from assistant.locks import InMemoryLockStore
from assistant.protocols import LockStore
from assistant.types import Reply
from cartwise.db import ShopDatabase
from cartwise.models import MAX_CUSTOMER_ID_CHARS, Customer
from cartwise.settings import Settings

logger = logging.getLogger(__name__)


class Assistant:
    """A shop's conversational assistant (:func:`composition.build_assistant` builds one from settings).

    Args:
        dialog: the dialog manager that runs every turn.
        db: the shop database (demo customers, history deletion).
        settings: the settings it was built from.
        locks: per-conversation turn locks (default: in this process only). With several processes, a
            :class:`~assistant.locks.RedisLockStore` shared by all of them (``CARTWISE_REDIS_URL``).
        watcher: reloads the in-memory product data after a re-ingest (None: never).
    """

    def __init__(self, dialog: DialogManager, db: ShopDatabase, settings: Settings,
                 locks: LockStore | None = None, watcher: CatalogWatcher | None = None) -> None:
        self.dialog = dialog
        self.db = db
        self.settings = settings
        self.locks = locks if locks is not None else InMemoryLockStore(settings.lock_wait_s)
        self.watcher = watcher

    def respond(self, message: str, session_id: str, user_id: str | None = None) -> Reply:
        """Answer one shopper message.

        Args:
            message: what the shopper typed (any text; bad input gets a clear reply, never an exception).
            session_id: the conversation (any non-empty text); its state is kept in the database.
            user_id: the signed-in customer id, or None for a guest. Only this customer's orders are ever shown.

        Returns:
            The reply: text, intent, confidence, products, bundle, handoff, options, slots.

        Turns of one conversation run one at a time, in the order they came, across every process that shares
        the lock store; turns of different conversations run in parallel.

        Raises:
            ValueError: for an empty ``session_id`` or a ``user_id`` that cannot be a customer id (over
                32 characters or containing NUL): those are integration errors, not shopper input.
            LockError: the turns before this one in the same conversation took longer than
                ``CARTWISE_LOCK_WAIT_S`` (the API answers 503; retrying is safe).
        """
        key = session_key(session_id)  # validates
        user = str(user_id) if user_id else None
        if user is not None and (len(user) > MAX_CUSTOMER_ID_CHARS or "\x00" in user):
            raise ValueError(
                f"user_id must be a customer id of at most {MAX_CUSTOMER_ID_CHARS} characters; got {user[:40]!r}..."
            )
        if self.watcher is not None:
            self.watcher.check(self._use)  # a re-ingest: new product data, loaded in the background
        with self.locks.lock(key):  # the whole turn: load state -> decide -> save
            return self.dialog.respond(message, session_id=session_id, user_id=user)

    def _use(self, dialog: DialogManager) -> None:
        self.dialog = dialog  # one reference swap: a turn in flight finishes on the manager it started with

    def stream(self, message: str, session_id: str, user_id: str | None = None) -> Iterator[tuple[str, Reply]]:
        """Like :meth:`respond`, but yields the growing text (for streaming UIs) with the final reply."""
        reply = self.respond(message, session_id, user_id)
        words = reply.text.split(" ")
        for i in range(1, len(words) + 1, 3):
            yield " ".join(words[:i]), reply
        yield reply.text, reply

    @property
    def intent_model(self) -> str:
        """Which intent model answers now: ``"fine-tuned"``, or ``"embedding-head"`` while the fine-tune trains."""
        return str(getattr(self.dialog.understander.model, "serving", "fine-tuned"))

    def demo_customers(self, n: int = 8) -> list[Customer]:
        """Customers with the most orders, for the demo's "sign in as" selector."""
        return self.db.active_customers(n)

    def delete_history(self, session_id: str) -> None:
        """Forget a conversation: state, transcript and hand-off transcripts (after a turn in flight is saved)."""
        with self.locks.lock(session_key(session_id)):
            self.dialog.sessions.delete(session_id)

    def transcript(self, session_id: str) -> list[dict[str, object]]:
        return self.dialog.sessions.transcript(session_id)
