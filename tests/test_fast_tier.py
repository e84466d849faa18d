"""The fast tier (`embedded-fast`): static vectors distilled from the packaged MiniLM with no
hub access, the same bytes on every build here, served by the extractive engine with its
own head, through the same API, cleaning, checks and lengths as the default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from flask.testing import FlaskClient

from bench.server import REPO_ROOT
from models.prepare import sha256_of
from models.store import load_manifest, resolve
from service.config import Settings
from service.domain.summary import Engine
from service.engines.static import StaticEmbedder


def test_prepare_distils_offline_and_gives_the_same_bytes(tmp_path: Path) -> None:
    """A second build, with every proxy pointing at a closed port (any hub call fails),
    matches the store's prepared copy byte for byte."""
    prepared = resolve("embedded-fast", Settings().model_store)
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "HTTPS_PROXY": closed, "HTTP_PROXY": closed, "ALL_PROXY": closed}
    env.pop("HF_HUB_OFFLINE", None)
    result = subprocess.run(
        [sys.executable, "-m", "models.prepare", "embedded-fast", "--store", str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    built = tmp_path / "embedded-fast"
    provenance = json.loads((built / "PROVENANCE.json").read_text())
    assert provenance["source"] == "distilled" and provenance["distilled_from"] == "embedded"
    assert provenance["tool"] == load_manifest()["embedded-fast"]["distill"]["requirement"]
    assert provenance["weights"] == prepared.provenance["weights"]
    assert provenance["weights"]["model.safetensors"] == f"sha256:{sha256_of(built / 'model.safetensors')}"
    # Nothing in the folder names this machine's paths.
    assert str(REPO_ROOT) not in (built / "config.json").read_text()


def test_static_vectors_are_unit_length_and_tell_sentences_apart() -> None:
    embedder = StaticEmbedder(resolve("embedded-fast", Settings().model_store).path)
    vectors = embedder.embed(
        ["The central bank raised interest rates.", "Rates went up at the central bank.", "The cat sat on a mat.", ""]
    )
    assert vectors.shape == (4, embedder.dimension)
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert not vectors[3].any()  # no token: a zero vector, not NaN
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated


def test_fast_tier_summarises_real_articles_with_its_own_head(
    fast_client: FlaskClient, fast_engine: Engine, dev_articles: list[dict[str, str]]
) -> None:
    info = fast_engine.info
    assert info.settings["embedder"] == "static" and info.precision == "off"
    # Its own head for English; French keeps the default set's lexical orangesum-fr.
    assert info.settings["profile"] == f"{load_manifest()['embedded-fast']['profile']},orangesum-fr"
    assert info.settings["ranker"]["weights"]["redundancy"] == 0.95  # its own profile, not the built-in default
    assert info.revision == resolve("embedded-fast", Settings().model_store).provenance["weights"]["model.safetensors"]
    for row in dev_articles[:20]:
        response = fast_client.post("/v1/summarize", json={"text": row["article"], "max_sentences": 3})
        assert response.status_code == 200, response.text
        body = response.get_json()
        assert body["model"]["name"] == "embedded-fast"
        assert len(body["sentences"]) == 3
        assert all(s["text"] in row["article"] for s in body["sentences"])
    # A French article is ranked on lexical vectors, as the default tier ranks it.
    french = "Le gouvernement a présenté mardi un projet de loi sur l'énergie. " * 3 + "Les syndicats ont réagi."
    response = fast_client.post("/v1/summarize", json={"text": french, "max_sentences": 1})
    assert response.status_code == 200, response.text
