"""The SQL store that keeps each conversation's dialog state, transcript and hand-off tickets (the state and the
typed updates handlers return are in :mod:`assistant.types`)."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import DateTime, Engine, Integer, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from assistant.facts import Act
from assistant.types import DialogState
from cartwise.db import Base
from cartwise.models import MAX_CUSTOMER_ID_CHARS
from finetune.context import TurnContext

logger = logging.getLogger(__name__)


def screen_after(act: str, explained_bundle: bool = False, explained: int = 0) -> TurnContext:
    """What a reply with ``act`` leaves on the shopper's screen (an explanation leaves what it explained: one product
    of a list, ``explained`` 1, is the one talked about, as after its details)."""
    if act == "explain":
        return TurnContext.bundle if explained_bundle else TurnContext.product if explained == 1 \
            else TurnContext.products
    return _ACT_CONTEXT.get(act, TurnContext.none)


# What each reply act leaves on the shopper's screen, as the intent model reads it.
_ACT_CONTEXT: dict[str, TurnContext] = {
    Act.show_products: TurnContext.products, Act.compare: TurnContext.products, Act.no_results: TurnContext.none,
    Act.product_info: TurnContext.product, Act.show_bundle: TurnContext.bundle, Act.explain: TurnContext.products,
    Act.order_status: TurnContext.order, Act.order_list: TurnContext.order, Act.order_action: TurnContext.order,
    Act.order_problem: TurnContext.order, Act.clarify: TurnContext.clarify, Act.policy_answer: TurnContext.policy,
}


class SessionRow(Base):
    __tablename__ = "dialog_sessions"
    session_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    state_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class MessageRow(Base):
    __tablename__ = "dialog_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)  # redacted before it is stored
    intent: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TicketRow(Base):
    __tablename__ = "handoff_tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(MAX_CUSTOMER_ID_CHARS), nullable=True)
    reason: Mapped[str] = mapped_column(String(200))
    transcript: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime)


MAX_KEY_CHARS = 128
RESERVED = "reserved"  # a ticket whose turn is not stored yet; save_turn fills its transcript and opens it


def session_key(session_id: str) -> str:
    """The database key of a conversation: the id itself, or a digest when it cannot be stored as is.

    Any non-empty Unicode string is a valid session id for :meth:`Assistant.respond`; ids longer than the
    column (128 characters) or holding a NUL (PostgreSQL text refuses it) are stored under
    ``sha256:<hex>``, which is stable, so the conversation still continues.

    Raises:
        ValueError: for an empty id or one that is not valid Unicode (a lone surrogate).
    """
    if not isinstance(session_id, str) or not session_id:
        raise ValueError("session_id must be a non-empty string (any text; long ids are stored as a digest)")
    try:
        encoded = session_id.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"session_id must be valid Unicode text: {exc.reason} at position {exc.start}") from exc
    if "\x00" not in session_id and len(session_id) <= MAX_KEY_CHARS and not session_id.startswith("sha256:"):
        return session_id
    return "sha256:" + hashlib.sha256(encoded).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _transcript_text(s: Session, key: str, after_id: int = 0) -> str:
    rows = s.scalars(select(MessageRow).where(MessageRow.session_id == key, MessageRow.id > after_id)
                     .order_by(MessageRow.id))
    return "\n".join(f"{r.role}: {r.text}" for r in rows)


class SessionStore:
    """Dialog states, transcripts and hand-off tickets in the shop database.

    Every write is one transaction, so a crash between turns loses nothing
    already answered and never leaves half a turn behind.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_schema(self) -> SessionStore:
        Base.metadata.create_all(self.engine, tables=[SessionRow.__table__, MessageRow.__table__, TicketRow.__table__])  # type: ignore[list-item]
        return self

    def load(self, session_id: str) -> DialogState | None:
        with Session(self.engine) as s:
            row = s.get(SessionRow, session_key(session_id))
            if row is None:
                return None
            try:
                return DialogState.model_validate_json(row.state_json)
            except ValidationError:
                # A state stored by an older version: the conversation restarts rather than failing every turn.
                logger.warning("session %s has a state this version cannot read; starting it afresh", session_id)
                return None

    def save_turn(self, state: DialogState, user_text: str, bot_text: str, intent: str) -> None:
        """Store the new state and both sides of the turn atomically (texts already redacted).

        Hand-off tickets reserved during this turn (:meth:`reserve_ticket`) get the whole transcript, this turn
        included, in the same transaction, and become ``open``.
        """
        now = _now()
        key = session_key(state.session_id)
        with Session(self.engine) as s, s.begin():
            row = s.get(SessionRow, key)
            if row is None:
                s.add(SessionRow(session_id=key, state_json=state.model_dump_json(), updated_at=now))
            else:
                row.state_json = state.model_dump_json()
                row.updated_at = now
            s.add(MessageRow(session_id=key, role="user", text=user_text, intent=intent, created_at=now))
            s.add(MessageRow(session_id=key, role="assistant", text=bot_text, intent=intent,
                             created_at=now))
            reserved = list(s.scalars(select(TicketRow).where(TicketRow.session_id == key,
                                                              TicketRow.status == RESERVED)))
            if reserved:
                s.flush()
                # This identity's conversation only: the turns before someone else signed in on the session are not
                # theirs to hand to a person on their behalf.
                transcript = _transcript_text(s, key, state.transcript_after)
                for ticket in reserved:
                    ticket.transcript, ticket.status = transcript, "open"

    def transcript(self, session_id: str) -> list[dict[str, Any]]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(MessageRow).where(MessageRow.session_id == session_key(session_id)).order_by(MessageRow.id)
            )
            return [{"role": r.role, "text": r.text, "intent": r.intent, "at": r.created_at.isoformat()} for r in rows]

    def last_message_id(self, session_id: str) -> int:
        """The id of the session's latest stored message (0 when none): where a new identity's conversation starts."""
        with Session(self.engine) as s:
            found = s.scalar(select(func.max(MessageRow.id)).where(MessageRow.session_id == session_key(session_id)))
        return int(found or 0)

    def open_ticket(self, session_id: str, customer_id: str | None, reason: str) -> int:
        """Open a hand-off ticket now, with the transcript stored so far; returns its number."""
        return self._add_ticket(session_id, customer_id, reason, "open")

    def reserve_ticket(self, session_id: str, customer_id: str | None, reason: str) -> int:
        """A ticket number for a hand-off decided during a turn that is not stored yet.

        The ticket holds the transcript so far until :meth:`save_turn` stores the turn; then it holds the whole
        conversation, including the message that triggered the hand-off and the reply that announced it.
        """
        return self._add_ticket(session_id, customer_id, reason, RESERVED)

    def _add_ticket(self, session_id: str, customer_id: str | None, reason: str, status: str) -> int:
        key = session_key(session_id)
        with Session(self.engine) as s, s.begin():
            # A reserved ticket is filled by save_turn, from where the signed-in identity's conversation starts.
            transcript = _transcript_text(s, key) if status != RESERVED else ""
            ticket = TicketRow(session_id=key, customer_id=customer_id, reason=reason[:200],
                               transcript=transcript, status=status, created_at=_now())
            s.add(ticket)
            s.flush()
            return int(ticket.id)

    def tickets(self, session_id: str) -> list[dict[str, Any]]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(TicketRow).where(TicketRow.session_id == session_key(session_id)).order_by(TicketRow.id)
            )
            return [{"id": r.id, "reason": r.reason, "transcript": r.transcript, "status": r.status} for r in rows]

    def delete(self, session_id: str) -> None:
        """Forget a conversation: its state, transcript and tickets' transcripts."""
        key = session_key(session_id)
        with Session(self.engine) as s, s.begin():
            s.execute(delete(MessageRow).where(MessageRow.session_id == key))
            s.execute(delete(SessionRow).where(SessionRow.session_id == key))
            s.execute(delete(TicketRow).where(TicketRow.session_id == key))
