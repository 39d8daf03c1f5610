"""The ONNX query encoder gives the packaged MiniLM's own vectors, and never stands between a turn and an answer."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding_onnx import ONNX_FILE, OnnxEncoder, export_encoder
from retrieval.embeddings import Embedder

TEXTS = [
    "a teapot for my mum",
    "what's the weather in Paris?",
    "给我妈妈买一个杯子",  # another language: tokens the model knows little of
    "samsung or lg tv, 65 inch, under 1000 " * 40,  # past max_seq_length: cut where sentence-transformers cuts
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    return export_encoder(embedder.model, tmp_path_factory.mktemp("encoder"))


def test_the_export_gives_the_models_own_vectors(exported: Path, embedder: Embedder) -> None:
    onnx = OnnxEncoder.load(exported, embedder.model)
    for texts in ([TEXTS[0]], TEXTS):  # one text, and a padded batch of several lengths
        expected = embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        got = onnx(texts)
        assert got.shape == expected.shape and got.dtype == np.float32
        assert float(np.abs(got - expected).max()) < 1e-5
        assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_an_embedder_with_a_directory_exports_once_and_encodes_small_inputs_there(
        tmp_path: Path, embedder: Embedder) -> None:
    onnx_embedder = Embedder(embedder.model_path, query_cache_size=0, onnx_dir=tmp_path / "enc")
    onnx_embedder._model = embedder.model  # the loaded model, not a second load
    vectors = onnx_embedder.encode(TEXTS[:2])
    assert (tmp_path / "enc" / ONNX_FILE).is_file()
    assert onnx_embedder._onnx is not None
    torch_only = Embedder(embedder.model_path, query_cache_size=0)
    torch_only._model = embedder.model
    assert float(np.abs(vectors - torch_only.encode(TEXTS[:2])).max()) < 1e-5
    assert torch_only._onnx is None


def test_a_broken_export_falls_back_to_pytorch(tmp_path: Path, embedder: Embedder,
                                               caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / ONNX_FILE).write_bytes(b"not a graph")
    broken = Embedder(embedder.model_path, query_cache_size=0, onnx_dir=tmp_path)
    broken._model = embedder.model
    with caplog.at_level(logging.WARNING, logger="retrieval.embeddings"):
        vectors = broken.encode(["a teapot for my mum"])
    assert "PyTorch encodes queries" in caplog.text
    assert broken._onnx is None and vectors.shape == (1, embedder.dimension)
