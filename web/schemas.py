"""Request and response models of the JSON API (money is serialised as strings, never floats)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.reply import ShownBundle, ShownProduct

SESSION_ID_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"


class ChatRequest(BaseModel):
    """``POST /api/chat`` body.

    Attributes:
        message: what the shopper typed.
        session_id: the conversation (letters, digits, ``-``, ``_``); omitted -> the server starts one.
        token: a signed customer token from the shop's login (omitted -> guest).
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    message: str = Field(min_length=1)
    session_id: str | None = Field(None, pattern=SESSION_ID_PATTERN)
    token: str | None = Field(None, max_length=1024)


class ChatResponse(BaseModel):
    """The assistant's turn, as the widget and outside scripts read it."""

    text: str
    intent: str
    confidence: float
    products: list[ShownProduct]
    bundle: ShownBundle | None
    handoff: bool
    options: list[str]
    slots: dict[str, str]
    session_id: str
    sources: list[str]
    signed_in: bool = Field(description="True when the request carried a valid customer token.")
    currency: str = Field(description="Symbol to show prices with, e.g. £.")


class TokenRequest(BaseModel):
    """``POST /api/token`` body (demo sign-in only)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    customer_id: str = Field(min_length=1, max_length=32)


class TokenResponse(BaseModel):
    token: str
    customer_id: str
    expires_in: int


class DemoCustomer(BaseModel):
    id: str
    name: str
    country: str


class HealthResponse(BaseModel):
    status: str
    shop: str
    products: int
    intent_model: str = Field(
        description='The intent model answering now: "fine-tuned", or "embedding-head" while the fine-tuned model '
        "trains in the background after a first start."
    )
    process: int = Field(description="The id of the app process that answered (one of the workers with --workers N).")


class ErrorResponse(BaseModel):
    """Every 4xx body: a stable machine code and a sentence a developer can act on."""

    error: str
    detail: str
