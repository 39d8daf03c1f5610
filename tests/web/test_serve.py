"""``cartwise serve``: several workers are refused on process-local state, with every setting to change named."""

from __future__ import annotations

import subprocess

import pytest

from app import cli_command
from cartwise.settings import REPO_ROOT, Settings
from web.serve import shared_state_problems

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def test_only_postgres_chroma_server_and_redis_are_shared_safe() -> None:
    assert len(shared_state_problems(Settings())) == 3  # SQLite, embedded Chroma, no Redis
    shared = Settings(database_url="postgresql+psycopg://u@127.0.0.1:5432/db", chroma_url="http://127.0.0.1:8000",
                      redis_url="redis://127.0.0.1:6379/0")
    assert shared_state_problems(shared) == []
    assert [p.split()[0] for p in shared_state_problems(shared.model_copy(update={"redis_url": None}))] == [
        "CARTWISE_REDIS_URL"]


def test_several_workers_on_sqlite_are_refused_before_anything_loads() -> None:
    run = subprocess.run([*cli_command(), "serve", "--workers", "2", "--no-build"],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    assert run.returncode == 2, run.stderr
    for setting in ("CARTWISE_DATABASE_URL", "CARTWISE_CHROMA_URL", "CARTWISE_REDIS_URL", "docs/deploy.md"):
        assert setting in run.stderr
    assert "Traceback" not in run.stderr
