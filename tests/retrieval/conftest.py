"""Shared fixtures for the retrieval tests: the real MiniLM model, real Chroma (embedded and server)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from cartwise.models import Product
from cartwise.settings import REPO_ROOT, Settings
from retrieval.embeddings import Embedder
from retrieval.store import ProductStore

GIFTSHOP_CATALOG = REPO_ROOT / "data" / "shops" / "giftshop" / "catalog.csv"
GIFTSHOP_QUERIES = REPO_ROOT / "tests" / "data" / "giftshop_queries.yaml"


def _p(pid: str, title: str, category: str, price: str, stock: int = 5, brand: str = "", **kw: object) -> Product:
    return Product(id=pid, title=title, category=category, price=Decimal(price), stock=stock, brand=brand, **kw)


SMALL_CATALOG: list[Product] = [
    _p("85123A", "White Hanging Heart T-Light Holder", "candles & lighting", "2.55", 10, "Heartly",
       description="Hanging heart-shaped holder for a tea light candle."),
    _p("21733", "Red Hanging Heart T-Light Holder", "candles & lighting", "2.95", 0, "Heartly"),
    _p("84970S", "Hanging Heart Zinc T-Light Holder", "candles & lighting", "0.85", 3),
    _p("22423", "Regency Cakestand 3 Tier", "kitchen & baking", "12.75", 4, "Regency",
       description="Three tier porcelain cake stand for afternoon tea.", rating=4.5),
    _p("22184", "Cake Stand Victorian Filigree Large", "kitchen & baking", "8.47", 2, discount="£2 off"),
    _p("22182", "Cake Stand Victorian Filigree Small", "kitchen & baking", "4.13", 0),
    _p("37446", "Mini Cake Stand With Hanging Cakes", "kitchen & baking", "1.45", 72),
    _p("21843", "Red Retrospot Cake Stand", "kitchen & baking", "10.95", 8, "Retrospot", discount="Half price"),
    _p("20725", "Lunch Bag Red Retrospot", "bags", "1.65", 100, "Retrospot"),
    _p("85099B", "Jumbo Bag Red Retrospot", "bags", "2.08", 50, "Retrospot"),
    _p("20712", "Jumbo Bag Woodland Animals", "bags", "2.08", 0),
    _p("22727", "Alarm Clock Bakelike Red", "signs & wall art", "3.75", 6),
    _p("22728", "Alarm Clock Bakelike Pink", "signs & wall art", "3.75", 0),
    _p("22191", "Ivory Diner Wall Clock", "signs & wall art", "8.50", 2),
    _p("21523", "Doormat Fancy Font Home Sweet Home", "signs & wall art", "7.95", 9),
    _p("47566", "Party Bunting", "party", "4.95", 30, description="Colourful flags to hang at a garden party."),
    _p("21212", "Pack Of 72 Retrospot Cake Cases", "party", "0.55", 200, "Retrospot"),
    _p("22086", "Paper Chain Kit 50'S Christmas", "christmas", "2.95", 40),
    _p("22580", "Advent Calendar Gingham Sack", "christmas", "5.95", 0),
    _p("21479", "White Skull Hot Water Bottle", "kitchen & baking", "4.25", 12,
       description="Keeps you <b>warm</b> in bed & on the sofa."),
    _p("23084", "Rabbit Night Light", "candles & lighting", "2.08", 15, rating=4.0),
    _p("22457", "Natural Slate Heart Chalkboard", "stationery & cards", "2.95", 0),
    _p("84879", "Assorted Colour Bird Ornament", "garden & outdoor", "1.69", 60),
    _p("23465", "Tuscan Villa Bird Feeder", "garden & outdoor", "8.25", 1),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chroma_executable() -> str:
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        raise RuntimeError("the `chroma` CLI (installed with chromadb) was not found next to python or on PATH")
    return found


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged MiniLM, loaded once for the whole test session."""
    emb = Embedder.from_settings(Settings())
    _ = emb.model
    return emb


@pytest.fixture(scope="session")
def small_catalog() -> list[Product]:
    return list(SMALL_CATALOG)


@pytest.fixture
def empty_store(tmp_path: Path, embedder: Embedder) -> ProductStore:
    return ProductStore.open(tmp_path / "chroma", embedder, "testshop", create=True)


@pytest.fixture
def store(empty_store: ProductStore, small_catalog: list[Product]) -> ProductStore:
    empty_store.upsert(small_catalog, batch_size=8)
    return empty_store


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> ProductStore:
    """A read-only small store shared by a module's search tests (built once)."""
    path = tmp_path_factory.mktemp("shared") / "chroma"
    st = ProductStore.open(path, embedder, "testshop", create=True)
    st.upsert(SMALL_CATALOG, batch_size=16)
    return st


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real ``chroma run`` server on a free loopback port; yields its URL and stops it afterwards."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = free_port()
    log = (tmp_path / "chroma-server.log").open("wb")
    proc = subprocess.Popen(
        [chroma_executable(), "run", "--path", str(tmp_path / "server-data"),
         "--port", str(port), "--host", "127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma server exited with {proc.returncode}; see {log.name}")
            try:
                chromadb.HttpClient(
                    host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
                ).heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"chroma server did not answer its heartbeat in 60 s; see {log.name}") from None
                time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
