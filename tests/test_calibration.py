"""House-style calibration and ranker profiles, on real articles and the real embedded model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rouge_score import rouge_scorer

from bench.server import REPO_ROOT
from service import calibration
from service.config import Settings
from service.engines.base import Document, SummaryParams
from service.engines.profile import Profile, load_profile, profile_from_json, save_profile
from service.engines.ranking import RankerWeights, score_sentences, select_sentences
from service.engines.registry import load_engine
from service.engines.salience import fit_logistic
from service.text.sentences import Sentence, split_sentences

DATA = REPO_ROOT.parent / "shared" / "data"
CNN_TRAIN = DATA / "cnndm-train.jsonl"


@pytest.fixture(scope="module")
def engine():
    return load_engine(Settings(model="embedded"))


@pytest.fixture(scope="module")
def cnn_rows() -> list[dict]:
    if not CNN_TRAIN.is_file():
        pytest.skip("../shared/data/cnndm-train.jsonl is not present")
    with CNN_TRAIN.open(encoding="utf-8") as handle:
        return [json.loads(next(handle)) for _ in range(12)]


@pytest.fixture(scope="module")
def cnn_articles(cnn_rows, engine) -> list[calibration.Article]:
    return calibration.embed_rows(cnn_rows, engine.embedder)


def test_fast_rouge2_equals_rouge_score(cnn_articles) -> None:
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    for article in cnn_articles:
        for chosen in ([0, 1, 2], [1, 4], calibration.oracle(article)):
            expected = scorer.score(article.reference, "\n".join(article.sentences[i] for i in chosen))
            assert calibration.rouge2(article, chosen) == pytest.approx(100 * expected["rouge2"].fmeasure, abs=1e-9)


def test_oracle_is_at_least_as_good_as_lead3(cnn_articles) -> None:
    for article in cnn_articles:
        assert calibration.rouge2(article, calibration.oracle(article)) >= calibration.lead3(article) - 1e-9


def test_grid_table_equals_the_engines_own_selection(cnn_articles) -> None:
    points = calibration.grid_points()[::97]
    table = calibration.grid_table(cnn_articles, points)
    params = SummaryParams(max_sentences=3)
    for row, weights in zip(table, points, strict=True):
        for column, article in enumerate(cnn_articles):
            scores = score_sentences(article.embeddings, article.title, weights)
            sentences = [Sentence(text, 0, len(text), i) for i, text in enumerate(article.sentences)]
            chosen = select_sentences(sentences, article.embeddings, scores, params, weights)
            gain = calibration.rouge2(article, [c.source.index for c in chosen]) - calibration.lead3(article)
            assert row[column] == pytest.approx(gain, abs=1e-9)


def test_calibrate_writes_a_profile_the_engine_serves(cnn_rows, engine, tmp_path: Path) -> None:
    data = tmp_path / "ours.jsonl"
    rows = [{"id": r["id"], "text": r["article"], "reference": r["reference"]} for r in cnn_rows[:11]]
    paragraphs = "".join(f"<p>{s.text}</p>" for s in split_sentences(cnn_rows[11]["article"]))
    rows.append({"id": "html", "html": f"<html><body><article>{paragraphs}</article></body></html>",
                 "reference": cnn_rows[11]["reference"]})
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "ours.json"
    parser = calibration.argparse.ArgumentParser()
    calibration.add_arguments(parser)
    assert calibration.run(parser.parse_args(["--data", str(data), "--out", str(out), "--folds", "2"])) == 0

    stored = json.loads(out.read_text(encoding="utf-8"))
    assert stored["name"] == "ours" and stored["ranker"] == "weighted"
    assert stored["data"]["articles"] == 12 and len(stored["data"]["sha256"]) == 64
    gain = stored["evaluation"]["cross_validated"]["rouge2_minus_lead3"]
    assert gain["ci95"][0] <= gain["mean"] <= gain["ci95"][1]

    # Served through RANKER_PROFILE, as a newsroom would.
    served = load_engine(Settings(ranker_profile=str(out)))
    assert served.info.settings["profile"] == "ours"
    sentences = split_sentences(cnn_rows[0]["article"])
    [result] = served.summarize([Document(cnn_rows[0]["article"], sentences)], [SummaryParams(max_sentences=3)])
    assert 1 <= len(result.sentences) <= 3
    assert [s.source.index for s in result.sentences] == sorted(s.source.index for s in result.sentences)
    assert engine.info.settings["profile"] == "default"


def test_salience_profile_round_trips_through_json(cnn_articles, tmp_path: Path) -> None:
    x, y = calibration.training_matrix(cnn_articles)
    model = fit_logistic(x, y, l2=100.0)
    profile = Profile("house", RankerWeights(), model)
    save_profile(profile, tmp_path / "house.json")
    loaded = load_profile(tmp_path / "house.json")
    assert loaded.ranker == "salience"
    article = cnn_articles[0]
    np.testing.assert_allclose(loaded.score(article.embeddings, article.title, article.words),
                               profile.score(article.embeddings, article.title, article.words), atol=1e-4)
    # Oracle sentences score higher than the rest, on average, on the data it was fitted to.
    scores = model.score(article.embeddings, article.title, article.words)
    labels = np.zeros(len(scores), dtype=bool)
    labels[calibration.oracle(article)] = True
    assert scores[labels].mean() > scores[~labels].mean()


@pytest.mark.parametrize("name", ["bbc", "cnn"])
def test_shipped_profiles_load_and_say_where_they_came_from(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.meta["data"]["sha256"] and profile.meta["data"]["articles"] > 100
    assert "dev" in profile.meta["evaluation"]


def test_default_profile_is_the_built_in_weights() -> None:
    profile = load_profile("")
    assert profile.name == "default" and profile.weights == RankerWeights() and profile.salience is None


def test_bad_profiles_are_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_profile("no-such-profile")
    with pytest.raises(ValueError, match="unknown ranker weights"):
        profile_from_json({"name": "x", "weights": {"speed": 1}})
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_profile(bad)
