"""The FastAPI app: JSON API, widget script, health check and the mounted Gradio UI, in one process.

Routes:
    ``GET /`` (Gradio UI), ``GET /widget.js``, ``POST /api/chat``, ``DELETE /api/session/{id}``,
    ``GET /healthz``; demo mode only: ``POST /api/token``, ``GET /api/demo/customers``,
    ``GET /examples/shop_page.html``.

A shopper's identity comes only from a signed token (:mod:`web.tokens`); a request without one is a guest.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import Protocol

import gradio as gr
from fastapi import FastAPI, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import LockError, SharedStateError
from assistant.rate_limit import limiter_from_settings
from assistant.redis_client import redis_from_settings
from assistant.reply import Reply
from cartwise.db import ShopDatabase
from cartwise.models import Customer
from cartwise.settings import REPO_ROOT, Settings
from cartwise.shops.profile import shop_profile
from web.limits import BodySizeLimit
from web.render import UI_CSS
from web.schemas import (
    SESSION_ID_PATTERN,
    ChatRequest,
    ChatResponse,
    DemoCustomer,
    ErrorResponse,
    HealthResponse,
    TokenRequest,
    TokenResponse,
)
from web.tokens import TokenSigner
from web.ui import ChatUI, theme

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
STATIC_DIR = Path(__file__).resolve().parent / "static"
SHOP_PAGE = REPO_ROOT / "examples" / "shop_page.html"
DEMO_BASE_URL = "http://127.0.0.1:7860"
DEMO_CUSTOMERS = 8


class Bot(Protocol):
    """What the web layer needs from ``assistant.Assistant``."""

    def respond(self, text: str, session_id: str, user_id: str | None = None) -> Reply: ...

    def delete_history(self, session_id: str) -> None: ...

    def demo_customers(self, n: int = 8) -> list[Customer]: ...


class ApiError(Exception):
    """An error answered as ``{"error": code, "detail": sentence}`` with ``status``."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def _error(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorResponse(error=code, detail=detail).model_dump(), status_code=status, headers=headers)


def _describe_validation(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    for err in errors:
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            problem = ctx.get("error", "parse error")
            return _error(400, "malformed_json", f"the request body is not valid JSON: {problem}")
    parts = []
    for err in errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        got = err.get("input")
        if isinstance(got, bytes) and loc == "body":
            parts.append("body: send a JSON object with Content-Type: application/json")
            continue
        shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
        if len(shown) > 60:
            shown = shown[:57] + "..."
        if err.get("type") == "missing":
            parts.append(f"{loc}: required field is missing")
        elif err.get("type") == "extra_forbidden":
            parts.append(f"{loc}: unknown field")
        else:
            parts.append(f"{loc}: {err.get('msg', 'invalid')} (got {shown})")
    return _error(422, "invalid_request", "; ".join(parts) + ". See the request schema at /docs.")


def create_app(settings: Settings, bot: Bot, *, with_ui: bool = True) -> FastAPI:
    """Build the web app around an assistant.

    Args:
        settings: shop, secret key, limits, allowed origins, demo mode.
        bot: the assistant (``assistant.Assistant``).
        with_ui: mount the Gradio UI at ``/``.

    Returns:
        The FastAPI application (serve it with uvicorn).
    """
    # No global lock: the assistant locks each conversation for its turn (in this process, or across every
    # process through Redis), so turns of different conversations run in parallel.
    signer = TokenSigner.from_settings(settings)
    redis = redis_from_settings(settings)  # limits shared by every app process when CARTWISE_REDIS_URL is set
    limiter = limiter_from_settings(settings, settings.rate_limit_per_minute, "api-session", client=redis)
    # A client inventing a new session id per message would never hit the per-session limit.
    client_limiter = limiter_from_settings(settings, settings.rate_limit_per_client_per_minute, "api-client",
                                           client=redis)
    db = ShopDatabase.from_settings(settings)
    customers = bot.demo_customers(n=DEMO_CUSTOMERS) if settings.demo_mode else []
    demo_ids = {c.id for c in customers}

    app = FastAPI(title="Cartwise", version="0.1.0", docs_url="/docs", redoc_url=None)
    app.state.settings = settings
    app.state.signer = signer
    app.state.bot = bot

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"Retry-After": "60"} if exc.status == 429 else None
        return _error(exc.status, exc.code, exc.detail, headers)

    @app.exception_handler(LockError)
    async def _busy(_request: Request, exc: LockError) -> JSONResponse:
        return _error(503, "conversation_busy", str(exc), {"Retry-After": "1"})

    @app.exception_handler(SharedStateError)
    async def _shared_state_down(_request: Request, exc: SharedStateError) -> JSONResponse:
        logger.error("%s", exc)
        return _error(503, "service_unavailable", "the assistant's shared state is unreachable; retry shortly",
                      {"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _describe_validation(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return _error(500, "internal_error", "the assistant failed on this request; it has been logged")

    def _customer_from(token: str | None, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not token and header.lower().startswith("bearer "):
            token = header[7:].strip()
        if not token:
            return None
        customer_id = signer.verify(token)
        if customer_id is None:
            raise ApiError(
                401,
                "invalid_token",
                "the token is invalid or expired: sign in again, or send no token to chat as a guest",
            )
        return customer_id

    @app.post("/api/chat", response_model=ChatResponse,
              responses={401: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
    def chat(body: ChatRequest, request: Request) -> ChatResponse:
        """One conversational turn."""
        if len(body.message) > settings.max_message_chars:
            raise ApiError(
                413,
                "message_too_long",
                f"message is {len(body.message)} characters; the limit is {settings.max_message_chars}",
            )
        customer_id = _customer_from(body.token, request)
        session_id = body.session_id or uuid.uuid4().hex
        client = request.client.host if request.client else "unknown"
        if not client_limiter.allow(client):
            raise ApiError(
                429, "rate_limited",
                f"more than {settings.rate_limit_per_client_per_minute} messages a minute from your address; "
                "wait and retry",
            )
        key = body.session_id or f"ip:{client}"
        if not limiter.allow(key):
            raise ApiError(
                429, "rate_limited", f"more than {settings.rate_limit_per_minute} messages a minute; wait and retry"
            )
        reply = bot.respond(body.message, session_id=session_id, user_id=customer_id)
        return ChatResponse(
            **reply.model_dump(exclude={"session_id"}), session_id=session_id, signed_in=customer_id is not None,
            currency=shop_profile(settings).currency,
        )

    @app.delete("/api/session/{session_id}", status_code=204)
    def delete_session(session_id: str = PathParam(pattern=SESSION_ID_PATTERN)) -> Response:
        """Forget a conversation's history."""
        bot.delete_history(session_id)
        return Response(status_code=204)

    @app.get("/healthz", response_model=HealthResponse)
    def healthz() -> HealthResponse:
        return HealthResponse(
            status="ok", shop=settings.shop, products=db.product_count(),
            intent_model=str(getattr(bot, "intent_model", "fine-tuned")), process=os.getpid(),
        )

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "widget.js",
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=300"},
        )

    def _require_demo() -> None:
        if not settings.demo_mode:
            raise ApiError(403, "demo_mode_off", "demo sign-in is disabled (CARTWISE_DEMO_MODE=false)")

    @app.post("/api/token", response_model=TokenResponse, responses={403: {"model": ErrorResponse}})
    def token(body: TokenRequest) -> TokenResponse:
        """Demo only: a signed token for one of the demo customers."""
        _require_demo()
        if body.customer_id not in demo_ids:
            raise ApiError(
                403,
                "not_a_demo_customer",
                f"customer {body.customer_id!r} is not a demo customer; see /api/demo/customers",
            )
        ttl = settings.token_ttl_seconds
        return TokenResponse(token=signer.sign(body.customer_id, ttl), customer_id=body.customer_id, expires_in=ttl)

    @app.get("/api/demo/customers", response_model=list[DemoCustomer])
    def demo_customers() -> list[DemoCustomer]:
        _require_demo()
        return [DemoCustomer(id=c.id, name=c.name, country=c.country) for c in customers]

    @app.get("/examples/shop_page.html", include_in_schema=False)
    def shop_page(request: Request) -> HTMLResponse:
        _require_demo()
        if not SHOP_PAGE.is_file():
            raise ApiError(404, "not_found", "examples/shop_page.html is only served from a source checkout")
        base = str(request.base_url).rstrip("/")
        # The page's snippet points at the default address; serve it pointing at wherever this app runs.
        return HTMLResponse(SHOP_PAGE.read_text(encoding="utf-8").replace(DEMO_BASE_URL, base))

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown_api(rest: str) -> None:
        raise ApiError(404, "not_found", f"no API endpoint /api/{rest}; see /docs")

    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES, prefix="/api/")
    # Added last so it is outermost: 413/429 answers carry CORS headers too and the widget can read them.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", "Authorization"],
        allow_credentials=False,
        max_age=600,
    )

    if with_ui:
        demo = ChatUI(bot, settings, customers).build()
        app = gr.mount_gradio_app(app, demo, path="/", theme=theme(), css=UI_CSS, footer_links=["api"])
    return app
