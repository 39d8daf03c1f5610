"""Crash safety with real processes: SIGKILL the app (between and during turns) and continue the conversation
after a restart; SIGKILL ``cartwise ingest`` halfway and re-run it; a missing or corrupted Chroma directory gives
a clear error with the way to rebuild, never a stack trace."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import chromadb
import httpx
import pytest
from chromadb.config import Settings as ChromaSettings
from reliability_procs import AppProcess, cartwise_cmd, child_env, free_port, write_catalog
from sqlalchemy import create_engine, text

from cartwise.settings import REPO_ROOT, Settings
from retrieval.errors import StoreError

pytestmark = pytest.mark.slow


def session_rows(engine: Any, session_id: str) -> tuple[list[str], dict[str, Any] | None]:
    with engine.connect() as conn:
        roles = [r[0] for r in conn.execute(text("SELECT role FROM dialog_messages WHERE session_id = :s ORDER BY id"),
                                            {"s": session_id})]
        state = conn.execute(text("SELECT state_json FROM dialog_sessions WHERE session_id = :s"),
                             {"s": session_id}).scalar()
    return roles, json.loads(state) if state else None


def test_sigkilled_app_continues_the_conversation(tmp_path: Path) -> None:
    settings = Settings(shop="giftshop")
    engine = create_engine(settings.database_url_resolved)
    session = f"crash-{uuid.uuid4().hex[:12]}"
    env = child_env(CARTWISE_SHOP="giftshop")

    app = AppProcess(free_port(), env, tmp_path / "app1.log").start()
    try:
        first = httpx.post(f"{app.url}/api/chat", json={"message": "show me lunch bags", "session_id": session},
                           timeout=60).json()
        assert len(first["products"]) >= 2, first
        # Kill it while the next turn is (probably) being answered: the turn must be stored whole or not at all.
        inflight = threading.Thread(target=lambda: _post_quietly(app.url, "cheaper", session), daemon=True)
        inflight.start()
        time.sleep(0.15)
    finally:
        app.kill()
    inflight.join(timeout=60)

    roles, state = session_rows(engine, session)
    assert state is not None and len(roles) % 2 == 0 and roles[::2] == ["user"] * (len(roles) // 2), roles
    assert state["turn"] == len(roles) // 2  # state and transcript were written in the same transaction
    assert state["shown"][:2], state

    app = AppProcess(free_port(), env, tmp_path / "app2.log").start()
    try:
        after = httpx.post(f"{app.url}/api/chat", json={"message": "the second one", "session_id": session},
                           timeout=60).json()
        assert after["products"] and after["products"][0]["id"] == state["shown"][1]["id"], (after, state)
        assert httpx.delete(f"{app.url}/api/session/{session}", timeout=30).status_code == 204
    finally:
        app.stop()
    assert session_rows(engine, session) == ([], None)


def _post_quietly(url: str, message: str, session: str) -> None:
    try:
        httpx.post(f"{url}/api/chat", json={"message": message, "session_id": session}, timeout=60)
    except httpx.HTTPError:
        pass  # the server was killed under it


def _kill_when_half_done(proc: subprocess.Popen[bytes], total: int) -> int:
    """Read tqdm's progress from stderr; SIGKILL once between 25% and 75% of ``total`` products are written."""
    assert proc.stderr is not None
    buffer = b""
    while True:
        chunk = proc.stderr.read1(4096)  # type: ignore[attr-defined]
        if not chunk:
            return -1
        buffer = (buffer + chunk)[-4096:]
        done = [int(m) for m in re.findall(rb"embedding products:[^\r\n|]*\|[^|]*\| *(\d+)/\d+ \[", buffer)]
        if done and total * 0.25 <= done[-1] <= total * 0.75:
            proc.kill()
            return done[-1]


def test_killed_ingest_resumes_without_duplicates(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    rows = write_catalog(catalog, 320)
    env = child_env(CARTWISE_VAR_DIR=str(tmp_path / "var"))
    ingest = cartwise_cmd("ingest", "--shop", "crashshop", "--catalog", str(catalog), "--batch-size", "8")

    first = subprocess.Popen(ingest, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        killed_at = _kill_when_half_done(first, len(rows))
    finally:
        first.kill()
        first.communicate(timeout=60)  # waits and closes the stderr pipe
    assert killed_at > 0, "ingest finished or failed before it could be killed halfway"

    second = subprocess.run(ingest, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    report = re.search(r"(\d+) added, (\d+) updated, (\d+) unchanged, 0 deleted; (\d+) products stored", second.stdout)
    assert report, second.stdout
    added, updated, unchanged, stored = map(int, report.groups())
    assert stored == len(rows) and added + updated + unchanged == len(rows)
    assert unchanged >= killed_at - 8, "the batches written before the kill were embedded again"

    client = chromadb.PersistentClient(path=str(tmp_path / "var" / "crashshop" / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection("products_crashshop")
    ids = collection.get(include=[])["ids"]
    assert collection.count() == len(rows) and len(ids) == len(set(ids)) == len(rows)
    spot = [rows[0], rows[killed_at - 1], rows[killed_at], rows[-1]]
    got = collection.get(ids=[r["id"] for r in spot], include=["metadatas", "documents"])
    titles = {i: (m or {}).get("title") for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)}
    assert titles == {r["id"]: r["title"] for r in spot}
    db = create_engine(f"sqlite:///{tmp_path / 'var' / 'crashshop' / 'shop.db'}")
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*), count(DISTINCT id) FROM products")).one() == (len(rows), len(rows))


def test_missing_or_corrupt_store_is_a_clear_error(tmp_path: Path) -> None:
    from composition import build_assistant

    var = tmp_path / "var"
    settings = Settings(shop="giftshop", var_dir=var, intent_model_dir=Settings().intent_model_path)
    with pytest.raises(StoreError, match=r"no product store at .*run `cartwise ingest --shop giftshop`"):
        build_assistant(settings, build=False)

    chroma = var / "giftshop" / "chroma"
    chroma.mkdir(parents=True)
    (chroma / "chroma.sqlite3").write_bytes(b"this is not a database" * 500)
    with pytest.raises(StoreError, match=r"corrupted or unreadable .*delete .*chroma and re-run `cartwise ingest"):
        build_assistant(settings, build=False)


def test_cartwise_search_on_a_corrupt_store_then_the_rebuild_path(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    write_catalog(catalog, 24)
    env = child_env(CARTWISE_VAR_DIR=str(tmp_path / "var"))
    chroma = tmp_path / "var" / "tinyshop" / "chroma"

    def search() -> subprocess.CompletedProcess[str]:
        return subprocess.run(cartwise_cmd("search", "--shop", "tinyshop", "lunch bag"), cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=300)

    missing = search()
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "run `cartwise ingest --shop tinyshop`" in missing.stderr, missing.stderr

    ingest = cartwise_cmd("ingest", "--shop", "tinyshop", "--catalog", str(catalog))
    assert subprocess.run(ingest, cwd=REPO_ROOT, env=env, capture_output=True, timeout=600).returncode == 0
    with (chroma / "chroma.sqlite3").open("r+b") as f:
        f.truncate(4096)  # a half-copied or truncated store
    broken = search()
    assert broken.returncode == 2 and "Traceback" not in broken.stderr, broken.stderr[-2000:]
    fix = re.search(r"delete (\S+) and re-run `(cartwise ingest --shop tinyshop)`", broken.stderr)
    assert fix and Path(fix.group(1)) == chroma, broken.stderr

    shutil.rmtree(fix.group(1))  # follow the message
    assert subprocess.run(ingest, cwd=REPO_ROOT, env=env, capture_output=True, timeout=600).returncode == 0
    fixed = search()
    assert fixed.returncode == 0 and "Lunch Bag" in fixed.stdout, fixed.stdout + fixed.stderr
