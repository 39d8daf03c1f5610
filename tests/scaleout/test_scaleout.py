"""Scale-out purely by settings: Chroma in server mode (``CARTWISE_CHROMA_URL``), PostgreSQL
(``CARTWISE_DATABASE_URL``) and Redis (``CARTWISE_REDIS_URL``) behind ``cartwise test`` and behind two app
worker processes serving one conversation."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from app import cli_command
from cartwise.settings import REPO_ROOT

pytestmark = pytest.mark.slow


def test_dialog_suite_against_server_chroma_and_postgres(scaleout: Any, scaleout_dialogs: list[Path]) -> None:
    assert len(scaleout_dialogs) >= 10
    run = subprocess.run([*cli_command(), "test", *map(str, scaleout_dialogs)],
                         cwd=REPO_ROOT, env=scaleout.env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    summary = re.search(r"(\d+) passed, (\d+) failed, (\d+) unreadable", run.stdout)
    assert summary and summary.groups() == (str(len(scaleout_dialogs)), "0", "0"), run.stdout[-2000:]
    # Nothing fell back to the local defaults: no SQLite file, no embedded Chroma directory was created.
    local = scaleout.settings.shop_var_dir
    assert not (local / "shop.db").exists() and not (local / "chroma").exists(), sorted(local.iterdir())


def chat(url: str, message: str, session: str, token: str | None = None) -> dict[str, Any]:
    body = {"message": message, "session_id": session, **({"token": token} if token else {})}
    response = httpx.post(f"{url}/api/chat", json=body, timeout=120)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_two_app_processes_share_one_conversation(workers: Any) -> None:
    a, b = workers.a.url, workers.b.url
    session = "scaleout-shared-1"
    searched = chat(a, "show me lunch bags", session)
    refined = chat(b, "cheaper", session)  # B refines what A showed
    assert refined["intent"] == "refine_search" and refined["products"], refined
    assert max(float(p["price"]) for p in refined["products"]) <= max(float(p["price"])
                                                                      for p in searched["products"])
    second = chat(a, "tell me about the second one", session)  # A resolves against what B showed
    assert second["products"][0]["id"] == refined["products"][1]["id"], (second, refined)
    bundle = chat(b, "put together a gift set for a tea party under £25", session)
    assert bundle["bundle"] and float(bundle["bundle"]["budget"]) == 25.0
    edited = chat(a, "can you make it under £15 instead?", session)  # A edits the bundle B built
    assert edited["bundle"] and float(edited["bundle"]["budget"]) == 15.0, edited
    assert float(edited["bundle"]["total"]) <= 15.0

    token = httpx.post(f"{a}/api/token", json={"customer_id": "17850"}, timeout=30).json()["token"]
    owner = chat(b, "where is my order 536365?", "scaleout-shared-2", token)  # a token from A works on B
    assert "536365" in owner["text"] and "delivered" in owner["text"].lower() and owner["signed_in"]

    engine = create_engine(workers.settings.database_url_resolved)
    with engine.connect() as conn:
        turns = conn.execute(text("SELECT count(*) FROM dialog_messages WHERE session_id = :s"),
                             {"s": session}).scalar()
        state = conn.execute(text("SELECT state_json FROM dialog_sessions WHERE session_id = :s"),
                             {"s": session}).scalar()
    engine.dispose()
    assert turns == 2 * 5 and state and '"turn":5' in state.replace(" ", "")
    assert httpx.delete(f"{b}/api/session/{session}", timeout=30).status_code == 204


def test_any_session_id_is_stored_on_postgres(scaleout: Any) -> None:
    """Ids PostgreSQL's columns would refuse (too long, NUL) are kept under a stable digest."""
    from assistant.dialog.state import SessionStore, session_key
    from assistant.types import DialogState

    engine = create_engine(scaleout.settings.database_url)
    store = SessionStore(engine).create_schema()
    try:
        for bad in ["", "lone \ud800 surrogate"]:
            with pytest.raises(ValueError, match="session_id"):
                session_key(bad)
        for raw in ["x" * 500, "nul\x00inside", "sha256:looks-like-a-key", "plain-id", "🎁" * 100]:
            state = DialogState(session_id=raw, user_id=None, turn=1)
            store.save_turn(state, "hello", "hi there", "greeting")
            loaded = store.load(raw)
            assert loaded is not None and loaded.session_id == raw and loaded.turn == 1
            assert [m["text"] for m in store.transcript(raw)] == ["hello", "hi there"]
            assert store.open_ticket(raw, None, "test") > 0
            assert len(session_key(raw)) <= 128
            store.delete(raw)
            assert store.load(raw) is None and not store.transcript(raw) and not store.tickets(raw)
    finally:
        engine.dispose()
