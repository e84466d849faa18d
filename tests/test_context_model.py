"""The context model (service/ranker/context.py): served in numpy exactly as torch fitted it,
read back from its profile file, warm-started without losing its shape, and refused when
its arrays do not fit together."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from service.ranker.context import ContextModel
from service.ranker.context_fit import FitOptions, Sequenced, _batch, _load, _network, fit_context
from service.ranker.profile import Profile, load_profile, save_profile
from service.ranker.ranking import RankInput
from service.ranker.salience import FEATURES, SURFACE, SURFACE_FEATURES

SMALL = FitOptions(width=16, heads=2, feedforward=32, epochs=2, batch=8)


def _articles(rng: np.random.Generator, count: int = 24, dimension: int = 8, named: int = len(FEATURES)) -> list:
    out = []
    for _ in range(count):
        n = int(rng.integers(3, 20))
        embeddings = rng.normal(size=(n, dimension)) if dimension else None
        labels = (np.arange(n) < 3).astype(np.float32)  # the lede: something learnable
        out.append(Sequenced(rng.normal(size=(n, named)).astype(np.float32), embeddings, labels, 1.0, True))
    return out


def _article(rng: np.random.Generator, n: int = 9, dimension: int = 8) -> RankInput:
    e = rng.normal(size=(n, dimension))
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    title = e[0] + e[1]
    texts = [f"Sentence {i}, said Ana." for i in range(n)]
    return RankInput(e, np.arange(n) + 4, title / np.linalg.norm(title), 0.9, texts)


def test_numpy_serving_equals_the_torch_network_it_was_fitted_as() -> None:
    rng = np.random.default_rng(0)
    model = fit_context(_articles(rng), options=SMALL)
    article = _article(rng)
    net = _network(model.top["in_w"].shape[0], SMALL)
    _load(net, model)
    net.eval()
    x = torch.tensor(model.inputs(article), dtype=torch.float32)[None]
    expected = net(x, torch.ones(1, article.n, dtype=torch.bool))[0].detach().numpy()
    assert np.allclose(model.score(article), expected, atol=1e-5)
    assert model.score(RankInput(np.zeros((0, 8)), np.zeros(0))).shape == (0,)


def test_a_profile_file_serves_the_same_scores(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    model = fit_context(_articles(rng), options=SMALL)
    path = tmp_path / "house.json.gz"
    save_profile(Profile("house", salience=model, language="en"), path)
    loaded = load_profile(path)
    assert isinstance(loaded.salience, ContextModel) and loaded.ranker == "salience"
    article = _article(rng)
    assert np.allclose(loaded.score(article), model.score(article), atol=1e-4)
    data = json.loads(gzip.decompress(path.read_bytes()))
    data["salience"]["layers"][0]["qkv_w"] = data["salience"]["layers"][0]["qkv_w"][:-1]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="do not fit together"):
        load_profile(broken)


def test_a_warm_start_keeps_the_shape_and_moves_the_scores() -> None:
    rng = np.random.default_rng(2)
    base = fit_context(_articles(rng), options=SMALL)
    tuned = fit_context(_articles(rng), options=FitOptions(epochs=1, batch=8, learning_rate=1e-2), init=base)
    assert (tuned.width, len(tuned.layers), tuned.heads) == (16, 2, 2)
    assert np.array_equal(tuned.mean, base.mean)
    article = _article(rng)
    assert not np.allclose(tuned.score(article), base.score(article))


def test_on_lexical_vectors_it_reads_the_surface_and_no_coordinates() -> None:
    rng = np.random.default_rng(3)
    named = len(FEATURES) + len(SURFACE_FEATURES)
    model = fit_context(_articles(rng, dimension=0, named=named), blocks=(SURFACE,), options=SMALL)
    assert model.top["in_w"].shape[0] == named
    article = _article(rng, dimension=5)
    assert model.score(article).shape == (article.n,)
    assert ContextModel.from_json(model.to_json()).blocks == (SURFACE,)


def test_a_model_reading_encoder_layers_keeps_them_and_refuses_an_article_without() -> None:
    rng = np.random.default_rng(4)
    articles = [replace(a, layers=rng.normal(size=(len(a.labels), 16))) for a in _articles(rng)]
    model = fit_context(articles, options=SMALL, encoder_layers=(2, 4))
    assert model.encoder_layers == (2, 4) and model.top["in_w"].shape[0] == len(FEATURES) + 24
    # Fitted as served: the embedding, then the layers' vectors (ContextModel.inputs' order).
    x, *_ = _batch(articles[:1], model.mean, model.scale, 24, 0.0, rng)
    n = len(articles[0].labels)
    assert np.allclose(x[0, :n, len(FEATURES) :], np.hstack([articles[0].embeddings, articles[0].layers]))
    article = _article(rng)
    layered = RankInput(
        article.embeddings, article.words, article.title, 0.9, article.texts, layers=rng.normal(size=(article.n, 16))
    )
    loaded = ContextModel.from_json(model.to_json())
    assert loaded.encoder_layers == (2, 4)
    assert np.allclose(loaded.score(layered), model.score(layered), atol=1e-5)
    # Selecting among some sentences keeps their layers' rows, so the model can still score them.
    kept = layered.only([0, 2, 3])
    assert kept.layers is not None and np.array_equal(kept.layers, layered.layers[[0, 2, 3]])
    assert model.score(kept).shape == (3,)
    with pytest.raises(ValueError, match=r"reads encoder layers \[2, 4\], the article has none"):
        model.score(article)
    # A warm start keeps the layers it was fitted on; another set is a fit from nothing.
    with pytest.raises(ValueError, match="cannot warm-start on encoder layers"):
        fit_context(articles, options=SMALL, init=model)
    # The inputs after the named features are the embedding and one block a layer, or it is refused.
    data = model.to_json()
    data["encoder_layers"] = [2, 3, 4, 5]
    with pytest.raises(ValueError, match="do not fit together"):
        ContextModel.from_json(data)
